import pytest
import torch

from gan_course import data, games, metrics, models, seed_everything
from gan_course.checkpoints import CheckpointError, load_checkpoint
from gan_course.settings import RunSettings, TrainSettings
from gan_course.train import Trainer, TrainingDiverged

TARGET = data.gaussian_1d(4.0, 0.5)
TRAINING = {"batch_size", "optimizer", "lr_g", "lr_d", "betas", "ema_decay", "seed"}


def toy_trainer(seed=0, game="gan", **changes):
    """A small 1-D GAN; ``changes`` are game options, TrainSettings or RunSettings fields."""
    seed_everything(seed)
    samples = TARGET.sample(4096, torch.Generator().manual_seed(seed))
    G, D = models.toy_generator(1, hidden=(16, 16)), models.toy_discriminator(1, (16, 16))
    training = {"batch_size": 64, "lr_g": 2e-3, "lr_d": 2e-3, "seed": seed}
    training.update({k: changes.pop(k) for k in list(changes) if k in TRAINING})
    options = {k: changes.pop(k) for k in list(changes) if k in games.option_names(game)}
    run = {"progress": False, "device": "cpu", **changes}
    return Trainer(games.make(game, G, D, **options), samples, TrainSettings(**training),
                   RunSettings(**run))


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
    for x, y in zip(a.game.state_dict().values(), b.game.state_dict().values(), strict=True):
        assert torch.equal(x, y)
    assert a.history == b.history


@pytest.mark.parametrize("game, changes", [
    ("gan", {"ema_decay": 0.9}),
    ("wgan-gp", {"gp_weight": 1.0, "d_steps": 3, "betas": (0.5, 0.9)}),
    ("wgan", {"clip": 0.05, "optimizer": "rmsprop", "d_steps": 2}),
    ("lsgan", {"sync_every": 7}),
])
def test_resume_equals_an_uninterrupted_run(tmp_path, game, changes):
    straight = toy_trainer(game=game, **changes)
    straight.fit(steps=90)  # crosses an epoch boundary mid-way

    first = toy_trainer(game=game, **changes, checkpoint=tmp_path / "run.pt")
    first.fit(steps=37)
    resumed = toy_trainer(game=game, **changes).load(tmp_path / "run.pt")
    assert resumed.step == 37
    resumed.fit(steps=90)
    _same_state(straight, resumed)
    if "ema_decay" in changes:
        assert torch.equal(straight.sample(5, generator=torch.Generator().manual_seed(1)),
                           resumed.sample(5, generator=torch.Generator().manual_seed(1)))


def test_history_is_the_same_whatever_the_sync_interval():
    every_step, rarely = toy_trainer(sync_every=1), toy_trainer(sync_every=64)
    every_step.fit(steps=100)
    rarely.fit(steps=100)
    assert every_step.history == rarely.history and len(rarely.history["g_loss"]) == 100
    assert rarely.history["step"] == [float(s) for s in range(1, 101)]


def test_checkpoint_is_plain_data_and_atomic(tmp_path):
    trainer = toy_trainer(checkpoint=tmp_path / "ckpt.pt")
    trainer.fit(steps=5)
    state = torch.load(tmp_path / "ckpt.pt", weights_only=True)  # no pickled objects
    assert state["step"] == 5 and len(state["history"]["d_loss"]) == 5
    assert state["settings"]["batch_size"] == 64 and state["game_class"] == "GAN"
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pt"]  # no temporary file left
    with pytest.raises(CheckpointError, match="no checkpoint at"):
        load_checkpoint(tmp_path / "missing.pt")
    seed_everything(0)
    other = Trainer(games.GAN(models.toy_generator(1, hidden=(8,)), models.toy_discriminator(1, (8,))),
                    TARGET.sample(256), TrainSettings(batch_size=64, lr_g=2e-3, lr_d=2e-3),
                    RunSettings(progress=False, device="cpu"))
    with pytest.raises(CheckpointError, match="does not fit these models"):
        other.load(tmp_path / "ckpt.pt")


def test_resume_with_other_settings_is_refused_naming_both(tmp_path):
    trainer = toy_trainer(checkpoint=tmp_path / "run.pt")
    trainer.fit(steps=3)
    with pytest.raises(CheckpointError, match=r"lr_d=0\.002, but this run has lr_d=0\.001"):
        toy_trainer(lr_d=1e-3).load(tmp_path / "run.pt")
    with pytest.raises(CheckpointError, match=r"game='GAN', but this run has game='LSGAN'"):
        toy_trainer(game="lsgan").load(tmp_path / "run.pt")


def test_divergence_stops_and_keeps_the_last_good_checkpoint(tmp_path):
    path = tmp_path / "run.pt"
    trainer = toy_trainer(checkpoint=path, checkpoint_every=10, sync_every=25)
    trainer.fit(steps=20)
    with torch.no_grad():
        trainer.discriminator.net[0].weight.fill_(float("nan"))
    with pytest.raises(TrainingDiverged, match=r"discriminator loss became nan at step 21.*"
                                               r"not usable.*run\.pt \(step 20\)"):
        trainer.fit(steps=40)  # a checkpoint is due at step 30: the sync before it finds the NaN
    saved = load_checkpoint(path)
    assert saved["step"] == 20
    assert all(torch.isfinite(v).all() for v in saved["game"].values())


def test_a_generator_loss_that_becomes_infinite_is_named():
    trainer = toy_trainer(sync_every=1)
    trainer.fit(steps=2)
    trainer.game.generator_loss = lambda fake: fake.mean() * float("inf")
    with pytest.raises(TrainingDiverged, match="the generator loss became -?inf at step 3"):
        trainer.fit(steps=5)


def test_weight_clipping_keeps_the_critic_in_the_box():
    trainer = toy_trainer(game="wgan", clip=0.01, optimizer="rmsprop", lr_d=0.05)
    trainer.fit(steps=10)
    weights = torch.cat([p.flatten() for p in trainer.discriminator.parameters()])
    assert weights.abs().max().item() <= 0.01
    assert trainer.game.share_at_clip_bound() > 0.3  # a large lr piles weights at +-c
    assert trainer.game.share_at_clip_bound() == pytest.approx(
        (weights.abs() >= 0.0099).float().mean().item())
    assert "wasserstein" in trainer.history


def test_ema_is_a_weight_average():
    trainer = toy_trainer(ema_decay=0.5)
    trainer.fit(steps=1)  # the first update copies the weights
    assert torch.equal(trainer.sampler.net[0].weight, trainer.generator.net[0].weight)
    previous = trainer.sampler.net[0].weight.detach().clone()
    trainer.fit(steps=2)  # then: average <- 0.5 * average + 0.5 * weights
    assert torch.allclose(trainer.sampler.net[0].weight,
                          0.5 * previous + 0.5 * trainer.generator.net[0].weight)
    assert not torch.equal(trainer.sampler.net[0].weight, trainer.generator.net[0].weight)
    assert trainer.sample(10).shape == (10, 1)


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="optimizer must be one of"):
        toy_trainer(optimizer="sgd")
    with pytest.raises(ValueError, match="d_steps must be a positive integer"):
        toy_trainer(d_steps=0)
    with pytest.raises(ValueError, match="give exactly one of steps= or epochs="):
        toy_trainer().fit()
    with pytest.raises(ValueError, match="sync_every must be a positive integer"):
        RunSettings(sync_every=0)
    G, D = models.mnist_generator(10), models.mnist_discriminator(10)
    with pytest.raises(ValueError, match="pass labels exactly when the models are conditional"):
        Trainer(games.GAN(G, D), torch.zeros(8, 1, 28, 28), TrainSettings(batch_size=4))


def test_conditional_training_and_sampling_check_labels():
    seed_everything(0)
    G, D = models.mnist_generator(10), models.mnist_discriminator(10)
    images, labels = torch.rand(64, 1, 28, 28) * 2 - 1, torch.arange(64) % 10
    trainer = Trainer(games.GAN(G, D), (images, labels), TrainSettings(batch_size=16),
                      RunSettings(progress=False, device="cpu", n_snapshots=20))
    trainer.fit(steps=2)
    assert trainer.fixed_inputs[1].tolist() == [i % 10 for i in range(20)]
    assert trainer.snapshots[-1][1].shape == (20, 1, 28, 28)
    assert trainer.sample(3, labels=7).shape == (3, 1, 28, 28)
    with pytest.raises(ValueError, match="labels must be classes 0 to 9, got values from 0 to 10"):
        trainer.sample(3, labels=torch.tensor([0, 10, 2]))
    with pytest.raises(ValueError, match="conditional on 10 classes: pass labels"):
        trainer.sample(3)


def test_sampling_in_chunks_equals_one_pass(monkeypatch):
    from gan_course import train

    trainer = toy_trainer()
    whole = trainer.sample(50, generator=torch.Generator().manual_seed(4))
    monkeypatch.setattr(train, "SAMPLE_CHUNK", 7)
    chunked = trainer.sample(50, generator=torch.Generator().manual_seed(4))
    assert torch.allclose(whole, chunked, atol=1e-6) and chunked.shape == (50, 1)
