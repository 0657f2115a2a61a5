"""Chapter 07's loss zoo: the hinge and R1 games, spectral normalisation, the table's script."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gan_course import checks, data, games, losses, metrics, models, recipes, seed_everything, zoo
from gan_course.settings import RunSettings, TrainSettings
from gan_course.train import Trainer

ROOT = Path(__file__).resolve().parent.parent
TARGET = data.gaussian_1d(4.0, 0.5)


def toy(game_cls, seed=0, lr=2e-3, spectral_norm=False, **options):
    seed_everything(seed)
    samples = TARGET.sample(4096, torch.Generator().manual_seed(seed))
    game = game_cls(models.toy_generator(1, hidden=(16, 16)),
                    models.toy_discriminator(1, (16, 16), spectral_norm=spectral_norm), **options)
    return Trainer(game, samples, TrainSettings(batch_size=64, lr_g=lr, lr_d=lr, seed=seed),
                   RunSettings(progress=False, device="cpu"))


def test_hinge_losses_match_their_formula():
    real, fake = torch.tensor([2.0, 1.0, 0.5, -1.0]), torch.tensor([-3.0, -1.0, 0.0, 0.5])
    # D: mean(max(0, 1 - real)) + mean(max(0, 1 + fake)) = (0 + 0 + 0.5 + 2) / 4 + (0 + 0 + 1 + 1.5) / 4
    assert losses.d_loss_hinge(real, fake).item() == pytest.approx(1.25)
    assert losses.d_loss_hinge(torch.full((3,), 4.0), torch.full((3,), -2.0)).item() == 0.0
    assert losses.g_loss_hinge(fake).item() == pytest.approx(0.875)


def test_r1_of_a_linear_discriminator_is_its_squared_weight_norm_and_trains_it():
    layer = torch.nn.Linear(3, 1)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor([[1.0, 2.0, 2.0]]))  # ||grad_x D|| = 3 everywhere
    real = torch.randn(16, 3, requires_grad=True)
    penalty = losses.r1_penalty(layer(real).squeeze(1), real)
    assert penalty.item() == pytest.approx(9.0)
    penalty.backward()  # d||w||^2 / dw = 2 w
    assert torch.allclose(layer.weight.grad, 2 * layer.weight.detach())


@pytest.mark.parametrize("game_cls, options", [(zoo.HingeGAN, {}), (zoo.R1GAN, {"r1_weight": 1.0})])
def test_the_new_games_train(game_cls, options):
    trainer = toy(game_cls, lr=1e-3, **options)
    before = metrics.wasserstein_1d(trainer.sample(4000), TARGET)
    trainer.fit(steps=600)
    after = metrics.wasserstein_1d(trainer.sample(4000), TARGET)
    assert before > 2.0 and after < 0.25 * before, (before, after)


def test_r1_penalty_is_recorded_and_shrinks_with_its_weight():
    penalties = {}
    for weight in (0.01, 10.0):
        trainer = toy(zoo.R1GAN, r1_weight=weight)
        trainer.fit(steps=300)
        penalties[weight] = sum(trainer.history["r1_penalty"][-100:]) / 100
    assert penalties[10.0] < 0.5 * penalties[0.01], penalties


def test_the_games_are_registered_and_check_their_options():
    G, D = models.toy_generator(), models.toy_discriminator()
    assert isinstance(games.make("hinge", G, D), zoo.HingeGAN)
    assert games.make("gan-r1", G, D, r1_weight=0.5).options() == {"d_steps": 1, "r1_weight": 0.5}
    with pytest.raises(ValueError, match="r1_weight must be a positive number, got 0"):
        games.make("gan-r1", G, D, r1_weight=0)
    with pytest.raises(ValueError, match="unknown loss 'minimax'; choose one of: saturating"):
        zoo.build("ring-gan", "minimax")


def test_power_iteration_converges_to_the_largest_singular_value():
    torch.manual_seed(0)
    left, _ = torch.linalg.qr(torch.randn(30, 30))
    right, _ = torch.linalg.qr(torch.randn(20, 20))
    singular = torch.linspace(2.0, 0.1, 20)
    singular[1] = 1.5  # sigma_2 / sigma_1 = 0.75: the error shrinks like 0.75^(2 k)
    weight = left[:, :20] @ torch.diag(singular) @ right.T
    estimates = zoo.power_iteration(weight, 40, torch.Generator().manual_seed(1))
    assert torch.linalg.matrix_norm(weight, ord=2).item() == pytest.approx(2.0, abs=1e-5)
    assert all(e <= 2.0 + 1e-5 for e in estimates)  # u^T W v never exceeds sigma
    assert 2.0 - estimates[0] > 1e-2 and 2.0 - estimates[-1] < 1e-5


def test_spectral_norm_keeps_every_layer_and_the_network_1_lipschitz():
    trainer = toy(games.GAN, spectral_norm=True)
    trainer.fit(steps=200)
    D = trainer.discriminator
    rows = zoo.spectral_norm_estimates(D)
    assert [row["layer"] for row in rows] == ["net.0", "net.2", "net.4"]
    for row in rows:  # one power-iteration step per forward pass keeps up with the training
        assert row["estimate"] == pytest.approx(row["exact"], rel=1e-2)
        assert row["normalised"] == pytest.approx(1.0, rel=1e-2)
    x = (torch.randn(500, 1) * 3 + 4).requires_grad_(True)
    (grad,) = torch.autograd.grad(D.eval()(x).sum(), x)
    assert grad.abs().max().item() <= 1.0 + 1e-2
    with pytest.raises(ValueError, match="no spectrally normalised layer: build it with spectral_norm=True"):
        zoo.spectral_norm_estimates(models.toy_discriminator())


def test_without_spectral_norm_the_discriminator_is_unchanged():
    seed_everything(0)
    plain = models.mnist_discriminator()
    seed_everything(0)
    normalised = models.mnist_discriminator(spectral_norm=True)
    assert list(plain.state_dict()) == ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias",
                                        "net.4.weight", "net.4.bias"]
    assert "net.0.parametrizations.weight.original" in normalised.state_dict()
    with pytest.raises(ValueError, match="no linear or convolutional layer"):
        models.spectral_normalise(torch.nn.ReLU())


def test_build_merges_network_arguments_into_the_recipe():
    trainer, _ = recipes.build("ring-gan", progress=False, generator={"hidden": (4,)},
                               discriminator={"spectral_norm": True})
    assert [m.out_features for m in trainer.generator.net if isinstance(m, torch.nn.Linear)] == [4, 2]
    assert trainer.discriminator.spectral_norm and trainer.generator.noise == "normal"
    assert recipes.get("ring-gan").generator["hidden"] == (128, 128, 128)  # the recipe is unchanged
    with pytest.raises(ValueError, match="generator= takes a dict of network arguments"):
        recipes.build("ring-gan", generator=(4,))


def test_zoo_cells_are_matched_budgets():
    lengths = set()
    for loss in zoo.LOSSES:
        for recipe in zoo.TOY_RECIPES:
            trainer, target = zoo.build(recipe, loss, spectral_norm=True, progress=False)
            lengths.add(trainer.total_steps(epochs=recipes.get(recipe).epochs))
            assert trainer.game.d_steps == 1 and trainer.discriminator.spectral_norm
            assert target.name.startswith(("ring of 8", "5x5 grid"))
    assert lengths == {4056}


def test_zoo_mnist_recipes_differ_only_in_loss_and_spectral_norm():
    names = [name for name in recipes.RECIPES if name.startswith("zoo-mnist-")]
    assert len(names) == 8
    for name in names:
        recipe, loss = recipes.get(name), name.removeprefix("zoo-mnist-").removesuffix("-sn")
        assert recipe.game == recipes.ZOO_MNIST_LOSSES[loss]
        assert recipe.discriminator == {"spectral_norm": name.endswith("-sn")}
        assert (recipe.epochs, recipe.training) == (3, recipes.get("mnist-gan").training)
    trainer, _ = recipes.build("zoo-mnist-hinge-sn", progress=False)
    assert isinstance(trainer.game, zoo.HingeGAN) and trainer.discriminator.spectral_norm


def test_zoo_script_writes_the_table_and_reproduces_it(tmp_path):
    env = {**os.environ, "GAN_COURSE_FAST": "1"}
    command = [sys.executable, str(ROOT / "tools" / "zoo.py"), "--recipes", "ring-gan", "--losses",
               "hinge", "Wasserstein-GP", "--seeds", "0", "--out", str(tmp_path)]
    subprocess.run(command, check=True, env=env, capture_output=True, timeout=600)
    recorded = json.loads((tmp_path / "results" / "zoo.json").read_text())
    assert recorded["fast"] is True
    assert sorted((r["loss"], r["spectral_norm"]) for r in recorded["runs"]) == [
        ("Wasserstein-GP", False), ("Wasserstein-GP", True), ("hinge", False), ("hinge", True)]
    report = (tmp_path / "RESULTS.md").read_text()
    assert "| `ring-gan` | hinge |" in report and "Fast mode" in report
    rerun = subprocess.run(command + ["--check"], env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0 and "reproduced: every metric of 4 runs" in rerun.stdout, rerun.stderr
    # a changed number is named by the comparison --check prints (in this process: no third run)
    sys.path.insert(0, str(ROOT / "tools"))
    import zoo as zoo_tool

    runs = json.loads((tmp_path / "results" / "zoo.json").read_text())["runs"]
    recorded["runs"][0]["ema"]["high_quality"] += 0.5
    (tmp_path / "results" / "zoo.json").write_text(json.dumps(recorded))
    differences = zoo_tool.compare(runs, tmp_path / "results" / "zoo.json")
    assert len(differences) == 1 and "ema high_quality: recorded" in differences[0]


def test_checkers_accept_the_answers_and_reject_mistakes(capsys):
    assert checks.check_hinge_loss(losses.d_loss_hinge)
    assert not checks.check_hinge_loss(lambda real, fake: (1 - real).mean() + (1 + fake).mean())
    assert checks.check_power_iteration(lambda W, steps: zoo.power_iteration(W, steps)[-1])
    assert not checks.check_power_iteration(lambda W, steps: W.norm())  # the Frobenius norm
    assert checks.check_lsgan_optimal_discriminator(lambda p, q, a, b: (b * p + a * q) / (p + q))
    assert not checks.check_lsgan_optimal_discriminator(lambda p, q, a, b: p / (p + q))
    assert "no longer" not in capsys.readouterr().out
