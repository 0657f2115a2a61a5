import pytest
import torch

from gan_course import models


def test_seed_pair_sizes_and_shapes():
    G, D = models.mnist_generator(), models.mnist_discriminator()
    # G: 96*1024+1024 + 1024*1024+1024 + 1024*784+784; D: 784*256+256 + 256*256+256 + 256+1
    assert models.count_parameters(G) == 1_952_528
    assert models.count_parameters(D) == 267_009
    z = G.sample_noise(5)
    assert z.shape == (5, 96) and z.min() >= -1 and z.max() <= 1
    x = G(z)
    assert x.shape == (5, 1, 28, 28) and x.abs().max() <= 1
    assert D(x).shape == (5,)
    assert [type(m).__name__ for m in D.net] == ["Linear", "LeakyReLU", "Linear", "LeakyReLU",
                                                "Linear"]
    assert D.net[1].negative_slope == 0.2


def test_conditional_models_use_the_label():
    torch.manual_seed(0)
    G, D = models.mnist_generator(10), models.mnist_discriminator(10)
    z = G.sample_noise(2).repeat(2, 1)
    labels = torch.tensor([0, 0, 1, 1])
    out = G(z, labels)
    assert out.shape == (4, 1, 28, 28)
    assert not torch.allclose(out[0], out[2])  # same noise, other label: another image
    assert D(out, labels).shape == (4,)
    with pytest.raises(ValueError, match="conditional on 10 classes: pass labels"):
        G(z)
    with pytest.raises(ValueError, match="unconditional"):
        models.mnist_generator()(z, labels)
    with pytest.raises(ValueError, match="labels must have shape"):
        D(out, labels[:2])


def test_noise_kinds_and_toy_models():
    gen = torch.Generator().manual_seed(0)
    normal = models.sample_noise(10000, 2, "normal", gen)
    assert abs(normal.std().item() - 1) < 0.03
    with pytest.raises(ValueError, match="noise kind"):
        models.sample_noise(3, 2, "gaussian")
    G = models.toy_generator(dim=2, noise_dim=3)
    assert G(G.sample_noise(4)).shape == (4, 2)
    assert models.toy_discriminator(2)(torch.zeros(4, 2)).shape == (4,)
