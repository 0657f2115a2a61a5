import json
import os
import subprocess
import sys

import numpy as np
import pytest

from gan_course import recipes

ENV = {**os.environ, "GAN_COURSE_FAST": "1", "TQDM_DISABLE": "1"}


def run(*args, check=True):
    result = subprocess.run([sys.executable, "-m", "gan_course", *args], env=ENV,
                            capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def cgan_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "cgan"
    run("train", "--model", "mnist-cgan", "--epochs", "0.02", "--seed", "3", "--out", str(out))
    return out


def test_train_writes_checkpoint_history_summary_and_grid(cgan_run):
    for name in ("checkpoint.pt", "history.json", "summary.json", "samples.png"):
        assert (cgan_run / name).is_file()
    summary = json.loads((cgan_run / "summary.json").read_text())
    assert summary["model"] == "mnist-cgan" and summary["seed"] == 3
    steps_per_epoch = 60_000 // recipes.get("mnist-cgan").training.batch_size  # full batches only
    assert summary["steps"] == round(0.02 * steps_per_epoch)
    assert set(summary["metrics"]) >= {"fid", "inception_score", "label_accuracy"}
    # chapter 07's health monitor watched the run: 19 steps, checked at every step (19 // 20 < 1),
    # the first 19 // 2 = 9 not judged; a barely trained G draws few of the 10 classes, so two
    # checks in a row from step 10 flag mode collapse there
    assert summary["health"]["flagged"] == {"collapse": 10}
    assert summary["health"]["persisting"] == ["collapse"]  # still there at step 19
    assert summary["health"]["diagnosis"][0].startswith("From step 10 mode collapse")
    history = json.loads((cgan_run / "history.json").read_text())
    assert len(history["g_loss"]) == summary["steps"]


def test_sample_writes_n_images_in_range(cgan_run, tmp_path):
    out = tmp_path / "s.npy"
    run("sample", "--run", str(cgan_run), "-n", "7", "--out", str(out), "--label", "4")
    samples = np.load(out)
    assert samples.shape == (7, 1, 28, 28)
    assert samples.min() >= -1 and samples.max() <= 1


def test_bad_arguments_give_clear_errors(cgan_run, tmp_path):
    result = run("train", "--model", "nope", "--out", str(tmp_path), check=False)
    assert result.returncode == 2 and "invalid choice: 'nope'" in result.stderr
    result = run("train", "--model", "toy1d", "--epochs", "-1", "--out", str(tmp_path), check=False)
    assert result.returncode == 2 and "must be positive" in result.stderr
    result = run("sample", "--run", str(tmp_path / "none"), "-n", "3", "--out", "x.npy",
                 check=False)
    assert result.returncode == 1 and "no checkpoint at" in result.stderr
    result = run("sample", "--run", str(cgan_run), "-n", "3", "--out", str(tmp_path / "x.npy"),
                 "--label", "10", check=False)
    assert result.returncode == 1 and "--label must be between 0 and 9" in result.stderr


def test_toy_model_trains_in_fast_mode(tmp_path):
    run("train", "--model", "toy1d", "--out", str(tmp_path / "toy"))
    summary = json.loads((tmp_path / "toy" / "summary.json").read_text())
    assert summary["steps"] == 200  # the recipe's fast length
    assert set(summary["metrics"]) == {"w1", "ks"}
