"""Chapters 03 and 04's table of variants: the MNIST GAN of chapter 03 with one setting changed.

    flock /tmp/gan-cpu.lock .venv/bin/python tools/mnist_variants.py   # about 25 minutes on 2 cores

Each variant is the recipe ``mnist-gan`` built with seed 0 and a few settings changed
(``recipes.build``), trained for a fixed number of steps and scored every few epochs on the way:
10,000 samples of the weight average, ``recipes.evaluate`` as in RESULTS.md. Chapter 03 reads
the batch sizes and k = 5 (which one gets furthest in the same time on a CPU), chapter 04 the
runs with its own settings but no labels (why its FID is lower than chapter 03's). The variant
"batch 32" is the recipe itself, so its last score is RESULTS.md's seed-0 number.

Scores repeat exactly on the same machine and library versions. Time is measured twice: the
seconds of training up to each score (scoring left out), which grow when other work shares the
machine, and the cost of one step, timed apart as the fastest of 5 timings of 200 steps, which
other work inflates much less; `--timing-only` measures that again and keeps the scores. The
machine is recorded with them. Writes results/mnist_variants.json. With GAN_COURSE_FAST=1 every
run is a few steps (to test the script), the file says so, and it must go elsewhere (--out).
"""

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gan_course import recipes  # noqa: E402
from gan_course.checkpoints import write_text_atomic  # noqa: E402
from gan_course.runtime import FAST  # noqa: E402

RECIPE = "mnist-gan"
DEFAULT_OUT = ROOT / "results" / "mnist_variants.json"
FAST_EVERY, FAST_N = 5, 500  # fast mode: score every 5 steps, 500 samples
TIMING = {"warm_up": 50, "steps": 200, "repeats": 5}  # fast mode: 2, 5 and 2


@dataclass(frozen=True)
class Variant:
    """A run of ``mnist-gan`` with ``changes``, scored every ``every`` steps up to ``steps``."""

    name: str
    changes: dict
    every: int
    steps: int
    why: str


# Scores every 2 epochs (batch 32) or 4 epochs (the others). The lengths give each run at
# least 3 minutes of training on the course's 2-core CPU; the batch-64 runs have chapter 04's
# length, 28 epochs of 937 steps.
VARIANTS = [
    Variant("batch 32", {"batch_size": 32}, 3750, 37_500, "the recipe (chapter 03): 20 epochs"),
    Variant("batch 64", {"batch_size": 64}, 3748, 26_236, "chapter 04's batch size and length"),
    Variant("batch 128", {"batch_size": 128}, 1872, 16_848, "the seed notebook's batch size"),
    Variant("batch 32, k = 5", {"batch_size": 32, "d_steps": 5}, 1500, 15_000,
            "5 discriminator steps per generator step, chapter 02's k"),
    Variant("batch 64, gradient penalty 1", {"batch_size": 64, "gp_weight": 1.0}, 3748, 26_236,
            "chapter 04's settings without the labels"),
]


class Scorer:
    """Callback: score the weight average every ``every`` steps; training seconds exclude it."""

    def __init__(self, every: int, n: int):
        self.every, self.n, self.points = every, n, []
        self.start, self.scoring = time.perf_counter(), 0.0

    def __call__(self, trainer) -> None:
        begin = time.perf_counter()
        scores = recipes.evaluate(trainer, n=self.n)
        self.points.append({"step": trainer.step, "epoch": trainer.step / trainer.steps_per_epoch,
                            "seconds": begin - self.start - self.scoring, **scores})
        self.scoring += time.perf_counter() - begin


def seconds_per_step(variant: Variant) -> float:
    """The fastest of ``repeats`` timings of ``steps`` training steps, after a warm-up: the cost
    of a step with as little as possible of the other work on a shared machine in it."""
    warm_up, steps, repeats = (2, 5, 2) if FAST else (TIMING["warm_up"], TIMING["steps"],
                                                       TIMING["repeats"])
    trainer, _ = recipes.build(RECIPE, seed=0, progress=False, **variant.changes)
    trainer.fit(steps=warm_up)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        trainer.fit(steps=trainer.step + steps)
        times.append((time.perf_counter() - start) / steps)
    return min(times)


def run(variant: Variant) -> dict:
    """Train one variant (seed 0) and return its settings and scores along the way."""
    every, steps, n = ((FAST_EVERY, 2 * FAST_EVERY, FAST_N) if FAST
                       else (variant.every, variant.steps, 10_000))
    trainer, _ = recipes.build(RECIPE, seed=0, progress=False, **variant.changes)
    scorer = Scorer(every, n)
    trainer.fit(steps=steps, callbacks=[scorer])
    return {"name": variant.name, "why": variant.why, "changes": variant.changes,
            "steps_per_epoch": trainer.steps_per_epoch, "samples": n,
            "seconds_per_step": seconds_per_step(variant), "points": scorer.points}


def main(argv=None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--only", nargs="+", choices=[v.name for v in VARIANTS],
                        help="run these variants only (default: all)")
    parser.add_argument("--timing-only", action="store_true",
                        help="time a step of each variant in OUT again; keep its scores")
    args = parser.parse_args(argv)
    if FAST and args.out.resolve() == DEFAULT_OUT:
        parser.error(f"fast mode writes a test table: pass --out (not {DEFAULT_OUT.name})")
    sys.path.insert(0, str(ROOT / "tools"))
    from results import machine

    if args.timing_only:
        return retime(args.out, machine())
    chosen = [v for v in VARIANTS if args.only is None or v.name in args.only]
    runs = []
    for variant in chosen:
        runs.append(run(variant))
        last = runs[-1]["points"][-1]
        print(f"{variant.name}: {last['step']:,} steps in {last['seconds']:.0f} s, "
              f"FID {last['fid']:.2f}, IS {last['inception_score']:.2f}", flush=True)
    table = {"fast": FAST, "recipe": RECIPE, "seed": 0, "machine": machine(),
             "produced": time.strftime("%Y-%m-%d"), "variants": runs}
    write_text_atomic(json.dumps(table, indent=1) + "\n", args.out)
    print(f"wrote {args.out}")
    return args.out


def retime(out: Path, machine: str) -> Path:
    """Measure ``seconds_per_step`` of every variant in the table ``out`` again."""
    if not out.is_file():
        raise SystemExit(f"{out} is missing: run the tool without --timing-only first")
    table = json.loads(out.read_text())
    by_name = {v.name: v for v in VARIANTS}
    for run in table["variants"]:
        run["seconds_per_step"] = seconds_per_step(by_name[run["name"]])
        print(f"{run['name']}: {1000 * run['seconds_per_step']:.2f} ms per step", flush=True)
    table["timing_machine"] = machine
    write_text_atomic(json.dumps(table, indent=1) + "\n", out)
    print(f"wrote {out}")
    return out


if __name__ == "__main__":
    main()
