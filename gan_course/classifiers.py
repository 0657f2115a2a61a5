"""The small CNN classifiers behind the image metrics: one network and one recipe per dataset.

The Inception network behind FID and IS (Heusel et al. 2017; Salimans et al. 2016) was trained on
ImageNet and says little about 28x28 digits or clothes, so the course trains a small CNN on each
dataset's training set (:func:`train`) and uses its features and class probabilities instead
(:mod:`gan_course.metrics`). The trained networks are committed: ``data/mnist_classifier.pt`` and
``data/fashion_classifier.pt``, with their SHA-256 in :data:`SHA256`.

Every published FID and IS depends on those exact bytes, and a retrain on another machine gives
other weights. So :func:`load` never trains: a missing or changed file is an error that says how
to restore it. Retraining is a deliberate act, which changes the published numbers::

    .venv/bin/python -m gan_course.classifiers --dataset fashion [--overwrite]
"""

import argparse
import hashlib
import time
from functools import lru_cache
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from gan_course import data
from gan_course.checkpoints import CheckpointError, load_checkpoint, save_atomic

SEED = 0
# Fashion-MNIST is harder: after MNIST's 4 epochs the network still underfits it (training accuracy
# 89.4 %, test 88.7 %), after 12 epochs it reaches 92.8 % / 91.7 %.
EPOCHS = {"mnist": 4, "fashion": 12}
BATCH_SIZE = 128
SHA256 = {  # of the committed files; update only together with the published numbers
    "mnist": "4c9bc728a8b776df1fb1f36d4f794b306d9f30e5bea7353b1c458e58e2c87b70",
    "fashion": "454353e78269bfd780984eb684b6265c17d1ac3184ac9777acf0d93fdb8c2aed",
}


class ClassifierError(data.DataError):
    """A committed classifier file is missing, corrupt or not the recorded one."""


class Classifier(nn.Module):
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


def classifier_path(dataset: str, root: Path | str = data.DATA_DIR) -> Path:
    """Where the classifier of ``dataset`` lives: ``<root>/<dataset>_classifier.pt``."""
    return Path(root) / f"{data.dataset_info(dataset).name}_classifier.pt"


def _shift(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random translation by up to 2 pixels (padding with background -1): light augmentation."""
    padded = F.pad(images, (2, 2, 2, 2), value=-1.0)
    dx, dy = torch.randint(0, 5, (2,), generator=generator).tolist()
    return padded[:, :, dy:dy + 28, dx:dx + 28]


@torch.no_grad()
def accuracy(model: nn.Module, images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of ``images`` that ``model`` assigns to their ``labels``."""
    model.eval()
    predictions = torch.cat([model(chunk).argmax(1) for chunk in images.split(1000)])
    return (predictions == labels).float().mean().item()


def train(dataset: str = "mnist", epochs: int | None = None, seed: int = SEED,
          batch_size: int = BATCH_SIZE, progress: bool = True) -> tuple[Classifier, float]:
    """Train :class:`Classifier` on ``dataset`` for ``epochs`` (default :data:`EPOCHS`) with Adam and
    a one-cycle learning-rate schedule (Smith & Topin 2019), random 2-pixel shifts as augmentation.

    Returns the model and its accuracy on the dataset's test set.
    """
    from tqdm.auto import tqdm

    epochs = EPOCHS[data.dataset_info(dataset).name] if epochs is None else epochs
    torch.manual_seed(seed)
    model = Classifier()
    images, labels = data.images(dataset, "train")
    batches = data.Batches(images, labels, batch_size=batch_size, seed=seed)
    total = epochs * len(batches)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=2e-3, total_steps=total)
    shifts = torch.Generator().manual_seed(seed)
    model.train()
    for index in tqdm(range(total), desc=f"{dataset} classifier", disable=not progress):
        x, y = batches.batch(index)
        loss = F.cross_entropy(model(_shift(x, shifts)), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
    test_images, test_labels = data.images(dataset, "test")
    return model.eval(), accuracy(model, test_images, test_labels)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _restore_hint(dataset: str) -> str:
    return (f"restore it with `git checkout -- data/{dataset}_classifier.pt` (FID and IS depend on its "
            "exact bytes, so it is never retrained automatically; to retrain it deliberately, which "
            f"changes every published score: `.venv/bin/python -m gan_course.classifiers --dataset "
            f"{dataset} --overwrite`).")


@lru_cache(maxsize=4)
def _load(dataset: str, root: str) -> Classifier:
    path = classifier_path(dataset, root)
    if not path.is_file():
        raise ClassifierError(f"no {dataset} classifier at {path}: {_restore_hint(dataset)}")
    got, want = _sha256(path), SHA256[dataset]
    if got != want:
        raise ClassifierError(f"{path} has SHA-256 {got}, not the recorded {want or '(none yet)'}: "
                              f"{_restore_hint(dataset)} After a deliberate retrain, record the new "
                              f"checksum in gan_course.classifiers.SHA256[{dataset!r}].")
    try:
        model = Classifier()
        model.load_state_dict(load_checkpoint(path, f"{dataset} classifier")["state"])
    except (CheckpointError, KeyError, RuntimeError) as error:
        raise ClassifierError(f"{path} does not hold a {dataset} classifier ({error}): "
                              f"{_restore_hint(dataset)}") from None
    return model.eval()


def load(dataset: str = "mnist", root: Path | str = data.DATA_DIR) -> Classifier:
    """The committed classifier of ``dataset`` (``"mnist"`` or ``"fashion"``), in eval mode.

    Reads ``<root>/<dataset>_classifier.pt`` (checked against :data:`SHA256`) once per process.
    Raises :class:`ClassifierError`, one line naming the file and how to restore it, when the file
    is missing or is not the recorded one: it never trains a replacement.
    """
    return _load(data.dataset_info(dataset).name, str(root))


def train_and_save(dataset: str, root: Path | str = data.DATA_DIR, overwrite: bool = False,
                   epochs: int | None = None, seed: int = SEED, progress: bool = True) -> dict:
    """Train the classifier of ``dataset`` and write it atomically to :func:`classifier_path`.

    Refuses to replace an existing file unless ``overwrite``. Returns what was recorded beside the
    weights (seed, epochs, test accuracy, training time, torch version) and the file's SHA-256.
    """
    path = classifier_path(dataset, root)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists and published scores depend on it: pass --overwrite "
                              "(overwrite=True) to replace it deliberately.")
    start = time.perf_counter()
    epochs = EPOCHS[dataset] if epochs is None else epochs
    model, test_accuracy = train(dataset, epochs=epochs, seed=seed, progress=progress)
    info = {"dataset": dataset, "seed": seed, "epochs": epochs, "batch_size": BATCH_SIZE,
            "test_accuracy": test_accuracy, "train_seconds": time.perf_counter() - start,
            "torch": str(torch.__version__)}
    save_atomic({"state": model.state_dict(), **info}, path)
    return {**info, "path": str(path), "sha256": _sha256(path)}


def main(argv: list[str] | None = None) -> dict:
    """``python -m gan_course.classifiers --dataset fashion [--overwrite] [--epochs N] [--seed S]``."""
    parser = argparse.ArgumentParser(prog="python -m gan_course.classifiers",
                                     description="Train a metric classifier deliberately.")
    parser.add_argument("--dataset", choices=sorted(data.DATASETS), required=True)
    parser.add_argument("--overwrite", action="store_true", help="replace an existing classifier file")
    parser.add_argument("--epochs", type=int, help="default: 4 for mnist, 12 for fashion")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--root", default=str(data.DATA_DIR), help="folder of the classifier files")
    args = parser.parse_args(argv)
    try:
        info = train_and_save(args.dataset, args.root, args.overwrite, args.epochs, args.seed)
    except FileExistsError as error:
        parser.exit(1, f"error: {error}\n")
    print(f"wrote {info['path']}: test accuracy {info['test_accuracy']:.4f}, "
          f"{info['train_seconds']:.0f} s, SHA-256 {info['sha256']}.\nTo make it the reference, set "
          f"SHA256[{args.dataset!r}] in gan_course/classifiers.py to this checksum.")
    return info


if __name__ == "__main__":
    main()
