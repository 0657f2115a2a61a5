"""How good are the samples? Classifier metrics for MNIST and Fashion-MNIST, distances for the toy
targets.

Images. The Inception network behind FID and IS was trained on ImageNet and says little about
28x28 digits or clothes, so the course uses a small CNN trained on each dataset by
:mod:`gan_course.classifiers` (committed in ``data/``), with statistics of the dataset's test set
as the reference (:func:`evaluate_images`, :func:`evaluate_mnist`):

- classifier FID: the Frechet distance between Gaussians fitted to the classifier's penultimate
  features of the samples and of the test set (Heusel et al. 2017, eq. 6):
  ``||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^{1/2})``;
- classifier Inception Score: ``exp(E_x KL(p(y|x) || p(y)))`` (Salimans et al. 2016), at most 10;
- the predicted-class histogram, the number of classes covered, and for a conditional generator
  the share of samples the classifier labels as requested.

KID and precision/recall on the same features are in :mod:`gan_course.distances`
(:func:`reference_features` gives the test set's features).

Toy targets: the Wasserstein-1 and Kolmogorov-Smirnov distances to a 1-D target, and for 2-D
mixtures the modes covered and the share of high-quality samples, those within 3 standard
deviations of a mode (Metz et al. 2017; Srivastava et al. 2017).
"""

from functools import lru_cache

import numpy as np
import torch
from scipy import stats

from gan_course import classifiers, data
from gan_course.classifiers import (
    Classifier,
    accuracy,  # noqa: F401 (re-exported)
)
from gan_course.data import GaussianMixture
from gan_course.distances import frechet_distance, gaussian_fit

CLASSIFIER_PATH = classifiers.classifier_path("mnist")
CLASSIFIER_SEED = classifiers.SEED
RANGE_TOLERANCE = 1e-5


def mnist_classifier() -> Classifier:
    """The committed MNIST classifier (:func:`gan_course.classifiers.load`)."""
    return classifiers.load("mnist")


def train_classifier(epochs: int = classifiers.EPOCHS["mnist"], seed: int = CLASSIFIER_SEED,
                     batch_size: int = classifiers.BATCH_SIZE, progress: bool = True):
    """Train a new MNIST classifier: :func:`gan_course.classifiers.train` (it is not saved)."""
    return classifiers.train("mnist", epochs=epochs, seed=seed, batch_size=batch_size, progress=progress)


def _check_images(images: torch.Tensor, dataset: str = "mnist") -> torch.Tensor:
    """``images`` as a float CPU tensor (N, 1, 28, 28), or a one-line error saying what is wrong."""
    title = data.dataset_info(dataset).title
    images = torch.as_tensor(images).detach().float().cpu()
    if images.dim() == 2 and images.shape[1] == 784:
        images = images.view(-1, 1, 28, 28)
    if images.dim() != 4 or tuple(images.shape[1:]) != (1, 28, 28):
        raise ValueError(f"expected {title}-shaped images (N, 1, 28, 28) or (N, 784), got "
                         f"{tuple(images.shape)}")
    if len(images) < 2:
        raise ValueError(f"need at least 2 images to compute statistics, got {len(images)}")
    low, high = images.min().item(), images.max().item()
    if not (low >= -1 - RANGE_TOLERANCE and high <= 1 + RANGE_TOLERANCE):
        raise ValueError(f"images must be in [-1, 1], the range of the course's images and of a tanh "
                         f"generator, got values in [{low:g}, {high:g}]: map bytes 0..255 with x / 127.5 - 1")
    return images


def _check_labels(labels, n: int) -> np.ndarray:
    """Requested ``labels`` as an int array (n,) of classes 0..9, or a one-line error."""
    labels = torch.as_tensor(labels).detach().cpu()
    if labels.shape != (n,):
        raise ValueError(f"labels must have one entry per image, shape ({n},), got {tuple(labels.shape)}")
    if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
        raise ValueError(f"labels must be integer class indices 0..9, got dtype {labels.dtype}")
    if labels.min().item() < 0 or labels.max().item() > 9:
        raise ValueError(f"labels must be class indices 0..9, got values from {labels.min().item()} "
                         f"to {labels.max().item()}")
    return labels.numpy()


@torch.no_grad()
def features_and_probs(images: torch.Tensor, dataset: str = "mnist") -> tuple[np.ndarray, np.ndarray]:
    """The classifier's penultimate features (N, 128) and class probabilities (N, 10)."""
    model = classifiers.load(dataset)
    features, probs = [], []
    for chunk in _check_images(images, dataset).split(1000):
        f = model.features(chunk)
        features.append(f)
        probs.append(torch.softmax(model.head(f), dim=1))
    return torch.cat(features).double().numpy(), torch.cat(probs).double().numpy()


@lru_cache(maxsize=2)
def reference_features(dataset: str = "mnist") -> np.ndarray:
    """Classifier features (10,000, 128) of ``dataset``'s test set: the reference of every metric."""
    features, _ = features_and_probs(data.images(dataset, "test")[0], dataset)
    features.setflags(write=False)
    return features


@lru_cache(maxsize=2)
def _reference_statistics(dataset: str = "mnist") -> tuple[np.ndarray, np.ndarray]:
    features = reference_features(dataset)
    return gaussian_fit(features)


def inception_score(probs: np.ndarray) -> float:
    """exp(E_x KL(p(y|x) || p(y))) from class probabilities (N, 10): 1 (useless) to 10 (ideal)."""
    marginal = probs.mean(0, keepdims=True)
    kl = (probs * (np.log(probs + 1e-12) - np.log(marginal + 1e-12))).sum(1)
    return float(np.exp(kl.mean()))


def evaluate_images(images: torch.Tensor, dataset: str, labels=None, min_share: float = 0.01) -> dict:
    """All classifier metrics of ``images`` in [-1, 1] against ``dataset`` ("mnist" or "fashion").

    Returns ``fid``, ``inception_score``, ``class_histogram`` (counts of predicted classes, in the
    order of :func:`gan_course.data.class_names`), ``classes_covered`` (classes predicted for at
    least ``min_share`` of the samples) and, when the requested ``labels`` are given,
    ``label_accuracy``. One classifier pass.
    """
    features, probs = features_and_probs(images, dataset)
    if labels is not None:
        labels = _check_labels(labels, len(features))
    mu, sigma = _reference_statistics(dataset)
    predicted = probs.argmax(1)
    histogram = np.bincount(predicted, minlength=10)
    result = {
        "fid": frechet_distance(*gaussian_fit(features), mu, sigma),
        "inception_score": inception_score(probs),
        "class_histogram": histogram.tolist(),
        "classes_covered": int((histogram >= min_share * len(predicted)).sum()),
    }
    if labels is not None:
        result["label_accuracy"] = float((predicted == labels).mean())
    return result


def evaluate_mnist(images: torch.Tensor, labels=None, min_share: float = 0.01) -> dict:
    """:func:`evaluate_images` against MNIST."""
    return evaluate_images(images, "mnist", labels, min_share)


def _as_1d(samples) -> np.ndarray:
    return torch.as_tensor(samples).detach().cpu().double().numpy().ravel()


def wasserstein_1d(samples, target: GaussianMixture) -> float:
    """W1 between the samples' empirical distribution and a 1-D target: integral |F_n - F| dx."""
    x = np.sort(_as_1d(samples))
    low = min(x[0], min(m[0] for m in target.means) - 8 * target.std)
    high = max(x[-1], max(m[0] for m in target.means) + 8 * target.std)
    grid = np.linspace(low, high, 20001)
    empirical = np.searchsorted(x, grid, side="right") / len(x)
    return float(np.trapezoid(np.abs(empirical - target.cdf(grid)), grid))


def ks_1d(samples, target: GaussianMixture) -> float:
    """The Kolmogorov-Smirnov distance sup_x |F_n(x) - F(x)| to a 1-D target."""
    return float(stats.kstest(_as_1d(samples), target.cdf).statistic)


def mode_coverage(samples, target: GaussianMixture, n_std: float = 3.0,
                  min_share: float = 0.01) -> dict:
    """Modes covered and share of high-quality samples for a 2-D (or any) Gaussian mixture.

    A sample is high quality when it lies within ``n_std`` standard deviations of its nearest
    mode; a mode is covered when at least ``min_share`` of all samples are high-quality samples
    nearest to it (so a few stragglers do not count).
    """
    x = torch.as_tensor(samples).detach().float().cpu().reshape(-1, target.dim)
    distances = torch.cdist(x, target.modes)
    nearest, index = distances.min(dim=1)
    good = nearest <= n_std * target.std
    counts = torch.bincount(index[good], minlength=len(target.means))
    return {
        "modes_covered": int((counts >= min_share * len(x)).sum()),
        "n_modes": len(target.means),
        "high_quality": float(good.float().mean()),
    }
