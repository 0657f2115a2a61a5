"""Data for the course, all offline.

- :func:`images` loads MNIST or Fashion-MNIST from the IDX archives committed under
  ``data/<Dataset>/raw`` (checked against ``SHA256SUMS``) through torchvision's ``MNIST`` or
  ``FashionMNIST`` class, as in-memory tensors scaled to [-1, 1]: the range of the generator's
  ``tanh`` output. :func:`mnist` and :func:`fashion_mnist` are its two names;
  :data:`MNIST_CLASSES` and :data:`FASHION_CLASSES` name the labels.
- :class:`Batches` iterates over in-memory tensors, reshuffled each epoch from a seed. It replaces
  a per-item ``DataLoader`` with PIL transforms, which costs more than an MLP training step on a CPU.
- :class:`GaussianMixture` holds the toy targets: a 1-D Gaussian, 1-D mixtures, the 2-D ring of
  8 Gaussians and the 5x5 grid of the Unrolled-GAN and VEEGAN papers.
"""

import gzip
import hashlib
import math
import os
import shutil
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from scipy import stats

from gan_course.checkpoints import _replace_atomically

DATA_DIR = Path(os.environ.get("GAN_COURSE_DATA", Path(__file__).resolve().parent.parent / "data"))
IDX_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
MNIST_FILES = IDX_FILES  # both datasets use the same four file names
MNIST_CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                   "Sneaker", "Bag", "Ankle boot")
Tensors = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class ImageDataset:
    """A 28x28 grey-scale dataset in ``data/<folder>/raw``; ``folder`` names its torchvision class."""

    name: str
    folder: str
    title: str
    source: str
    classes: tuple[str, ...]


DATASETS = {
    "mnist": ImageDataset("mnist", "MNIST", "MNIST", "Y. LeCun, C. Cortes, C. Burges", MNIST_CLASSES),
    "fashion": ImageDataset("fashion", "FashionMNIST", "Fashion-MNIST",
                            "Zalando Research, Xiao et al. 2017, MIT licence", FASHION_CLASSES),
}
RESTORE_HINT = ("Restore it from the repository (`git checkout -- data/{folder}/raw`) or copy the original "
                "{title} archive of that name ({source}) into {raw}. Nothing is downloaded automatically.")


class DataError(RuntimeError):
    """A data file is missing or does not match its recorded checksum."""


def dataset_info(dataset: str) -> ImageDataset:
    """The :class:`ImageDataset` called ``dataset`` (``"mnist"`` or ``"fashion"``)."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}: choose one of {', '.join(map(repr, DATASETS))}")
    return DATASETS[dataset]


def class_names(dataset: str) -> tuple[str, ...]:
    """The names of the 10 labels of ``dataset``, in label order."""
    return dataset_info(dataset).classes


def _sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _expected_sums(raw: Path, hint: str) -> dict[str, str]:
    sums_file = raw / "SHA256SUMS"
    if not sums_file.is_file():
        raise DataError(f"Missing checksum list {sums_file}. " + hint)
    sums = {}
    for line in sums_file.read_text().splitlines():
        if line.strip():
            digest, name = line.split()
            sums[name.lstrip("*")] = digest
    return sums


def _check_archive(archive: Path, want: str | None, title: str, hint: str) -> None:
    """Raise :class:`DataError` unless ``archive`` exists and has SHA-256 ``want``."""
    if want is None:
        raise DataError(f"{archive.parent / 'SHA256SUMS'} has no line for {archive.name}. " + hint)
    if not archive.is_file():
        raise DataError(f"{title} file missing: {archive} (expected SHA-256 {want}). " + hint)
    got = _sha256(archive)
    if got != want:
        raise DataError(f"{title} file corrupt: {archive} has SHA-256 {got}, expected {want}. " + hint)


def _unpack(archive: Path) -> Path:
    """Decompress ``archive`` (``x.gz``) to ``x`` beside it, unless a complete ``x`` is there.

    The bytes go to a uniquely named temporary file renamed over ``x`` once complete: processes
    unpacking at once never see half a file (:mod:`gan_course.checkpoints`).
    """
    unpacked = archive.with_suffix("")
    with archive.open("rb") as f:  # a gzip member ends with its uncompressed size mod 2^32
        f.seek(-4, os.SEEK_END)
        size = int.from_bytes(f.read(4), "little")
    if unpacked.is_file() and unpacked.stat().st_size % 2**32 == size:
        return unpacked

    def write(dst) -> None:
        os.chmod(dst.fileno(), archive.stat().st_mode & 0o777)  # readable like the archive
        shutil.copyfileobj(src, dst, 1 << 20)

    with gzip.open(archive, "rb") as src:
        _replace_atomically(unpacked, write)
    return unpacked


def verify(dataset: str = "mnist", root: Path | str = DATA_DIR) -> Path:
    """Check ``dataset``'s four archives against ``SHA256SUMS`` and unpack them for torchvision.

    Returns the ``raw`` folder. Raises :class:`DataError` naming the missing or corrupt file, its
    expected SHA-256 and how to restore it.
    """
    info = dataset_info(dataset)
    raw = Path(root) / info.folder / "raw"
    hint = RESTORE_HINT.format(folder=info.folder, title=info.title, source=info.source, raw=raw)
    expected = _expected_sums(raw, hint)
    for name in IDX_FILES:
        _check_archive(raw / name, expected.get(name), info.title, hint)
    for name in IDX_FILES:  # torchvision reads the uncompressed IDX files
        _unpack(raw / name)
    return raw


def verify_mnist(root: Path | str = DATA_DIR) -> Path:
    """:func:`verify` for MNIST."""
    return verify("mnist", root)


@lru_cache(maxsize=8)
def _uint8(dataset: str, split: str, root: str) -> Tensors:
    import torchvision.datasets

    verify(dataset, root)
    torchvision_class = getattr(torchvision.datasets, dataset_info(dataset).folder)
    loaded = torchvision_class(root=root, train=(split == "train"), download=False)
    return loaded.data, loaded.targets


def images(dataset: str, split: str = "train", root: Path | str = DATA_DIR) -> Tensors:
    """Images and labels of ``dataset`` (``"mnist"`` or ``"fashion"``) as tensors.

    Returns ``(images, labels)``: ``images`` is float32 of shape ``(N, 1, 28, 28)`` scaled from
    pixel values 0..255 to [-1, 1] (``x / 127.5 - 1``); ``labels`` is int64 of shape ``(N,)``,
    named by :func:`class_names`. ``split`` is ``"train"`` (60,000 images) or ``"test"`` (10,000).
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    pixels, labels = _uint8(dataset, split, str(root))
    return pixels.unsqueeze(1).float().div_(127.5).sub_(1.0), labels.clone()


def mnist(split: str = "train", root: Path | str = DATA_DIR) -> Tensors:
    """MNIST digits: :func:`images` of ``"mnist"``."""
    return images("mnist", split, root)


def fashion_mnist(split: str = "train", root: Path | str = DATA_DIR) -> Tensors:
    """Fashion-MNIST (Xiao et al. 2017): :func:`images` of ``"fashion"``."""
    return images("fashion", split, root)


# The shuffle of epoch e is seeded with seed * EPOCH_SEED_STRIDE + e: a prime stride larger than
# any epoch count keeps the (seed, epoch) pairs of different runs from sharing a shuffle.
EPOCH_SEED_STRIDE = 1_000_003


class Batches:
    """Mini-batches from in-memory tensors, reshuffled every epoch from ``seed``.

    ``Batches(images, labels, batch_size=128, seed=0).batch(i)`` is the tuple ``(images_batch,
    labels_batch)`` number ``i`` counted from the start of training. The order of epoch ``e``
    depends only on ``(seed, e)``, so any batch can be recomputed: that is what lets a resumed
    training run see exactly the batches the uninterrupted run would have seen. The last
    incomplete batch of an epoch is dropped.
    """

    def __init__(self, *tensors: torch.Tensor, batch_size: int, seed: int = 0):
        if not tensors:
            raise ValueError("Batches needs at least one tensor")
        n = len(tensors[0])
        if any(len(t) != n for t in tensors):
            raise ValueError(f"all tensors need the same length, got {[len(t) for t in tensors]}")
        if not 1 <= batch_size <= n:
            raise ValueError(f"batch_size must be between 1 and the data size {n}, got {batch_size}")
        self.tensors, self.batch_size, self.seed = tensors, batch_size, seed
        self.per_epoch = n // batch_size
        self._order: tuple[int, torch.Tensor] | None = None

    def __len__(self) -> int:
        return self.per_epoch

    def to(self, device) -> "Batches":
        self.tensors = tuple(t.to(device) for t in self.tensors)
        return self

    def order(self, epoch: int) -> torch.Tensor:
        """The permutation of the data used in ``epoch``."""
        if self._order is None or self._order[0] != epoch:
            gen = torch.Generator().manual_seed(self.seed * EPOCH_SEED_STRIDE + epoch)
            self._order = (epoch, torch.randperm(len(self.tensors[0]), generator=gen))
        return self._order[1]

    def batch(self, index: int) -> tuple[torch.Tensor, ...]:
        """Batch number ``index`` counted from the start of training (across epochs)."""
        epoch, position = divmod(index, self.per_epoch)
        rows = self.order(epoch)[position * self.batch_size : (position + 1) * self.batch_size]
        rows = rows.to(self.tensors[0].device)
        return tuple(t[rows] for t in self.tensors)


@dataclass(frozen=True)
class GaussianMixture:
    """A mixture of isotropic Gaussians: ``means`` (K, d), one ``std``, equal or given ``weights``.

    Density: p(x) = sum_k w_k N(x; mu_k, std^2 I).
    """

    means: tuple[tuple[float, ...], ...]
    std: float
    weights: tuple[float, ...] | None = None
    name: str = "mixture"

    @property
    def dim(self) -> int:
        return len(self.means[0])

    @property
    def modes(self) -> torch.Tensor:
        return torch.tensor(self.means, dtype=torch.float32)

    def _weights(self) -> np.ndarray:
        w = np.ones(len(self.means)) if self.weights is None else np.asarray(self.weights, float)
        return w / w.sum()

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """``n`` samples of shape (n, d)."""
        w = torch.tensor(self._weights(), dtype=torch.float32)
        component = torch.multinomial(w, n, replacement=True, generator=generator)
        noise = torch.randn(n, self.dim, generator=generator) * self.std
        return self.modes[component] + noise

    def pdf(self, x) -> np.ndarray:
        """Density at points ``x``: shape (n,) for 1-D mixtures, (n, d) in general."""
        x = np.asarray(x, dtype=float).reshape(-1, self.dim)
        total = np.zeros(len(x))
        for w, mu in zip(self._weights(), np.asarray(self.means), strict=True):
            total += w * stats.multivariate_normal(mu, self.std**2 * np.eye(self.dim)).pdf(x)
        return total

    def cdf(self, x) -> np.ndarray:
        """Cumulative distribution, 1-D mixtures only (used by the KS distance)."""
        if self.dim != 1:
            raise ValueError("cdf is defined for 1-D mixtures only")
        x = np.asarray(x, dtype=float)
        return sum(w * stats.norm(mu[0], self.std).cdf(x)
                   for w, mu in zip(self._weights(), self.means, strict=True))


def gaussian_1d(mean: float = 4.0, std: float = 0.5) -> GaussianMixture:
    """The 1-D Gaussian N(mean, std^2) of chapter 02 (Goodfellow et al. 2014, figure 1)."""
    return GaussianMixture(((mean,),), std, name=f"N({mean}, {std}^2)")


def gaussian_mixture_1d(means=(-2.0, 2.0), std: float = 0.5, weights=None) -> GaussianMixture:
    """A 1-D mixture of equal-width Gaussians (the bimodal target of chapter 02)."""
    return GaussianMixture(tuple((float(m),) for m in means), std,
                           None if weights is None else tuple(weights), name="1-D mixture")


def ring_of_gaussians(n_modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture:
    """``n_modes`` Gaussians evenly spaced on a circle (Metz et al. 2017, Unrolled GANs)."""
    angles = [2 * math.pi * k / n_modes for k in range(n_modes)]
    means = tuple((radius * math.cos(a), radius * math.sin(a)) for a in angles)
    return GaussianMixture(means, std, name=f"ring of {n_modes} Gaussians")


def grid_of_gaussians(size: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture:
    """A ``size`` x ``size`` grid of Gaussians centred on 0 (Srivastava et al. 2017, VEEGAN)."""
    offsets = [spacing * (i - (size - 1) / 2) for i in range(size)]
    means = tuple((x, y) for x in offsets for y in offsets)
    return GaussianMixture(means, std, name=f"{size}x{size} grid of Gaussians")
