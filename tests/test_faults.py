"""Fault injection (issue #14, "nothing lost, every error understood").

Each test injects a fault for real and checks what survives: a rerun of the same command, resumes
that do not match, Ctrl-C (SIGINT) and SIGKILL sent to real training processes (at random moments,
and deliberately in the middle of a checkpoint write), truncated and garbage files, a folder that
cannot be written, a full disk (RLIMIT_FSIZE: writes past the limit fail with EFBIG), two processes
training into one folder, and bad arguments. A killed or interrupted run, resumed, must end with
exactly the history, metrics and weights of the uninterrupted run. Toy recipe, fast mode: about
a minute on 2 cores.
"""

import contextlib
import io
import json
import os
import random
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from gan_course import callbacks, checkpoints, classifiers, data, games, metrics, models, recipes
from gan_course.__main__ import main
from gan_course.checkpoints import CheckpointAhead, CheckpointExists, load_checkpoint
from gan_course.interrupts import TrainingInterrupted
from gan_course.runfolder import RUN_FILES, RunFolderError
from gan_course.train import Trainer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import results as results_tool  # noqa: E402

# 28 epochs of toy1d = 196 steps (in any mode), a checkpoint every 5 steps.
MODEL, EPOCHS, STEPS, EVERY = "toy1d", 28, 196, 5
# Children use this process's thread count, so that their numbers are bit-identical to ours.
ENV = {**os.environ, "GAN_COURSE_FAST": "1", "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0",
       "OMP_NUM_THREADS": str(torch.get_num_threads()), "PYTHONPATH": str(ROOT)}
TRAIN = ("train", "--model", MODEL, "--epochs", str(EPOCHS), "--checkpoint-every", str(EVERY))
# A training process; mode "mid-write" kills itself (SIGKILL) half-way through writing its
# checkpoint number N, "before-rename" after writing it completely but before the rename;
# "nobody" runs as an unprivileged user (when started as root, who may write anywhere).
CHILD = r"""
import io, os, signal, sys
import torch
from gan_course.__main__ import main  # python -m gan_course

mode, nth, calls = sys.argv[1], int(sys.argv[2]), [0]
if mode == "nobody" and os.geteuid() == 0:  # after the imports: the interpreter's files may be private
    os.setgid(65534)
    os.setuid(65534)
real_save, real_replace = torch.save, os.replace


def save(obj, file, *args, **kwargs):
    calls[0] += mode == "mid-write"
    if mode == "mid-write" and calls[0] == nth:
        buffer = io.BytesIO()
        real_save(obj, buffer)
        file.write(buffer.getvalue()[: len(buffer.getvalue()) // 2])
        file.flush()
        os.fsync(file.fileno())
        os.kill(os.getpid(), signal.SIGKILL)
    return real_save(obj, file, *args, **kwargs)


def replace(src, dst):
    calls[0] += mode == "before-rename"
    if mode == "before-rename" and calls[0] == nth:
        os.kill(os.getpid(), signal.SIGKILL)
    return real_replace(src, dst)


torch.save, os.replace = save, replace
main(sys.argv[3:])
"""


@pytest.fixture(autouse=True, scope="module")
def _no_progress_bars():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TQDM_DISABLE", "1")
        yield


def cli(*args) -> tuple[int, str]:
    """``python -m gan_course ARGS`` in this process: (exit status, what it printed on stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
            if isinstance(exit_.code, str):  # what the interpreter prints for sys.exit("...")
                print(exit_.code, file=sys.stderr)
    return code, err.getvalue()


def one_line_error(code: int, err: str, *fragments: str) -> None:
    """Exit status 1, a single line on stderr (no traceback) containing every fragment."""
    assert code == 1, err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def spawn(out: Path, *extra: str, mode: str = "none", nth: int = 0, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, mode, str(nth), *TRAIN, "--out", str(out),
                             *extra], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, **popen)


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    """Wait until ``path`` exists (training is under way) while ``process`` runs."""
    end = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < end, f"{path} did not appear"
        time.sleep(0.005)


def temporaries(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in RUN_FILES}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The uninterrupted run: its folder, summary, history (exact text) and final state."""
    folder = tmp_path_factory.mktemp("reference") / "run"
    assert cli(*TRAIN, "--out", folder) == (0, "")
    return {"folder": folder, "summary": json.loads((folder / "summary.json").read_text()),
            "history": (folder / "history.json").read_text(),
            "state": load_checkpoint(folder / "checkpoint.pt")}


def assert_same_run(folder: Path, reference: dict) -> None:
    """Every metric, the step count, the history and every weight equal the uninterrupted run's."""
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["metrics"] == reference["summary"]["metrics"]
    assert summary["steps"] == reference["summary"]["steps"] == STEPS
    assert (folder / "history.json").read_text() == reference["history"]
    state, want = load_checkpoint(folder / "checkpoint.pt"), reference["state"]
    assert state["step"] == want["step"] and state["history"] == want["history"]
    for part in ("game", "ema"):
        for key, value in want[part].items():
            assert torch.equal(state[part][key], value), (part, key)
    assert not temporaries(folder)


def copy_run(reference: dict, folder: Path) -> Path:
    shutil.copytree(reference["folder"], folder)
    return folder


# --- reruns and resumes -------------------------------------------------------------------------

def test_a_rerun_is_refused_saying_what_is_there_and_the_ways_on(reference, tmp_path):
    folder = copy_run(reference, tmp_path / "run")
    before = snapshot(folder)
    for command in [TRAIN, ("train", "--model", "ring-gan")]:  # the same command twice, or another
        one_line_error(*cli(*command, "--out", folder), f"{folder} already holds a run (toy1d, seed 0, "
                       "step 196, finished)", "--resume", "new --out", "--overwrite")
    assert snapshot(folder) == before  # nothing touched
    code, err = cli(*TRAIN, "--out", folder, "--resume")  # a finished run: nothing to train
    assert code == 0 and snapshot(folder)["history.json"] == before["history.json"]
    (folder / "history.json").write_text('{"step": [1.0, 2')  # truncated: rewritten from the checkpoint
    assert cli(*TRAIN, "--out", folder, "--resume")[0] == 0
    assert (folder / "history.json").read_text() == reference["history"]
    (folder / "checkpoint.pt").write_bytes(b"not a checkpoint")  # --overwrite: a fresh run
    assert cli(*TRAIN, "--out", folder, "--overwrite") == (0, "")
    assert_same_run(folder, reference)


def test_a_resume_that_does_not_match_is_refused_naming_both(reference, tmp_path):
    folder = copy_run(reference, tmp_path / "run")
    one_line_error(*cli("train", "--model", "ring-gan", "--out", folder, "--resume"),
                   "holds a run of --model toy1d --seed 0, but this command asks for --model ring-gan "
                   "--seed 0")
    one_line_error(*cli(*TRAIN, "--seed", "1", "--out", folder, "--resume"),
                   "--model toy1d --seed 0, but this command asks for --model toy1d --seed 1")
    one_line_error(*cli(*TRAIN, "--out", tmp_path / "empty", "--resume"), "no checkpoint.pt in")
    state = load_checkpoint(folder / "checkpoint.pt")
    changes = [("settings", "lr_d", 0.5, "lr_d=0.5, but this run has lr_d=0.001"),
               ("game_options", "d_steps", 3, "d_steps=3, but this run has d_steps=5"),
               ("game", "net.0.weight", torch.zeros(7, 7), "does not fit these models")]
    for part, key, value, message in changes:  # a checkpoint written by other settings or models
        altered = {**state, part: {**state[part], key: value}}
        torch.save(altered, folder / "checkpoint.pt")
        one_line_error(*cli(*TRAIN, "--out", folder, "--resume"), str(folder / "checkpoint.pt"), message)


# --- interruption -------------------------------------------------------------------------------

def test_ctrl_c_saves_the_last_step_says_how_to_resume_and_resume_is_exact(reference, tmp_path):
    folder = tmp_path / "run"
    child = spawn(folder)
    wait_for(folder / "checkpoint.pt", child)
    child.send_signal(signal.SIGINT)
    err = child.communicate(timeout=120)[1]
    assert child.returncode == 130, err
    last = err.strip().splitlines()[-1]
    assert "Traceback" not in err and last.startswith("interrupted after step "), err
    step = int(last.split()[3])
    assert 0 < step < STEPS and load_checkpoint(folder / "checkpoint.pt")["step"] == step  # the last step
    command = shlex.split(last.split("Resume with: ")[1])
    assert command[:4] == ["python", "-m", "gan_course", "train"] and command[-1] == "--resume"
    assert cli(*command[3:])[0] == 0
    assert_same_run(folder, reference)


def test_sigkill_at_any_moment_leaves_the_last_checkpoint_and_resume_is_exact(reference, tmp_path):
    """Six real training processes at once: four killed at random moments (0 to 1 s after their
    first checkpoint: while training, writing a checkpoint or scoring), two in the middle of
    writing their third checkpoint (half of its bytes written; all written but not renamed)."""
    rng = random.Random(14)
    trials = [("random", "none", 0, rng.uniform(0.0, 1.0)) for _ in range(4)]
    trials += [("mid-write", "mid-write", 3, None), ("before-rename", "before-rename", 2, None)]
    children = [spawn(tmp_path / f"trial{i}", mode=mode, nth=nth)
                for i, (_, mode, nth, _) in enumerate(trials)]
    _kill_at_random_moments(children, trials, tmp_path)
    landed = []
    for i, ((kind, _, _, delay), child) in enumerate(zip(trials, children, strict=True)):
        err = child.communicate(timeout=120)[1]
        assert child.returncode == -signal.SIGKILL, (kind, delay, err)
        folder = tmp_path / f"trial{i}"
        saved = load_checkpoint(folder / "checkpoint.pt")  # loadable, whatever the moment
        assert 0 < saved["step"] <= STEPS and (saved["step"] % EVERY == 0 or saved["step"] == STEPS)
        assert len(saved["history"]["g_loss"]) == saved["step"]
        landed.append((kind, saved["step"], bool(temporaries(folder))))
        if kind != "random":  # killed writing the checkpoint of step 15: the one of step 10 is kept
            assert saved["step"] == 2 * EVERY and len(temporaries(folder)) == 1, kind
        assert cli(*TRAIN, "--out", folder, "--resume")[0] == 0
        assert_same_run(folder, reference)  # also: the killed writer's temporary file is gone
    print("SIGKILL trials (kind, checkpoint step kept, killed during a write):", landed)


def _kill_at_random_moments(children: list, trials: list, tmp_path: Path) -> None:
    """SIGKILL each "random" child ``delay`` seconds after its first checkpoint appears."""
    first_checkpoint = {i: None for i, trial in enumerate(trials) if trial[0] == "random"}
    end = time.monotonic() + 120
    while first_checkpoint:
        for i, seen in list(first_checkpoint.items()):
            assert children[i].poll() is None and time.monotonic() < end, children[i].stderr.read()
            if seen is None and (tmp_path / f"trial{i}" / "checkpoint.pt").exists():
                first_checkpoint[i] = time.monotonic()
            elif seen is not None and time.monotonic() >= seen + trials[i][3]:
                children[i].kill()
                del first_checkpoint[i]
        time.sleep(0.002)


def test_ctrl_c_in_a_notebook_cell_keeps_the_last_step(tmp_path):
    path = tmp_path / "ch03" / "toy.pt"
    straight, _ = recipes.build(MODEL, progress=False)
    straight.fit(steps=30)
    trainer, _ = recipes.build(MODEL, progress=False, checkpoint=path, checkpoint_every=EVERY)
    press = callbacks.Every(12, lambda t: os.kill(os.getpid(), signal.SIGINT))  # "interrupt kernel"
    with pytest.raises(TrainingInterrupted, match=r"after step 12 .*saved .*toy\.pt.*trainer\.load"):
        trainer.fit(steps=30, callbacks=[press])
    assert load_checkpoint(path)["step"] == 12
    resumed, _ = recipes.build(MODEL, progress=False, checkpoint=path)
    resumed.load(path).fit(steps=30)
    assert resumed.history == straight.history
    twice = callbacks.Every(17, lambda t: [os.kill(os.getpid(), signal.SIGINT) for _ in range(2)])
    again, _ = recipes.build(MODEL, progress=False, checkpoint=tmp_path / "b.pt", checkpoint_every=EVERY)
    with pytest.raises(KeyboardInterrupt) as stopped:  # a second Ctrl-C stops at once
        again.fit(steps=30, callbacks=[twice])
    assert not isinstance(stopped.value, TrainingInterrupted)
    assert load_checkpoint(tmp_path / "b.pt")["step"] == 15  # the last periodic checkpoint


def test_a_notebook_rerun_never_destroys_a_finished_run(tmp_path):
    """"Restart kernel and run all": the same recipe and seed may replace the file only with an
    equal or later step; another run, or a file that is not a checkpoint, is refused."""
    path = tmp_path / "runs" / "ch03" / "toy.pt"
    first, _ = recipes.build(MODEL, progress=False, checkpoint=path, checkpoint_every=EVERY)
    first.fit(steps=30)
    steps_on_disk = []
    watch = callbacks.Every(1, lambda t: steps_on_disk.append(load_checkpoint(path, mmap=True)["step"]))
    rerun, _ = recipes.build(MODEL, progress=False, checkpoint=path, checkpoint_every=EVERY)
    rerun.fit(steps=30, callbacks=[watch])
    assert len(steps_on_disk) == 30 and min(steps_on_disk) == 30  # never an earlier step
    assert rerun.saved_step == 30 and checkpoints.file_id(path) == rerun._file  # written at the end
    assert torch.equal(load_checkpoint(path)["game"]["generator.net.0.weight"],
                       first.generator.net[0].weight.detach())
    interrupted, _ = recipes.build(MODEL, progress=False, checkpoint=path, checkpoint_every=EVERY)
    press = callbacks.Every(12, lambda t: os.kill(os.getpid(), signal.SIGINT))
    with pytest.raises(TrainingInterrupted, match="the trainer holds that step"):
        interrupted.fit(steps=30, callbacks=[press])
    assert load_checkpoint(path)["step"] == 30  # the finished run survived the interrupted rerun
    before = path.read_bytes()
    other, _ = recipes.build(MODEL, seed=1, progress=False, checkpoint=path)
    with pytest.raises(CheckpointExists, match=r"holds another run \(toy1d, seed 0, step 30; seed=0 "
                                               r"there, seed=1 here\)"):
        other.fit(steps=30)
    assert other.step == 0  # refused before training, not after
    behind, _ = recipes.build(MODEL, progress=False)
    behind.fit(steps=10)
    with pytest.raises(CheckpointAhead, match="holds step 30 of this same run, further than step 10"):
        behind.save(path)
    assert path.read_bytes() == before
    behind.fit(steps=30)
    behind.save(path)  # chapter 04's trainer.save(CHECKPOINT) after a rerun: the same run, same step
    garbage = tmp_path / "notes.pt"
    garbage.write_text("my notes")
    with pytest.raises(CheckpointExists, match="not a readable checkpoint"):
        behind.save(garbage)
    assert garbage.read_text() == "my notes"


def test_two_processes_training_into_one_folder(reference, tmp_path):
    folder = tmp_path / "run"
    children = [spawn(folder), spawn(folder)]
    errors = [child.communicate(timeout=120)[1] for child in children]
    codes = sorted(child.returncode for child in children)
    assert codes == [0, 1], errors
    refused = errors[[child.returncode for child in children].index(1)]
    assert "is in use: another process" in refused or "already holds a run" in refused, refused
    assert "Traceback" not in refused
    assert_same_run(folder, reference)


# --- corruption -------------------------------------------------------------------------------

class RunsCode:
    """Unpickling this runs a shell command: a checkpoint must never be loaded that way."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {shlex.quote(str(self.marker))}",)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "code"])
def test_a_damaged_checkpoint_is_one_line_never_a_traceback(reference, tmp_path, damage):
    folder = copy_run(reference, tmp_path / "run")
    checkpoint, marker = folder / "checkpoint.pt", tmp_path / "code-ran"
    if damage == "truncated":
        checkpoint.write_bytes(checkpoint.read_bytes()[:20_000])
    elif damage == "garbage":
        checkpoint.write_bytes(os.urandom(5000))
    else:
        torch.save({"step": RunsCode(marker)}, checkpoint)
    message = f"{checkpoint} is not a readable checkpoint"
    one_line_error(*cli(*TRAIN, "--out", folder, "--resume"), message, "--overwrite starts the run again")
    one_line_error(*cli("sample", "--run", folder, "-n", 5, "--out", tmp_path / "s.npy"), message)
    one_line_error(*cli(*TRAIN, "--out", folder), "already holds a run (an unreadable checkpoint.pt")
    assert not marker.exists()  # weights_only=True: the pickled command never ran
    assert not (tmp_path / "s.npy").exists()


def test_damaged_summaries_and_recorded_results_are_one_line(tmp_path):
    summary = tmp_path / "summary.json"
    for text in ('{"model": "toy1d", "metr', "\x00\x01garbage"):
        summary.write_text(text)
        with pytest.raises(RunFolderError, match=rf"{summary} is not readable JSON \(truncated or corrupt"):
            results_tool.read_json(summary, "train again")
    recorded = tmp_path / "results" / "results.json"
    recorded.parent.mkdir()
    recorded.write_text('{"toy1d": {"0": {"w1": 0.0')
    with pytest.raises(RunFolderError, match=r"git checkout -- results/results\.json"):
        results_tool.compare({}, recorded)


def test_damaged_data_and_classifier_name_the_file_and_how_to_restore_it(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in (*data.IDX_FILES, "SHA256SUMS"):
        shutil.copy(data.DATA_DIR / "MNIST" / "raw" / name, raw / name)
    data.verify("mnist", tmp_path)
    unpacked = raw / "t10k-labels-idx1-ubyte"
    complete = unpacked.read_bytes()
    unpacked.write_bytes(complete[:100])  # an unpacked file of the wrong size is made again
    data.verify("mnist", tmp_path)
    assert unpacked.read_bytes() == complete
    archive = raw / "t10k-labels-idx1-ubyte.gz"
    archive.write_bytes(archive.read_bytes()[:-10])  # an archive of the wrong size is an error
    with pytest.raises(data.DataError, match=rf"{archive}.*git checkout -- data/MNIST/raw"):
        data.verify("mnist", tmp_path)
    classifier = tmp_path / "mnist_classifier.pt"
    classifier.write_bytes((data.DATA_DIR / "mnist_classifier.pt").read_bytes()[:3000])
    with pytest.raises(classifiers.ClassifierError, match=r"git checkout -- data/mnist_classifier\.pt"):
        classifiers.load("mnist", tmp_path)
    assert classifier.stat().st_size == 3000  # never retrained behind the user's back


# --- a folder that cannot be written, a full disk -----------------------------------------------

def test_a_folder_that_cannot_be_written_is_refused_before_training(tmp_path):
    one_line_error(*cli(*TRAIN, "--out", ROOT / "README.md"), "is a file, not a folder")
    shared = Path(tempfile.mkdtemp(prefix="gan-course-faults-"))  # traversable by another user
    try:
        locked = shared / "locked"
        locked.mkdir()
        os.chmod(shared, 0o755)
        os.chmod(locked, 0o555)
        child = spawn(locked / "run", mode="nobody")
        err = child.communicate(timeout=120)[1]
        one_line_error(child.returncode, err, f"cannot write to {locked / 'run'}", "Permission denied",
                       "--out")
        assert list(locked.iterdir()) == []
    finally:
        os.chmod(locked, 0o755)
        shutil.rmtree(shared)


def _small_disk(limit: int):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    return apply


def test_a_full_disk_keeps_the_last_checkpoint_and_leaves_no_partial_file(reference, tmp_path):
    folder = tmp_path / "run"  # checkpoints grow from 58 kB (step 5) to 83 kB (step 196)
    child = spawn(folder, preexec_fn=_small_disk(70_000))
    err = child.communicate(timeout=120)[1]
    one_line_error(child.returncode, err, f"cannot write {folder / 'checkpoint.pt'}: File too large",
                   "Nothing was written")
    saved = load_checkpoint(folder / "checkpoint.pt")
    assert saved["step"] % EVERY == 0 and 0 < saved["step"] < STEPS
    assert not temporaries(folder) and not (folder / "summary.json").exists()
    assert cli(*TRAIN, "--out", folder, "--resume")[0] == 0  # space again: nothing was lost
    assert_same_run(folder, reference)

    out = tmp_path / "samples" / "many.npy"  # 300,000 samples: 1.2 MB, over a 1 MB limit
    child = subprocess.run([sys.executable, "-m", "gan_course", "sample", "--run", str(folder), "-n",
                            "300000", "--out", str(out)], env=ENV, capture_output=True, text=True,
                           timeout=120, preexec_fn=_small_disk(1_000_000))
    one_line_error(child.returncode, child.stderr, f"cannot write {out}: File too large")
    assert list(out.parent.iterdir()) == []


def test_sampling_more_than_memory_or_disk_holds_is_refused_and_large_n_is_chunked(reference, tmp_path,
                                                                                  monkeypatch):
    out = tmp_path / "s.npy"
    one_line_error(*cli("sample", "--run", reference["folder"], "-n", 10**13, "--out", out),
                   "10,000,000,000,000 samples of shape (1,) need 40.0 TB", "-n")
    assert list(tmp_path.iterdir()) == []
    trainer, _ = recipes.build(MODEL, progress=False)
    with pytest.raises(ValueError, match=r"need 4\.0 TB of memory, more than the .* available"):
        trainer.sample(10**12)
    from gan_course import train

    monkeypatch.setattr(train, "SAMPLE_CHUNK", 7)  # in memory: chunks of 7 equal one pass
    chunked = trainer.sample(50, generator=torch.Generator().manual_seed(3))
    monkeypatch.setattr(train, "SAMPLE_CHUNK", 10_000)
    assert torch.allclose(chunked, trainer.sample(50, generator=torch.Generator().manual_seed(3)))
    checkpoint = reference["folder"] / "checkpoint.pt"
    assert cli("sample", "--run", checkpoint, "-n", 25_003, "--out", out) == (0, "")
    written = np.load(out, mmap_mode="r")  # on disk: chunks of 10,000, the same as one pass
    resumed, _ = recipes.build(MODEL, progress=False)
    resumed.load(reference["folder"] / "checkpoint.pt")
    whole = resumed.sample(25_003, generator=torch.Generator().manual_seed(0)).numpy()
    assert written.shape == (25_003, 1) and np.allclose(written, whole, atol=1e-6)


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (["train", "--model", "nope", "--out", "x"], "invalid choice: 'nope'"),
    (["train", "--model", MODEL, "--out", "x", "--epochs", "-1"], "--epochs: must be positive"),
    (["train", "--model", MODEL, "--out", "x", "--epochs", "nan"], "--epochs: must be positive"),
    (["train", "--model", MODEL, "--out", "x", "--epochs", "inf"], "--epochs: must be positive"),
    (["train", "--model", MODEL, "--out", "x", "--seed", "-3"], "--seed: must be a non-negative integer"),
    (["train", "--model", MODEL, "--out", "x", "--seed", "1.5"], "--seed: must be a non-negative integer"),
    (["train", "--model", MODEL, "--out", "x", "--checkpoint-every", "0"], "must be a positive integer"),
    (["train", "--model", MODEL, "--out", "x", "--resume", "--overwrite"], "not allowed with argument"),
    (["train", "--model", MODEL], "the following arguments are required: --out"),
    (["sample", "--run", "r", "-n", "0", "--out", "s.npy"], "-n: must be a positive integer, got 0"),
    (["sample", "--run", "r", "-n", "many", "--out", "s.npy"], "-n: must be a positive integer"),
    (["sample", "--run", "r", "-n", "3", "--out", "s.npy", "--label", "x"], "--label: invalid int"),
    (["fly"], "invalid choice: 'fly'"),
])
def test_bad_command_line_arguments_are_one_line_with_usage(args, message):
    code, err = cli(*args)
    assert code == 2 and err.startswith("usage: ") and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("python -m gan_course") and message in err, err


def test_bad_sample_requests_are_one_line(reference, tmp_path):
    run = reference["folder"]
    one_line_error(*cli("sample", "--run", run, "-n", 3, "--out", tmp_path / "s.txt"), "must name a .npy")
    one_line_error(*cli("sample", "--run", run, "-n", 3, "--out", tmp_path / "s.npy", "--label", 3),
                   "--label needs a conditional model; toy1d is unconditional")
    one_line_error(*cli("sample", "--run", tmp_path / "nothing", "-n", 3, "--out", tmp_path / "s.npy"),
                   "no checkpoint at")
    trainer, _ = recipes.build(MODEL, progress=False)
    trainer.meta = {}
    trainer.save(tmp_path / "bare.pt")
    one_line_error(*cli("sample", "--run", tmp_path / "bare.pt", "-n", 3, "--out", tmp_path / "s.npy"),
                   "records no recipe")
    assert not (tmp_path / "s.npy").exists()


@pytest.mark.parametrize("changes, message", [
    ({"name": "mnist-gam"}, "unknown model 'mnist-gam'; choose one of: toy1d"),
    ({"seed": -1}, "seed must be a non-negative integer, got -1"),
    ({"seed": 0.5}, "seed must be a non-negative integer, got 0.5"),
    ({"lr_d": "fast"}, "lr_d must be a positive number, got 'fast'"),
    ({"lr_g": float("nan")}, "lr_g must be a positive number, got nan"),
    ({"betas": (0.5,)}, r"betas must be two numbers in \[0, 1\)"),
    ({"ema_decay": "0.9"}, r"ema_decay must be in \(0, 1\) or None"),
    ({"batch_size": 0}, "batch_size must be a positive integer"),
    ({"batch_size": 10**6}, "batch_size must be between 1 and the data size 20000"),
    ({"d_steps": 2.5}, "d_steps must be a positive integer, got 2.5"),
    ({"gp_weight": "high"}, "gp_weight must be a positive number or None, got 'high'"),
    ({"game": "wgan", "clip": -0.01}, "clip must be a positive number, got -0.01"),
    ({"game": "gann"}, "unknown game 'gann'"),
    ({"lr": 0.1}, "unknown setting 'lr' for recipe 'toy1d'"),
    ({"checkpoint": 7}, "checkpoint must be a file path"),
    ({"checkpoint_every": 0}, "checkpoint_every must be a positive integer"),
])
def test_recipes_build_explains_bad_arguments(changes, message):
    changes = {"name": MODEL, **changes}
    with pytest.raises(ValueError, match=message):
        recipes.build(changes.pop("name"), **changes)


def _toy_game(dim=1, n_classes=None):
    return games.GAN(models.MLPGenerator(1, (8,), (dim,), out_activation=None, n_classes=n_classes),
                     models.MLPDiscriminator((dim,), (8,), n_classes=n_classes))


def test_trainer_explains_bad_data_games_and_lengths():
    x = torch.randn(64, 1)
    cases = [
        (lambda: Trainer(models.toy_generator(1), x), "needs a game from gan_course.games"),
        (lambda: Trainer(_toy_game(), x.numpy()), "data must be a tensor"),
        (lambda: Trainer(_toy_game(), (x * 100).long()), "must be floating-point numbers, got torch.int64"),
        (lambda: Trainer(_toy_game(), x.masked_fill(x > 1, float("nan"))), "hold NaN or infinite"),
        (lambda: Trainer(_toy_game(), torch.randn(64, 2)), r"makes samples of shape \(1,\), but the data's"),
        (lambda: Trainer(_toy_game(), torch.rand(64, 1, 28, 28)), r"shape \(1, 28, 28\)"),
        (lambda: Trainer(_toy_game(), (x, torch.zeros(64).long())), "pass labels exactly when"),
    ]
    for make, message in cases:
        with pytest.raises(ValueError, match=message):
            make()
    trainer = Trainer(_toy_game(), x, recipes.TrainSettings(batch_size=16),
                      recipes.RunSettings(progress=False, device="cpu"))
    for call, message in [(lambda: trainer.fit(epochs=float("nan")), "epochs must be a non-negative number"),
                          (lambda: trainer.fit(steps=-2), "steps must be a non-negative integer"),
                          (lambda: trainer.fit(steps=2, callbacks=[print]), "a callback must be callable"),
                          (lambda: trainer.sample(0), "n must be a positive integer"),
                          (lambda: trainer.sample(2, labels=1), "unconditional: sample without labels")]:
        with pytest.raises(ValueError, match=message):
            call()
    assert trainer.step == 0


def test_conditional_labels_and_image_metrics_are_checked():
    x = torch.randn(64, 1)
    with pytest.raises(ValueError, match="labels must be classes 0 to 2, got values from 0 to 5"):
        Trainer(_toy_game(n_classes=3), (x, torch.arange(64) % 6))
    with pytest.raises(ValueError, match="labels must be 64 integer classes"):
        Trainer(_toy_game(n_classes=3), (x, torch.zeros(64)))
    with pytest.raises(ValueError, match=r"expected MNIST-shaped images"):
        metrics.evaluate_mnist(torch.zeros(10, 3, 28, 28))
    with pytest.raises(ValueError, match=r"images must be in \[-1, 1\]"):
        metrics.evaluate_mnist(torch.full((10, 1, 28, 28), 255.0))
