import pytest
import torch

from gan_course import data, metrics, models, seed_everything
from gan_course.train import Trainer, TrainingDiverged, load_checkpoint

TARGET = data.gaussian_1d(4.0, 0.5)


def toy_trainer(seed=0, **settings):
    seed_everything(seed)
    samples = TARGET.sample(4096, torch.Generator().manual_seed(seed))
    G, D = models.toy_generator(1, hidden=(16, 16)), models.toy_discriminator(1, (16, 16))
    defaults = {"batch_size": 64, "lr_g": 2e-3, "lr_d": 2e-3, "seed": seed, "progress": False,
                "device": "cpu"}
    return Trainer(G, D, samples, **{**defaults, **settings})


def test_training_lowers_the_distance_to_a_1d_target():
    trainer = toy_trainer()
    before = metrics.wasserstein_1d(trainer.sample(4000), TARGET)
    trainer.fit(steps=1500)
    after = metrics.wasserstein_1d(trainer.sample(4000), TARGET)
    assert before > 2.0  # an untrained generator sits near 0, the target at 4
    assert after < 0.25 * before and after < 0.3
    assert set(trainer.history) >= {"step", "d_loss", "g_loss", "d_real", "d_fake"}
    assert len(trainer.history["d_loss"]) == 1500
    assert 0.3 < trainer.history["d_fake"][-1] < 0.7  # D(G(z)) heads to 1/2


def test_epochs_count_discriminator_batches():
    trainer = toy_trainer(d_steps=4)
    assert len(trainer.batches) == 64 and trainer.steps_per_epoch == 16
    trainer.fit(epochs=0.5)
    assert trainer.step == 8


def _same_state(a: Trainer, b: Trainer):
    for x, y in zip(a.generator.state_dict().values(), b.generator.state_dict().values(),
                    strict=True):
        assert torch.equal(x, y)
    for x, y in zip(a.discriminator.state_dict().values(), b.discriminator.state_dict().values(),
                    strict=True):
        assert torch.equal(x, y)
    assert a.history == b.history


@pytest.mark.parametrize("settings", [
    {"ema_decay": 0.9},
    {"loss": "wgan", "gp_weight": 1.0, "d_steps": 3, "betas": (0.5, 0.9)},
    {"loss": "wgan", "clip": 0.05, "optimizer": "rmsprop", "d_steps": 2},
])
def test_resume_equals_an_uninterrupted_run(tmp_path, settings):
    straight = toy_trainer(**settings)
    straight.fit(steps=90)  # crosses an epoch boundary mid-way

    first = toy_trainer(**settings, checkpoint=tmp_path / "run.pt")
    first.fit(steps=37)
    resumed = toy_trainer(seed=0, **settings).load(tmp_path / "run.pt")
    assert resumed.step == 37
    resumed.fit(steps=90)
    _same_state(straight, resumed)
    if "ema_decay" in settings:
        assert torch.equal(straight.sample(5, generator=torch.Generator().manual_seed(1)),
                           resumed.sample(5, generator=torch.Generator().manual_seed(1)))


def test_checkpoint_is_plain_data_and_atomic(tmp_path):
    trainer = toy_trainer(checkpoint=tmp_path / "ckpt.pt")
    trainer.fit(steps=5)
    state = torch.load(tmp_path / "ckpt.pt", weights_only=True)  # no pickled objects
    assert state["step"] == 5 and len(state["history"]["d_loss"]) == 5
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(FileNotFoundError, match="No checkpoint at"):
        load_checkpoint(tmp_path / "missing.pt")
    other = Trainer(models.toy_generator(1, hidden=(8,)), models.toy_discriminator(1, (8,)),
                    TARGET.sample(256), batch_size=32, progress=False)
    with pytest.raises(ValueError, match="does not fit these models"):
        other.load(tmp_path / "ckpt.pt")


def test_divergence_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    path = tmp_path / "run.pt"
    trainer = toy_trainer(checkpoint=path, checkpoint_every=10)
    trainer.fit(steps=20)
    good = {k: v.clone() for k, v in trainer.generator.state_dict().items()}
    with torch.no_grad():
        trainer.discriminator.net[0].weight.fill_(float("nan"))
    with pytest.raises(TrainingDiverged, match=r"became nan at step 21.*run.pt \(step 20\)"):
        trainer.fit(steps=40)
    assert trainer.step == 20
    for key, value in trainer.generator.state_dict().items():
        assert torch.equal(value, good[key])
    saved = load_checkpoint(path)
    assert saved["step"] == 20
    assert all(torch.isfinite(v).all() for v in saved["discriminator"].values())


def test_weight_clipping_keeps_the_critic_in_the_box():
    trainer = toy_trainer(loss="wgan", clip=0.01, optimizer="rmsprop", lr_d=0.05)
    trainer.fit(steps=10)
    weights = torch.cat([p.flatten() for p in trainer.discriminator.parameters()])
    assert weights.abs().max().item() <= 0.01
    assert (weights.abs() == 0.01).float().mean() > 0.3  # a large lr piles weights at +-c
    assert "wasserstein" in trainer.history


def test_ema_is_a_weight_average():
    trainer = toy_trainer(ema_decay=0.5)
    trainer.fit(steps=3)
    raw = trainer.generator.state_dict()
    ema = trainer.sampler.state_dict()
    assert not torch.equal(raw["net.0.weight"], ema["net.0.weight"])
    assert trainer.sample(10).shape == (10, 1)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="loss must be one of"):
        toy_trainer(loss="minimax")
    with pytest.raises(ValueError, match="optimizer must be one of"):
        toy_trainer(optimizer="sgd")
    with pytest.raises(ValueError, match="d_steps must be a positive integer"):
        toy_trainer(d_steps=0)
    with pytest.raises(ValueError, match="give exactly one of steps= or epochs="):
        toy_trainer().fit()
    G, D = models.mnist_generator(10), models.mnist_discriminator(10)
    with pytest.raises(ValueError, match="pass labels exactly when the models are conditional"):
        Trainer(G, D, torch.zeros(8, 1, 28, 28), batch_size=4)


def test_conditional_training_step_runs_on_labels():
    seed_everything(0)
    G, D = models.mnist_generator(10), models.mnist_discriminator(10)
    images, labels = torch.rand(64, 1, 28, 28) * 2 - 1, torch.arange(64) % 10
    trainer = Trainer(G, D, images, labels, batch_size=16, progress=False, device="cpu",
                      n_snapshots=20)
    trainer.fit(steps=2)
    assert trainer.fixed_labels.tolist() == [i % 10 for i in range(20)]
    assert trainer.snapshots[-1][1].shape == (20, 1, 28, 28)
    assert trainer.sample(3, labels=7).shape == (3, 1, 28, 28)
