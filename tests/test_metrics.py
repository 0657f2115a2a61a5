import pytest
import torch

from gan_course import classifiers, data, metrics


@pytest.fixture(scope="module")
def test_set():
    return data.mnist("test")


def test_cached_classifier_is_at_least_99_percent_accurate(test_set):
    saved = torch.load(metrics.CLASSIFIER_PATH, map_location="cpu", weights_only=True)
    assert saved["seed"] == metrics.CLASSIFIER_SEED
    images, labels = test_set
    assert metrics.accuracy(metrics.mnist_classifier(), images, labels) >= 0.99


def test_real_digits_score_well_and_noise_scores_badly(test_set):
    images, labels = test_set
    real = metrics.evaluate_mnist(images[:5000], labels[:5000])
    assert real["fid"] < 10
    assert 9 < real["inception_score"] <= 10
    assert real["classes_covered"] == 10 and real["label_accuracy"] > 0.99
    noise = metrics.evaluate_mnist(torch.rand(2000, 1, 28, 28) * 2 - 1)
    assert noise["fid"] > 100 * real["fid"]
    assert noise["inception_score"] < 2
    train_images, _ = data.mnist("train")
    train = metrics.evaluate_mnist(train_images[:5000])
    assert train["fid"] < 10  # other digits, same distribution


def test_one_class_is_one_class_covered(test_set):
    images, labels = test_set
    ones = metrics.evaluate_mnist(images[labels == 1][:1000])
    assert ones["classes_covered"] == 1
    assert ones["inception_score"] < 1.5
    assert ones["class_histogram"][1] >= 990
    assert ones["fid"] > 50


def test_frechet_distance_of_known_gaussians():
    import numpy as np

    # identical: 0; shifted means: squared distance; scaled covariances: (sqrt(a) - sqrt(b))^2 d
    eye = np.eye(3)
    assert metrics.frechet_distance(np.zeros(3), eye, np.zeros(3), eye) == pytest.approx(0, abs=1e-9)
    assert metrics.frechet_distance(np.zeros(3), eye, np.ones(3), eye) == pytest.approx(3.0)
    assert metrics.frechet_distance(np.zeros(3), 4 * eye, np.zeros(3), eye) == pytest.approx(3.0)


def test_inception_score_bounds():
    import numpy as np

    confident_uniform = np.eye(10)[np.arange(1000) % 10]
    assert metrics.inception_score(confident_uniform) == pytest.approx(10, rel=1e-6)
    assert metrics.inception_score(np.full((100, 10), 0.1)) == pytest.approx(1.0)


def test_bad_image_shapes_are_explained():
    with pytest.raises(ValueError, match=r"expected MNIST-shaped images \(N, 1, 28, 28\)"):
        metrics.evaluate_mnist(torch.zeros(10, 3, 32, 32))


def test_1d_distances():
    target = data.gaussian_1d(4.0, 0.5)
    exact = target.sample(20000, torch.Generator().manual_seed(0))
    assert metrics.wasserstein_1d(exact, target) < 0.01
    assert metrics.ks_1d(exact, target) < 0.015
    shifted = exact + 1.0
    assert metrics.wasserstein_1d(shifted, target) == pytest.approx(1.0, abs=0.01)
    assert metrics.ks_1d(shifted, target) == pytest.approx(0.683, abs=0.01)  # 2 Phi(1) - 1


def test_mode_coverage():
    ring = data.ring_of_gaussians()
    gen = torch.Generator().manual_seed(0)
    perfect = metrics.mode_coverage(ring.sample(2500, gen), ring)
    # in 2-D, P(|x - mu| < 3 std) = 1 - exp(-9/2) = 0.989 for samples of the target itself
    assert perfect["modes_covered"] == 8 and perfect["high_quality"] == pytest.approx(0.989, abs=0.005)
    collapsed = ring.modes[3] + 0.01 * torch.randn(2500, 2, generator=gen)
    result = metrics.mode_coverage(collapsed, ring)
    assert result["modes_covered"] == 1 and result["n_modes"] == 8
    blurry = ring.sample(2500, gen) * 1.3  # ring of radius 2.6: far from every mode
    assert metrics.mode_coverage(blurry, ring)["high_quality"] < 0.05


@pytest.fixture(scope="module")
def fashion_test_set():
    return data.fashion_mnist("test")


def test_fashion_metrics_separate_real_clothes_from_noise_and_one_class(fashion_test_set):
    images, labels = fashion_test_set
    real = metrics.evaluate_images(images[:5000], "fashion", labels[:5000])
    assert real["fid"] < 10 and real["inception_score"] > 6 and real["classes_covered"] == 10
    accuracy = metrics.accuracy(classifiers.load("fashion"), images[:5000], labels[:5000])
    assert real["label_accuracy"] == pytest.approx(accuracy, abs=1e-6)
    assert sum(real["class_histogram"]) == 5000
    noise = metrics.evaluate_images(torch.rand(2000, 1, 28, 28) * 2 - 1, "fashion")
    assert noise["fid"] > 100 * real["fid"] and noise["inception_score"] < 2
    bags = metrics.evaluate_images(images[labels == 8], "fashion")  # class 8: "Bag"
    assert bags["classes_covered"] == 1 and bags["class_histogram"][8] >= 950
    assert bags["inception_score"] < 1.5 and bags["fid"] > 50


@pytest.mark.parametrize("dataset", ["mnist", "fashion"])
def test_reference_is_the_test_set(dataset):
    images, _ = data.images(dataset, "test")
    features = metrics.reference_features(dataset)
    assert features.shape == (10000, 128) and not features.flags.writeable
    assert metrics.evaluate_images(images, dataset)["fid"] == pytest.approx(0, abs=1e-4)  # round-off


def test_evaluate_mnist_is_evaluate_images_on_mnist(test_set):
    images, labels = test_set
    assert metrics.evaluate_mnist(images[:500], labels[:500]) == metrics.evaluate_images(
        images[:500], "mnist", labels[:500])
    features, probs = metrics.features_and_probs(images[:500])
    assert features.shape == (500, 128) and probs.shape == (500, 10)
    assert probs.sum(1) == pytest.approx(1.0)


def test_bad_inputs_get_one_line_errors(test_set):
    images, labels = test_set
    with pytest.raises(ValueError, match=r"in \[-1, 1\].*got values in \[0, 255\].*x / 127.5 - 1"):
        metrics.evaluate_images((images[:10] + 1) * 127.5, "fashion")
    with pytest.raises(ValueError, match=r"expected Fashion-MNIST-shaped images \(N, 1, 28, 28\)"):
        metrics.evaluate_images(torch.zeros(10, 28, 28), "fashion")
    with pytest.raises(ValueError, match="need at least 2 images"):
        metrics.evaluate_mnist(images[:1])
    with pytest.raises(ValueError, match=r"one entry per image, shape \(10,\), got \(9,\)"):
        metrics.evaluate_mnist(images[:10], labels[:9])
    with pytest.raises(ValueError, match="class indices 0..9, got values from 0 to 10"):
        metrics.evaluate_mnist(images[:10], torch.tensor([0] * 9 + [10]))
    with pytest.raises(ValueError, match="integer class indices"):
        metrics.evaluate_mnist(images[:10], labels[:10].float())
    with pytest.raises(ValueError, match="unknown dataset 'cifar10'"):
        metrics.evaluate_images(images[:10], "cifar10")
