"""Named training settings, shared by the chapters, ``python -m gan_course`` and ``make results``.

A :class:`Recipe` says which data, which models and which trainer settings; :func:`build` turns it
into a ready :class:`~gan_course.train.Trainer`, seeded, and :func:`evaluate` scores the result
with the metrics that fit the data. Because the chapters train through the same recipes, the
numbers in a chapter and in ``RESULTS.md`` come from the same settings.
"""

from dataclasses import dataclass, field

import torch

from gan_course import data, metrics, models
from gan_course.runtime import FAST, seed_everything
from gan_course.train import Trainer


@dataclass(frozen=True)
class Recipe:
    """One model's full-length training settings."""

    name: str
    description: str
    target: str  # "mnist", or the name of a toy target in TARGETS
    epochs: float  # full length; fast mode trains ``fast_steps`` generator steps instead
    fast_steps: int
    trainer: dict = field(default_factory=dict)  # keyword arguments of Trainer
    conditional: bool = False
    # arguments of toy_generator / toy_discriminator, or extra ones of the MNIST models
    # (mnist_generator / mnist_discriminator, e.g. embed_dim, dropout)
    generator: dict = field(default_factory=dict)
    discriminator: dict = field(default_factory=dict)
    n_toy_samples: int = 20_000  # size of the fixed training set drawn from a toy target


TARGETS = {
    "gaussian-1d": data.gaussian_1d,
    "bimodal-1d": data.gaussian_mixture_1d,
    "ring8": data.ring_of_gaussians,
    "grid25": data.grid_of_gaussians,
}

_ADAM = {"optimizer": "adam", "betas": (0.5, 0.999)}
# 4-D uniform noise: from 1-D noise a ReLU generator tends to fold its line onto itself (chapter 02).
_TOY_1D = {"generator": {"dim": 1, "noise_dim": 4, "hidden": (32, 32)},
           "discriminator": {"dim": 1, "hidden": (32, 32)}}
# k = 5 discriminator steps on batches of 512 (the batch noise of 128 samples hides a W1 of 0.03),
# the discriminator 3x faster than the generator, and a weight average of the generator.
_TOY_1D_TRAINER = {**_ADAM, "loss": "gan", "d_steps": 5, "lr_g": 3e-4, "lr_d": 1e-3,
                   "batch_size": 512, "ema_decay": 0.995}
_TOY_2D = {"generator": {"dim": 2, "noise_dim": 2, "hidden": (128, 128, 128), "noise": "normal"},
           "discriminator": {"dim": 2, "hidden": (128, 128, 128)}}

RECIPES = {r.name: r for r in [
    # 430 passes of the discriminator over 20,000 points = 3,010 generator steps
    Recipe("toy1d", "1-D Gaussian N(4, 0.5^2), non-saturating GAN, k = 5 (chapter 02)", "gaussian-1d",
           epochs=430, fast_steps=200, trainer=_TOY_1D_TRAINER, **_TOY_1D),
    Recipe("toy1d-bimodal", "1-D mixture of N(-2, 0.5^2) and N(2, 0.5^2), toy1d's settings: "
           "collapses onto one mode (chapter 02)", "bimodal-1d",
           epochs=430, fast_steps=200, trainer=_TOY_1D_TRAINER, **_TOY_1D),
    # Matched budgets: 4,056 generator steps each, the same networks, batch and weight average.
    # The non-saturating GAN makes 1 discriminator step per generator step (78 steps per epoch),
    # the two WGANs 2 critic steps (39 per epoch): 52 and 104 epochs.
    Recipe("ring-gan", "ring of 8 Gaussians, non-saturating GAN (chapter 05)", "ring8",
           epochs=52, fast_steps=100,
           trainer={**_ADAM, "loss": "gan", "lr_g": 1e-3, "lr_d": 1e-3, "batch_size": 256,
                    "ema_decay": 0.995}, **_TOY_2D),
    Recipe("ring-wgan", "ring of 8 Gaussians, WGAN with weight clipping (chapter 05)", "ring8",
           epochs=104, fast_steps=100,
           trainer={"optimizer": "rmsprop", "loss": "wgan", "lr_g": 5e-5, "lr_d": 5e-5,
                    "clip": 0.01, "d_steps": 2, "batch_size": 256, "ema_decay": 0.995}, **_TOY_2D),
    Recipe("ring-wgan-gp", "ring of 8 Gaussians, WGAN-GP (chapter 05)", "ring8",
           epochs=104, fast_steps=100,
           trainer={"optimizer": "adam", "betas": (0.5, 0.9), "loss": "wgan", "lr_g": 1e-3,
                    "lr_d": 1e-3, "gp_weight": 0.1, "d_steps": 2, "batch_size": 256,
                    "ema_decay": 0.995}, **_TOY_2D),
    # Batches of 32: on a 2-core CPU a step costs half as much as on 128 images and the GAN
    # improves almost as much per step, so it gets further per second (chapter 03, section 3).
    # 20 epochs = 37,500 generator steps, about 4 minutes on 2 cores.
    Recipe("mnist-gan", "MLP GAN on MNIST, non-saturating loss, EMA generator (chapter 03)",
           "mnist", epochs=20, fast_steps=30,
           trainer={**_ADAM, "loss": "gan", "lr_g": 3e-4, "lr_d": 3e-4, "batch_size": 32,
                    "ema_decay": 0.999}),
    # With labels the MLP pair collapses on some seeds (the generator's tanh saturates, then D
    # wins); a gradient penalty (lambda = 1) on D kept every run stable (chapter 04, section 3).
    # 28 epochs = 26,236 generator steps, about 6 minutes on 2 cores.
    Recipe("mnist-cgan", "conditional MLP GAN on MNIST, gradient penalty on D (chapter 04)", "mnist",
           epochs=28, fast_steps=30, conditional=True,
           trainer={**_ADAM, "loss": "gan", "lr_g": 3e-4, "lr_d": 3e-4, "batch_size": 64,
                    "gp_weight": 1.0, "ema_decay": 0.999}),
    Recipe("mnist-wgan", "MLP WGAN (weight clipping) on MNIST (chapter 05)", "mnist", epochs=10,
           fast_steps=20,
           trainer={"optimizer": "rmsprop", "loss": "wgan", "lr_g": 5e-5, "lr_d": 5e-5,
                    "clip": 0.01, "d_steps": 5, "batch_size": 64}),
    Recipe("mnist-wgan-gp", "MLP WGAN-GP on MNIST (chapter 05)", "mnist", epochs=10,
           fast_steps=20,
           trainer={"optimizer": "adam", "betas": (0.0, 0.9), "loss": "wgan", "lr_g": 3e-4,
                    "lr_d": 3e-4, "gp_weight": 10.0, "d_steps": 5, "batch_size": 64}),
]}


def get(name: str) -> Recipe:
    if name not in RECIPES:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(RECIPES)}")
    return RECIPES[name]


def training_data(recipe: Recipe, seed: int = 0):
    """``(tensors, target)``: the training tensors (images[, labels]) and the toy target or None."""
    if recipe.target == "mnist":
        images, labels = data.mnist("train")
        return ((images, labels) if recipe.conditional else (images,)), None
    target = TARGETS[recipe.target]()
    samples = target.sample(recipe.n_toy_samples, torch.Generator().manual_seed(seed))
    return (samples,), target


def build(name: str, seed: int = 0, **overrides) -> tuple[Trainer, data.GaussianMixture | None]:
    """A seeded trainer for recipe ``name``; ``overrides`` replace its trainer settings (for
    example ``checkpoint=...`` or ``progress=False``). Returns ``(trainer, toy_target_or_None)``."""
    recipe = get(name)
    seed_everything(seed)
    if recipe.target == "mnist":
        n_classes = 10 if recipe.conditional else None
        generator = models.mnist_generator(n_classes, **recipe.generator)
        discriminator = models.mnist_discriminator(n_classes, **recipe.discriminator)
    else:
        generator = models.toy_generator(**recipe.generator)
        discriminator = models.toy_discriminator(**recipe.discriminator)
    tensors, target = training_data(recipe, seed)
    settings = {**recipe.trainer, "seed": seed, "meta": {"recipe": name, "seed": seed}, **overrides}
    return Trainer(generator, discriminator, *tensors, **settings), target


def length(name: str) -> dict:
    """The training length of a recipe: ``{"epochs": ...}``, or ``{"steps": ...}`` in fast mode."""
    recipe = get(name)
    return {"steps": recipe.fast_steps} if FAST else {"epochs": recipe.epochs}


def evaluate(trainer: Trainer, target=None, n: int = 10_000, seed: int = 0, raw: bool = False) -> dict:
    """Score ``n`` samples of the trainer's generator (EMA weights if any, the raw generator if
    ``raw``) with the metrics that fit its data; the same ``seed`` draws the same noise."""
    gen = torch.Generator().manual_seed(seed)
    if target is None:  # MNIST; a conditional generator is asked for each digit in turn
        n_classes = trainer.generator.n_classes
        labels = None if n_classes is None else torch.arange(n) % n_classes
        return metrics.evaluate_mnist(trainer.sample(n, labels, generator=gen, raw=raw), labels)
    samples = trainer.sample(n, generator=gen, raw=raw)
    if target.dim == 1:
        return {"w1": metrics.wasserstein_1d(samples, target), "ks": metrics.ks_1d(samples, target)}
    return metrics.mode_coverage(samples, target)
