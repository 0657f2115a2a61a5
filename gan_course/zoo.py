"""The loss zoo of chapter 07: the table's grid, and spectral norms measured.

- :class:`HingeGAN` and :class:`R1GAN`: the two new games, defined in :mod:`gan_course.zoo_games`;
- :data:`LOSSES`: the five losses the chapter compares, each a game and its options;
- :func:`power_iteration` and :func:`spectral_norm_estimates`: the largest singular value
  sigma(W) estimated by power iteration, the estimate spectral normalisation divides by, against
  the exact value ``torch.linalg.matrix_norm(W, ord=2)``.
"""

import torch
from torch import nn
from torch.nn.utils import parametrize

from gan_course import recipes
from gan_course.zoo_games import R1GAN, HingeGAN

__all__ = ["HingeGAN", "R1GAN", "LOSSES", "TOY_RECIPES", "build", "run", "power_iteration",
           "spectral_norm_estimates"]

# The chapter's five losses on the 2-D targets: a label, the game and its options. One D step
# per G step for all (matched budgets); the Wasserstein loss needs a Lipschitz constraint, so it
# keeps chapter 05's gradient penalty (lambda = 0.1 for these targets' scale).
LOSSES = {
    "saturating": ("gan-saturating", {}),
    "non-saturating": ("gan", {}),
    "least squares": ("lsgan", {}),
    "hinge": ("hinge", {}),
    "Wasserstein-GP": ("wgan-gp", {"d_steps": 1, "gp_weight": 0.1}),
}
TOY_RECIPES = ("ring-gan", "grid-gan")  # the zoo's 2-D settings: chapter 05's ring, and the grid


def build(recipe: str, loss: str, spectral_norm: bool = False, seed: int = 0, **changes):
    """:func:`recipes.build` for one cell of the chapter's table: recipe ``recipe``'s networks,
    data and length, the game of ``loss`` (a key of :data:`LOSSES`), D spectrally normalised or
    not. ``changes`` as in :func:`recipes.build`. Returns ``(trainer, target)``."""
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of: {', '.join(LOSSES)}")
    game, options = LOSSES[loss]
    return recipes.build(recipe, seed=seed, game=game, **{**options, **changes},
                         discriminator={"spectral_norm": spectral_norm})


def run(recipe: str, loss: str, spectral_norm: bool, seed: int, callbacks=(), **changes) -> tuple:
    """Train one cell of the table at the recipe's length; returns ``(scores, trainer)`` with
    ``scores = {"ema": ..., "raw": ..., "train_seconds": ...}`` (:func:`recipes.evaluate` of the
    weight average with noise seed 0 and of the raw generator with noise seed 1, as chapter 05)."""
    trainer, target = build(recipe, loss, spectral_norm, seed, **{"progress": False, **changes})
    trainer.fit(**recipes.length(recipe), callbacks=callbacks)
    scores = {"ema": recipes.evaluate(trainer, target),
              "raw": recipes.evaluate(trainer, target, seed=1, raw=True),
              "train_seconds": round(trainer.elapsed, 1)}
    return scores, trainer


def power_iteration(weight: torch.Tensor, steps: int, generator: torch.Generator | None = None) -> list:
    """Estimates of the largest singular value sigma(W) after 1, 2, ..., ``steps`` steps of power
    iteration from a random u (Miyato et al. 2018, algorithm 1):
    v <- W^T u / ||W^T u||, u <- W v / ||W v||, sigma ~ u^T W v."""
    weight = weight.detach().flatten(1)
    u = torch.randn(weight.shape[0], generator=generator, dtype=weight.dtype)
    u = u / u.norm()
    estimates = []
    for _ in range(steps):
        v = weight.T @ u
        v = v / v.norm()
        u = weight @ v
        u = u / u.norm()
        estimates.append(float(u @ weight @ v))
    return estimates


@torch.no_grad()
def spectral_norm_estimates(model: nn.Module) -> list[dict]:
    """For each spectrally normalised layer of ``model``: ``estimate``, the sigma(W) its power
    iteration holds now (u^T W v with the vectors kept between steps), ``exact``, the largest
    singular value of the raw weight, and ``normalised``, that of W / estimate (about 1)."""
    rows = []
    for name, module in model.named_modules():
        if not parametrize.is_parametrized(module, "weight"):
            continue
        norm = module.parametrizations.weight[0]
        if not hasattr(norm, "_u"):
            continue
        raw = norm._reshape_weight_to_matrix(module.parametrizations.weight.original)
        estimate = torch.vdot(norm._u, raw @ norm._v).item()
        exact = torch.linalg.matrix_norm(raw, ord=2).item()
        rows.append({"layer": name, "shape": tuple(raw.shape), "estimate": estimate, "exact": exact,
                     "normalised": exact / estimate})
    if not rows:
        raise ValueError(f"{type(model).__name__} has no spectrally normalised layer: build it "
                         "with spectral_norm=True")
    return rows
