"""The games: each family trains, conditional forms work, and a new game needs no trainer change."""

import pytest
import torch
from torch import nn

from gan_course import data, energy, games, losses, metrics, models, seed_everything
from gan_course.settings import RunSettings, TrainSettings
from gan_course.train import Trainer

TARGET = data.gaussian_1d(4.0, 0.5)
RUN = RunSettings(progress=False, device="cpu")


def toy(game_cls, seed=0, lr=2e-3, **options):
    seed_everything(seed)
    samples = TARGET.sample(4096, torch.Generator().manual_seed(seed))
    game = game_cls(models.toy_generator(1, hidden=(16, 16)), models.toy_discriminator(1, (16, 16)),
                    **options)
    return Trainer(game, samples, TrainSettings(batch_size=64, lr_g=lr, lr_d=lr, seed=seed), RUN)


def test_lsgan_trains_and_its_discriminator_regresses_to_its_targets():
    trainer = toy(games.LSGAN)
    before = metrics.wasserstein_1d(trainer.sample(4000), TARGET)
    trainer.fit(steps=1500)
    after = metrics.wasserstein_1d(trainer.sample(4000), TARGET)
    assert before > 2.0 and after < 0.2 * before
    # at the LSGAN equilibrium (a = 0, b = 1) D outputs (a + b) / 2 = 0.5 on both
    tail = slice(-200, None)
    for key in ("d_real", "d_fake"):
        mean = sum(trainer.history[key][tail]) / 200
        assert 0.3 < mean < 0.7, (key, mean)


# InfoGAN (chapter 10) learns without labels and has no conditional form: tests/test_infogan.py
# trains it, with d_steps=2 too. CycleGAN (chapter 11) translates unlabelled images: tests/test_cyclegan.py.
@pytest.mark.parametrize("name", [name for name in games.GAMES if name not in ("infogan", "cyclegan")])
def test_every_game_trains_its_conditional_form(name):
    seed_everything(0)
    images, labels = torch.rand(96, 1, 28, 28) * 2 - 1, torch.arange(96) % 10
    G, D = models.mnist_generator(10, hidden=(32,)), models.mnist_discriminator(10, hidden=(32,))
    if issubclass(games.GAMES[name], energy.EnergyGame):  # chapter 09: D is an autoencoder
        D = energy.MLPAutoencoder(n_classes=10, hidden=(32,), code_dim=8)
    game = games.make(name, G, D, d_steps=2)
    trainer = Trainer(game, (images, labels), TrainSettings(batch_size=16), RUN)
    before = [p.detach().clone() for p in G.parameters()]
    trainer.fit(steps=3)
    assert all(not torch.equal(a, b) for a, b in zip(before, G.parameters(), strict=True))
    assert len(trainer.history["d_loss"]) == 3
    assert trainer.sample(4, labels=torch.tensor([0, 3, 5, 9])).shape == (4, 1, 28, 28)


class CountingGenerator(nn.Module):
    """Wraps a generator and keeps the noise of every forward pass."""

    def __init__(self, inner):
        super().__init__()
        self.inner, self.n_classes, self.calls = inner, None, []

    def forward(self, z, labels=None):
        self.calls.append(z.clone())
        return self.inner(z, labels)

    def sample_noise(self, n, generator=None):
        return self.inner.sample_noise(n, generator)


def test_the_generator_step_reuses_the_last_discriminator_steps_samples():
    seed_everything(0)
    G = CountingGenerator(models.toy_generator(1, hidden=(8,)))
    D = models.toy_discriminator(1, (8,))
    scored = []
    D.register_forward_hook(lambda module, args, out: scored.append(args[0].detach().clone()))
    trainer = Trainer(games.GAN(G, D, d_steps=3), TARGET.sample(1024),
                      TrainSettings(batch_size=32), RunSettings(progress=False, n_snapshots=5))
    trainer.fit(steps=1)
    training_calls = [z for z in G.calls if len(z) == 32]  # the others draw the 5 snapshots
    assert len(training_calls) == 3  # one forward per discriminator step, none for the G step
    last_fake = scored[2][32:]  # the last D step scored [real; fake] in one call
    assert len(scored) == 4 and torch.equal(scored[3], last_fake)  # the G step scored the same


class HingeWithCounter(games.GAN):
    """A game written in a test: the hinge loss (Lim & Ye 2017), and a state kept between
    steps as a buffer (as BEGAN keeps k_t), which checkpoints must carry."""

    def __init__(self, generator, discriminator, d_steps: int = 1, margin: float = 1.0):
        super().__init__(generator, discriminator, d_steps)
        self.margin = margin
        self.register_buffer("updates", torch.zeros((), dtype=torch.long))

    def discriminator_loss(self, real, fake):
        return torch.relu(self.margin - real).mean() + torch.relu(self.margin + fake).mean()

    def generator_loss(self, fake):
        return -fake.mean()

    def after_discriminator_update(self):
        self.updates += 1


def test_a_new_game_is_one_class_and_resumes_with_its_state(tmp_path):
    def build():
        return toy(HingeWithCounter, d_steps=2, margin=0.5, lr=1e-3)

    trainer = build()
    before = metrics.wasserstein_1d(trainer.sample(4000), TARGET)
    trainer.run = RunSettings(progress=False, device="cpu", checkpoint=tmp_path / "hinge.pt")
    trainer.fit(steps=600)
    assert trainer.game.updates.item() == 1200
    assert metrics.wasserstein_1d(trainer.sample(4000), TARGET) < 0.3 * before
    resumed = build().load(tmp_path / "hinge.pt")
    assert resumed.game.updates.item() == 1200 and resumed.game.options() == {"d_steps": 2,
                                                                             "margin": 0.5}


def test_game_options_are_checked_by_name():
    G, D = models.toy_generator(), models.toy_discriminator()
    with pytest.raises(ValueError, match="unknown option 'clip' for game 'gan'; it takes: d_steps, "
                                         "gp_weight"):
        games.make("gan", G, D, clip=0.01)
    with pytest.raises(ValueError, match="unknown game 'minimax'; choose one of: gan, "):
        games.make("minimax", G, D)
    with pytest.raises(ValueError, match="clip must be a positive number"):
        games.WGAN(G, D, clip=0)
    assert games.make("wgan-gp", G, D).options() == {"d_steps": 5, "gp_weight": 10.0}


def test_gradient_norms_are_those_the_penalty_uses():
    critic = torch.nn.Linear(3, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[2.0, 1.0, 2.0]]))  # ||grad f|| = 3 everywhere

    def f(x):
        return critic(x).squeeze(1)

    norms = losses.gradient_norms(f, torch.randn(5, 3), torch.randn(5, 3))
    assert torch.allclose(norms, torch.full((5,), 3.0))
    assert losses.gradient_penalty(f, torch.randn(5, 3), torch.randn(5, 3)).item() == pytest.approx(4)
