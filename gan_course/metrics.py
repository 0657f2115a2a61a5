"""How good are the samples? Classifier metrics for MNIST, distances for the toy targets.

MNIST. The Inception network behind FID and IS was trained on ImageNet and says little about
digits, so the course uses a small CNN trained on MNIST by this package (:func:`mnist_classifier`,
at least 99 % test accuracy, cached in ``data/`` with its seed):

- classifier FID: the Frechet distance between Gaussians fitted to the classifier's penultimate
  features of the samples and of the MNIST test set (Heusel et al. 2017, eq. 6):
  ``||mu_1 - mu_2||^2 + Tr(S_1 + S_2 - 2 (S_1 S_2)^{1/2})``;
- classifier Inception Score: ``exp(E_x KL(p(y|x) || p(y)))`` (Salimans et al. 2016), at most 10;
- the predicted-class histogram, the number of digit classes covered, and for a conditional
  generator the share of samples the classifier labels as requested.

Toy targets: the Wasserstein-1 and Kolmogorov-Smirnov distances to a 1-D target, and for 2-D
mixtures the modes covered and the share of high-quality samples, those within 3 standard
deviations of a mode (Metz et al. 2017; Srivastava et al. 2017).
"""

import time
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from scipy import linalg, stats
from torch import nn

from gan_course.data import DATA_DIR, Batches, GaussianMixture, mnist
from gan_course.train import save_atomic

CLASSIFIER_PATH = DATA_DIR / "mnist_classifier.pt"
CLASSIFIER_SEED = 0


class MNISTClassifier(nn.Module):
    """A small CNN: two 5x5 conv + max-pool blocks, a 128-unit feature layer, 10 logits."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(),
        )
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(128, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


def _shift(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random translation by up to 2 pixels (padding with background -1): light augmentation."""
    padded = F.pad(images, (2, 2, 2, 2), value=-1.0)
    dx, dy = torch.randint(0, 5, (2,), generator=generator).tolist()
    return padded[:, :, dy:dy + 28, dx:dx + 28]


@torch.no_grad()
def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    model.eval()
    predictions = torch.cat([model(chunk).argmax(1) for chunk in images.split(1000)])
    return (predictions == labels).float().mean().item()


def train_classifier(epochs: int = 4, seed: int = CLASSIFIER_SEED, batch_size: int = 128,
                     progress: bool = True) -> tuple[MNISTClassifier, float]:
    """Train :class:`MNISTClassifier` with Adam and a cosine learning-rate schedule.

    Returns the model and its accuracy on the MNIST test set.
    """
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    model = MNISTClassifier()
    images, labels = mnist("train")
    batches = Batches(images, labels, batch_size=batch_size, seed=seed)
    total = epochs * len(batches)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=total)
    shifts = torch.Generator().manual_seed(seed)
    model.train()
    for index in tqdm(range(total), desc="classifier", disable=not progress):
        x, y = batches.batch(index)
        loss = F.cross_entropy(model(_shift(x, shifts)), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
    test_images, test_labels = mnist("test")
    return model.eval(), accuracy(model, test_images, test_labels)


@lru_cache(maxsize=1)
def mnist_classifier() -> MNISTClassifier:
    """The cached classifier from ``data/mnist_classifier.pt``; trained (and cached) if missing."""
    if not CLASSIFIER_PATH.is_file():
        print(f"No cached classifier at {CLASSIFIER_PATH}: training it (a few minutes on a CPU).")
        start = time.perf_counter()
        model, test_accuracy = train_classifier()
        save_atomic({"state": model.state_dict(), "seed": CLASSIFIER_SEED,
                     "test_accuracy": test_accuracy,
                     "train_seconds": time.perf_counter() - start,
                     "torch": str(torch.__version__)}, CLASSIFIER_PATH)
    saved = torch.load(CLASSIFIER_PATH, map_location="cpu", weights_only=True)
    model = MNISTClassifier()
    model.load_state_dict(saved["state"])
    return model.eval()


def _check_images(images: torch.Tensor) -> torch.Tensor:
    images = torch.as_tensor(images).detach().float().cpu()
    if images.dim() == 2 and images.shape[1] == 784:
        images = images.view(-1, 1, 28, 28)
    if images.dim() != 4 or tuple(images.shape[1:]) != (1, 28, 28):
        raise ValueError(f"expected MNIST-shaped images (N, 1, 28, 28) or (N, 784), got "
                         f"{tuple(images.shape)}")
    if len(images) < 2:
        raise ValueError("need at least 2 images to compute statistics")
    return images


@torch.no_grad()
def features_and_probs(images: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's penultimate features (N, 128) and class probabilities (N, 10)."""
    model = mnist_classifier()
    features, probs = [], []
    for chunk in _check_images(images).split(1000):
        f = model.features(chunk)
        features.append(f)
        probs.append(torch.softmax(model.head(f), dim=1))
    return torch.cat(features).double().numpy(), torch.cat(probs).double().numpy()


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2}) for two Gaussians.

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


@lru_cache(maxsize=1)
def _reference_statistics() -> tuple[np.ndarray, np.ndarray]:
    features, _ = features_and_probs(mnist("test")[0])
    return features.mean(0), np.cov(features, rowvar=False)


def inception_score(probs: np.ndarray) -> float:
    """exp(E_x KL(p(y|x) || p(y))) from class probabilities (N, 10): 1 (useless) to 10 (ideal)."""
    marginal = probs.mean(0, keepdims=True)
    kl = (probs * (np.log(probs + 1e-12) - np.log(marginal + 1e-12))).sum(1)
    return float(np.exp(kl.mean()))


def evaluate_mnist(images: torch.Tensor, labels=None, min_share: float = 0.01) -> dict:
    """All MNIST metrics of ``images`` in [-1, 1], from one classifier pass.

    Returns ``fid``, ``inception_score``, ``class_histogram`` (counts of predicted digits),
    ``classes_covered`` (digits predicted for at least ``min_share`` of the samples) and, when the
    requested ``labels`` are given, ``label_accuracy``.
    """
    features, probs = features_and_probs(images)
    mu, sigma = _reference_statistics()
    predicted = probs.argmax(1)
    histogram = np.bincount(predicted, minlength=10)
    result = {
        "fid": frechet_distance(features.mean(0), np.cov(features, rowvar=False), mu, sigma),
        "inception_score": inception_score(probs),
        "class_histogram": histogram.tolist(),
        "classes_covered": int((histogram >= min_share * len(predicted)).sum()),
    }
    if labels is not None:
        labels = torch.as_tensor(labels).cpu().numpy()
        result["label_accuracy"] = float((predicted == labels).mean())
    return result


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
