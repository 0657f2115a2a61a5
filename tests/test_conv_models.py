"""Chapter 06's convolutional models and DCGAN game: shapes, parameter counts, batch norm in training
and evaluation mode, the separate discriminator calls, and the recipes that use them."""

import pytest
import torch
from torch import nn

from gan_course import conv_models, dcgan, games, models, recipes, seed_everything
from gan_course.settings import RunSettings, TrainSettings
from gan_course.train import Trainer

RUN = RunSettings(progress=False, device="cpu")


@pytest.mark.parametrize(("size", "kernel", "stride", "padding", "transposed", "want"), [
    (28, 4, 2, 1, False, 14), (14, 4, 2, 1, False, 7), (7, 7, 1, 0, False, 1),
    (7, 3, 2, 1, False, 4), (4, 4, 1, 0, False, 1),
    (1, 4, 1, 0, True, 4), (4, 3, 2, 1, True, 7), (7, 4, 2, 1, True, 14), (14, 4, 2, 1, True, 28),
    (14, 3, 2, 1, True, 27),
])
def test_output_size_matches_pytorch(size, kernel, stride, padding, transposed, want):
    assert conv_models.output_size(size, kernel, stride, padding, transposed) == want
    layer = (nn.ConvTranspose2d if transposed else nn.Conv2d)(1, 1, kernel, stride, padding)
    assert layer(torch.zeros(1, 1, size, size)).shape[-1] == want


def test_generator_shapes_and_parameter_count():
    G = conv_models.DCGANGenerator(noise_dim=100, width=32)
    # 100*128*4*4 (no bias: batch norm follows) + 2*128, 128*64*3*3 + 2*64, 64*32*4*4 + 2*32,
    # 32*1*4*4 + 1 (the output layer's bias)
    assert models.count_parameters(G) == 204_800 + 256 + 73_728 + 128 + 32_768 + 64 + 512 + 1
    shapes = []
    hooks = [m.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[1:])))
             for m in G.net if isinstance(m, nn.ConvTranspose2d)]
    x = G(G.sample_noise(5))
    for hook in hooks:
        hook.remove()
    assert shapes == [(128, 4, 4), (64, 7, 7), (32, 14, 14), (1, 28, 28)]
    assert x.shape == (5, 1, 28, 28) and x.abs().max() <= 1
    assert [type(m).__name__ for m in G.net][-1] == "Tanh"
    assert not any(isinstance(m, nn.Linear | nn.MaxPool2d) for m in G.modules())


def test_discriminator_shapes_and_parameter_count():
    D = conv_models.DCGANDiscriminator(width=32)
    # 1*32*4*4 + 32, 32*64*4*4 (no bias) + 2*64, 64*128*3*3 (no bias) + 2*128, 128*1*4*4 + 1
    assert models.count_parameters(D) == 544 + 32_768 + 128 + 73_728 + 256 + 2_049
    assert D(torch.zeros(3, 1, 28, 28)).shape == (3,)
    leaky = [m for m in D.modules() if isinstance(m, nn.LeakyReLU)]
    assert len(leaky) == 3 and all(m.negative_slope == 0.2 for m in leaky)
    assert isinstance(D.net[0], nn.Conv2d) and not isinstance(D.net[1], nn.BatchNorm2d)


def test_dcgan_init_draws_weights_from_the_papers_normal():
    torch.manual_seed(0)
    G = conv_models.DCGANGenerator(width=64)
    weights = G.net[0].weight.detach()
    assert abs(weights.std().item() - 0.02) < 0.001 and abs(weights.mean().item()) < 0.001
    scales = torch.cat([m.weight.detach() for m in G.modules() if isinstance(m, nn.BatchNorm2d)])
    assert abs(scales.mean().item() - 1) < 0.01 and scales.std().item() < 0.03


def test_resize_convolution_variant_has_the_same_shapes():
    G = conv_models.DCGANGenerator(width=16, upsample="resize")
    assert sum(isinstance(m, nn.Upsample) for m in G.modules()) == 2
    # only 4 -> 7 stays a transposed convolution (7 is not twice 4)
    assert sum(isinstance(m, nn.ConvTranspose2d) and m.stride == (2, 2) for m in G.modules()) == 1
    assert G(G.sample_noise(2)).shape == (2, 1, 28, 28)
    with pytest.raises(ValueError, match="upsample must be one of 'transposed', 'resize'"):
        conv_models.DCGANGenerator(upsample="bilinear")


def test_conditional_models_use_the_label_and_check_it():
    torch.manual_seed(0)
    G, D = conv_models.dcgan_generator(10, width=8), conv_models.dcgan_discriminator(10, width=8)
    G.eval()
    z = G.sample_noise(2).repeat(2, 1)
    labels = torch.tensor([0, 0, 1, 1])
    out = G(z, labels)
    assert not torch.allclose(out[0], out[2])  # same noise, another class: another image
    assert D(out, labels).shape == (4,)
    assert not torch.allclose(D(out, labels), D(out, labels.flip(0)))
    with pytest.raises(ValueError, match="conditional on 10 classes: pass labels"):
        D(out)
    with pytest.raises(ValueError, match="unconditional"):
        conv_models.DCGANDiscriminator(width=8)(out, labels)
    with pytest.raises(ValueError, match="labels must have shape"):
        D(out, labels[:2])


def test_batch_norm_makes_train_and_eval_mode_differ():
    seed_everything(0)
    G = conv_models.DCGANGenerator(width=8)
    z = G.sample_noise(16)
    with torch.no_grad():
        G.net[1].running_mean.fill_(0.3)  # running averages that are not this batch's statistics
        G.eval()
        eval_images = G(z)
        before = {k: v.clone() for k, v in G.state_dict().items()}
        train_images = dcgan.sample_in_train_mode(G, z)
    assert (eval_images - train_images).abs().max() > 0.01
    assert not G.training  # the model's mode ...
    assert all(torch.equal(before[k], v) for k, v in G.state_dict().items())  # ... and buffers kept
    # in training mode each sample depends on the rest of its batch; in evaluation mode it does not
    with torch.no_grad():
        assert torch.allclose(G(z[:4]), eval_images[:4], atol=1e-6)
        assert not torch.allclose(dcgan.sample_in_train_mode(G, z[:4]), train_images[:4], atol=1e-3)


def test_recalibrated_running_averages_are_the_batch_statistics():
    seed_everything(0)
    G = conv_models.DCGANGenerator(width=8)
    recalibrated = dcgan.recalibrate_batchnorm(G, n_batches=4, batch_size=64, seed=3)
    assert not recalibrated.training and recalibrated is not G
    assert torch.equal(G.net[1].running_mean, torch.zeros(32))  # the original is untouched
    # the first batch norm sees ConvTranspose(z): its running mean is the mean over the 4 batches
    rng = torch.Generator().manual_seed(3)
    with torch.no_grad():
        means = [G.net[0](G.sample_noise(64, rng)[:, :, None, None]).mean(dim=(0, 2, 3))
                 for _ in range(4)]
    assert torch.allclose(recalibrated.net[1].running_mean, torch.stack(means).mean(0), atol=1e-6)
    assert recalibrated.net[1].momentum == G.net[1].momentum
    with pytest.raises(ValueError, match="no batch-norm layer"):
        dcgan.recalibrate_batchnorm(models.mnist_generator())


def test_period2_power_of_known_patterns():
    i, j = torch.meshgrid(torch.arange(28), torch.arange(28), indexing="ij")
    checkerboard = ((-1.0) ** (i + j)).view(1, 1, 28, 28)
    smooth = torch.cos(2 * torch.pi * i / 28).float().view(1, 1, 28, 28)
    stripes = ((-1.0) ** i).view(1, 1, 28, 28)
    power = dcgan.period2_power(torch.cat([checkerboard, smooth, stripes, 0.5 * smooth + 0.5 * checkerboard]))
    # equal amplitudes: the cosine's power sits on frequencies +1 and -1, (28^2 / 2)^2 each, half
    # the checkerboard's (28^2)^2 at (14, 14); so the checkerboard holds 1 / (1 + 1/2) = 2/3
    assert torch.allclose(power, torch.tensor([1.0, 0.0, 1.0, 2 / 3], dtype=torch.float64), atol=1e-9)
    with pytest.raises(ValueError, match="even height and width"):
        dcgan.period2_power(torch.zeros(1, 1, 27, 28))


class RecordingDiscriminator(nn.Module):
    """Keeps the batch size of each call (to see how the game calls D)."""

    def __init__(self, inner):
        super().__init__()
        self.inner, self.n_classes, self.calls = inner, None, []

    def forward(self, x, labels=None):
        self.calls.append(len(x))
        return self.inner(x, labels)


@pytest.mark.parametrize(("name", "calls"), [("dcgan", [8, 8, 8]), ("gan", [16, 8])])
def test_dcgan_game_scores_real_and_generated_batches_in_separate_calls(name, calls):
    seed_everything(0)
    D = RecordingDiscriminator(conv_models.DCGANDiscriminator(width=4))
    game = games.make(name, conv_models.DCGANGenerator(width=4), D)
    trainer = Trainer(game, torch.rand(32, 1, 28, 28) * 2 - 1, TrainSettings(batch_size=8), RUN)
    trainer.fit(steps=1)
    assert D.calls == calls  # D step: real, generated (or both at once); G step: generated


def test_dcgan_separate_calls_match_scoring_each_batch_alone():
    seed_everything(0)
    D = conv_models.DCGANDiscriminator(width=4)
    real, fake = torch.rand(8, 1, 28, 28), -torch.rand(8, 1, 28, 28)
    game = games.make("dcgan", conv_models.DCGANGenerator(width=4), D)
    with torch.no_grad():
        real_score, fake_score = game.scores(real, fake, None)
        mixed_real, mixed_fake = games.GAN.scores(game, real, fake, None)
        alone = D(fake)
    assert torch.allclose(fake_score, alone)
    assert not torch.allclose(fake_score, mixed_fake, atol=1e-3)  # batch statistics differ


def test_dcgan_recipes_build_conv_networks_on_their_data():
    for name, dataset, conditional in (("mnist-dcgan", "mnist", False), ("fashion-dcgan", "fashion", False),
                                       ("fashion-cdcgan", "fashion", True)):
        recipe = recipes.get(name)
        assert recipe.networks == "dcgan" and recipe.game == "dcgan" and recipe.target == dataset
        G, D = recipes.networks(recipe)
        assert isinstance(G, conv_models.DCGANGenerator) and isinstance(D, conv_models.DCGANDiscriminator)
        assert (G.n_classes == 10) == conditional and (D.n_classes == 10) == conditional
        assert recipe.training.betas == (0.5, 0.999)  # the paper's beta1; lr 4e-4, not 2e-4 (chapter 06)


def test_fashion_recipe_trains_and_is_scored_against_fashion(monkeypatch):
    trainer, target = recipes.build("fashion-cdcgan", seed=0, progress=False, batch_size=16,
                                    generator={"width": 4}, discriminator={"width": 4})
    assert target is None and recipes.image_dataset(trainer) == "fashion"
    trainer.fit(steps=2)
    seen = {}

    def fake_scores(images, dataset, labels=None):
        seen.update(dataset=dataset, n=len(images), labels=labels)
        return {"fid": 1.0}

    monkeypatch.setattr(recipes.metrics, "evaluate_images", fake_scores)
    assert recipes.evaluate(trainer, n=30) == {"fid": 1.0}
    assert seen["dataset"] == "fashion" and seen["n"] == 30
    assert torch.equal(seen["labels"], torch.arange(30) % 10)
    recipes.evaluate(trainer, "mnist", n=20)
    assert seen["dataset"] == "mnist"


def test_networks_keep_channels_last_weights():
    G, D = conv_models.DCGANGenerator(width=8), conv_models.DCGANDiscriminator(width=8)
    for net in (G, D):
        weights = [p for p in net.parameters() if p.dim() == 4]
        assert weights and all(p.is_contiguous(memory_format=torch.channels_last) for p in weights)


def test_command_line_samples_a_class_of_the_conditional_recipe(tmp_path):
    import json
    import os
    import subprocess
    import sys

    import numpy as np

    env = {**os.environ, "GAN_COURSE_FAST": "1", "TQDM_DISABLE": "1"}

    def run(*args):
        result = subprocess.run([sys.executable, "-m", "gan_course", *args], env=env, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        return result.stdout

    listed = run("list")
    assert all(name in listed for name in ("mnist-dcgan", "fashion-dcgan", "fashion-cdcgan"))
    out = tmp_path / "run"
    run("train", "--model", "fashion-cdcgan", "--epochs", "0.005", "--out", str(out))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == round(0.005 * (60_000 // 64)) and "label_accuracy" in summary["metrics"]
    run("sample", "--run", str(out), "-n", "6", "--label", "7", "--out", str(tmp_path / "bags.npy"))
    samples = np.load(tmp_path / "bags.npy")
    assert samples.shape == (6, 1, 28, 28) and samples.min() >= -1 and samples.max() <= 1
