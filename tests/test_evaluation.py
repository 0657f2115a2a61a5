"""gan_course.evaluation: every measure of chapter 08 against a case with a known answer."""

import numpy as np
import pytest
import torch

from gan_course import data, distances, evaluation, metrics


@pytest.fixture(scope="module")
def mnist():
    images, _ = data.mnist("train")
    test_images, test_labels = data.mnist("test")
    return images, test_images, test_labels


def test_pixel_features_are_the_pixels_and_the_random_network_is_seeded(mnist):
    images = mnist[1][:50]
    assert np.array_equal(evaluation.features(images, "pixels"), images.reshape(50, 784).double().numpy())
    random_features = evaluation.features(images, "random network")
    trained_features = evaluation.features(images, "classifier")
    assert random_features.shape == trained_features.shape == (50, 128)
    assert np.array_equal(random_features, evaluation.features(images, "random network"))
    assert not np.allclose(random_features, trained_features)
    state = torch.random.get_rng_state()
    evaluation.random_network(seed=3)
    assert torch.equal(state, torch.random.get_rng_state()), "the global random state must not move"
    with pytest.raises(ValueError, match="unknown feature kind 'inception'"):
        evaluation.features(images, "inception")


def test_frechet_distance_of_identical_and_of_translated_features():
    x = np.random.default_rng(0).normal(size=(500, 6))
    assert evaluation.frechet_distance_of(x, x) == pytest.approx(0.0, abs=1e-9)
    # same covariance, means 3 apart in each of 6 dimensions: exactly ||mu1 - mu2||^2 = 6 * 9
    assert evaluation.frechet_distance_of(x + 3.0, x) == pytest.approx(54.0, rel=1e-9)


def test_fid_bias_is_k_over_n_with_the_gaussian_constant():
    # Features N(0, I_d) against (almost) the true distribution: FID_inf = 0 and, to first order,
    # E FID_N = d / N (the mean term) + d (d + 1) / (4 N) (the covariance term) = d (d + 5) / (4 N).
    d, rng = 4, np.random.default_rng(1)
    pool, reference = rng.normal(size=(50_000, d)), rng.normal(size=(400_000, d))
    sizes = [250, 500, 1000, 2000, 4000]
    fids = evaluation.fid_by_size(pool, reference, sizes, repeats=200, seed=2)
    assert fids.shape == (5, 200)
    fid_inf, k = evaluation.fid_infinity(sizes, fids)
    assert k == pytest.approx(d * (d + 5) / 4, rel=0.1)
    assert abs(fid_inf) < 0.002
    with pytest.raises(ValueError, match="between 2 and the pool's 50000"):
        evaluation.fid_by_size(pool, reference, [60_000])


def test_fid_infinity_recovers_an_exact_line_and_needs_two_sizes():
    sizes = np.array([500, 1000, 5000])
    assert evaluation.fid_infinity(sizes, 7.0 + 900.0 / sizes) == pytest.approx((7.0, 900.0))
    with pytest.raises(ValueError, match="two or more different sizes"):
        evaluation.fid_infinity([1000, 1000], [5.0, 6.0])


def test_distance_ratios_on_a_line():
    training = torch.tensor([[0.0], [1.0], [3.0]])
    samples = torch.tensor([[0.0], [0.5], [2.5], [3.0]])
    # 0: a copy; 0.5: equally far from 0 and 1; 2.5: 0.5 from 3 and 1.5 from 1; 3: a copy
    assert torch.allclose(evaluation.distance_ratios(samples, training), torch.tensor([0.0, 1.0, 1 / 3, 0.0]))
    distances_, indices = evaluation.nearest_training(samples, training, k=2)
    assert indices[2].tolist() == [2, 1] and distances_[2].tolist() == [0.5, 1.5]


def test_copy_test_flags_training_copies_and_new_digits_at_the_false_alarm_rate(mnist):
    images, test_images, _ = mnist
    training = images[:10_000]
    test = evaluation.CopyTest(training, test_images[:2000], alpha=0.01)
    assert test.share(training[5000:5500]) == 1.0
    # new digits the threshold never saw are flagged at about alpha: 1 % of 2,000 is 20 +- 4.5
    assert 0.002 <= test.share(test_images[2000:4000]) <= 0.02
    assert test.share(images[20_000:22_000]) <= 0.02  # real training digits it was not given
    with pytest.raises(ValueError, match="alpha is a false-alarm rate"):
        evaluation.CopyTest(training, test_images[:10], alpha=1.5)


@pytest.fixture(scope="module")
def reference(mnist):
    return evaluation.Reference.of(mnist[1], n=500, seed=0)


def test_reference_holds_all_test_features_and_a_subset(reference):
    assert reference.features.shape == (10_000, 128) and reference.subset.shape == (500, 128)
    assert np.array_equal(reference.features, metrics.reference_features("mnist"))
    assert all(any(np.array_equal(row, f) for f in reference.features[:]) for row in reference.subset[:3])


def test_measures_of_real_digits_and_of_one_class(mnist, reference):
    images, test_images, test_labels = mnist
    real = evaluation.measures(images[:500], reference, kid_subsets=10)
    ones = evaluation.measures(test_images[test_labels == 1][:500], reference, kid_subsets=10)
    assert real["classes_covered"] == 10 and ones["classes_covered"] == 1
    assert real["inception_score"] > 9 and ones["inception_score"] < 1.2
    assert real["recall"] > 0.75 and ones["recall"] < 0.2  # a tenth of the real manifold at most
    assert ones["fid"] > 20 * real["fid"] and ones["kid"] > 20 * real["kid"]
    same = distances.precision_recall(reference.subset, evaluation.features(images[:500]))
    assert (real["precision"], real["recall"]) == tuple(same)
    assert "copies" not in real


def test_real_band_and_caught_follow_each_measures_direction():
    rows = [{"fid": f, "precision": p, "classes_covered": 10} for f, p in [(5, 0.8), (7, 0.9), (6, 0.85)]]
    band = evaluation.real_band(rows)
    assert band["fid"] == (6.0, 1.0) and band["classes_covered"] == (10.0, 0.0)
    # FID 10.5 is 4.5 sd above real (caught at 4), precision 0.6 is 5 sd below, 10 classes as real
    assert evaluation.caught({"fid": 10.5, "precision": 0.6, "classes_covered": 10}, band) == {
        "fid": True, "precision": True, "classes_covered": False}
    assert evaluation.caught({"fid": 1.0, "precision": 1.0, "classes_covered": 9}, band) == {
        "fid": False, "precision": False, "classes_covered": True}  # better than real is not a defect
    with pytest.raises(ValueError, match="at least 2 draws"):
        evaluation.real_band(rows[:1])
