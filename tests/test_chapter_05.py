"""Chapter 05's recipes: the ring comparison has matched budgets, and the WGANs are what they say."""

import dataclasses
import math

import pytest
import torch

from gan_course import checks, games, recipes

RING = ["ring-gan", "ring-wgan", "ring-wgan-gp"]


def full_steps(name):
    trainer, _ = recipes.build(name, progress=False)
    return round(recipes.get(name).epochs * trainer.steps_per_epoch)


def test_ring_recipes_train_for_the_same_number_of_generator_steps():
    assert {name: full_steps(name) for name in RING} == {name: 4056 for name in RING}
    assert len({recipes.get(name).fast_steps for name in RING}) == 1


def test_ring_recipes_share_models_batch_and_weight_average():
    for key in ("generator", "discriminator"):
        assert len({repr(getattr(recipes.get(name), key)) for name in RING}) == 1
    for key in ("batch_size", "ema_decay"):
        assert len({getattr(recipes.get(name).training, key) for name in RING}) == 1
    assert len({recipes.get(name).game_options["d_steps"] for name in ["ring-wgan", "ring-wgan-gp"]}) == 1


def test_wgan_recipes_make_the_papers_changes():
    for name in ["ring-wgan", "mnist-wgan"]:  # Arjovsky et al. 2017: no log, clipping, RMSProp
        recipe = recipes.get(name)
        assert recipe.game == "wgan" and recipe.training.optimizer == "rmsprop"
        assert recipe.game_options["clip"] == 0.01 and recipe.training.lr_d == 5e-5
        trainer, _ = recipes.build(name, progress=False)
        assert isinstance(trainer.game, games.WGAN) and trainer.game.gp_weight is None
    for name in ["ring-wgan-gp", "mnist-wgan-gp"]:  # Gulrajani et al. 2017: penalty, no clipping
        recipe = recipes.get(name)
        assert recipe.game == "wgan-gp" and recipe.game_options["gp_weight"] > 0
        trainer, _ = recipes.build(name, progress=False)
        assert isinstance(trainer.game, games.WGANGP) and not hasattr(trainer.game, "clip")
    assert recipes.get("mnist-wgan-gp").game_options["gp_weight"] == 10.0
    assert {recipes.get(name).game_options["d_steps"] for name in ["mnist-wgan", "mnist-wgan-gp"]} == {5}


def test_a_short_clipped_run_piles_the_critics_weights_at_the_bound():
    trainer, _ = recipes.build("ring-wgan", progress=False)
    trainer.fit(steps=20)
    c = trainer.game.clip
    for p in trainer.discriminator.parameters():
        assert p.abs().max() <= c + 1e-7
    assert trainer.game.share_at_clip_bound() > 0.5


def test_mnist_wgan_gp_ema_is_mnist_wgan_gp_with_mnist_gans_weight_average_and_longer():
    base, matched = recipes.get("mnist-wgan-gp"), recipes.get("mnist-wgan-gp-ema")
    for key in ("target", "game", "game_options", "generator", "discriminator", "conditional"):
        assert getattr(matched, key) == getattr(base, key), key
    assert matched.training == dataclasses.replace(base.training, ema_decay=matched.training.ema_decay)
    assert matched.training.ema_decay == recipes.get("mnist-gan").training.ema_decay
    assert matched.epochs == 4 * base.epochs  # the wall time of mnist-gan (chapter 05, section 8)


# The open exercises' checkers: each accepts a right answer and rejects the typical wrong ones.

def slope_right(critic, a, b):
    with torch.no_grad():
        return max(abs(float(critic(a[i:i + 1]) - critic(b[i:i + 1]))) / math.dist(a[i], b[i])
                   for i in range(len(a)))


@pytest.mark.parametrize("wrong", [
    lambda f, a, b: ((f(a) - f(b)) / (a - b).norm(dim=1)).max(),  # no absolute value
    lambda f, a, b: ((f(a) - f(b)).abs() / (a - b).norm(dim=1)).mean(),  # mean, not max
    lambda f, a, b: ((f(a) - f(b)).abs() / ((a - b) ** 2).sum(1)).max(),  # squared distance
    lambda f, a, b: ((f(a) - f(b)).abs() / (a - b).abs().sum(1)).max(),  # L1 distance
    lambda f, a, b: 1 / 0,
])
def test_check_critic_slope(wrong):
    assert checks.check_critic_slope(slope_right)
    assert not checks.check_critic_slope(wrong)


def share_right(critic, c):
    values = [abs(float(v)) for p in critic.parameters() for v in p.detach().flatten()]
    return sum(v >= 0.99 * c for v in values) / len(values)


@pytest.mark.parametrize("wrong", [
    lambda f, c: (f.weight.abs() >= 0.99 * c).float().mean(),  # weights only, no biases
    lambda f, c: torch.cat([p.flatten() for p in f.parameters()]).ge(0.99 * c).float().mean(),  # +c only
    lambda f, c: torch.cat([p.flatten() for p in f.parameters()]).abs().eq(c).float().mean(),  # exact
    lambda f, c: torch.cat([p.flatten() for p in f.parameters()]).abs().gt(c).float().mean(),  # beyond
    lambda f, c: torch.cat([p.flatten() for p in f.parameters()]).abs().ge(0.99 * c).sum(),  # a count
])
def test_check_share_at_bound(wrong):
    assert checks.check_share_at_bound(share_right)
    assert not checks.check_share_at_bound(wrong)


def test_share_at_bound_checker_agrees_with_the_game():
    trainer, _ = recipes.build("ring-wgan", progress=False)
    trainer.fit(steps=5)
    assert share_right(trainer.discriminator, trainer.game.clip) == pytest.approx(
        trainer.game.share_at_clip_bound(), abs=1e-6)  # float32 mean


def modes_right(samples, modes, std):
    counts = [0] * len(modes)
    for x in samples.tolist():
        distances = [math.dist(x, m) for m in modes.tolist()]
        nearest = min(range(len(modes)), key=distances.__getitem__)
        counts[nearest] += distances[nearest] <= 3 * std
    return sum(count >= 0.01 * len(samples) for count in counts)


def _modes(samples, modes, std, radius=3.0, of_good=False, min_share=0.01):
    distance, nearest = torch.cdist(samples, modes).min(dim=1)
    good = distance <= radius
    counts = torch.bincount(nearest[good], minlength=len(modes))
    total = int(good.sum()) if of_good else len(samples)
    return int((counts >= min_share * total).sum())


@pytest.mark.parametrize("wrong", [
    lambda x, m, s: _modes(x, m, s, radius=3 * s**2),  # variance for the standard deviation
    lambda x, m, s: _modes(x, m, s, radius=float("inf")),  # every sample counts, however far
    lambda x, m, s: _modes(x, m, s, radius=3 * s, of_good=True),  # 1 % of the good samples only
    lambda x, m, s: _modes(x, m, s, radius=3 * s, min_share=1e-9),  # one sample covers a mode
])
def test_check_modes_covered(wrong):
    assert checks.check_modes_covered(modes_right)
    assert not checks.check_modes_covered(wrong)
