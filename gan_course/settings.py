"""Typed settings of a training run, written once with their defaults.

Two kinds, kept apart:

- :class:`TrainSettings`: the algorithm's choices that every game shares (batch size, optimiser,
  learning rates, weight average, seed). They decide the numbers a run produces, so a recipe fixes
  them and a checkpoint records them: resuming with other values is refused.
- :class:`RunSettings`: where and how the run executes (device, checkpoint file, snapshots,
  progress bar, how often losses come back to the host). Changing them never changes what is
  learned, only what is kept and shown.

A game's own choices (k discriminator steps, the clipping bound, the penalty weight, ...) are the
keyword arguments of its class in :mod:`gan_course.games`.

A misspelt name is an error, not a silently ignored setting: :func:`make` builds either kind from
a mapping and names the unknown key and the valid ones.
"""

import dataclasses
import math
import os
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path

OPTIMIZERS = ("adam", "rmsprop")


def _positive_int(name: str, value, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def positive_number(name: str, value, allow_none: bool = False) -> None:
    """Refuse anything but a finite number > 0 (or None, if allowed), naming ``name``."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive number{' or None' * allow_none}, got {value!r}")


@dataclass(frozen=True)
class TrainSettings:
    """What a run learns with; a recipe sets these, a resumed run must repeat them."""

    batch_size: int = 128  # real samples per discriminator step (m in Goodfellow et al.'s Algorithm 1)
    optimizer: str = "adam"  # "adam" (Kingma & Ba 2015) or "rmsprop" (the WGAN paper's choice)
    lr_g: float = 2e-4  # the generator's learning rate (2e-4: Radford et al. 2016, DCGAN)
    lr_d: float = 2e-4  # the discriminator's (critic's) learning rate
    betas: tuple[float, float] = (0.5, 0.999)  # Adam's (beta1, beta2); beta1 = 0.5 as in DCGAN
    ema_decay: float | None = None  # also keep an exponential moving average of G's weights
    seed: int = 0  # data order, noise and random penalty points (seed the models' init yourself)

    def __post_init__(self):
        _positive_int("batch_size", self.batch_size)
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {list(OPTIMIZERS)}, got {self.optimizer!r}")
        positive_number("lr_g", self.lr_g)
        positive_number("lr_d", self.lr_d)
        betas = tuple(self.betas) if isinstance(self.betas, tuple | list) else ()
        if len(betas) != 2 or not all(_real(b) and 0 <= b < 1 for b in betas):
            raise ValueError(f"betas must be two numbers in [0, 1), got {self.betas!r}")
        object.__setattr__(self, "betas", tuple(float(b) for b in betas))
        if self.ema_decay is not None and not (_real(self.ema_decay) and 0 < self.ema_decay < 1):
            raise ValueError(f"ema_decay must be in (0, 1) or None, got {self.ema_decay!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {self.seed!r}")


@dataclass(frozen=True)
class RunSettings:
    """Where and how a run executes; none of these changes what the models learn."""

    device: str | None = None  # None: gan_course.device() picks CUDA, then MPS, then the CPU
    checkpoint: Path | None = None  # a file, rewritten atomically every checkpoint_every steps
    checkpoint_every: int | None = None  # None: only at the end of fit (and on Ctrl-C)
    n_snapshots: int = 64  # fixed noise vectors whose samples are kept during training
    snapshot_every: int | None = None  # None: once per epoch
    # Losses stay on the device and come to the host (history, progress bar, NaN/inf check) in
    # one transfer every `sync_every` steps: on a GPU a transfer per step stalls the pipeline.
    sync_every: int = 50
    progress: bool = True  # a tqdm progress bar (never when the environment sets TQDM_DISABLE=1)
    meta: dict = field(default_factory=dict)  # plain data stored in checkpoints (recipe, seed)

    def __post_init__(self):
        _positive_int("checkpoint_every", self.checkpoint_every, allow_none=True)
        _positive_int("snapshot_every", self.snapshot_every, allow_none=True)
        _positive_int("sync_every", self.sync_every)
        if isinstance(self.n_snapshots, bool) or not isinstance(self.n_snapshots, int) \
                or self.n_snapshots < 0:
            raise ValueError(f"n_snapshots must be a non-negative integer, got {self.n_snapshots!r}")
        if self.checkpoint is not None:
            if not isinstance(self.checkpoint, str | os.PathLike) or not str(self.checkpoint):
                raise ValueError(f"checkpoint must be a file path such as 'runs/my-run.pt', got "
                                 f"{self.checkpoint!r}")
            object.__setattr__(self, "checkpoint", Path(self.checkpoint))


def _real(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def names(kind) -> list[str]:
    """The field names of a settings class."""
    return [f.name for f in dataclasses.fields(kind)]


def make(kind, values: dict, where: str = ""):
    """``kind(**values)``, with a one-line error naming a misspelt key and the valid ones."""
    unknown = sorted(set(values) - set(names(kind)))
    if unknown:
        place = f" in {where}" if where else ""
        raise ValueError(f"unknown setting {unknown[0]!r}{place}; {kind.__name__} has: "
                         f"{', '.join(names(kind))}")
    return kind(**values)


def as_plain(settings) -> dict:
    """A settings object as plain data (JSON and checkpoints): tuples become lists, paths text."""
    out = {}
    for key, value in dataclasses.asdict(settings).items():
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Path):
            value = str(value)
        out[key] = value
    return out
