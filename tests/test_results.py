import json
import os
import subprocess
import sys
from pathlib import Path

from gan_course import recipes

ROOT = Path(__file__).resolve().parent.parent


def test_results_script_writes_table_and_pictures(tmp_path):
    env = {**os.environ, "GAN_COURSE_FAST": "1"}
    subprocess.run([sys.executable, str(ROOT / "tools" / "results.py"), "--models", "toy1d",
                    "ring-wgan-gp", "--seeds", "0", "1", "--out", str(tmp_path)], check=True,
                   env=env, capture_output=True, timeout=600)
    report = (tmp_path / "RESULTS.md").read_text()
    assert "Fast mode" in report and "torch 2.14.1" in report
    rows = [line for line in report.splitlines() if line.startswith("| `")]
    assert [row.split("|")[1].strip() for row in rows] == ["`toy1d`", "`ring-wgan-gp`"]
    assert all("| 0, 1 |" in row for row in rows)
    assert "modes" in report and "W1" in report
    assert (tmp_path / "results" / "toy1d.png").stat().st_size > 1000
    assert (tmp_path / "results" / "ring-wgan-gp.png").is_file()
    assert report.count("- seed ") == 4
    assert report.count("; health monitor") == 4  # chapter 07's monitor watched every run

    # --check trains again and compares with results/results.json: equal for a rerun, and a
    # changed number is reported by model, seed and metric.
    # (toy1d was trained in a one-thread worker above; the check trains it here, in turn, with
    # every thread: the same numbers)
    check = [sys.executable, str(ROOT / "tools" / "results.py"), "--models", "toy1d", "--seeds", "0",
             "--out", str(tmp_path), "--check", "--workers", "1"]
    rerun = subprocess.run(check, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "reproduced: every metric of 1 runs" in rerun.stdout
    # a changed number is named by the comparison --check prints (in this process: no third run)
    sys.path.insert(0, str(ROOT / "tools"))
    import results

    recorded_file = tmp_path / "results" / "results.json"
    recorded = json.loads(recorded_file.read_text())
    runs = {name: [{"seed": int(seed), "metrics": dict(m)} for seed, m in by_seed.items()]
            for name, by_seed in recorded.items()}
    recorded["toy1d"]["0"]["w1"] += 0.001
    recorded_file.write_text(json.dumps(recorded))
    differences = results.compare(runs, recorded_file)
    assert len(differences) == 1 and differences[0].startswith("toy1d seed 0 w1: recorded")


def test_only_recipes_of_plain_matrix_products_train_with_one_thread():
    """Convolutions and spectral norm give other bits with one thread than with two (measured),
    so make results trains only the others two at a time."""
    sys.path.insert(0, str(ROOT / "tools"))
    import results

    safe = {name for name in recipes.RECIPES if results.one_thread_safe(name)}
    assert {"toy1d", "ring-gan", "mnist-gan", "mnist-cgan", "mnist-ebgan", "zoo-mnist-hinge"} <= safe
    assert not safe & {"mnist-dcgan", "fashion-cdcgan", "mnist-began", "mnist-infogan", "zoo-mnist-hinge-sn",
                       "mnist-cyclegan-mlp"}  # chapter 11's MLP translators meet convolutional PatchGANs
    assert all(not results.one_thread_safe(name) for name in recipes.RECIPES if name.endswith("-sn"))


def test_ablation_recipes_train_their_first_seed_only():
    sys.path.insert(0, str(ROOT / "tools"))
    import results

    cells = results.cells_of(["mnist-cyclegan", "mnist-cyclegan-mlp-gan-only", "toy1d"], [0, 1])
    assert cells == [("mnist-cyclegan", 0), ("mnist-cyclegan", 1), ("mnist-cyclegan-mlp-gan-only", 0),
                     ("toy1d", 0), ("toy1d", 1)]
