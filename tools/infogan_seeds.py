"""Chapter 10's seeds and lambdas: recipe `mnist-infogan` over many seeds -> results/infogan.json.

How often does InfoGAN's categorical code find the ten digits? One or two seeds cannot say, so
this script trains the recipe at seeds 0-9, for lambda's role the recipe with lambda
(`info_weight`) 0, 0.3 and 3 at seeds 0-4, and the recipe with the paper's smaller weight on the
continuous codes (`continuous_weight` 0.1) at seeds 0-9. Each run is trained with the package's trainer at the
recipe's full length and scored by `gan_course.recipes.evaluate` (FID, IS, and the matched
accuracies of `gan_course.infogan_eval`); the two 10x10 confusion matrices (code against the
classifier's digit of 10,000 generated samples; Q's code against the true label of the 10,000
test images) are kept, so the chapter can show how a seed fails.

Writes results/infogan.json and its report results/infogan.md, which RESULTS.md links to.
`--extra NAME='{"continuous_weight": 0.1}'` adds a variant (recipe changes, and "epochs" or
"steps" to train longer or shorter). Runs go to `--workers` processes; `--device cuda` trains on a GPU.
Not part of `make results` (40 runs are about 1.5 hours on 2 cores): `make infogan-seeds` runs it.

    .venv/bin/python tools/infogan_seeds.py [--variants recipe lambda-0 ...] [--seeds 0 1 ...]
        [--workers 2] [--device cpu] [--out DIR]
"""

import argparse
import json
import sys
import time
from pathlib import Path
from statistics import mean, median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_course import infogan_eval, recipes  # noqa: E402
from gan_course.checkpoints import write_text_atomic  # noqa: E402
from gan_course.runtime import FAST, one_thread_pool  # noqa: E402

SECTION = "# InfoGAN over seeds and lambdas (chapter 10, `tools/infogan_seeds.py`)"
RECIPE = "mnist-infogan"
# variant name -> (recipe changes, seeds it runs by default)
VARIANTS = {"recipe": ({}, range(10)), "lambda-0": ({"info_weight": 0.0}, range(5)),
            "lambda-0.3": ({"info_weight": 0.3}, range(5)), "lambda-3": ({"info_weight": 3.0}, range(5)),
            "continuous-0.1": ({"continuous_weight": 0.1}, range(10))}


def train(cell: tuple) -> dict:
    """One run: ``cell = (variant, changes, seed, device)``."""
    variant, changes, seed, device = cell
    changes = dict(changes)
    length = {key: changes.pop(key) for key in ("epochs", "steps") if key in changes}
    trainer, _ = recipes.build(RECIPE, seed=seed, progress=False, device=device, **changes)
    chosen = length and (not FAST or "steps" in length)  # fast mode shortens epochs, not steps
    steps = trainer.total_steps(**length) if chosen else recipes.total_steps(RECIPE, trainer)
    start = time.perf_counter()
    trainer.fit(steps=steps)
    seconds = time.perf_counter() - start
    scores = recipes.evaluate(trainer)
    scores.pop("class_histogram", None)
    return {"variant": variant, "changes": changes | length, "seed": seed,
            "device": str(device), "steps": steps, "train_seconds": round(seconds, 1), **scores,
            "generator_confusion": infogan_eval.generator_confusion(trainer.sampler).tolist(),
            "q_confusion": infogan_eval.q_confusion(trainer.discriminator).tolist()}


def train_all(cells: list[tuple], workers: int, out: Path) -> list[dict]:
    """Every cell in ``workers`` processes of one thread each; results/infogan.json is rewritten
    after each finished run (a partial file survives an interrupted sweep)."""
    runs = []
    with one_thread_pool(workers) as pool:
        for run in pool.imap_unordered(train, cells):
            runs.append(run)
            print(f"{run['variant']} seed {run['seed']}: {run['train_seconds']:.0f} s, code "
                  f"{run['code_accuracy']:.3f}, Q {run['q_accuracy']:.3f}, FID {run['fid']:.1f}", flush=True)
            write_json(sorted(runs, key=_order), out)
    return runs


def _order(run: dict) -> tuple:
    """Built-in variants in their order, then extra ones by name; seeds ascending."""
    known = list(VARIANTS)
    return known.index(run["variant"]) if run["variant"] in known else len(known), run["variant"], run["seed"]


def write_json(runs: list[dict], out: Path, minutes: float | None = None) -> None:
    document = {"recipe": RECIPE, "fast": FAST, "minutes": minutes, "runs": runs}
    write_text_atomic(json.dumps(document, indent=1) + "\n", out / "results" / "infogan.json")


def section(runs: list[dict]) -> str:
    """The report: one row per variant, the spread of the matched accuracies."""
    lines = [SECTION, ""]
    if FAST:
        lines += ["**Fast mode (GAN_COURSE_FAST=1): a few steps per run, a test of the script.**", ""]
    devices = ", ".join(sorted({r["device"] for r in runs}))
    seconds = median(r["train_seconds"] for r in runs)
    lines += [f"{len(runs)} runs of `{RECIPE}` on {devices}, each at the recipe's full length "
              f"({runs[0]['steps']:,} steps; median training time {seconds:.0f} s per run). Matched "
              "accuracy: codes assigned one to one to classes (Hungarian algorithm); code: the "
              "classifier's digit of 10,000 samples, 1,000 per code value; Q: Q's code of the "
              "10,000 test images against their labels. Every run and its confusion matrices: "
              "results/infogan.json.", "",
              "| variant | seeds | code accuracy, median (lowest-highest) | Q accuracy | FID |",
              "| --- | --- | --- | --- | --- |"]
    for variant in dict.fromkeys(r["variant"] for r in runs):
        group = [r for r in runs if r["variant"] == variant]
        cells = []
        for key, fmt in (("code_accuracy", "{:.1%}"), ("q_accuracy", "{:.1%}"), ("fid", "{:.1f}")):
            low, middle, high = (fmt.format(f([r[key] for r in group])) for f in (min, median, max))
            cells.append(f"{middle} ({low}-{high})")
        seeds = ", ".join(str(r["seed"]) for r in group)
        lines.append(f"| {variant} {json.dumps(group[0]['changes']) if group[0]['changes'] else ''} | "
                     f"{seeds} | {' | '.join(cells)} |".replace("  |", " |"))
    mean_code = mean(r["code_accuracy"] for r in runs if r["variant"] == "recipe") if any(
        r["variant"] == "recipe" for r in runs) else None
    if mean_code is not None:
        lines += ["", f"Mean code accuracy of the recipe over its seeds: {mean_code:.1%}."]
    return "\n".join(lines) + "\n"


def write(runs: list[dict], out: Path, minutes: float) -> None:
    """results/infogan.json and its report results/infogan.md (RESULTS.md links to it: `make
    results` rewrites RESULTS.md and does not run this script)."""
    write_json(runs, out, round(minutes, 1))
    write_text_atomic(section(runs), out / "results" / "infogan.md")


def cells_of(args) -> list[tuple]:
    variants = {name: VARIANTS[name] for name in args.variants}
    for item in args.extra:
        name, _, changes = item.partition("=")
        variants[name] = (json.loads(changes), range(10))
    return [(name, changes, seed, args.device) for name, (changes, default_seeds) in variants.items()
            for seed in (args.seeds if args.seeds is not None else default_seeds)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--extra", nargs="*", default=[], metavar="NAME=JSON")
    parser.add_argument("--seeds", nargs="+", type=int, default=None, help="default: each variant's own")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--out", type=Path, default=ROOT, help="folder for results/")
    args = parser.parse_args()
    start = time.perf_counter()
    runs = train_all(cells_of(args), args.workers, args.out)
    minutes = (time.perf_counter() - start) / 60
    write(json.loads((args.out / "results" / "infogan.json").read_text())["runs"], args.out, minutes)
    print(f"wrote {args.out / 'results' / 'infogan.json'} ({len(runs)} runs) in {minutes:.1f} minutes")


if __name__ == "__main__":
    main()
