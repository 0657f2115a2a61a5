"""Generators with known defects, built from real data, to test the measures (chapter 08).

A measure is only worth what it can see. To find out, feed it "generators" whose defect is known
because we made it: real held-out digits with one thing wrong. MNIST's 60,000 training digits are
split as usual into a training set (the first 50,000) and held-out digits (the last 10,000): the
stress generators draw from the held-out digits, so that only :func:`copies` copies training
images, and every measure compares them with the 10,000 test digits (:class:`Split`).

The 2-D counterparts (:func:`ring_stress`) do the same on the ring of 8 Gaussians, where every
sample can be plotted. :func:`trained` loads or trains the course's own generators.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF

from gan_course import data, recipes
from gan_course.checkpoints import load_checkpoint

N_TRAINING = 50_000


@dataclass(frozen=True)
class Split:
    """MNIST for the stress tests: ``training`` (train[:50,000]), ``held_out`` (train[50,000:]) with
    ``held_out_labels``, and the ``reference`` (the test set) with ``reference_labels``."""

    training: torch.Tensor
    held_out: torch.Tensor
    held_out_labels: torch.Tensor
    reference: torch.Tensor
    reference_labels: torch.Tensor


def mnist_split(n_training: int = N_TRAINING) -> Split:
    """:class:`Split` of MNIST: the first ``n_training`` training digits, the rest held out."""
    images, labels = data.mnist("train")
    test_images, test_labels = data.mnist("test")
    return Split(images[:n_training], images[n_training:], labels[n_training:], test_images, test_labels)


def draw(pool: torch.Tensor, n: int, generator: torch.Generator) -> torch.Tensor:
    """``n`` different rows of ``pool``, chosen at random (without replacement)."""
    if not 1 <= n <= len(pool):
        raise ValueError(f"cannot draw {n} different images from a pool of {len(pool)}")
    return pool[torch.randperm(len(pool), generator=generator)[:n]]


def of_classes(split: Split, classes, n: int, generator: torch.Generator) -> torch.Tensor:
    """``n`` held-out digits of the given ``classes`` only (one class: total mode collapse)."""
    keep = torch.isin(split.held_out_labels, torch.as_tensor(list(classes)))
    return draw(split.held_out[keep], n, generator)


def blurred(images: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """Gaussian blur of standard deviation ``sigma`` pixels (kernel +-3 sigma)."""
    return TF.gaussian_blur(images, kernel_size=2 * math.ceil(3 * sigma) + 1, sigma=sigma)


def noisy(images: torch.Tensor, std: float, generator: torch.Generator) -> torch.Tensor:
    """Images plus Gaussian noise of standard deviation ``std``, clipped to [-1, 1]."""
    return (images + std * torch.randn(images.shape, generator=generator)).clamp(-1, 1)


def shifted(images: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """Images moved ``dx`` pixels right and ``dy`` down (negative: left, up); the uncovered border
    is background (-1), nothing wraps around."""
    pad = max(abs(dx), abs(dy))
    padded = F.pad(images, (pad, pad, pad, pad), value=-1.0)
    top, left = pad - dy, pad - dx
    return padded[..., top:top + images.shape[-2], left:left + images.shape[-1]]


def one_per_class(images: torch.Tensor, labels: torch.Tensor, probs, n: int) -> torch.Tensor:
    """The image of each class that the classifier is surest of (``probs``: its class
    probabilities of ``images``), repeated to ``n`` images: ten perfect digits, no diversity."""
    probs = torch.as_tensor(probs)
    best = [int(torch.nonzero(labels == c).squeeze(1)[probs[labels == c, c].argmax()])
            for c in range(probs.shape[1])]
    return images[best].repeat(math.ceil(n / len(best)), 1, 1, 1)[:n]


def mystery(split: Split, n: int, generator: torch.Generator) -> torch.Tensor:
    """Chapter 08's exercise: training digits, each moved one pixel in a random direction (one of
    the eight neighbours): copies that a pixel nearest-neighbour test does not recognise."""
    steps = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dx, dy) != (0, 0)]
    picks = torch.randint(len(steps), (n,), generator=generator)
    images = draw(split.training, n, generator)
    return torch.cat([shifted(images[i:i + 1], *steps[int(p)]) for i, p in enumerate(picks)])


def stress_sets(split: Split, n: int, seed: int = 0) -> dict[str, torch.Tensor]:
    """``n`` images from each generator whose defect is known, seeded; the first is the yardstick,
    real held-out digits with nothing wrong."""
    gen = torch.Generator().manual_seed(seed)

    def fresh():
        return draw(split.held_out, n, gen)

    return {
        "real held-out digits": fresh(),
        "copies of training digits": draw(split.training, n, gen),
        "one class (digit 1)": of_classes(split, [1], n, gen),
        "5 of 10 classes (0-4)": of_classes(split, range(5), n, gen),
        "blurred (sigma 1 px)": blurred(fresh(), 1.0),
        "noisy (std 0.3)": noisy(fresh(), 0.3, gen),
        "shifted (3 px)": shifted(fresh(), 3, 3),
        "mystery": mystery(split, n, gen),
    }


def ring_stress(target: data.GaussianMixture, training: torch.Tensor, n: int,
                seed: int = 0) -> dict[str, torch.Tensor]:
    """``n`` points from 2-D generators with known defects on the mixture ``target``: the target
    itself, copies of its ``training`` points, half of its modes, modes 3x too wide, and modes
    10x too narrow (every point near a centre: too perfect)."""
    gen = torch.Generator().manual_seed(seed)
    modes = target.modes
    half = data.GaussianMixture(tuple(map(tuple, modes[::2].tolist())), target.std)
    return {
        "target": target.sample(n, gen),
        "copies of training points": draw(training, n, gen),
        "half of the modes": half.sample(n, gen),
        "modes 3x too wide": data.GaussianMixture(target.means, 3 * target.std).sample(n, gen),
        "modes 10x too narrow": data.GaussianMixture(target.means, target.std / 10).sample(n, gen),
    }


def log_density(target: data.GaussianMixture, points) -> np.ndarray:
    """log p(x) of the mixture at each point (n, d), computed stably in log space (log-sum-exp over
    the modes): log sum_k w_k N(x; mu_k, std^2 I). Far from every mode it stays finite, where
    ``target.pdf`` underflows to 0."""
    x = torch.as_tensor(points).detach().double().reshape(-1, target.dim)
    weights = torch.as_tensor(target._weights())
    squared = torch.cdist(x, torch.tensor(target.means, dtype=torch.float64)) ** 2
    log_normal = -squared / (2 * target.std**2) - target.dim / 2 * math.log(2 * math.pi * target.std**2)
    return torch.logsumexp(log_normal + weights.log(), dim=1).numpy()


def _finished_cli_run(name: str, seed: int, steps: int, folders) -> Path | None:
    """``<folder>/<name>/checkpoint.pt`` written by ``python -m gan_course train`` for this recipe,
    seed and length, if any of ``folders`` holds one."""
    for folder in folders:
        checkpoint = Path(folder) / name / "checkpoint.pt"
        if checkpoint.is_file():
            state = load_checkpoint(checkpoint, mmap=True)
            if state.get("meta") == {"recipe": name, "seed": seed} and state.get("step") == steps:
                return checkpoint
    return None


def trained(name: str, length: dict, seed: int = 0, cache: Path | str = "runs/ch08",
            cli_runs=("runs", "../runs")):
    """A trainer of recipe ``name`` trained for ``length`` (``{"epochs": ...}`` or ``{"steps": ...}``).

    Loads a finished run of the same recipe, seed and length from the command line
    (``python -m gan_course train --model NAME --out runs/NAME [--epochs E]``) if one of
    ``cli_runs`` holds it; otherwise trains it here, checkpointed in ``cache`` (one file per
    length; a later call loads it, an interrupted one resumes it). The result is the same.
    """
    trainer, _ = recipes.build(name, seed=seed)
    steps = trainer.total_steps(**length)
    found = _finished_cli_run(name, seed, steps, cli_runs)
    if found is not None:
        print(f"{name}: loaded the finished command-line run {found} (step {steps:,})")
        return trainer.load(found)
    checkpoint = Path(cache) / f"{name}-seed{seed}-{steps}steps.pt"
    trainer, _ = recipes.build(name, seed=seed, checkpoint=checkpoint, checkpoint_every=max(steps // 4, 1))
    if checkpoint.is_file():
        trainer.load(checkpoint)
    how = "loaded" if trainer.step == steps else "trained here, kept"
    trainer.fit(steps=steps)
    print(f"{name}: {steps:,} steps, {how} in {checkpoint} ({trainer.elapsed:.0f} s of training)")
    return trainer
