"""Named training settings, shared by the chapters, ``python -m gan_course`` and ``make results``.

A :class:`Recipe` (in :mod:`gan_course.recipe_book`, with every recipe) says which data, which
models and which trainer settings; :func:`build` turns it into a ready
:class:`~gan_course.train.Trainer`, seeded, and :func:`evaluate` scores the result with the
metrics that fit the data. Because the chapters train through the same recipes, the numbers in a
chapter and in ``RESULTS.md`` come from the same settings.
"""

import dataclasses

import torch

from gan_course import data, games, metrics, models
from gan_course.recipe_book import IMAGE_NETWORKS, RECIPES, TARGETS, TRANSLATIONS, ZOO_MNIST_LOSSES, Recipe
from gan_course.runtime import FAST, seed_everything
from gan_course.settings import RunSettings, TrainSettings, names
from gan_course.train import Trainer

__all__ = ["IMAGE_NETWORKS", "RECIPES", "TARGETS", "TRANSLATIONS", "ZOO_MNIST_LOSSES", "Recipe", "build",
           "evaluate", "get", "length", "networks", "total_steps", "training_data"]


def get(name: str) -> Recipe:
    if name not in RECIPES:
        raise ValueError(f"unknown model {name!r}; choose one of: {', '.join(RECIPES)}")
    return RECIPES[name]


def _images(recipe: Recipe) -> bool:
    """Whether the recipe learns images (a dataset, or a translation between two image domains)."""
    return recipe.target in data.DATASETS or recipe.target in TRANSLATIONS


def training_data(recipe: Recipe, seed: int = 0):
    """``(tensors, target)``: the training tensors (images[, labels]) and the toy target or None."""
    if recipe.target in data.DATASETS:
        images, labels = data.images(recipe.target, "train")
        return ((images, labels) if recipe.conditional else (images,)), None
    if recipe.target in TRANSLATIONS:  # chapter 11: one tensor of unpaired (a, b) pairs
        return (TRANSLATIONS[recipe.target]("train")[0],), None
    target = TARGETS[recipe.target]()
    samples = target.sample(recipe.n_toy_samples, torch.Generator().manual_seed(seed))
    return (samples,), target


def networks(recipe: Recipe) -> tuple[torch.nn.Module, torch.nn.Module]:
    """The recipe's generator and discriminator, freshly initialised (seed first)."""
    if _images(recipe):
        n_classes = len(data.class_names(recipe.target)) if recipe.conditional else None
        make_generator, make_discriminator = IMAGE_NETWORKS[recipe.networks]
        return (make_generator(n_classes, **recipe.generator),
                make_discriminator(n_classes, **recipe.discriminator))
    return (models.toy_generator(**recipe.generator),
            models.toy_discriminator(**recipe.discriminator))


def _split_changes(recipe: Recipe, changes: dict) -> tuple[str, dict, dict, dict]:
    """Sort ``build``'s keyword arguments into the game, its options, training and run settings."""
    game = changes.pop("game", recipe.game)
    training = {k: changes.pop(k) for k in list(changes) if k in names(TrainSettings)}
    run = {k: changes.pop(k) for k in list(changes) if k in names(RunSettings)}
    accepted = games.option_names(game)
    unknown = sorted(set(changes) - set(accepted))
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r} for recipe {recipe.name!r}; it takes the "
                         f"game's options ({', '.join(accepted)}), the TrainSettings "
                         f"({', '.join(names(TrainSettings))}) and the RunSettings "
                         f"({', '.join(names(RunSettings))})")
    return game, {**recipe.game_options, **changes}, training, run


def _with_networks(recipe: Recipe, changes: dict) -> Recipe:
    """``recipe`` with ``changes["networks"]`` (a key of :data:`IMAGE_NETWORKS`; the recipe's own
    network arguments are then dropped, as they belong to its networks) and the arguments in
    ``changes["generator"]`` and ``changes["discriminator"]`` (dicts) merged in; the keys used are
    removed from ``changes``."""
    replaced = {}
    if "networks" in changes:
        name = changes.pop("networks")
        if name not in IMAGE_NETWORKS or not _images(recipe):
            raise ValueError(f"networks= takes one of {', '.join(IMAGE_NETWORKS)} for an image recipe; "
                             f"got {name!r} for {recipe.name!r}")
        replaced = {"networks": name, "generator": {}, "discriminator": {}}
    for key in ("generator", "discriminator"):
        if key in changes:
            extra = changes.pop(key)
            if not isinstance(extra, dict):
                raise ValueError(f"{key}= takes a dict of network arguments, e.g. "
                                 f"{key}={{'hidden': (64, 64)}}; got {extra!r}")
            replaced[key] = {**replaced.get(key, getattr(recipe, key)), **extra}
    return dataclasses.replace(recipe, **replaced) if replaced else recipe


def build(name: str, seed: int = 0, **changes) -> tuple[Trainer, data.GaussianMixture | None]:
    """A seeded trainer for recipe ``name``. ``changes`` replace the recipe's settings, by name:
    ``game=``, the game's options (``d_steps``, ``clip``, ...), :class:`TrainSettings` fields
    (``lr_d``, ...), :class:`RunSettings` fields (``checkpoint``, ``progress``, ...), or
    ``generator=`` / ``discriminator=`` dicts of network arguments merged into the recipe's
    (``discriminator={"spectral_norm": True}``, ``generator={"hidden": (4,)}``), or
    ``networks=``, other networks of :data:`IMAGE_NETWORKS` (``networks="mlp-autoencoder"``).
    Returns ``(trainer, toy_target_or_None)``."""
    changes = dict(changes)
    recipe = _with_networks(get(name), changes)
    game, options, training, run = _split_changes(recipe, changes)
    seed_everything(seed)
    generator, discriminator = networks(recipe)
    tensors, target = training_data(recipe, seed)
    settings = dataclasses.replace(recipe.training, seed=seed, **training)
    run_settings = RunSettings(**{"meta": {"recipe": name, "seed": seed}, **run})
    return Trainer(games.make(game, generator, discriminator, **options), tensors, settings,
                   run_settings), target


def length(name: str) -> dict:
    """The training length of a recipe: ``{"epochs": ...}``, or ``{"steps": ...}`` in fast mode."""
    recipe = get(name)
    return {"steps": recipe.fast_steps} if FAST else {"epochs": recipe.epochs}


def total_steps(name: str, trainer: Trainer) -> int:
    """The number of training steps of recipe ``name`` (full length, or fast mode's)."""
    return trainer.total_steps(**length(name))


def image_dataset(trainer: Trainer) -> str:
    """The image dataset a trainer learns: its recipe's (``trainer.meta["recipe"]``), else MNIST."""
    name = trainer.meta.get("recipe")
    return get(name).target if name in RECIPES and get(name).target in data.DATASETS else "mnist"


# Samples recipes.evaluate scores by default: RESULTS.md's protocol. Fast mode scores 2,000 images
# instead: after a few training steps the numbers mean nothing, and the classifier's pass over
# 10,000 images was the slowest part of many fast-mode tests and notebooks (the same code runs).
EVALUATION_SAMPLES = 10_000
FAST_IMAGE_SAMPLES = 2_000


def evaluate(trainer: Trainer, target=None, n: int | None = None, seed: int = 0, raw: bool = False) -> dict:
    """Score ``n`` samples of the trainer's generator (EMA weights if any, the raw generator if
    ``raw``) with the metrics that fit its data; the same ``seed`` draws the same noise. ``n``:
    10,000 by default (2,000 images in fast mode, see :data:`FAST_IMAGE_SAMPLES`).
    ``target``: a toy target, a dataset name (``"fashion"``), or None for the dataset of the
    trainer's recipe (MNIST for a trainer built without a recipe). A game with measures of its
    own (InfoGAN's matched code accuracy) adds them through its ``extra_metrics`` method; a game
    with an ``evaluate`` method (CycleGAN) scores itself instead, on its own test pairs."""
    own = getattr(trainer.game, "evaluate", None)
    if own is not None:  # a translation game measures itself, on fixed test pairs (chapter 11)
        return own(trainer, raw=raw)
    gen = torch.Generator().manual_seed(seed)
    if target is None or isinstance(target, str):  # images: a conditional G draws each class in turn
        if n is None:
            n = FAST_IMAGE_SAMPLES if FAST else EVALUATION_SAMPLES
        dataset = target or image_dataset(trainer)
        n_classes = trainer.generator.n_classes
        labels = None if n_classes is None else torch.arange(n) % n_classes
        scores = metrics.evaluate_images(trainer.sample(n, labels, generator=gen, raw=raw), dataset, labels)
        extra = getattr(trainer.game, "extra_metrics", None)
        return scores if extra is None else {**scores, **extra(trainer, dataset, n=n, seed=seed, raw=raw)}
    samples = trainer.sample(EVALUATION_SAMPLES if n is None else n, generator=gen, raw=raw)
    if target.dim == 1:
        return {"w1": metrics.wasserstein_1d(samples, target), "ks": metrics.ks_1d(samples, target)}
    return metrics.mode_coverage(samples, target)
