"""Chapter 09's energy-based games: the losses against hand computations, BEGAN's control law,
training on a toy problem, and a resume that restores k_t exactly."""

import pytest
import torch

from gan_course import data, energy, games, metrics, models, recipes, seed_everything
from gan_course.settings import RunSettings, TrainSettings
from gan_course.train import Trainer

# The toy problem: points on a line in R^8, x = a v + 0.05 noise with a ~ N(2, 0.5^2). An
# autoencoder with a 1-D code can reconstruct the line but not the space around it, so its
# energy is informative (a 1-D target would let it learn the identity and explain nothing).
DIM = 8
V = torch.ones(DIM) / DIM ** 0.5
ALONG = data.gaussian_1d(2.0, 0.5)


def line_data(n: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return ALONG.sample(n, gen).view(n, 1) * V + 0.05 * torch.randn(n, DIM, generator=gen)


def toy(name, seed=0, lr=1e-3, checkpoint=None, **options):
    """A toy run: the line data, a small generator and an autoencoder with a 1-D code."""
    seed_everything(seed)
    G = models.toy_generator(DIM, noise_dim=4, hidden=(32, 32))
    D = energy.MLPAutoencoder(data_shape=(DIM,), hidden=(32,), code_dim=1)
    return Trainer(games.make(name, G, D, **options), line_data(4096, seed),
                   TrainSettings(batch_size=64, lr_g=lr, lr_d=lr, seed=seed),
                   RunSettings(progress=False, device="cpu", checkpoint=checkpoint))


def quality(trainer) -> tuple[float, float]:
    """W1 between the samples' position along the line and N(2, 0.5^2), and their mean squared
    distance from the line."""
    x = trainer.sample(4000, generator=torch.Generator().manual_seed(1))
    along = x @ V
    return metrics.wasserstein_1d(along, ALONG), (x - along[:, None] * V).pow(2).sum(1).mean().item()


def test_reconstruction_error_and_margin_loss_match_a_hand_computation():
    images = torch.tensor([[[1.0, -1.0]], [[0.5, 0.5]]])
    recon = torch.tensor([[[0.0, -1.0]], [[0.5, -0.5]]])
    assert energy.reconstruction_error(images, recon).tolist() == [0.5, 0.5]  # (1 + 0) / 2, (0 + 1) / 2
    assert energy.reconstruction_error(images, recon, power=1).tolist() == [0.5, 0.5]
    real, fake = torch.tensor([0.1, 0.3]), torch.tensor([0.0, 0.5, 2.0, 0.9])
    # E[D(x)] = 0.2; hinges with m = 1: 1, 0.5, 0, 0.1 -> mean 0.4
    assert energy.margin_loss(real, fake, 1.0).item() == pytest.approx(0.6)
    assert energy.margin_loss(real, fake, 0.01).item() == pytest.approx(0.2 + 0.01 / 4)


def test_pulling_away_is_the_mean_squared_cosine_of_distinct_pairs():
    assert energy.pulling_away(torch.eye(4) * 3).item() == pytest.approx(0.0)  # orthogonal
    same_way = torch.tensor([[1.0, 2.0], [2.0, 4.0], [0.5, 1.0]])
    assert energy.pulling_away(same_way).item() == pytest.approx(1.0)
    codes = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])  # cos^2 = 0, 1/2, 1/2
    assert energy.pulling_away(codes).item() == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="at least 2 codes"):
        energy.pulling_away(torch.ones(1, 3))


def test_k_update_is_the_proportional_control_law_clipped_to_the_unit_interval():
    k = torch.tensor(0.2)
    assert energy.k_update(k, torch.tensor(0.1), torch.tensor(0.02), 0.5, 0.5).item() == pytest.approx(0.215)
    assert energy.k_update(k, torch.tensor(0.1), torch.tensor(0.08), 0.5, 0.5).item() == pytest.approx(0.185)
    assert energy.k_update(torch.tensor(0.01), torch.tensor(0.1), torch.tensor(3.0), 0.5, 0.5).item() == 0.0
    assert energy.k_update(torch.tensor(0.99), torch.tensor(4.0), torch.tensor(0.0), 0.5, 0.5).item() == 1.0
    gen = torch.Generator().manual_seed(0)
    k = torch.tensor(0.0)
    for real, fake in torch.rand(2000, 2, generator=gen) * 3:
        k = energy.k_update(k, real, fake, 0.7, 0.05)
        assert 0.0 <= k.item() <= 1.0


def test_convergence_measure_is_the_papers_formula():
    real, fake = torch.tensor([0.2, 0.2, 0.1]), torch.tensor([0.05, 0.1, 0.3])
    # 0.2 + |0.1 - 0.05|, 0.2 + |0.1 - 0.1|, 0.1 + |0.05 - 0.3|
    assert energy.convergence_measure(real, fake, 0.5).tolist() == pytest.approx([0.25, 0.2, 0.35])


def test_began_follows_its_control_law_step_by_step_and_records_m_global():
    trainer = toy("began", gamma=0.5, lambda_k=0.01)
    trainer.fit(steps=300)
    h = trainer.history
    k = 0.0
    for real, fake, recorded in zip(h["loss_real"], h["loss_fake"], h["k"], strict=True):
        k = min(1.0, max(0.0, k + 0.01 * (0.5 * real - fake)))
        assert recorded == pytest.approx(k, abs=1e-5)
    assert trainer.game.k.item() == pytest.approx(k, abs=1e-5)
    assert max(h["k"]) > 0.0  # the control acted
    for real, fake, m in zip(h["loss_real"], h["loss_fake"], h["m_global"], strict=True):
        assert m == pytest.approx(real + abs(0.5 * real - fake), abs=1e-5)


@pytest.mark.parametrize(("name", "options", "d_loss_key"), [
    ("ebgan", {"margin": 0.1}, "energy_real"),
    ("ebgan", {"margin": 0.1, "pt_weight": 0.1}, "energy_real"),
    ("began", {"gamma": 0.5, "lambda_k": 0.05}, "m_global"),
])
def test_each_game_learns_the_toy_target(name, options, d_loss_key):
    trainer = toy(name, **options)
    w1_before, off_before = quality(trainer)
    trainer.fit(steps=1500)
    w1_after, off_after = quality(trainer)
    assert w1_after < 0.4 * w1_before and off_after < 0.1 * off_before, (w1_before, w1_after,
                                                                          off_before, off_after)
    values = trainer.history[d_loss_key]  # EBGAN: D reconstructs the data; BEGAN: M_global falls
    early, late = sum(values[:50]) / 50, sum(values[-200:]) / 200
    assert late < 0.5 * early, (early, late)


def test_the_margin_loss_ignores_samples_above_the_margin():
    fake = torch.tensor([0.2, 0.6, 1.5, 3.0], requires_grad=True)
    energy.margin_loss(torch.tensor([0.1]), fake, margin=1.0).backward()
    assert fake.grad.tolist() == [-0.25, -0.25, 0.0, 0.0]  # only those below m are pushed up


def test_resume_from_a_checkpoint_restores_k_exactly(tmp_path):
    straight = toy("began", lambda_k=0.05)
    straight.fit(steps=300)
    first = toy("began", lambda_k=0.05, checkpoint=tmp_path / "began.pt")
    first.fit(steps=200)
    saved_k = first.game.k.clone()
    assert saved_k.item() > 0.01  # the control has moved k away from k_0 = 0
    resumed = toy("began", lambda_k=0.05).load(tmp_path / "began.pt")
    assert torch.equal(resumed.game.k, saved_k)
    assert resumed.game.options() == {"d_steps": 1, "gamma": 0.5, "lambda_k": 0.05, "eta": 1.0}
    resumed.fit(steps=300)  # bit-identical to the run that was never interrupted
    assert torch.equal(resumed.game.k, straight.game.k)
    assert all(torch.equal(a, b) for a, b in zip(resumed.game.state_dict().values(),
                                                 straight.game.state_dict().values(), strict=True))


def test_bad_settings_get_a_one_line_error():
    G = models.toy_generator()
    with pytest.raises(ValueError, match="needs an autoencoder discriminator"):
        games.make("ebgan", G, models.toy_discriminator())
    D = energy.MLPAutoencoder(data_shape=(1,), code_dim=1)
    with pytest.raises(ValueError, match="margin must be a positive number"):
        games.make("ebgan", G, D, margin=0)
    with pytest.raises(ValueError, match="pt_weight must be a number >= 0"):
        games.make("ebgan", G, D, pt_weight=-0.1)
    with pytest.raises(ValueError, match="gamma must be a positive number"):
        games.make("began", G, D, gamma=-1)
    with pytest.raises(ValueError, match="code_dim must be a positive integer"):
        energy.MLPAutoencoder(code_dim=0)


@pytest.mark.parametrize(("name", "game"), [("mnist-ebgan", energy.EBGAN), ("mnist-began", energy.BEGAN)])
def test_the_recipes_build_their_game_on_an_autoencoder(name, game):
    trainer, target = recipes.build(name, progress=False)
    assert target is None and type(trainer.game) is game
    assert isinstance(trainer.discriminator, energy.MLPAutoencoder)
    x = torch.zeros(2, 1, 28, 28)
    assert trainer.discriminator(x).shape == x.shape


def test_networks_can_be_swapped_by_name_and_a_wrong_name_is_refused():
    trainer, _ = recipes.build("mnist-began", networks="mlp-autoencoder", progress=False)
    assert type(trainer.generator) is models.MLPGenerator  # chapter 03's, not the recipe's DCGAN's
    assert isinstance(trainer.discriminator, energy.MLPAutoencoder)
    assert type(recipes.build("mnist-began", progress=False)[0].generator) is not models.MLPGenerator
    with pytest.raises(ValueError, match="networks= takes one of mlp, dcgan, .* got 'conv'"):
        recipes.build("mnist-began", networks="conv")
    with pytest.raises(ValueError, match="for an image recipe; got 'mlp' for 'ring-gan'"):
        recipes.build("ring-gan", networks="mlp")


def test_the_health_monitor_watches_an_energy_game_by_its_losses_and_coverage():
    from gan_course import monitor

    trainer = toy("ebgan", margin=0.1)
    health = monitor.HealthMonitor(every=50)
    trainer.fit(steps=300, callbacks=[health])
    assert len(health.records) == 6
    d_losses = trainer.history["d_loss"]
    for i, record in enumerate(health.records):  # no score to probe: only the losses are read
        assert "g_grad" not in record and "d_real" not in record
        assert record["d_loss"] == pytest.approx(sum(d_losses[50 * i:50 * i + 50]) / 50, rel=1e-5)
    assert health.healthy, health.diagnosis()
