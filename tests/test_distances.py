import itertools

import numpy as np
import pytest
import torch

from gan_course import distances


def _direct_mmd2(x, y):
    """The unbiased MMD^2 of Binkowski et al. (2018) written out term by term, O(n^2) loops."""
    def k(a, b):
        return (sum(p * q for p, q in zip(a, b, strict=True)) / len(a) + 1) ** 3

    m, n = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i, j in itertools.permutations(range(m), 2)) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i, j in itertools.permutations(range(n), 2)) / (n * (n - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(n)) / (m * n)
    return xx + yy - 2 * xy


def test_mmd2_matches_the_formula_term_by_term():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 3)), rng.normal(0.5, 2.0, size=(7, 3))
    assert distances.mmd2_unbiased(x, y) == pytest.approx(_direct_mmd2(x.tolist(), y.tolist()), rel=1e-12)
    assert distances.mmd2_unbiased(torch.from_numpy(x), y) == distances.mmd2_unbiased(x, y)
    one_subset = distances.kernel_inception_distance(x, y[:5], subsets=1, subset_size=5)
    assert one_subset == (pytest.approx(_direct_mmd2(x.tolist(), y[:5].tolist()), rel=1e-12), 0.0)


def test_point_masses_give_the_kernel_distance_exactly():
    # all x at a, all y at b: MMD^2 = k(a, a) + k(b, b) - 2 k(a, b), with d = 2
    near = distances.mmd2_unbiased(np.tile([1.0, 0.0], (4, 1)), np.tile([0.0, 1.0], (6, 1)))
    assert near == pytest.approx(1.5**3 + 1.5**3 - 2 * 1.0)
    far = distances.mmd2_unbiased(np.tile([10.0, 0.0], (4, 1)), np.tile([0.0, 10.0], (6, 1)))
    assert far == pytest.approx(2 * 51.0**3 - 2 * 1.0)


def test_kid_is_unbiased_for_samples_of_the_same_distribution():
    rng = np.random.default_rng(1)
    pairs = [(rng.normal(size=(20, 4)), rng.normal(size=(20, 4))) for _ in range(400)]
    unbiased = np.array([distances.mmd2_unbiased(x, y) for x, y in pairs])
    standard_error = unbiased.std() / np.sqrt(len(unbiased))
    assert abs(unbiased.mean()) < 3 * standard_error
    # the biased (V-statistic) estimate, which keeps the i = j terms, fails the same check
    biased = np.array([(distances.polynomial_kernel(x, x).mean() + distances.polynomial_kernel(y, y).mean()
                        - 2 * distances.polynomial_kernel(x, y).mean()) for x, y in pairs])
    assert biased.mean() > 10 * standard_error


def test_kid_of_identical_and_of_far_apart_sets():
    rng = np.random.default_rng(2)
    real = rng.normal(size=(400, 16))
    same = distances.kernel_inception_distance(real, real, subsets=50, subset_size=100)
    assert same.std > 0 and abs(same.mean) < 3 * same.std  # 0 within the spread of the estimate
    # exactly: two subsets of one set of N points differ only in that x_i = y_i can be drawn
    # together, so E[KID] = 2 (mean_{i != j} k - mean_{i, j} k) = -2 (mean_i k_ii - mean_{i != j} k) / N
    kernel = distances.polynomial_kernel(real, real)
    off_diagonal = (kernel.sum() - np.trace(kernel)) / (400 * 399)
    expected = -2 * (np.trace(kernel) / 400 - off_diagonal) / 400
    assert same.mean == pytest.approx(expected, abs=4 * same.std / np.sqrt(50))
    far = distances.kernel_inception_distance(real, real + 10.0, subsets=50, subset_size=100)
    assert far.mean > 1000 * same.std
    assert far == distances.kernel_inception_distance(real, real + 10.0, subsets=50, subset_size=100)


def test_kid_of_subsets_estimates_the_full_set_value():
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(1000, 8)), rng.normal(0.3, 1.2, size=(1000, 8))
    full = distances.mmd2_unbiased(real, fake)
    small = distances.kernel_inception_distance(real, fake, subsets=200, subset_size=50)
    assert small.mean == pytest.approx(full, abs=4 * small.std / np.sqrt(200))


def test_identical_sets_have_precision_and_recall_one():
    x = np.random.default_rng(4).normal(size=(300, 8))
    x.setflags(write=False)  # like metrics.reference_features: read-only arrays are accepted as they are
    assert distances.precision_recall(x, x) == (1.0, 1.0)


def test_far_apart_sets_have_precision_and_recall_zero():
    rng = np.random.default_rng(5)
    real, fake = rng.normal(size=(300, 8)), rng.normal(100.0, 1.0, size=(300, 8))
    assert distances.precision_recall(real, fake) == (0.0, 0.0)


def test_generating_one_of_two_clusters_halves_nothing_but_recall():
    rng = np.random.default_rng(6)
    cluster_a, cluster_b = rng.normal(size=(60, 4)), rng.normal(50.0, 1.0, size=(40, 4))
    real = np.concatenate([cluster_a, cluster_b])
    precision, recall = distances.precision_recall(real, cluster_a)
    assert precision == 1.0 and recall == pytest.approx(60 / 100)


def test_recall_counts_the_balls_of_the_k_nearest_neighbours():
    # real 0..9 on a line, fake 0..4; with k = 3 the fake ball around 4 has radius 3 (to point 1),
    # so it reaches the real points 5, 6 and 7 (inclusive), not 8 or 9: recall 8/10
    real, fake = np.arange(10.0)[:, None], np.arange(5.0)[:, None]
    assert distances.knn_radii(torch.from_numpy(fake), 3).tolist() == [3.0, 2.0, 2.0, 2.0, 3.0]
    assert distances.precision_recall(real, fake, k=3) == (1.0, pytest.approx(0.8))
    assert distances.precision_recall(real, fake, k=1) == (1.0, pytest.approx(0.6))


def test_bad_feature_arrays_are_explained():
    x = np.zeros((10, 4))
    with pytest.raises(ValueError, match=r"fake must be features of shape \(n, d\) with n >= 2"):
        distances.mmd2_unbiased(x, np.zeros(4))
    with pytest.raises(ValueError, match="differ in size: 4 vs 3"):
        distances.precision_recall(x, np.zeros((10, 3)))
    with pytest.raises(ValueError, match="k must be at least 1 and below the size of each set"):
        distances.precision_recall(x, x[:3], k=3)
    with pytest.raises(ValueError, match="real holds NaN"):
        distances.kernel_inception_distance(np.full((10, 4), np.nan), x)
