"""A run's folder, ``python -m gan_course train --out DIR``: what it holds and who may write it.

``DIR`` holds ``checkpoint.pt`` (the run itself: weights, optimisers, history), ``history.json``,
``summary.json`` (written last: the run finished) and ``samples.png``, each written atomically
(:mod:`gan_course.checkpoints`). The rules that keep a run from being lost:

- a folder that holds a run is never trained into again unless asked (:func:`describe` says
  what is there for the error message; ``--resume`` continues it, ``--overwrite`` replaces it);
- one process at a time trains into a folder (:func:`exclusive`, a lock the system releases
  when the process ends, even when it is killed);
- a folder that cannot be written is refused before training starts (:func:`prepare`).

:func:`write_samples` writes any number of samples to a ``.npy`` file in chunks.
"""

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from gan_course import checkpoints
from gan_course.validation import size_text

RUN_FILES = ("checkpoint.pt", "history.json", "samples.png", "summary.json")


class RunFolderError(ValueError):
    """A run folder or file cannot be used as asked; the message says why and what to do."""


def prepare(out: Path) -> Path:
    """Create the folder ``out`` if needed and check that files can be written in it."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise RunFolderError(f"--out {out} is a file, not a folder: choose a folder for the run")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise RunFolderError(f"cannot write to {out}: {error.strerror or error}. Choose a folder you "
                             "can write to with --out.") from None
    return out


@contextmanager
def exclusive(out: Path):
    """Within the block this process alone trains into ``out``: a second one is refused."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(Path(out) / ".lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            owner = lock.read().strip() or "?"
            raise RunFolderError(f"{out} is in use: another process (pid {owner}) is training into it "
                                 "right now. Wait for it, or choose another --out.") from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        yield


def describe(out: Path) -> str | None:
    """What the run in ``out`` is, in words ("toy1d, seed 0, step 200, finished"), or None if
    the folder holds none of its files."""
    present = [name for name in RUN_FILES if (Path(out) / name).exists()]
    if not present:
        return None
    if "checkpoint.pt" not in present:
        return f"{', '.join(present)} but no checkpoint.pt"
    try:
        what = checkpoints.describe(checkpoints.load_checkpoint(Path(out) / "checkpoint.pt", mmap=True))
    except checkpoints.CheckpointError:
        return f"an unreadable checkpoint.pt, and {', '.join(present[1:]) or 'no other file'}"
    return f"{what}, {'finished' if 'summary.json' in present else 'unfinished'}"


def remove_run(out: Path) -> None:
    """Delete the run files of ``out`` (for ``--overwrite``), and what killed writers left."""
    for name in RUN_FILES:
        (Path(out) / name).unlink(missing_ok=True)
        checkpoints.remove_stale_temporaries(Path(out) / name)


def read_json(path: Path, hint: str):
    """The JSON in ``path``; a missing, truncated or corrupt file is one line naming it and ``hint``."""
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise RunFolderError(f"{path} is missing: {hint}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        why = error.msg if isinstance(error, json.JSONDecodeError) else type(error).__name__
        raise RunFolderError(f"{path} is not readable JSON (truncated or corrupt: {why}): {hint}") from None


def write_samples(path: Path, n: int, draw, chunk: int) -> tuple:
    """Write ``n`` samples to the ``.npy`` file ``path``, ``chunk`` at a time (``draw(count)``
    returns the next ``count`` as an array): memory holds one chunk, whatever ``n``.

    The file is made under a temporary name beside ``path`` with its disk space reserved first,
    so that a full disk fails at once, and renamed at the end: an error or Ctrl-C leaves no
    partial file. Returns the shape of one sample.
    """
    path, first = Path(path), draw(min(chunk, n))
    need = n * first[0].nbytes
    tmp = _temporary_beside(path, need, f"{n:,} samples of shape {first.shape[1:]}")
    try:
        array = np.lib.format.open_memmap(tmp, mode="w+", dtype=first.dtype, shape=(n, *first.shape[1:]))
        _reserve(tmp)
        array[:len(first)] = first
        for start in range(len(first), n, chunk):
            array[start:start + min(chunk, n - start)] = draw(min(chunk, n - start))
        array.flush()
        del array
        os.replace(tmp, path)
    except BaseException as error:  # a full disk, Ctrl-C: leave no partial file behind
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise RunFolderError(f"cannot write {path}: {error.strerror or error}. Nothing was written; "
                                 "ask for fewer samples (-n), free some disk space, or choose another "
                                 "--out.") from None
        raise
    return first.shape[1:]


def _temporary_beside(path: Path, need: int, what: str) -> str:
    """A new empty temporary file beside ``path``, once the folder is known to hold ``need`` bytes."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(path.parent).free
        if need <= free:
            handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                                           dir=path.parent)
            os.close(handle)
            return tmp
    except OSError as error:
        raise RunFolderError(f"cannot write {path}: {error.strerror or error}. Choose another "
                             "--out.") from None
    raise RunFolderError(f"cannot write {path}: {what} need {size_text(need)}, and {path.parent} has "
                         f"{size_text(free)} free. Ask for fewer with -n, or choose another --out.")


def _reserve(file: str) -> None:
    """Allocate the disk blocks of ``file`` now: writing into a memory map on a full disk would
    kill the process (SIGBUS) instead of raising an error."""
    if not hasattr(os, "posix_fallocate"):  # macOS: the free-space check above must do
        return
    handle = os.open(file, os.O_RDWR)
    try:
        os.posix_fallocate(handle, 0, os.fstat(handle).st_size)
    finally:
        os.close(handle)
