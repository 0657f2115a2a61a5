"""Files that must survive a crash: atomic writes, and loads that never run pickled code.

Every file the course writes for later (checkpoints, cached classifiers, run summaries) goes
through :func:`save_atomic` or :func:`write_text_atomic`: the data goes to a temporary file
beside the destination, is flushed to disk, and is then renamed over it. A rename is atomic on
POSIX file systems, so a reader (or a process killed mid-write) sees either the old file or the
new one, never half of one. The temporary name is unique per process, so two processes writing
the same file never mix their bytes; it holds the writer's process id, so that
:func:`remove_stale_temporaries` can clear what a killed process left.

:func:`save_guarded` adds the rule that no run is lost (:func:`check_replaceable`): a checkpoint
file is only replaced by the trainer that wrote or loaded it, or by a later step of the same run.

:func:`load_checkpoint` reads with ``torch.load(..., weights_only=True)``: tensors and plain
Python data only, no arbitrary objects, so a file from elsewhere cannot run code.
"""

import glob
import os
import pickle
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from pathlib import Path

import torch

_UMASK = os.umask(0o022)  # read the process's umask (set back at once): new files get the usual mode
os.umask(_UMASK)


class CheckpointError(ValueError):
    """A checkpoint file is missing, unreadable or does not fit what is asked of it."""


class CheckpointExists(CheckpointError):
    """Writing would replace a file that holds another run, or is not a checkpoint."""


class CheckpointAhead(CheckpointExists):
    """The file holds a later step of the same run: it is kept."""


def _replace_atomically(path: Path, write, replace: bool = True) -> Path:
    """Call ``write(file)`` on a unique temporary file beside ``path``, then rename it over ``path``
    (with ``replace=False``: create ``path``, and raise FileExistsError if it exists by then)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                                       dir=path.parent)
    except OSError as error:
        raise OSError(f"cannot write {path}: {error.strerror or error}. Choose a folder you can "
                      "write to (and check that the disk is not full).") from None
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # the mode open() would give; mkstemp's is 0o600
        with os.fdopen(handle, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        _rename(tmp, path, replace)
    except FileExistsError:
        Path(tmp).unlink(missing_ok=True)
        raise
    except BaseException as error:  # a full disk, Ctrl-C: leave no partial file behind
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise OSError(f"cannot write {path}: {error.strerror or error}. Nothing was written; "
                          "free some disk space or choose another folder.") from None
        raise
    return path


def _rename(tmp: str, path: Path, replace: bool) -> None:
    if replace:
        os.replace(tmp, path)
        return
    try:  # a hard link is created only if nothing is at ``path``: no other process is clobbered
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def save_atomic(obj, path) -> Path:
    """``torch.save(obj)`` to ``path`` atomically: a crash mid-write leaves the old file intact."""
    return _replace_atomically(path, lambda file: torch.save(obj, file))


def write_text_atomic(text: str, path) -> Path:
    """Write ``text`` to ``path`` atomically (for JSON summaries and histories)."""
    return _replace_atomically(path, lambda file: file.write(text.encode()))


def write_bytes_atomic(data: bytes, path) -> Path:
    """Write ``data`` to ``path`` atomically (for pictures)."""
    return _replace_atomically(path, lambda file: file.write(data))


def load_checkpoint(path, what: str = "checkpoint", mmap: bool = False) -> dict:
    """Load a file written by :func:`save_atomic`: tensors and plain data only.

    A missing, truncated or foreign file raises :class:`CheckpointError` with one line that
    names the file and what to do, instead of a traceback from inside ``torch`` or ``pickle``.
    ``mmap=True`` maps the tensors instead of reading them (to look at a file's settings).
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no {what} at {path}: train first, or check the path.")
    try:
        with warnings.catch_warnings():  # a foreign pickle warns before it fails
            warnings.simplefilter("ignore", UserWarning)
            state = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
    except (RuntimeError, EOFError, OSError, pickle.UnpicklingError, zipfile.BadZipFile,
            ValueError, KeyError, IndexError) as error:
        raise CheckpointError(f"{path} is not a readable {what}: truncated, corrupt, or holding more "
                              f"than tensors and plain data ({type(error).__name__}). Delete it and "
                              "train again, or restore it from a copy.") from None
    if not isinstance(state, dict):
        raise CheckpointError(f"{path} is not a {what} written by gan_course (it holds a "
                              f"{type(state).__name__}, not a dict).")
    return state


def _difference(saved: dict, current: dict) -> tuple | None:
    """The first ``(key, saved value, current value)`` that differs between two runs, or None."""
    pairs = [("format", saved.get("format"), current["format"]),
             ("game", saved.get("game_class"), current["game_class"])]
    for group in ("game_options", "settings"):
        for key in sorted(set(saved.get(group, {})) | set(current[group])):
            pairs.append((key, saved.get(group, {}).get(key), current[group].get(key)))
    for key in ("recipe", "seed"):
        if key in saved.get("meta", {}) and key in current["meta"]:
            pairs.append((key, saved["meta"][key], current["meta"][key]))
    return next(((key, a, b) for key, a, b in pairs if a != b), None)


def check_compatible(saved: dict, current: dict, path) -> None:
    """Refuse to resume from ``saved`` when it was written by another kind of run.

    Compares the checkpoint format, the game, its options, the training settings and the
    recipe and seed recorded in ``meta``; a difference is named with both values.
    """
    difference = _difference(saved, current)
    if difference is None:
        return
    key, theirs, mine = difference
    if key == "format":
        raise CheckpointError(f"{path} was written by another version of gan_course (format "
                              f"{theirs}, this one reads {mine}): train a new run in another folder.")
    raise CheckpointError(f"{path} was written with {key}={theirs!r}, but this run has "
                          f"{key}={mine!r}: resume with the same settings, or start a new "
                          "run in another folder.")


@contextmanager
def fitting(path):
    """Within the block, a ``load_state_dict`` that does not fit becomes one line naming ``path``."""
    try:
        yield
    except (RuntimeError, ValueError, KeyError) as error:
        raise CheckpointError(
            f"{path} does not fit these models ({str(error).splitlines()[0][:150]}). Build "
            "the trainer with the same models and settings as the run that wrote it.") from None


def describe(state: dict) -> str:
    """What a checkpoint holds, in words: ``"toy1d, seed 0, step 200"``."""
    meta = state.get("meta") or {}
    seed = meta.get("seed", (state.get("settings") or {}).get("seed"))
    return f"{meta.get('recipe') or state.get('game_class', 'a run')}, seed {seed}, step {state.get('step')}"


def file_id(path) -> tuple | None:
    """What identifies the file now at ``path`` (its place, inode, size and time), or None."""
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return str(Path(path).resolve()), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns


def check_replaceable(path, current: dict, owned: tuple | None = None) -> None:
    """Refuse to write the trainer state ``current`` over ``path`` unless nothing is lost.

    Allowed: no file at ``path``; the file this trainer last wrote or loaded (``owned``, its
    :func:`file_id`); or an earlier or equal step of the same run (same game, options, settings,
    recipe and seed), which this run reproduces ("Restart kernel and run all"). A later step of
    the same run raises :class:`CheckpointAhead`; another run or a file that is not a
    checkpoint raises :class:`CheckpointExists`, naming what is there.
    """
    path = Path(path)
    if not path.exists() or (owned is not None and owned == file_id(path)):
        return
    try:
        saved = load_checkpoint(path, mmap=True)
    except CheckpointError:
        raise CheckpointExists(f"not overwriting {path}: it is not a readable checkpoint. Choose another "
                               "checkpoint path, or delete that file if you do not need it.") from None
    difference = _difference(saved, current)
    if difference is not None:
        key, theirs, mine = difference
        raise CheckpointExists(f"not overwriting {path}: it holds another run ({describe(saved)}; "
                               f"{key}={theirs!r} there, {key}={mine!r} here). Choose another checkpoint "
                               f"path, or trainer.load({str(path)!r}) to continue that run.")
    if saved.get("step", 0) > current["step"]:
        raise CheckpointAhead(f"{path} holds step {saved['step']} of this same run, further than step "
                              f"{current['step']} here, so it is kept: trainer.load({str(path)!r}) "
                              "continues from there.")


def save_guarded(state: dict, path, owned: tuple | None = None) -> tuple:
    """:func:`save_atomic` after :func:`check_replaceable`; returns the new file's :func:`file_id`.

    A new file is created, never renamed over one that another process made in the meantime.
    """
    check_replaceable(path, state, owned)
    try:
        _replace_atomically(path, lambda file: torch.save(state, file), replace=Path(path).exists())
    except FileExistsError:  # another process created it since the check: check that one
        check_replaceable(path, state, owned)
        save_atomic(state, path)
    return file_id(path)


def remove_stale_temporaries(path) -> list[Path]:
    """Delete the temporary files that processes killed while writing ``path`` left beside it
    (``.NAME.PID.*.tmp`` of a process that is gone); a live writer's file is kept."""
    path, removed = Path(path), []
    for tmp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        pid = tmp.name[len(path.name) + 2:].split(".")[0]
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)
            removed.append(tmp)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
