"""gan_course.stress: each stress generator has exactly the defect it claims, and `trained`
loads a finished command-line run or trains (and keeps) its own."""

import math

import numpy as np
import pytest
import torch

from gan_course import data, evaluation, metrics, recipes, stress


@pytest.fixture(scope="module")
def split():
    return stress.mnist_split()


@pytest.fixture(scope="module")
def sets(split):
    return stress.stress_sets(split, n=400, seed=0)


def test_the_split_is_train_50000_held_out_10000_and_the_test_set(split):
    images, labels = data.mnist("train")
    assert len(split.training) == 50_000 and len(split.held_out) == 10_000 == len(split.reference)
    assert torch.equal(split.held_out, images[50_000:])
    assert torch.equal(split.held_out_labels, labels[50_000:])


def _rows_in(images, pool):
    """For each image, whether it is one of the rows of ``pool``: within 0.1 in Euclidean distance,
    the rounding error of the fast distances being about 0.01; distinct digits are 2 or more apart."""
    nearest, _ = evaluation.nearest_training(images, pool, k=1)
    return nearest[:, 0] < 0.1


def test_only_the_copies_come_from_the_training_set(split, sets):
    for name, images in sets.items():
        assert images.shape == (400, 1, 28, 28), name
        assert images.min() >= -1 and images.max() <= 1, name
        assert len(torch.unique(images.reshape(400, -1), dim=0)) == 400, f"{name}: drawn twice"
        assert _rows_in(images, split.training).all().item() == (name == "copies of training digits"), name
    assert _rows_in(sets["real held-out digits"], split.held_out).all()


def test_class_restricted_generators_have_those_classes_only(split, sets):
    ones = metrics.evaluate_mnist(sets["one class (digit 1)"])
    assert ones["classes_covered"] == 1 and np.argmax(ones["class_histogram"]) == 1
    five = metrics.evaluate_mnist(sets["5 of 10 classes (0-4)"])
    assert five["classes_covered"] == 5 and sum(five["class_histogram"][:5]) >= 0.98 * 400
    gen = torch.Generator().manual_seed(0)
    drawn = stress.of_classes(split, [3, 7], 1000, gen)
    _, index = evaluation.nearest_training(drawn, split.held_out, k=1)
    assert set(split.held_out_labels[index[:, 0]].tolist()) == {3, 7}
    with pytest.raises(ValueError, match="cannot draw 5000 different images from a pool of"):
        stress.of_classes(split, [1], 5000, gen)


def test_blur_keeps_flat_images_and_spreads_a_point_as_a_gaussian():
    flat = torch.full((1, 1, 28, 28), 0.25)
    assert torch.allclose(stress.blurred(flat, 1.0), flat)
    point = torch.zeros(1, 1, 28, 28)
    point[0, 0, 14, 14] = 1.0
    spread = stress.blurred(point, 1.0)[0, 0]
    assert spread.sum().item() == pytest.approx(1.0, abs=1e-5)
    # neighbouring pixels of a sigma = 1 Gaussian: ratio exp(-1/2) along a row
    assert (spread[14, 15] / spread[14, 14]).item() == pytest.approx(math.exp(-0.5), rel=0.02)


def test_noise_has_the_stated_standard_deviation_where_nothing_is_clipped():
    gen = torch.Generator().manual_seed(0)
    grey = torch.zeros(200, 1, 28, 28)
    assert (stress.noisy(grey, 0.3, gen) - grey).std().item() == pytest.approx(0.3, rel=0.02)
    assert stress.noisy(torch.ones(10, 1, 28, 28), 0.3, gen).max() <= 1


def test_shift_moves_pixels_and_fills_background():
    image = torch.full((1, 1, 28, 28), -1.0)
    image[0, 0, 10, 20] = 1.0
    moved = stress.shifted(image, 3, -2)
    assert moved[0, 0, 8, 23] == 1.0 and (moved == 1.0).sum() == 1
    edge = torch.full((1, 1, 28, 28), -1.0)
    edge[0, 0, :, 27] = 1.0
    assert (stress.shifted(edge, 1, 0) == -1).all(), "pixels leaving the frame must not wrap around"


def test_mystery_is_training_digits_moved_by_one_pixel(split, sets):
    mystery = sets["mystery"]
    assert not _rows_in(mystery, split.training).any(), "no mystery image is an exact training image"
    moves = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)]
    found = torch.zeros(len(mystery), dtype=torch.bool)
    for dx, dy in moves:  # move back, find the nearest training digit, move it forward: the same image?
        _, index = evaluation.nearest_training(stress.shifted(mystery, -dx, -dy), split.training, k=1)
        again = stress.shifted(split.training[index[:, 0]], dx, dy)
        found |= (again == mystery).flatten(1).all(dim=1)
    assert found.all(), "every mystery image is a training image moved by one pixel"


def test_one_perfect_image_per_class_scores_near_the_maximum_inception_score(split):
    _, probs = metrics.features_and_probs(split.reference)
    perfect = stress.one_per_class(split.reference, split.reference_labels, probs, 1000)
    assert len(torch.unique(perfect.reshape(1000, -1), dim=0)) == 10
    scores = metrics.evaluate_mnist(perfect)
    assert scores["inception_score"] > 9.9 and scores["class_histogram"] == [100] * 10
    assert scores["fid"] > 100, "ten images, however perfect, are far from the test set's spread"


def test_ring_stress_has_its_known_mode_scores():
    target = data.ring_of_gaussians()
    training = target.sample(20_000, torch.Generator().manual_seed(0))
    sets = stress.ring_stress(target, training, n=10_000, seed=1)
    scores = {name: metrics.mode_coverage(points, target) for name, points in sets.items()}
    # in 2-D the share of a Gaussian within r standard deviations is 1 - exp(-r^2 / 2)
    assert scores["target"]["high_quality"] == pytest.approx(1 - math.exp(-9 / 2), abs=0.005)
    assert scores["modes 3x too wide"]["high_quality"] == pytest.approx(1 - math.exp(-1 / 2), abs=0.01)
    assert scores["modes 10x too narrow"]["high_quality"] == 1.0
    assert scores["half of the modes"]["modes_covered"] == 4
    assert scores["modes 10x too narrow"]["modes_covered"] == scores["target"]["modes_covered"] == 8
    assert _rows_in(sets["copies of training points"], training).all()
    # E log N(x; mu, s^2 I) = -log(2 pi s^2) - 1 for x from it, and - 1/100 instead of - 1 for x from
    # a Gaussian 10 times narrower: 0.99 more (the modes are far apart, so one mode counts)
    gain = stress.log_density(target, sets["modes 10x too narrow"]).mean() - stress.log_density(
        target, sets["target"]).mean()
    assert gain == pytest.approx(0.99, abs=0.05)


def test_log_density_matches_the_mixture_density_and_stays_finite_far_away():
    target = data.ring_of_gaussians()
    points = target.sample(500, torch.Generator().manual_seed(2))
    assert np.allclose(stress.log_density(target, points), np.log(target.pdf(points.numpy())), atol=1e-6)
    # at a mode (the others 0.77 or more, 38 std, away): log(1/8) - log(2 pi std^2)
    at_mode = stress.log_density(target, target.modes[:1])[0]
    assert at_mode == pytest.approx(math.log(1 / 8) - math.log(2 * math.pi * 0.02**2), abs=1e-9)
    # at the centre, 2 (100 std) from each of the 8 modes: exactly the density of one of them there
    centre = stress.log_density(target, torch.zeros(1, 2))[0]
    assert centre == pytest.approx(-(2**2) / (2 * 0.02**2) - math.log(2 * math.pi * 0.02**2), rel=1e-12)


def test_trained_loads_a_finished_command_line_run(tmp_path):
    cli, _ = recipes.build("ring-gan", seed=0, progress=False)
    cli.fit(steps=6)
    cli.save(tmp_path / "runs" / "ring-gan" / "checkpoint.pt")
    loaded = stress.trained("ring-gan", {"steps": 6}, cache=tmp_path / "cache", cli_runs=[tmp_path / "runs"])
    assert loaded.step == 6 and not (tmp_path / "cache").exists()
    draw = [m.sample(50, generator=torch.Generator().manual_seed(0)) for m in (loaded, cli)]
    assert torch.equal(*draw)


def test_trained_trains_keeps_and_reloads_a_run_of_another_length(tmp_path, capsys):
    first = stress.trained("ring-gan", {"steps": 4}, cache=tmp_path / "cache", cli_runs=[tmp_path / "none"])
    assert "trained here" in capsys.readouterr().out
    assert (tmp_path / "cache" / "ring-gan-seed0-4steps.pt").is_file()
    again = stress.trained("ring-gan", {"steps": 4}, cache=tmp_path / "cache", cli_runs=[tmp_path / "none"])
    assert "loaded" in capsys.readouterr().out and again.step == 4
    draw = [m.sample(50, generator=torch.Generator().manual_seed(1)) for m in (first, again)]
    assert torch.equal(*draw)
