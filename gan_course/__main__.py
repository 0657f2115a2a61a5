"""Command line: train a recipe, or sample from a trained run.

    python -m gan_course train --model mnist-gan --epochs 10 --seed 0 --out runs/mnist-gan
    python -m gan_course sample --run runs/mnist-gan -n 64 --out samples.npy [--label 3]
    python -m gan_course list

`train` never trains into a folder that holds a run unless told how: --resume continues it,
--overwrite replaces it. Ctrl-C stops after the current step, saves the checkpoint and prints the
command that resumes (exit status 130). Errors are one line (exit status 1, or 2 for arguments).
"""

import argparse
import json
import math
import shlex
import sys
from pathlib import Path

import torch

from gan_course import checkpoints, monitor, recipes, runfolder
from gan_course.checkpoints import CheckpointError, load_checkpoint, write_bytes_atomic, write_text_atomic
from gan_course.data import DataError
from gan_course.interrupts import TrainingInterrupted
from gan_course.settings import as_plain
from gan_course.train import SAMPLE_CHUNK, TrainingDiverged

CHECKPOINT_EVERY = 500


def _integer(low: int, what: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"must be a {what} integer, got {text}")
        return value
    return parse


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value < math.inf:
        raise argparse.ArgumentTypeError(f"must be positive (a finite number of epochs), got {text}")
    return value


def _save_picture(trainer, target, path: Path) -> None:
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gan_course import plots

    gen = torch.Generator().manual_seed(0)
    if hasattr(trainer.game, "picture"):  # a game that draws itself (chapter 11's translations)
        ax = trainer.game.picture(trainer)
    elif target is None:
        n_classes = trainer.generator.n_classes
        labels = None if n_classes is None else torch.arange(100) % n_classes
        images = trainer.sample(100, labels, generator=gen)
        if labels is not None:  # one row per digit
            images = images.view(10, 10, 1, 28, 28).transpose(0, 1).reshape(100, 1, 28, 28)
        ax = plots.show_images(images, nrow=10, title=f"{trainer.meta['recipe']} samples")
    elif target.dim == 1:
        ax = plots.plot_1d(target, trainer.sample(5000, generator=gen), trainer.discriminator,
                           title=f"{trainer.meta['recipe']}: data, generator, D(x)")
    else:
        ax = plots.plot_2d(trainer.sample(2500, generator=gen), target,
                           title=f"{trainer.meta['recipe']}: 2,500 samples")
    picture = io.BytesIO()
    ax.figure.savefig(picture, format="png", dpi=100, bbox_inches="tight")
    plt.close(ax.figure)
    write_bytes_atomic(picture.getvalue(), path)


def resume_command(args) -> str:
    """The command that continues the run of ``args``."""
    words = ["python", "-m", "gan_course", "train", "--model", args.model, "--seed", str(args.seed),
             "--out", args.out]
    if args.epochs:
        words += ["--epochs", f"{args.epochs:g}"]
    if args.checkpoint_every != CHECKPOINT_EVERY:
        words += ["--checkpoint-every", str(args.checkpoint_every)]
    return shlex.join([*words, "--resume"])


def _check_same_run(args, checkpoint: Path) -> None:
    try:
        meta = load_checkpoint(checkpoint, mmap=True).get("meta") or {}
    except CheckpointError as error:
        raise CheckpointError(f"{error} (--overwrite starts the run again)") from None
    if (meta.get("recipe"), meta.get("seed")) != (args.model, args.seed):
        raise CheckpointError(f"--resume: {checkpoint} holds a run of --model {meta.get('recipe')} --seed "
                              f"{meta.get('seed')}, but this command asks for --model {args.model} --seed "
                              f"{args.seed}: repeat the run's own --model and --seed, or choose a new --out.")


def _start(args, out: Path):
    """The trainer of ``train``: new, resumed (--resume) or replacing the folder's run (--overwrite)."""
    checkpoint, existing = out / "checkpoint.pt", runfolder.describe(out)
    if existing and not (args.resume or args.overwrite):
        raise runfolder.RunFolderError(f"{out} already holds a run ({existing}): add --resume to continue "
                                       "it, or choose a new --out (or add --overwrite to replace it).")
    if args.resume:
        if not checkpoint.is_file():
            raise runfolder.RunFolderError(f"--resume: there is no checkpoint.pt in {out} to continue; "
                                           "leave out --resume to start a new run.")
        _check_same_run(args, checkpoint)
    elif existing:
        runfolder.remove_run(out)
        print(f"--overwrite: deleted the run that was in {out} ({existing})")
    for name in runfolder.RUN_FILES:  # what processes killed mid-write left
        checkpoints.remove_stale_temporaries(out / name)
    trainer, target = recipes.build(args.model, seed=args.seed, checkpoint=checkpoint,
                                    checkpoint_every=args.checkpoint_every)
    if args.resume:
        trainer.load(checkpoint)
        print(f"resuming {checkpoint} at step {trainer.step}")
    return trainer, target


def train(args) -> None:
    out = runfolder.prepare(Path(args.out))
    with runfolder.exclusive(out):
        trainer, target = _start(args, out)
        length = {"epochs": args.epochs} if args.epochs else recipes.length(args.model)
        health = monitor.for_run(trainer, target, trainer.total_steps(**length))  # chapter 07
        try:
            trainer.fit(**length, callbacks=[health])
        except TrainingInterrupted:
            raise TrainingInterrupted(f"interrupted after step {trainer.step} (the last completed step), "
                                      f"saved in {out / 'checkpoint.pt'}. Resume with: "
                                      f"{resume_command(args)}") from None
        recipe = recipes.get(args.model)
        summary = {"model": args.model, "seed": args.seed, "steps": trainer.step,
                   "epochs": trainer.step / trainer.steps_per_epoch,
                   "train_seconds": round(trainer.elapsed, 1), "device": str(trainer.device),
                   "settings": {"game": recipe.game, **recipe.game_options, **as_plain(trainer.settings)},
                   "metrics": recipes.evaluate(trainer, target),
                   "health": {"flagged": health.flagged, "persisting": health.persisting,
                              "diagnosis": health.diagnosis()}}
        write_text_atomic(json.dumps(trainer.history), out / "history.json")
        _save_picture(trainer, target, out / "samples.png")
        write_text_atomic(json.dumps(summary, indent=2), out / "summary.json")  # last: finished
    print(json.dumps(summary, indent=2))


def sample(args) -> None:
    out, run = Path(args.out), Path(args.run)
    if out.suffix != ".npy":
        raise ValueError(f"--out must name a .npy file, got {out}")
    checkpoint = run if run.is_file() else run / "checkpoint.pt"
    meta = load_checkpoint(checkpoint, mmap=True).get("meta") or {}
    if meta.get("recipe") is None:
        raise CheckpointError(f"{checkpoint} records no recipe: `sample` reads runs written by `train`")
    trainer, _ = recipes.build(meta["recipe"], seed=int(meta.get("seed", 0)), progress=False)
    trainer.load(checkpoint)
    n_classes = trainer.generator.n_classes
    if args.label is not None and n_classes is None:
        raise ValueError(f"--label needs a conditional model; {meta['recipe']} is unconditional")
    if args.label is not None and not 0 <= args.label < n_classes:
        raise ValueError(f"--label must be between 0 and {n_classes - 1}, got {args.label}")
    gen = torch.Generator().manual_seed(args.seed)

    def draw(count: int):
        labels = None
        if n_classes is not None:
            labels = torch.full((count,), args.label) if args.label is not None else (
                torch.randint(0, n_classes, (count,), generator=gen))
        return trainer.sample(count, labels, generator=gen).numpy()

    shape = runfolder.write_samples(out, args.n, draw, SAMPLE_CHUNK)
    print(f"wrote {args.n} samples of shape {shape} from {meta['recipe']} (step {trainer.step}) to {out}")


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="python -m gan_course", description=__doc__,
                                          formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = main_parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("train", help="train a recipe and write checkpoint, history, samples")
    p.add_argument("--model", required=True, choices=list(recipes.RECIPES))
    p.add_argument("--epochs", type=_positive_float,
                   help="passes over the data (default: the recipe's full length)")
    p.add_argument("--seed", type=_integer(0, "non-negative"), default=0)
    p.add_argument("--out", required=True, help="folder for checkpoint.pt, history.json, ...")
    p.add_argument("--checkpoint-every", type=_integer(1, "positive"), default=CHECKPOINT_EVERY)
    again = p.add_mutually_exclusive_group()
    again.add_argument("--resume", action="store_true", help="continue the run in OUT")
    again.add_argument("--overwrite", action="store_true", help="delete the run in OUT, train anew")
    p.set_defaults(handler=train)
    p = commands.add_parser("sample", help="write N samples from a trained run as .npy")
    p.add_argument("--run", required=True, help="a folder written by `train` (or its checkpoint.pt)")
    p.add_argument("-n", type=_integer(1, "positive"), required=True)
    p.add_argument("--out", required=True, help="a .npy file (replaced if it exists)")
    p.add_argument("--label", type=int, help="the digit, for a conditional model")
    p.add_argument("--seed", type=_integer(0, "non-negative"), default=0)
    p.set_defaults(handler=sample)
    p = commands.add_parser("list", help="list the recipes")
    p.set_defaults(handler=lambda _: print("\n".join(f"{r.name:15s} {r.description}"
                                                 for r in recipes.RECIPES.values())))
    return main_parser


def main(argv=None) -> None:
    args = parser().parse_args(argv)
    try:
        args.handler(args)
    except TrainingInterrupted as error:
        print(error, file=sys.stderr)
        sys.exit(130)
    except KeyboardInterrupt:  # a second Ctrl-C, or one outside the training steps
        kept = Path(args.out) / "checkpoint.pt" if args.command == "train" else None
        where = (f"; {kept} keeps the last checkpoint written. Resume with: {resume_command(args)}"
                 if kept and kept.is_file() else "")
        print(f"stopped by Ctrl-C{where}", file=sys.stderr)
        sys.exit(130)
    except (ValueError, OSError, DataError, TrainingDiverged) as error:
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
