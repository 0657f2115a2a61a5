"""`make results`: train every recipe at full length, score it, and write RESULTS.md.

Each (model, seed) runs the command a student would type,
`python -m gan_course train --model NAME --seed S --out runs/results/...` (its `main`, called in
this process: every run seeds everything itself, and one process saves the start-up, the data
and the classifier's loading of every run); the numbers come from that run's summary.json.
RESULTS.md gets the machine, the versions, one row per model (mean and spread over seeds), one
row per run, and a sample grid per model under results/; results/results.json keeps every run's
metrics. `--check` (`make results-check`) trains the same runs again and compares their metrics
with results/results.json: the table is reproducible when nothing differs.

    .venv/bin/python tools/results.py [--seeds 0 1] [--models toy1d mnist-gan] [--out DIR] [--check]

A recipe that sets `seeds` (chapter 11's ablations: 1) trains only that many of `--seeds`.

Recipes whose networks are plain matrix products (the MLPs, and every toy target's) train
`--workers` at a time, one thread each: with one thread they give the same bits as with two
(`--check` with one thread reproduced every recorded metric of their seed-0 runs), and two such
processes on two cores do about 1.3 times the work of one process with two threads. Convolutions
and spectral normalisation (its power iteration's matrix-vector products) give other bits with one
thread (fashion-dcgan's FID moved from 13.29 to 14.65, zoo-mnist-hinge-sn's from 263.0 to 327.8),
so those recipes train one at a time, with all threads.

With GAN_COURSE_FAST=1 every run is a few steps (to test this script); the file then says so.
"""

import argparse
import contextlib
import io
import json
import os
import platform
import sys
import time
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["TQDM_DISABLE"] = "1"  # before tqdm is imported: no progress bars in make results

from gan_course import data, recipes  # noqa: E402
from gan_course.__main__ import main as gan_course_command  # noqa: E402
from gan_course.checkpoints import write_bytes_atomic, write_text_atomic  # noqa: E402
from gan_course.monitor_report import NAMES  # noqa: E402
from gan_course.runfolder import RunFolderError, read_json  # noqa: E402
from gan_course.runtime import FAST, one_thread_pool  # noqa: E402

COLUMNS = [  # (summary metric key, column title, format)
    ("fid", "classifier FID", "{:.1f}"),
    ("inception_score", "IS", "{:.2f}"),
    ("classes_covered", "classes", "{:.0f}"),
    ("label_accuracy", "label acc.", "{:.1%}"),
    ("w1", "W1", "{:.4f}"),
    ("ks", "KS", "{:.3f}"),
    ("modes_covered", "modes", "{:.0f}"),
    ("high_quality", "high-quality", "{:.1%}"),
    ("code_accuracy", "code acc.", "{:.1%}"),
    ("q_accuracy", "Q acc.", "{:.1%}"),
    ("content_ab", "content A->B", "{:.1%}"),
    ("content_ba", "content B->A", "{:.1%}"),
    ("fid_to_b", "FID to B", "{:.1f}"),
    ("fid_to_a", "FID to A", "{:.1f}"),
    ("cycle_l1", "cycle L1", "{:.3f}"),
    ("identity_l1", "identity L1", "{:.3f}"),
]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy
    import torch
    import torchvision

    return (f"{cpu}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads; "
            f"Python {platform.python_version()}, torch {torch.__version__}, torchvision "
            f"{torchvision.__version__}, numpy {numpy.__version__}")


def train(name: str, seed: int, out: Path) -> dict:
    """Train ``name`` with ``seed`` from scratch (replacing an earlier run) and read its summary."""
    folder = out / "runs" / f"{name}-seed{seed}"
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            gan_course_command(["train", "--model", name, "--seed", str(seed), "--out", str(folder),
                                "--overwrite"])
    except SystemExit as stop:
        if stop.code:
            raise SystemExit(f"training {name} seed {seed} failed ({stop.code}): nothing more was "
                             "trained or written") from None
    summary = read_json(folder / "summary.json", f"the run of {name} seed {seed} wrote no readable "
                        "summary: run this script again")
    summary["wall_seconds"] = time.perf_counter() - start
    summary["folder"] = folder
    return summary


def spread(values: list[float], fmt: str) -> str:
    if len(values) == 1:
        return fmt.format(values[0])
    return f"{fmt.format(mean(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def settings_text(summary: dict) -> str:
    s = summary["settings"]
    parts = [s["game"], f"{s['optimizer']} lr {s['lr_g']:g}/{s['lr_d']:g}", f"batch {s['batch_size']}"]
    for key, label in (("d_steps", "k"), ("clip", "clip"), ("gp_weight", "GP"), ("info_weight", "lambda"),
                       ("continuous_weight", "continuous weight"), ("cycle_weight", "cycle"),
                       ("identity_weight", "identity"), ("ema_decay", "EMA")):
        if s.get(key) is not None:
            parts.append(f"{label} {s[key]:g}")
    return ", ".join(parts) + f"; {summary['epochs']:g} epochs = {summary['steps']} steps"


def health_text(summary: dict) -> str:
    """What chapter 07's health monitor said about a run (runs trained before it existed: nothing)."""
    if "health" not in summary:
        return ""
    health = summary["health"]
    if not health["flagged"]:
        return "; health monitor: no problem flagged"
    named = [f"{NAMES[problem]} (from step {step}, "
             + ("still there at the end)" if problem in health["persisting"] else "gone by the end)")
             for problem, step in sorted(health["flagged"].items(), key=lambda item: item[1])]
    return "; health monitor flagged: " + ", ".join(named)


def write_report(runs: dict[str, list[dict]], out: Path, total_seconds: float) -> Path:
    images = out / "results"
    images.mkdir(parents=True, exist_ok=True)
    used = [c for c in COLUMNS if any(c[0] in r["metrics"] for rs in runs.values() for r in rs)]
    lines = ["# Reference results", ""]
    if FAST:
        lines += ["**Fast mode (GAN_COURSE_FAST=1): a few steps per model, a test of the script, "
                  "not reference numbers.**", ""]
    lines += [
        "Every model the chapters train, at the chapters' full-length settings (the recipes in "
        "`gan_course/recipes.py`), trained by `python -m gan_course train` and scored with "
        "`gan_course.metrics` on 10,000 samples. Produced by `make results`.", "",
        f"- Machine: {machine()}. Recipes of plain matrix products (MLPs without spectral norm, toy "
        "targets) trained two at a time with one thread each, which gives the same numbers; their "
        "train times are therefore longer than alone (see tools/results.py).",
        f"- Produced on {time.strftime('%Y-%m-%d')}; the whole `make results` took "
        f"{total_seconds / 60:.1f} minutes.",
        "- Cells show the mean over seeds and, in brackets, the lowest and highest value. "
        "Classifier FID: lower is better (real test digits: about 5 with 5,000 images); IS: at "
        "most 10; classes: digits predicted for at least 1 % of samples; W1 and KS: distances "
        "to the 1-D target; modes: of 8, with at least 1 % of samples within 3 std; "
        "high-quality: samples within 3 std of a mode (98.9 % for the target itself); code acc. and "
        "Q acc.: InfoGAN's categorical code matched one to one to the digits (chapter 10): the "
        "classifier's digit of G's samples, and Q's code of the test digits against their labels; "
        "content, FID to B or A, cycle L1 and identity L1: CycleGAN's translations of 5,000 test digits "
        "(chapter 11; `gan_course.cyclegan_eval`): the share the classifier reads as the source digit, "
        "the classifier FID of the translations to the real digits of their target domain, the mean "
        "absolute pixel error of the round trips and of a translator applied to its own target domain. "
        "Ablation recipes are trained for the first seed only.",
        "- Seed 0 is the run each chapter trains and shows (same recipe, same seed, same "
        "`recipes.evaluate`), so the chapters print the seed-0 numbers below; "
        "`make results-check` trains every run again and compares each metric with "
        "`results/results.json`.",
        "- Chapter 10's InfoGAN over ten seeds and four values of lambda, with every run's confusion "
        "matrices: [results/infogan.md](results/infogan.md) (`tools/infogan_seeds.py`, not part of "
        "`make results`).", "",
        "| model | seeds | train time (s) | " + " | ".join(c[1] for c in used) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in used) + " |",
    ]
    for name, rs in runs.items():
        cells = [spread([r["metrics"][key] for r in rs], fmt) if key in rs[0]["metrics"] else ""
                 for key, _, fmt in used]
        seeds = ", ".join(str(r["seed"]) for r in rs)
        lines.append(f"| `{name}` | {seeds} | {spread([r['train_seconds'] for r in rs], '{:.0f}')} | "
                     + " | ".join(cells) + " |")
    lines += ["", "## Settings and samples", ""]
    for name, rs in runs.items():
        picture = images / f"{name}.png"
        write_bytes_atomic((rs[0]["folder"] / "samples.png").read_bytes(), picture)
        lines += [f"### `{name}`: {recipes.get(name).description}", "",
                  f"Settings: {settings_text(rs[0])}. Device: {rs[0]['device']}.", ""]
        for r in rs:
            shown = ", ".join(f"{title} {fmt.format(r['metrics'][key])}" for key, title, fmt in used
                              if key in r["metrics"])
            lines.append(f"- seed {r['seed']}: {r['train_seconds']:.0f} s training "
                         f"({r['wall_seconds']:.0f} s with start-up and scoring); {shown}{health_text(r)}")
        lines += ["", f"![{name} samples, seed {rs[0]['seed']}](results/{name}.png)", ""]
    report = out / "RESULTS.md"
    write_text_atomic("\n".join(lines), report)
    write_text_atomic(json.dumps(metrics_table(runs), indent=1) + "\n", images / "results.json")
    return report


def metrics_table(runs: dict[str, list[dict]]) -> dict[str, dict[str, dict]]:
    """``{model: {seed: metrics}}``: what a rerun must reproduce (wall times are left out)."""
    return {name: {str(r["seed"]): r["metrics"] for r in rs} for name, rs in runs.items()}


def compare(runs: dict[str, list[dict]], recorded_file: Path) -> list[str]:
    """The differences between the rerun's metrics and the recorded ones, one line each."""
    recorded = read_json(recorded_file, "restore the committed file (`git checkout -- "
                         "results/results.json`) or run `make results` to record new numbers")
    differences = []
    for name, by_seed in metrics_table(runs).items():
        for seed, got in by_seed.items():
            want = recorded.get(name, {}).get(seed)
            if want is None:
                differences.append(f"{name} seed {seed}: not in {recorded_file.name}")
                continue
            for key in sorted(set(want) | set(got)):
                if want.get(key) != got.get(key):
                    differences.append(f"{name} seed {seed} {key}: recorded {want.get(key)}, "
                                       f"rerun {got.get(key)}")
    return differences


ONE_THREAD_NETWORKS = ("mlp", "mlp-autoencoder")  # matrix products only: the same bits with one thread


def one_thread_safe(name: str) -> bool:
    """Whether recipe ``name`` trains to the same bits with one thread as with two (see above)."""
    recipe = recipes.get(name)
    if recipe.discriminator.get("spectral_norm"):
        return False
    if recipe.target in recipes.TARGETS:  # toy targets: MLPs
        return True
    return recipe.target in data.DATASETS and recipe.networks in ONE_THREAD_NETWORKS  # not CycleGAN's


def _train_cell(cell: tuple) -> dict:
    return train(*cell)


def train_cells(cells: list[tuple[str, int]], out: Path, workers: int) -> dict[tuple[str, int], dict]:
    """Every ``(model, seed)``: the one-thread-safe ones in ``workers`` processes of one thread
    each, then the others here, one at a time; ``{cell: summary}``."""
    pooled = [cell for cell in cells if workers > 1 and one_thread_safe(cell[0])]
    done = {}

    def report(cell, summary):
        done[cell] = summary
        print(f"{cell[0]} seed {cell[1]}: {summary['train_seconds']:.0f} s, {summary['metrics']}", flush=True)

    if pooled:
        with one_thread_pool(workers) as pool:
            summaries = pool.imap(_train_cell, [(*cell, out) for cell in pooled])
            for cell, summary in zip(pooled, summaries, strict=True):
                report(cell, summary)
    for cell in cells:
        if cell not in done:
            report(cell, train(*cell, out))
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(recipes.RECIPES),
                        choices=list(recipes.RECIPES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--out", type=Path, default=ROOT, help="folder for RESULTS.md and results/")
    parser.add_argument("--workers", type=int, default=2,
                        help="processes for the one-thread-safe recipes (1: every run here, in turn)")
    parser.add_argument("--check", action="store_true",
                        help="rerun and compare with OUT/results/results.json; write nothing")
    args = parser.parse_args()
    try:
        run_all(args)
    except RunFolderError as error:
        sys.exit(f"error: {error}")


def cells_of(models: list[str], seeds: list[int]) -> list[tuple[str, int]]:
    """The (model, seed) runs: every seed for a recipe, the first ``recipe.seeds`` where it sets them."""
    return [(name, seed) for name in models for seed in seeds[:recipes.get(name).seeds]]


def run_all(args) -> None:
    """Train every (model, seed); then write the report, or compare with the recorded metrics."""
    start = time.perf_counter()
    cells = cells_of(args.models, args.seeds)
    done = train_cells(cells, args.out, args.workers)
    runs: dict[str, list[dict]] = {}
    for name, seed in cells:
        runs.setdefault(name, []).append(done[(name, seed)])
    minutes = (time.perf_counter() - start) / 60
    if args.check:
        differences = compare(runs, args.out / "results" / "results.json")
        print("\n".join(differences) or f"reproduced: every metric of {sum(map(len, runs.values()))} "
              f"runs equals the recorded one ({minutes:.1f} minutes)")
        sys.exit(1 if differences else 0)
    report = write_report(runs, args.out, time.perf_counter() - start)
    print(f"wrote {report} in {minutes:.1f} minutes")


if __name__ == "__main__":
    main()
