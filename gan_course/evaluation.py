"""Evaluating the evaluations (chapter 08): feature spaces, FID's bias in N, memorisation, and a
table of every measure against a reference, with the spread of real data as the yardstick.

- :func:`features`: the course's classifier (:func:`gan_course.metrics.features_and_probs`), the
  same network randomly initialised (random embeddings as in Naeem et al. 2020, "Reliable
  Fidelity and Diversity Metrics"), or the raw pixels;
- :func:`frechet_distance_of`: FID from two sets of features (Heusel et al. 2017, eq. 6);
  :func:`fid_by_size` and :func:`fid_infinity`: FID's bias in the number of samples N and its
  extrapolation to N = infinity from FID_N = FID_inf + k / N (Chong and Forsyth 2020);
- :class:`CopyTest`: the memorisation test, nearest-neighbour distance ratios calibrated on
  held-out real digits (Lowe 2004's ratio test; calibration in the spirit of Meehan et al. 2020);
- :class:`Reference`, :func:`measures`, :func:`real_band`, :func:`caught`: every measure of one
  set of samples, and whether it is worse than real held-out digits by more than chance.
"""

from dataclasses import dataclass

import numpy as np
import torch

from gan_course import classifiers, distances, metrics
from gan_course.distances import gaussian_fit  # FID's Gaussian fit, shared with metrics

FEATURE_KINDS = ("classifier", "random network", "pixels")
# Each measure and the direction in which it gets worse: +1 when a larger value is worse.
WORSE = {"fid": 1, "kid": 1, "inception_score": -1, "precision": -1, "recall": -1,
         "classes_covered": -1, "copies": 1}
Z_CAUGHT = 4.0  # a measure catches a defect when it is this many real-data standard deviations worse


def _flat(images: torch.Tensor) -> torch.Tensor:
    return torch.as_tensor(images).detach().float().cpu().reshape(len(images), -1)


def random_network(seed: int = 0) -> classifiers.Classifier:
    """The course classifier's architecture with fresh random weights (PyTorch's default
    initialisation, seeded; the global random state is left as it was)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return classifiers.Classifier().eval()


@torch.no_grad()
def features(images: torch.Tensor, kind: str = "classifier", dataset: str = "mnist") -> np.ndarray:
    """Features (N, d) of images in [-1, 1]: the 128 penultimate units of the trained classifier
    (``"classifier"``) or of a random one (``"random network"``), or the 784 ``"pixels"``."""
    if kind not in FEATURE_KINDS:
        raise ValueError(f"unknown feature kind {kind!r}: choose one of "
                         f"{', '.join(map(repr, FEATURE_KINDS))}")
    if kind == "classifier":
        return metrics.features_and_probs(images, dataset)[0]
    if kind == "pixels":
        return _flat(images).double().numpy()
    net = random_network()
    return torch.cat([net.features(chunk) for chunk in _flat(images).view(-1, 1, 28, 28).split(1000)]
                     ).double().numpy()


def frechet_distance_of(fake: np.ndarray, real: np.ndarray) -> float:
    """FID between two sets of features: :func:`gan_course.distances.frechet_distance` of their
    Gaussian fits, ||mu_f - mu_r||^2 + Tr(S_f + S_r - 2 (S_f S_r)^{1/2}) (Heusel et al. 2017, eq. 6)."""
    return distances.frechet_distance(*gaussian_fit(fake), *gaussian_fit(real))


def fid_by_size(pool: np.ndarray, reference: np.ndarray, sizes, repeats: int = 5,
                seed: int = 0) -> np.ndarray:
    """FID of ``N`` features drawn without replacement from ``pool`` against all of ``reference``,
    for each N in ``sizes``, ``repeats`` draws each: an array (len(sizes), repeats)."""
    sizes = [int(n) for n in sizes]
    if min(sizes) < 2 or max(sizes) > len(pool):
        raise ValueError(f"sizes must be between 2 and the pool's {len(pool)} samples, got {sizes}")
    rng = np.random.default_rng(seed)
    mu, sigma = gaussian_fit(reference)
    return np.array([[distances.frechet_distance(*gaussian_fit(pool[rng.choice(len(pool), n, replace=False)]),
                                                 mu, sigma) for _ in range(repeats)] for n in sizes])


def fid_infinity(sizes, fids) -> tuple[float, float]:
    """``(FID_inf, k)``: the least-squares line FID_N = FID_inf + k / N through the points (1/N, FID_N)
    (Chong and Forsyth 2020, "Effectively Unbiased FID and Inception Score and where to find them").
    ``fids`` has one value per size, or one row of repeats per size (their mean is used)."""
    sizes = np.asarray(sizes, dtype=float)
    fids = np.asarray(fids, dtype=float)
    fids = fids.mean(1) if fids.ndim == 2 else fids
    if len(sizes) < 2 or len(sizes) != len(fids) or len(set(sizes)) < 2:
        raise ValueError(f"need FIDs at two or more different sizes, one per size; got {len(sizes)} "
                         f"sizes and {len(fids)} values")
    slope, intercept = np.polyfit(1 / sizes, fids, 1)
    return float(intercept), float(slope)


@torch.no_grad()
def nearest_training(images: torch.Tensor, training: torch.Tensor,
                     k: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """Euclidean pixel distances (N, k) from each image to its ``k`` nearest ``training`` images,
    nearest first, and their indices (N, k)."""
    training = _flat(training)
    found = [torch.cdist(chunk, training).topk(k, dim=1, largest=False) for chunk in _flat(images).split(256)]
    return torch.cat([f.values for f in found]), torch.cat([f.indices for f in found])


def distance_ratios(images: torch.Tensor, training: torch.Tensor) -> torch.Tensor:
    """r = d1 / d2 for each image: its distance to the nearest training image over that to the
    second nearest. About 1 for a new image, 0 for an exact copy (Lowe 2004's ratio test)."""
    nearest, _ = nearest_training(images, training)
    return nearest[:, 0] / nearest[:, 1].clamp_min(1e-12)


class CopyTest:
    """Is a sample a copy of a training image? :func:`distance_ratios` below a threshold: unlike the
    distance d1 itself, the ratio d1 / d2 does not depend on how crowded the data are around the
    sample (a new "1" is closer to some training "1" than a new "8" is to any training "8").

    The threshold is the ``alpha`` quantile of r over held-out real ``calibration`` images, so
    that a share ``alpha`` of new real images is flagged by mistake (the false-alarm rate).
    """

    def __init__(self, training: torch.Tensor, calibration: torch.Tensor, alpha: float = 0.01):
        if not 0 < alpha < 1:
            raise ValueError(f"alpha is a false-alarm rate, between 0 and 1 exclusive; got {alpha}")
        if len(training) < 2:
            raise ValueError(f"need at least 2 training images, got {len(training)}")
        self.training, self.alpha = _flat(training), alpha
        self.threshold = float(torch.quantile(self.ratios(calibration), alpha))

    def ratios(self, images: torch.Tensor) -> torch.Tensor:
        """:func:`distance_ratios` of ``images`` to the training images."""
        return distance_ratios(images, self.training)

    def flags(self, images: torch.Tensor) -> torch.Tensor:
        """True where an image is judged a copy: r below the calibrated threshold."""
        return self.ratios(images) < self.threshold

    def share(self, images: torch.Tensor) -> float:
        """The share of ``images`` flagged as copies (about ``alpha`` for new real images)."""
        return self.flags(images).float().mean().item()


@dataclass(frozen=True)
class Reference:
    """The real side of every measure: all reference features (FID, KID) and a random subset of
    ``n`` of them for precision and recall (which compares sets of equal size)."""

    features: np.ndarray
    subset: np.ndarray

    @classmethod
    def of(cls, images: torch.Tensor, n: int, seed: int = 0, kind: str = "classifier") -> "Reference":
        all_features = features(images, kind)
        rows = np.random.default_rng(seed).choice(len(all_features), n, replace=False)
        return cls(all_features, all_features[rows])


def measures(images: torch.Tensor, reference: Reference, copy_test: CopyTest | None = None,
             kid_subsets: int = 50) -> dict:
    """Every measure of ``images`` (classifier features) against ``reference``: FID, KID (mean of
    ``kid_subsets`` subset estimates), Inception Score, precision and recall (k = 3), classes
    covered (>= 1 % of samples) and, given a ``copy_test``, the share flagged as copies."""
    feats, probs = metrics.features_and_probs(images)
    histogram = np.bincount(probs.argmax(1), minlength=probs.shape[1])
    pr = distances.precision_recall(reference.subset, feats)
    row = {"fid": frechet_distance_of(feats, reference.features),
           "kid": distances.kernel_inception_distance(reference.features, feats, subsets=kid_subsets,
                                                      subset_size=len(feats)).mean,
           "inception_score": metrics.inception_score(probs),
           "precision": pr.precision, "recall": pr.recall,
           "classes_covered": int((histogram >= 0.01 * len(feats)).sum())}
    if copy_test is not None:
        row["copies"] = copy_test.share(images)
    return row


def real_band(rows: list[dict]) -> dict:
    """``{measure: (mean, std)}`` over rows of :func:`measures` for independent draws of real data."""
    if len(rows) < 2:
        raise ValueError(f"need at least 2 draws of real data to measure their spread, got {len(rows)}")
    return {key: (float(np.mean([r[key] for r in rows])), float(np.std([r[key] for r in rows], ddof=1)))
            for key in rows[0]}


def caught(row: dict, band: dict, z: float = Z_CAUGHT) -> dict:
    """``{measure: bool}``: True where ``row`` is worse than real data's mean by more than ``z`` of
    real data's standard deviations (in the measure's bad direction, :data:`WORSE`)."""
    return {key: WORSE[key] * (row[key] - band[key][0]) > z * band[key][1] + 1e-12
            for key in row if key in band}
