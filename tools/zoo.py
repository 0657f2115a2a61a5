"""`make results`, second part: chapter 07's loss zoo on the 2-D targets -> results/zoo.json.

Every loss of `gan_course.zoo.LOSSES` (saturating, non-saturating, least squares, hinge,
Wasserstein with gradient penalty), with and without spectral normalisation of D, on the ring of
8 Gaussians (recipe `ring-gan`, chapter 05's settings) and the 5x5 grid (recipe `grid-gan`, the
same settings), seeds 0-4: 100 runs at matched budgets (each recipe's generator steps, one D step
per G step). Each run is `gan_course.zoo.run`, the function the chapter calls for its live runs,
so the chapter's seed-0 numbers equal the recorded ones. Runs go to `--workers` processes of one
thread each (the toy networks gain nothing from a second thread; the results are the same).

Writes results/zoo.json (every run's metrics and training time) and a section of RESULTS.md
(after tools/results.py has written it). `--check` trains the same runs again and compares every
metric with results/zoo.json, like `make results-check`.

    .venv/bin/python tools/zoo.py [--seeds 0 1 2 3 4] [--workers 2] [--out DIR] [--check]

With GAN_COURSE_FAST=1 every run is a few steps (to test this script); the file then says so.
"""

import argparse
import json
import sys
import time
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_course import zoo  # noqa: E402
from gan_course.checkpoints import write_text_atomic  # noqa: E402
from gan_course.runtime import FAST, one_thread_pool  # noqa: E402

SECTION = "## Loss zoo on the 2-D targets (chapter 07, `tools/zoo.py`)"
METRICS = ("modes_covered", "n_modes", "high_quality")


def train(cell: tuple) -> dict:
    """One run: ``cell = (recipe, loss, spectral_norm, seed)``."""
    recipe, loss, spectral_norm, seed = cell
    scores, _ = zoo.run(recipe, loss, spectral_norm, seed)
    return {"recipe": recipe, "loss": loss, "spectral_norm": spectral_norm, "seed": seed, **scores}


def train_all(cells: list[tuple], workers: int) -> list[dict]:
    """Every cell, the most expensive first (spectral norm, then the penalty), in ``workers``
    processes; returned in the order of ``cells``."""
    order = sorted(range(len(cells)), key=lambda i: (not cells[i][2], cells[i][1] != "Wasserstein-GP"))
    with one_thread_pool(workers) as pool:
        done = pool.imap(train, [cells[i] for i in order])
        results = {}
        for i, run in zip(order, done, strict=True):
            results[i] = run
            print(f"{key(run)}: {run['train_seconds']:.0f} s, {run['ema']}", flush=True)
        pool.close()
        pool.join()
    return [results[i] for i in range(len(cells))]


def key(run: dict) -> str:
    """``recipe / loss / SN or no SN / seed s``: a run's name in messages and comparisons."""
    norm = "SN" if run["spectral_norm"] else "no SN"
    return f"{run['recipe']} / {run['loss']} / {norm} / seed {run['seed']}"


def compare(runs: list[dict], recorded_file: Path) -> list[str]:
    """The differences between the rerun's metrics and the recorded ones, one line each."""
    if not recorded_file.is_file():
        raise SystemExit(f"{recorded_file} is missing: run `make results` (or tools/zoo.py) first")
    recorded = {key(r): r for r in json.loads(recorded_file.read_text())["runs"]}
    differences = []
    for run in runs:
        want = recorded.get(key(run))
        if want is None:
            differences.append(f"{key(run)}: not in {recorded_file.name}")
            continue
        for kind in ("ema", "raw"):
            for metric in METRICS:
                if want[kind][metric] != run[kind][metric]:
                    differences.append(f"{key(run)} {kind} {metric}: recorded {want[kind][metric]}, "
                                       f"rerun {run[kind][metric]}")
    return differences


def _cell(runs: list[dict]) -> str:
    modes = [r["ema"]["modes_covered"] for r in runs]
    quality = [r["ema"]["high_quality"] for r in runs]
    return (f"{mean(modes):.1f} ({min(modes)}-{max(modes)}) of {runs[0]['ema']['n_modes']}, "
            f"{mean(quality):.0%} ({min(quality):.0%}-{max(quality):.0%})")


def section(runs: list[dict], minutes: float) -> str:
    """The RESULTS.md section: one row per (recipe, loss), without and with spectral norm."""
    seeds = sorted({r["seed"] for r in runs})
    lines = [SECTION, ""]
    if FAST:
        lines += ["**Fast mode (GAN_COURSE_FAST=1): a few steps per run, a test of the script.**", ""]
    lines += [f"{len(runs)} runs in {minutes:.1f} minutes, seeds {', '.join(map(str, seeds))}: each "
              "loss with and without spectral normalisation of D, at each recipe's settings and "
              "length. Cells: modes covered (mean, lowest-highest) and the share of high-quality "
              "samples, of 10,000 samples of the weight average. Every run: results/zoo.json.", "",
              "| recipe | loss | no spectral norm | spectral norm |", "| --- | --- | --- | --- |"]
    for recipe in dict.fromkeys(r["recipe"] for r in runs):
        for loss in dict.fromkeys(r["loss"] for r in runs):
            cells = [_cell([r for r in runs if r["recipe"] == recipe and r["loss"] == loss
                            and r["spectral_norm"] == sn]) for sn in (False, True)]
            lines.append(f"| `{recipe}` | {loss} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines) + "\n"


def write(runs: list[dict], out: Path, minutes: float) -> None:
    """results/zoo.json, and this script's section of RESULTS.md (replaced if there)."""
    document = {"fast": FAST, "minutes": round(minutes, 1), "losses": zoo.LOSSES, "runs": runs}
    write_text_atomic(json.dumps(document, indent=1) + "\n", out / "results" / "zoo.json")
    report = out / "RESULTS.md"
    text = report.read_text() if report.is_file() else "# Reference results\n"
    text = text.split("\n" + SECTION)[0].rstrip("\n") + "\n\n" + section(runs, minutes)
    write_text_atomic(text, report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", nargs="+", default=list(zoo.TOY_RECIPES))
    parser.add_argument("--losses", nargs="+", default=list(zoo.LOSSES), choices=list(zoo.LOSSES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT, help="folder for RESULTS.md and results/")
    parser.add_argument("--check", action="store_true",
                        help="rerun and compare with OUT/results/zoo.json; write nothing")
    args = parser.parse_args()
    cells = [(recipe, loss, sn, seed) for recipe in args.recipes for loss in args.losses
             for sn in (False, True) for seed in args.seeds]
    start = time.perf_counter()
    runs = train_all(cells, args.workers)
    minutes = (time.perf_counter() - start) / 60
    if args.check:
        differences = compare(runs, args.out / "results" / "zoo.json")
        print("\n".join(differences) or f"reproduced: every metric of {len(runs)} runs equals the "
              f"recorded one ({minutes:.1f} minutes)")
        sys.exit(1 if differences else 0)
    write(runs, args.out, minutes)
    print(f"wrote {args.out / 'results' / 'zoo.json'} ({len(runs)} runs) in {minutes:.1f} minutes")


if __name__ == "__main__":
    main()
