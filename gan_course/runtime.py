"""Where the code runs and how long it trains: device choice, seeding, fast mode.

Fast mode is one switch, the environment variable ``GAN_COURSE_FAST=1``. ``make test`` sets it
so that every notebook trains for a few steps through exactly the same code as the full run;
only the lengths chosen with :func:`fast_or_full` change.
"""

import contextlib
import multiprocessing
import multiprocessing.pool
import os
import random

import numpy as np
import torch

FAST: bool = os.environ.get("GAN_COURSE_FAST", "0").strip().lower() not in ("", "0", "false", "no")


def fast_or_full(full, fast):
    """Return ``fast`` in fast mode (``GAN_COURSE_FAST=1``), else ``full``."""
    return fast if FAST else full


def device(prefer: str | None = None) -> torch.device:
    """The best available device: CUDA, then Apple's MPS, then the CPU.

    ``prefer`` (or the environment variable ``GAN_COURSE_DEVICE``) forces one, e.g. ``"cpu"``.
    """
    choice = prefer or os.environ.get("GAN_COURSE_DEVICE")
    if choice:
        return torch.device(choice)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int) -> torch.Generator:
    """Seed Python, NumPy and PyTorch; return a CPU ``torch.Generator`` seeded with ``seed``."""
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


@contextlib.contextmanager
def evaluation_mode(module: torch.nn.Module):
    """``module`` in evaluation mode inside the block (batch norm's running averages, no dropout),
    its own mode restored afterwards, also when the block raises."""
    was_training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(was_training)


@torch.no_grad()
def outputs_in_chunks(module: torch.nn.Module, inputs: torch.Tensor, chunk: int = 1000) -> torch.Tensor:
    """``module(inputs)`` in evaluation mode, ``chunk`` rows at a time on the module's device (the
    CPU for a module without weights), gathered on the CPU."""
    device = next((w.device for w in module.parameters()), torch.device("cpu"))
    with evaluation_mode(module):
        return torch.cat([module(part.to(device)).cpu() for part in inputs.split(chunk)])


def progress_disabled() -> bool:
    """True when the environment sets ``TQDM_DISABLE`` (tests, committed notebook outputs);
    read here because the notebook bar of ``tqdm.auto`` ignores that variable by itself."""
    return os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false", "no")


def _one_thread() -> None:
    torch.set_num_threads(1)


def one_thread_pool(workers: int) -> multiprocessing.pool.Pool:
    """A pool of ``workers`` fresh (spawned) processes, each computing with one thread: how the
    scripts that train many small runs (``tools/zoo.py``, ``tools/results.py``,
    ``tools/infogan_seeds.py``) use two cores."""
    return multiprocessing.get_context("spawn").Pool(workers, initializer=_one_thread)
