"""Chapters 03 and 04: their exercise checkers, the discriminator's dropout option, model options
passed through the recipes, and the mnist-gan / mnist-cgan recipes."""

import dataclasses

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from gan_course import checks, models, recipes


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


def _raises(*_):
    raise RuntimeError("not done")


RIGHT = {checks.check_ema_update: _ema, checks.check_slerp: _slerp, checks.check_label_morph: _morph}
WRONG = [
    (checks.check_ema_update, _ema_swapped, "swapped"),
    (checks.check_ema_update, _ema_moves_model, "changed the model"),
    (checks.check_ema_update, lambda a, m, d: None, "did not change"),
    (checks.check_slerp, lambda z0, z1, t: (1 - t[:, None]) * z0 + t[:, None] * z1, "linear path"),
    (checks.check_slerp, lambda z0, z1, t: z0, "shape"),
    (checks.check_label_morph, lambda g, z, a, b, t: _morph(g, z, b, a, t), "differ"),
    (checks.check_label_morph, lambda g, z, a, b, t: [1, 2], "return a tensor"),
]


@pytest.mark.parametrize("checker", list(RIGHT), ids=lambda c: c.__name__)
def test_checkers_accept_right_answers(checker, capsys):
    assert checker(RIGHT[checker]) is True
    assert capsys.readouterr().out.startswith("✅ Correct.")


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
    assert not gan.conditional and gan.trainer["ema_decay"] and gan.trainer["loss"] == "gan"
    assert gan.trainer["lr_g"] == gan.trainer["lr_d"] == 3e-4 and gan.trainer["betas"] == (0.5, 0.999)
    assert cgan.conditional and cgan.trainer["ema_decay"] and cgan.trainer["gp_weight"]


def test_conditional_recipe_trains_with_the_penalty_and_samples_each_digit():
    trainer, _ = recipes.build("mnist-cgan", progress=False)
    trainer.fit(steps=3)
    assert len(trainer.history["gradient_penalty"]) == 3
    assert all(torch.isfinite(torch.tensor(trainer.history[k])).all() for k in ("d_loss", "g_loss"))
    samples = trainer.sample(10, torch.arange(10))
    assert samples.shape == (10, 1, 28, 28) and samples.abs().max() <= 1
