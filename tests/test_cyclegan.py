"""Chapter 11's CycleGAN: the domains, the losses, the game in the trainer, the measures, the recipes."""

import pytest
import torch
from torch import nn

from gan_course import cyclegan, cyclegan_eval, data, monitor, recipes
from gan_course.settings import RunSettings, TrainSettings
from gan_course.train import Trainer


def test_thicken_grows_every_stroke_by_one_pixel():
    image = -torch.ones(1, 1, 7, 7)
    image[0, 0, 3, 3] = 1.0  # one pixel of ink
    thick = cyclegan.thicken(image)
    assert thick[0, 0, 2:5, 2:5].eq(1).all() and thick.eq(1).sum() == 9
    digits = data.mnist("test")[0][:50]
    assert (cyclegan.thicken(digits) >= digits).all()  # a dilation never removes ink
    assert cyclegan_eval.ink(cyclegan.thicken(digits)).mean() > 1.5 * cyclegan_eval.ink(digits).mean()


def test_training_domains_are_the_two_disjoint_halves_unpaired():
    pairs, labels = cyclegan.stroke_domains("train")
    images, digits = data.mnist("train")
    assert pairs.shape == (30_000, 2, 28, 28) and labels.shape == (30_000, 2)
    assert torch.equal(pairs[:, :1], images[:30_000])
    assert torch.equal(pairs[:, 1:], cyclegan.thicken(images[30_000:]))
    assert torch.equal(labels[:, 1], digits[30_000:])
    assert (labels[:, 0] == labels[:, 1]).float().mean() < 0.15  # about chance: no pairs


def test_test_pairs_hold_each_digit_and_its_true_translation():
    pairs, labels = cyclegan.stroke_domains("test")
    assert torch.equal(pairs[:, 1:], cyclegan.thicken(pairs[:, :1]))
    assert torch.equal(labels[:, 0], labels[:, 1])


def _maps(ab, ba) -> nn.ModuleDict:
    return nn.ModuleDict({"ab": ab, "ba": ba})


class _Fixed(nn.Module):
    def __init__(self, operation):
        super().__init__()
        self.operation = operation

    def forward(self, x):
        return self.operation(x)


class _Affine(nn.Module):
    def __init__(self, scale, shift):
        super().__init__()
        self.scale, self.shift = scale, shift

    def forward(self, x):
        return self.scale * x + self.shift


def test_cycle_and_identity_losses_follow_their_equations():
    gen = torch.Generator().manual_seed(0)
    a, b = torch.rand(3, 1, 4, 4, generator=gen), torch.rand(3, 1, 4, 4, generator=gen)
    inverse = _maps(_Affine(2.0, 1.0), _Affine(0.5, -0.5))
    loss = cyclegan.cycle_loss(inverse, a, b, inverse.ba(b), inverse.ab(a))
    assert loss.item() == pytest.approx(0, abs=1e-6)
    G = _maps(_Affine(2.0, 0.0), _Affine(1.0, 0.5))  # G_BA(G_AB(a)) = 2a + 0.5; G_AB(G_BA(b)) = 2b + 1
    want = (a + 0.5).abs().mean() + (b + 1).abs().mean()
    assert cyclegan.cycle_loss(G, a, b, G.ba(b), G.ab(a)).item() == pytest.approx(want.item())
    assert cyclegan.identity_loss(G, a, b).item() == pytest.approx((b.abs().mean() + 0.5).item())


def _small_trainer(cycle_weight=10.0, identity_weight=5.0, n=256, seed=0):
    pairs = cyclegan.stroke_domains("train")[0][:n]
    torch.manual_seed(seed)
    G = cyclegan.TranslatorPair(cyclegan.mlp_translator(32), cyclegan.mlp_translator(32), pairs[:8])
    D = cyclegan.DiscriminatorPair(cyclegan.patch_discriminator(4), cyclegan.patch_discriminator(4))
    game = cyclegan.CycleGAN(G, D, cycle_weight=cycle_weight, identity_weight=identity_weight)
    return Trainer(game, pairs, TrainSettings(batch_size=32, lr_g=1e-3, lr_d=2e-4, seed=seed),
                   RunSettings(progress=False, sync_every=1))


def test_training_through_the_trainer_lowers_the_cycle_loss():
    trainer = _small_trainer()
    trainer.fit(steps=60)
    cycle = trainer.history["cycle"]
    assert sum(cycle[-10:]) / 10 < 0.7 * sum(cycle[:5]) / 5
    assert trainer.sample(5).shape == (5, 2, 28, 28)  # a "sample" is a translated test pair


def test_a_zero_weight_leaves_its_term_out_of_the_update():
    trainer = _small_trainer(cycle_weight=0.0, identity_weight=0.0)
    trainer.fit(steps=3)
    h = trainer.history
    assert h["cycle"] == [0.0] * 3 and h["identity"] == [0.0] * 3
    assert h["g_loss"] == pytest.approx(h["adversarial"])


def test_checkpoints_keep_the_game_and_leave_out_the_example_pairs(tmp_path):
    trainer = _small_trainer(identity_weight=0.0)
    trainer.fit(steps=2)
    trainer.save(tmp_path / "run.pt")
    state = trainer.game.state_dict()
    assert not any(key.endswith("examples") for key in state)
    again = _small_trainer(identity_weight=0.0)
    with torch.no_grad():
        for weight in again.game.parameters():
            weight.add_(1.0)  # unlike the saved run's
    again.load(tmp_path / "run.pt")
    assert again.game.options() == {"cycle_weight": 10.0, "identity_weight": 0.0}
    assert all(torch.equal(state[k], v) for k, v in again.game.state_dict().items())


def test_bad_settings_and_data_are_refused_in_one_line():
    G = cyclegan.translator_pair(translator="mlp", examples=4, hidden=8)
    D = cyclegan.discriminator_pair(width=4)
    with pytest.raises(ValueError, match="cycle_weight"):
        cyclegan.CycleGAN(G, D, cycle_weight=-1.0)
    with pytest.raises(ValueError, match="one of conv, mlp"):
        cyclegan.translator_pair(translator="unet")
    with pytest.raises(ValueError, match="take no classes"):
        cyclegan.discriminator_pair(n_classes=10)
    game = cyclegan.CycleGAN(G, D)
    with pytest.raises(ValueError, match=r"one tensor of pairs \(N, 2, H, W\)"):
        Trainer(game, data.mnist("test")[0][:64], TrainSettings(batch_size=32), RunSettings(progress=False))


def test_scores_of_the_copy_and_of_the_true_maps():
    n = 500
    copy = _maps(nn.Identity(), nn.Identity())
    s = cyclegan_eval.scores(copy, n=n)
    assert s["cycle_l1"] == 0 and s["identity_l1"] == 0
    assert s["content_ab"] > 0.97 and s["fid_to_b"] > 50  # the distance between the two pens
    assert s["fid_to_a"] == pytest.approx(s["fid_to_b"])  # FID is symmetric: copying b to A is a vs b
    thick = _maps(_Fixed(cyclegan.thicken), nn.Identity())
    t = cyclegan_eval.scores(thick, n=n)
    assert t["fid_to_b"] == pytest.approx(0, abs=1e-3)  # the translations are B's test digits
    pairs, labels = cyclegan.stroke_domains("test")
    assert t["content_ab"] == cyclegan_eval.content_accuracy(pairs[:n, 1:], labels[:n, 0])


def test_recipes_build_the_game_and_score_it_with_its_own_measures():
    names = [n for n in recipes.RECIPES if n.startswith("mnist-cyclegan")]
    assert len(names) == 6
    assert [recipes.get(n).seeds for n in names].count(None) == 1  # ablations: one seed in make results
    trainer, target = recipes.build("mnist-cyclegan-mlp-no-identity", seed=0, progress=False)
    assert target is None and isinstance(trainer.game, cyclegan.CycleGAN)
    assert trainer.game.options() == {"cycle_weight": 10.0, "identity_weight": 0.0}
    assert isinstance(trainer.generator.ab[1], nn.Linear)
    assert monitor.for_run(trainer, target, 100).dataset is None  # no class coverage of translations
    scores = recipes.evaluate(trainer)
    assert set(scores) == {"content_ab", "content_ba", "fid_to_b", "fid_to_a", "cycle_l1", "identity_l1"}
