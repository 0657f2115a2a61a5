"""Checks of what students pass to the trainer: a clear one-line error instead of a traceback.

A wrong argument otherwise fails far from where it was made: integer images deep inside a
linear layer, data of another shape at the first step, a million samples as an out-of-memory
kill. :class:`~gan_course.train.Trainer` calls these checks where its arguments arrive.
"""

import math
import os
from numbers import Real

import torch

from gan_course.runtime import evaluation_mode


def check_training_inputs(game, tensors: tuple) -> None:
    """Refuse a ``game`` or ``data`` that cannot train: not a game, not tensors, integer or
    non-finite samples, labels that are not classes, samples of another shape than G makes."""
    from gan_course.games import Game

    if not isinstance(game, Game):
        raise ValueError(f"Trainer needs a game from gan_course.games as its first argument (e.g. "
                         f"games.make('gan', G, D)), got {type(game).__name__}")
    if not tensors or not all(isinstance(t, torch.Tensor) for t in tensors):
        raise ValueError("data must be a tensor of samples, or a tuple (samples, labels) of tensors, "
                         f"got {[type(t).__name__ for t in tensors]}")
    game.check_data(tensors)
    x = tensors[0]
    if not x.is_floating_point():
        raise ValueError(f"the samples must be floating-point numbers, got {x.dtype}: scale images "
                         "to [-1, 1] with x.float() / 127.5 - 1")
    if not torch.isfinite(x).all():
        raise ValueError("the samples hold NaN or infinite values: clean the data before training")
    if len(tensors) == 2:
        _check_labels(tensors[1], len(x), game.generator.n_classes)
    made = _sample_shape(game)
    if made != tuple(x.shape[1:]):
        raise ValueError(f"the generator makes samples of shape {made}, but the data's samples have "
                         f"shape {tuple(x.shape[1:])}: build the models for this data")


def _check_labels(labels: torch.Tensor, n: int, n_classes: int) -> None:
    if labels.is_floating_point() or labels.shape != (n,):
        raise ValueError(f"labels must be {n} integer classes, one per sample, got shape "
                         f"{tuple(labels.shape)} of {labels.dtype}")
    if n and not (0 <= int(labels.min()) and int(labels.max()) < n_classes):
        raise ValueError(f"labels must be classes 0 to {n_classes - 1}, got values from "
                         f"{int(labels.min())} to {int(labels.max())}")


@torch.no_grad()
def _sample_shape(game) -> tuple:
    """The shape of one sample of G (evaluation mode: no state of G changes)."""
    G = game.generator
    with evaluation_mode(G):
        device = next(G.parameters()).device
        labels = torch.zeros(1, dtype=torch.long, device=device) if game.conditional else None
        inputs = game.generator_inputs(G, 1, torch.Generator().manual_seed(0), labels)
        return tuple(G(*inputs).shape[1:])


def run_length(steps, epochs, steps_per_epoch: int) -> int:
    """A run's length in steps, given in ``steps`` or in ``epochs`` (exactly one)."""
    if (steps is None) == (epochs is None):
        raise ValueError("give exactly one of steps= or epochs=")
    if epochs is not None:
        if isinstance(epochs, bool) or not isinstance(epochs, Real) or not 0 <= epochs < math.inf:
            raise ValueError(f"epochs must be a non-negative number, got {epochs!r}")
        steps = round(epochs * steps_per_epoch)
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    return steps


def check_callbacks(callbacks) -> list:
    """``callbacks`` as a list, each callable with a positive integer ``every``."""
    callbacks = list(callbacks)
    for c in callbacks:
        every = getattr(c, "every", None)
        if not callable(c) or isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"a callback must be callable with a positive integer attribute `every`"
                             f" (see gan_course.callbacks.Every), got {c!r}")
    return callbacks


def count(n) -> int:
    """``n``, checked to be a positive integer number of samples."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer number of samples, got {n!r}")
    return n


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux: MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def size_text(n_bytes: float) -> str:
    """A size in words, in decimal units: ``"3.1 GB"``."""
    exponent = min(4, max(0, int(math.log10(max(n_bytes, 1)) // 3)))
    return f"{n_bytes / 1000**exponent:.1f} {('bytes', 'KB', 'MB', 'GB', 'TB')[exponent]}"


def place(out: torch.Tensor | None, n: int, start: int, chunk: torch.Tensor) -> torch.Tensor:
    """Copy ``chunk`` into ``out[start:]``; the first chunk allocates ``out`` for ``n`` samples,
    after checking that they fit in memory."""
    if out is None:
        need, free = n * chunk[0].numel() * chunk.element_size(), available_memory()
        if free is not None and need > free:
            raise ValueError(f"{n:,} samples of shape {tuple(chunk.shape[1:])} need {size_text(need)} of "
                             f"memory, more than the {size_text(free)} available: draw fewer, in parts, or "
                             "write them to disk with `python -m gan_course sample`")
        out = torch.empty((n, *chunk.shape[1:]), dtype=chunk.dtype)
    out[start:start + len(chunk)] = chunk
    return out


def players(selected, known) -> tuple:
    """The players a training step updates (:meth:`Trainer.train_step`): all of ``known`` for
    None, else ``selected``, refused if empty or naming a player the game does not have (the
    playground's "step D" and "step G" update one)."""
    if selected is None:
        return tuple(known)
    if not selected or set(selected) - set(known):
        raise ValueError(f"players must name some of {', '.join(known)}; got {list(selected)!r}")
    return tuple(selected)
