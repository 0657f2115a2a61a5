"""Command line: train a recipe, or sample from a trained run.

    python -m gan_course train --model mnist-gan --epochs 10 --seed 0 --out runs/mnist-gan
    python -m gan_course sample --run runs/mnist-gan -n 64 --out samples.npy [--label 3]
    python -m gan_course list
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

from gan_course import recipes
from gan_course.train import load_checkpoint


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def _save_picture(trainer, target, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gan_course import plots

    gen = torch.Generator().manual_seed(0)
    if target is None:
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
    ax.figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(ax.figure)


def train(args) -> None:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = out / "checkpoint.pt"
    trainer, target = recipes.build(args.model, seed=args.seed, checkpoint=checkpoint,
                                    checkpoint_every=args.checkpoint_every)
    if checkpoint.is_file() and args.resume:
        trainer.load(checkpoint)
        print(f"resuming {checkpoint} at step {trainer.step}")
    length = {"epochs": args.epochs} if args.epochs else recipes.length(args.model)
    trainer.fit(**length)
    scores = recipes.evaluate(trainer, target)
    summary = {"model": args.model, "seed": args.seed, "steps": trainer.step,
               "epochs": trainer.step / trainer.steps_per_epoch,
               "train_seconds": round(trainer.elapsed, 1), "device": str(trainer.device),
               "settings": {k: list(v) if isinstance(v, tuple) else v
                            for k, v in recipes.get(args.model).trainer.items()},
               "metrics": scores}
    (out / "history.json").write_text(json.dumps(trainer.history))
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    _save_picture(trainer, target, out / "samples.png")
    print(json.dumps(summary, indent=2))


def sample(args) -> None:
    run = Path(args.run)
    state = load_checkpoint(run / "checkpoint.pt")
    name = state["meta"].get("recipe")
    trainer, _ = recipes.build(name, seed=int(state["meta"].get("seed", 0)), progress=False)
    trainer.load(run / "checkpoint.pt")
    n_classes = trainer.generator.n_classes
    if args.label is not None and n_classes is None:
        raise SystemExit(f"error: --label needs a conditional model; {name} is unconditional")
    if args.label is not None and not 0 <= args.label < n_classes:
        raise SystemExit(f"error: --label must be between 0 and {n_classes - 1}, got {args.label}")
    gen = torch.Generator().manual_seed(args.seed)
    labels = None
    if n_classes is not None:
        labels = torch.full((args.n,), args.label) if args.label is not None else (
            torch.randint(0, n_classes, (args.n,), generator=gen))
    samples = trainer.sample(args.n, labels, generator=gen).numpy()
    np.save(args.out, samples)
    print(f"wrote {args.n} samples of shape {samples.shape[1:]} from {name} (step "
          f"{trainer.step}) to {args.out}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gan_course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("train", help="train a recipe and write checkpoint, history, samples")
    p.add_argument("--model", required=True, choices=list(recipes.RECIPES))
    p.add_argument("--epochs", type=_positive_float,
                   help="passes over the data (default: the recipe's full length)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="folder for checkpoint.pt, history.json, ...")
    p.add_argument("--checkpoint-every", type=_positive_int, default=500)
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.pt")
    p.set_defaults(handler=train)
    p = commands.add_parser("sample", help="write N samples from a trained run as .npy")
    p.add_argument("--run", required=True, help="a folder written by `train`")
    p.add_argument("-n", type=_positive_int, required=True)
    p.add_argument("--out", required=True, help="a .npy file")
    p.add_argument("--label", type=int, help="the digit, for a conditional model")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(handler=sample)
    p = commands.add_parser("list", help="list the recipes")
    p.set_defaults(handler=lambda _: print("\n".join(f"{r.name:15s} {r.description}"
                                                 for r in recipes.RECIPES.values())))
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except (FileNotFoundError, ValueError) as error:
        sys.exit(f"error: {error}")


if __name__ == "__main__":
    main()
