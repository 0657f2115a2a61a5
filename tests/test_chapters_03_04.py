"""Chapters 03 and 04: their exercise checkers, the discriminator's dropout option, model options
passed through the recipes, the mnist-gan / mnist-cgan recipes, and tools/mnist_variants.py with
the table it wrote (results/mnist_variants.json, read by both chapters)."""

import dataclasses
import json
import math
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gan_course import checks, models, recipes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import mnist_variants  # noqa: E402 (tools/ is not a package)


def _ema(average, model, decay):
    with torch.no_grad():
        for p_avg, p in zip(average.parameters(), model.parameters(), strict=True):
            p_avg.mul_(decay).add_(p, alpha=1 - decay)


def _ema_swapped(average, model, decay):
    with torch.no_grad():
        for p_avg, p in zip(average.parameters(), model.parameters(), strict=True):
            p_avg.copy_((1 - decay) * p_avg + decay * p)


def _ema_moves_model(average, model, decay):
    with torch.no_grad():
        for p_avg, p in zip(average.parameters(), model.parameters(), strict=True):
            p.mul_(decay).add_(p_avg, alpha=1 - decay)


def _slerp(z0, z1, t):
    omega = torch.arccos(torch.dot(z0, z1) / (z0.norm() * z1.norm()))
    t = t[:, None]
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)


def _morph(generator, z, a, b, t):
    codes = generator.embed(torch.tensor([a, b]))
    mixed = (1 - t[:, None]) * codes[0] + t[:, None] * codes[1]
    return generator.net(torch.cat([z.expand(len(t), -1), mixed], 1)).view(len(t), *generator.data_shape)


def _value(p_data, p_g):
    d_star = torch.where(p_data + p_g > 0, p_data / (p_data + p_g), 0.5)
    return (torch.xlogy(p_data, d_star) + torch.xlogy(p_g, 1 - d_star)).sum()


def _value_naive(p_data, p_g):  # 0 * log 0 is NaN in floating point
    d_star = p_data / (p_data + p_g)
    return (p_data * torch.log(d_star) + p_g * torch.log(1 - d_star)).sum()


def _raises(*_):
    raise RuntimeError("not done")


RIGHT = {checks.check_ema_update: _ema, checks.check_slerp: _slerp, checks.check_label_morph: _morph,
         checks.check_best_value: _value}
WRONG = [
    (checks.check_ema_update, _ema_swapped, "swapped"),
    (checks.check_ema_update, _ema_moves_model, "changed the model"),
    (checks.check_ema_update, lambda a, m, d: None, "did not change"),
    (checks.check_slerp, lambda z0, z1, t: (1 - t[:, None]) * z0 + t[:, None] * z1, "linear path"),
    (checks.check_slerp, lambda z0, z1, t: z0, "shape"),
    (checks.check_label_morph, lambda g, z, a, b, t: _morph(g, z, b, a, t), "differ"),
    (checks.check_label_morph, lambda g, z, a, b, t: [1, 2], "return a tensor"),
    (checks.check_best_value, _value_naive, "0 log 0"),
    (checks.check_best_value, lambda d, g: _value(d.sum(0), g.sum(0)) if d.dim() == 2 else _value(d, g),
     "WITHOUT labels"),
    (checks.check_best_value, lambda d, g: _value(d, g) / d.numel(), "mean over the cells"),
    (checks.check_best_value, lambda d, g: _value(d, g) + 2 * math.log(2), "2 JSD"),
    (checks.check_best_value, lambda d, g: torch.xlogy(d, d / (d + g)).sum(), "E_g[log(1 - D*)]"),
    (checks.check_best_value, lambda d, g: _value(d, g).reshape(1).repeat(2), "one number"),
    (checks.check_best_value, lambda d, g: _value(g, d * 0.9 + g * 0.1), "expected"),
]


@pytest.mark.parametrize("checker", list(RIGHT), ids=lambda c: c.__name__)
def test_checkers_accept_right_answers(checker, capsys):
    assert checker(RIGHT[checker]) is True
    assert capsys.readouterr().out.startswith("✅ Correct:")


@pytest.mark.parametrize(("checker", "answer", "message"), WRONG, ids=lambda x: getattr(x, "__name__", None))
def test_checkers_explain_wrong_answers(checker, answer, message, capsys):
    assert checker(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet.") and message in out


@pytest.mark.parametrize("checker", list(RIGHT), ids=lambda c: c.__name__)
def test_checkers_never_raise(checker, capsys):
    assert checker(_raises) is False
    assert "RuntimeError: not done" in capsys.readouterr().out


def test_label_morph_reference_matches_the_generator_at_the_ends():
    torch.manual_seed(0)
    generator = models.MLPGenerator(noise_dim=5, hidden=(8,), data_shape=(1, 2, 2), n_classes=4).eval()
    z = torch.rand(5) * 2 - 1
    with torch.no_grad():
        ends = _morph(generator, z, 1, 3, torch.tensor([0.0, 1.0]))
        direct = generator(z.expand(2, -1), torch.tensor([1, 3]))
    assert torch.allclose(ends, direct)


def test_conditional_input_checker_matches_the_seed_one_hot(capsys):
    assert checks.check_conditional_input(lambda z, y, n: torch.cat([z, F.one_hot(y, n).float()], 1))
    assert not checks.check_conditional_input(lambda z, y, n: torch.cat([F.one_hot(y, n).float(), z], 1))


def test_best_value_is_minus_log_4_plus_twice_the_jsd():
    """The reference of exercise 1 against Theorem 1 of Goodfellow et al.: -log 4 when p_g =
    p_data, and -log 4 + 2 JSD otherwise (JSD computed here from its definition)."""
    from gan_course.checks.ch04 import _best_value

    p = torch.tensor([[0.3, 0.2, 0.0], [0.0, 0.1, 0.4]], dtype=torch.float64)
    q = torch.tensor([[0.1, 0.0, 0.0], [0.2, 0.3, 0.4]], dtype=torch.float64)
    m = (p + q) / 2
    ratio = lambda a: torch.where(m > 0, a / m, 1.0)  # noqa: E731 (0 log 0 = 0 where m = 0)
    jsd = 0.5 * (torch.xlogy(p, ratio(p)).sum() + torch.xlogy(q, ratio(q)).sum())
    assert _best_value(p, p) == pytest.approx(-math.log(4))
    assert _best_value(p, q) == pytest.approx(-math.log(4) + 2 * jsd.item())


def test_a_label_blind_discriminator_cannot_see_a_label_blind_generator():
    """The point of exercise 1: a generator that draws the data's images with random labels
    matches the image marginal (value -log 4 without labels) but not the pairs."""
    from gan_course.checks.ch04 import _best_value

    p_data = torch.tensor([[0.35, 0.15, 0.0], [0.0, 0.1, 0.4]], dtype=torch.float64)
    label_blind = p_data.sum(1, keepdim=True) * p_data.sum(0, keepdim=True)  # p(y) p(x)
    assert _best_value(p_data.sum(0), label_blind.sum(0)) == pytest.approx(-math.log(4))
    assert _best_value(p_data, label_blind) > -math.log(4) + 0.1


def test_discriminator_dropout_adds_no_parameters_and_is_random_only_in_training():
    plain, dropped = models.MLPDiscriminator(), models.MLPDiscriminator(dropout=0.5)
    assert not any(isinstance(m, nn.Dropout) for m in plain.modules())
    assert sum(isinstance(m, nn.Dropout) for m in dropped.modules()) == 2  # after each hidden layer
    assert models.count_parameters(plain) == models.count_parameters(dropped)
    x = torch.rand(16, 1, 28, 28) * 2 - 1
    torch.manual_seed(0)
    assert not torch.equal(dropped.train()(x), dropped(x))
    dropped.eval()
    assert torch.equal(dropped(x), dropped(x))
    with pytest.raises(ValueError, match="dropout"):
        models.MLPDiscriminator(dropout=1.0)


def test_mnist_models_take_options():
    assert models.mnist_generator(10, embed_dim=20).embed.embedding_dim == 20
    assert any(isinstance(m, nn.Dropout) for m in models.mnist_discriminator(None, dropout=0.2).modules())


def test_recipes_pass_model_options_to_the_mnist_models(monkeypatch):
    base = recipes.get("mnist-cgan")
    variant = dataclasses.replace(base, name="mnist-cgan-variant", generator={"embed_dim": 12},
                                  discriminator={"dropout": 0.3})
    monkeypatch.setitem(recipes.RECIPES, variant.name, variant)
    trainer, _ = recipes.build(variant.name, progress=False)
    assert trainer.generator.embed.embedding_dim == 12
    assert any(isinstance(m, nn.Dropout) for m in trainer.discriminator.modules())


def test_chapter_recipes():
    gan, cgan = recipes.get("mnist-gan"), recipes.get("mnist-cgan")
    assert not gan.conditional and gan.training.ema_decay and gan.game == "gan"
    assert gan.training.lr_g == gan.training.lr_d == 3e-4 and gan.training.betas == (0.5, 0.999)
    assert cgan.conditional and cgan.training.ema_decay and cgan.game_options["gp_weight"]


def test_conditional_recipe_trains_with_the_penalty_and_samples_each_digit():
    trainer, _ = recipes.build("mnist-cgan", progress=False)
    trainer.fit(steps=3)
    assert len(trainer.history["gradient_penalty"]) == 3
    assert all(torch.isfinite(torch.tensor(trainer.history[k])).all() for k in ("d_loss", "g_loss"))
    samples = trainer.sample(10, torch.arange(10))
    assert samples.shape == (10, 1, 28, 28) and samples.abs().max() <= 1


def test_variants_tool_in_fast_mode_trains_and_scores_each_point(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_variants, "FAST", True)
    out = mnist_variants.main(["--out", str(tmp_path / "table.json"), "--only", "batch 32, k = 5"])
    table = json.loads(out.read_text())
    assert table["fast"] is True and table["recipe"] == "mnist-gan"
    (run,) = table["variants"]
    assert run["changes"] == {"batch_size": 32, "d_steps": 5}
    assert run["steps_per_epoch"] == 60_000 // 32 // 5
    points = run["points"]
    assert [p["step"] for p in points] == [mnist_variants.FAST_EVERY, 2 * mnist_variants.FAST_EVERY]
    assert 0 < points[0]["seconds"] < points[1]["seconds"]
    assert all(sum(p["class_histogram"]) == mnist_variants.FAST_N and p["fid"] > 0 for p in points)
    assert 0 < run["seconds_per_step"] < 10


def test_variants_tool_keeps_the_committed_table_out_of_fast_mode(monkeypatch, capsys):
    monkeypatch.setattr(mnist_variants, "FAST", True)
    with pytest.raises(SystemExit):
        mnist_variants.main([])
    assert "fast mode writes a test table: pass --out" in capsys.readouterr().err


def test_committed_variants_table_is_a_full_run_of_every_variant():
    """Chapters 03 and 04 read this table; its "batch 32" run is the recipe mnist-gan itself, so
    its last score must be RESULTS.md's seed-0 number, bit for bit."""
    table = json.loads((ROOT / "results" / "mnist_variants.json").read_text())
    assert table["fast"] is False
    assert [run["name"] for run in table["variants"]] == [v.name for v in mnist_variants.VARIANTS]
    for run, variant in zip(table["variants"], mnist_variants.VARIANTS, strict=True):
        steps = [p["step"] for p in run["points"]]
        assert run["changes"] == variant.changes and run["samples"] == 10_000
        assert steps == list(range(variant.every, variant.steps + 1, variant.every))
        seconds = [p["seconds"] for p in run["points"]]
        assert seconds == sorted(seconds) and len(set(seconds)) == len(seconds)
        # the fastest timed stretch cannot be slower than the whole run on average
        assert 0 < run["seconds_per_step"] * variant.steps <= seconds[-1]
    recipe = json.loads((ROOT / "results" / "results.json").read_text())["mnist-gan"]["0"]
    last = table["variants"][0]["points"][-1]
    assert last["step"] == recipes.get("mnist-gan").epochs * 60_000 // 32  # the recipe's length
    assert last["fid"] == recipe["fid"] and last["inception_score"] == recipe["inception_score"]
