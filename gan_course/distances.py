"""Distances between two sets of features (real and generated), as pure functions of arrays.

Each function takes features of shape ``(n, d)``, NumPy arrays or tensors, e.g. the classifier
features of :func:`gan_course.metrics.features_and_probs`:

- :func:`gaussian_fit`: the mean and covariance of a set of features, which FID compares;
- :func:`frechet_distance`: the Frechet distance between Gaussians fitted to the two sets, the
  FID of Heusel et al. (2017), eq. 6;
- :func:`kernel_inception_distance`: the unbiased estimate of the squared maximum mean
  discrepancy with a cubic polynomial kernel, the KID of Binkowski et al. (2018), "Demystifying
  MMD GANs": unlike FID it has no bias that depends on the number of samples;
- :func:`precision_recall`: the share of generated samples that land on the manifold of the real
  ones (precision, quality) and of real samples that land on the manifold of the generated ones
  (recall, coverage), each manifold being a union of k-nearest-neighbour balls
  (Kynkaanniemi et al. 2019, "Improved Precision and Recall Metric for Assessing Generative Models").
"""

from typing import NamedTuple

import numpy as np
import torch
from scipy import linalg


class KID(NamedTuple):
    """The mean of the unbiased MMD^2 estimates over subsets, and their standard deviation."""

    mean: float
    std: float


class PrecisionRecall(NamedTuple):
    precision: float
    recall: float


def _features(x, name: str) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().double().numpy()
    array = np.asarray(x, dtype=np.float64)
    if array.ndim != 2 or len(array) < 2:
        raise ValueError(f"{name} must be features of shape (n, d) with n >= 2, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} holds NaN or infinite values: check the images they came from")
    return array


def _pair(real, fake) -> tuple[np.ndarray, np.ndarray]:
    real, fake = _features(real, "real"), _features(fake, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"real and fake features differ in size: {real.shape[1]} vs {fake.shape[1]}")
    return real, fake


def gaussian_fit(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean and covariance (unbiased, n - 1) of features (n, d)."""
    features = np.asarray(features, dtype=float)
    return features.mean(0), np.cov(features, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}) for two Gaussians (Heusel et al. 2017, eq. 6).

    Tr (S1 S2)^{1/2} is computed as the sum of the square roots of the eigenvalues of the
    symmetric matrix S1^{1/2} S2 S1^{1/2}, which has the same eigenvalues as S1 S2: stable even
    when a covariance is singular (a feature that never fires).
    """
    values, vectors = linalg.eigh(sigma1)
    root1 = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = linalg.eigvalsh(root1 @ sigma2 @ root1)
    diff = mu1 - mu2
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * trace_root)


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The kernel matrix k(x_i, y_j) = (x_i . y_j / d + 1)^3 of KID (Binkowski et al. 2018, sec. 2.3)."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def mmd2_unbiased(x, y) -> float:
    """The unbiased estimate of MMD^2 between samples ``x`` (m, d) and ``y`` (n, d) with
    :func:`polynomial_kernel` (Gretton et al. 2012, eq. 3; Binkowski et al. 2018, eq. 3)::

        1/(m(m-1)) sum_{i != j} k(x_i, x_j) + 1/(n(n-1)) sum_{i != j} k(y_i, y_j)
            - 2/(mn) sum_{i, j} k(x_i, y_j)

    Its expectation is exactly MMD^2: 0 when both samples come from the same distribution, so a
    single estimate can be slightly negative.
    """
    x, y = _pair(x, y)
    m, n = len(x), len(y)
    kxx, kyy = polynomial_kernel(x, x), polynomial_kernel(y, y)
    within_x = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    within_y = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    return float(within_x + within_y - 2 * polynomial_kernel(x, y).mean())


def kernel_inception_distance(real, fake, subsets: int = 100, subset_size: int = 1000,
                              seed: int = 0) -> KID:
    """KID (Binkowski et al. 2018): :func:`mmd2_unbiased` averaged over random subsets.

    Draws ``subsets`` pairs of subsets of ``min(subset_size, len(real), len(fake))`` samples each,
    without replacement within a subset, from a generator seeded with ``seed``; returns the mean
    and the standard deviation of their estimates (the subsets of Binkowski et al. keep the cost
    at O(subsets * subset_size^2) instead of O(n^2)). When one subset covers both whole sets the
    sets are used as they are and the spread is 0.
    """
    real, fake = _pair(real, fake)
    if subsets < 1 or subset_size < 2:
        raise ValueError(f"need subsets >= 1 and subset_size >= 2, got {subsets} and {subset_size}")
    size = min(subset_size, len(real), len(fake))
    if subsets == 1 and size == len(real) == len(fake):
        return KID(mmd2_unbiased(real, fake), 0.0)
    rng = np.random.default_rng(seed)
    estimates = [mmd2_unbiased(real[rng.choice(len(real), size, replace=False)],
                               fake[rng.choice(len(fake), size, replace=False)]) for _ in range(subsets)]
    return KID(float(np.mean(estimates)), float(np.std(estimates)))


def _distances(a: torch.Tensor, b: torch.Tensor):
    """Rows of the exact Euclidean distance matrix between ``a`` and ``b``, 1,000 rows at a time."""
    for rows in a.split(1000):
        yield torch.cdist(rows, b, compute_mode="donot_use_mm_for_euclid_dist")


def knn_radii(x: torch.Tensor, k: int) -> torch.Tensor:
    """The distance from each point of ``x`` to its k-th nearest other point of ``x``."""
    return torch.cat([d.topk(k + 1, dim=1, largest=False).values[:, k] for d in _distances(x, x)])


def _coverage(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor) -> float:
    """Share of ``points`` inside at least one ball ``|p - centre_j| <= radius_j``."""
    inside = torch.cat([(d <= radii).any(dim=1) for d in _distances(points, centres)])
    return inside.double().mean().item()


def precision_recall(real, fake, k: int = 3) -> PrecisionRecall:
    """Improved precision and recall (Kynkaanniemi et al. 2019, eq. 1-3).

    The manifold of a set is the union of balls centred on its points, each with the radius of the
    distance to that point's ``k``-th nearest neighbour in the set. Precision is the share of
    ``fake`` inside the manifold of ``real``; recall the share of ``real`` inside that of ``fake``.
    Both are in [0, 1]; distances are exact (float64), in batches of 1,000 rows.
    """
    real, fake = (torch.tensor(a) for a in _pair(real, fake))  # a copy: inputs may be read-only
    if not 1 <= k < min(len(real), len(fake)):
        raise ValueError(f"k must be at least 1 and below the size of each set "
                         f"({len(real)} real, {len(fake)} fake), got {k}")
    precision = _coverage(fake, real, knn_radii(real, k))
    recall = _coverage(real, fake, knn_radii(fake, k))
    return PrecisionRecall(precision, recall)
