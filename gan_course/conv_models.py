"""Convolutional generators and discriminators for 28x28 images: DCGAN (Radford et al. 2016).

The DCGAN guidelines (section 3 of the paper), as this module applies them to 28x28 images:

- no pooling: the discriminator halves the resolution with strided convolutions
  (28 -> 14 -> 7 -> 4), the generator grows it with transposed ("fractionally strided")
  convolutions (4 -> 7 -> 14 -> 28);
- batch normalisation (Ioffe & Szegedy 2015) in both networks, except the generator's output
  layer and the discriminator's input layer;
- no fully connected hidden layers: the generator's first layer maps z to a 4x4 feature map (a
  transposed convolution with a 4x4 kernel on a 1x1 input, the paper's "project and reshape"),
  the discriminator's last layer is a 4x4 convolution to a single score;
- ReLU in the generator with a tanh output, LeakyReLU(0.2) in the discriminator;
- weights drawn from N(0, 0.02^2) (:func:`dcgan_init`); Adam with lr 2e-4 and beta1 = 0.5.

``upsample="resize"`` replaces the two doublings of the generator (7 -> 14 -> 28) by a
nearest-neighbour upsampling followed by a 3x3 convolution each, the remedy of Odena et al. 2016
("Deconvolution and checkerboard artifacts") against the period-2 pattern transposed
convolutions leave.

Conditional forms: the generator joins a learned label embedding to z (as the MLP of
:mod:`gan_course.models`); the discriminator joins a learned 28x28 map of the label to the image
as a second input channel (Mirza & Osindero 2014, with the label as a feature map).
"""

import math

import torch
from torch import nn

from gan_course.models import MNIST_SHAPE, _Conditioned, sample_noise

UPSAMPLING = ("transposed", "resize")
# Channels-last weights: oneDNN's convolutions on the CPU need no layout conversions then; a DCGAN
# step of the mnist-dcgan recipe runs about 1.2x faster on 2 cores (benchmarks/bench_dcgan.py).
CONV_MEMORY_FORMAT = torch.channels_last


def output_size(size: int, kernel: int, stride: int = 1, padding: int = 0,
                transposed: bool = False, output_padding: int = 0) -> int:
    """Side of the feature map after a convolution of a ``size`` x ``size`` input:
    ``floor((size + 2 padding - kernel) / stride) + 1``; a transposed convolution inverts it,
    ``(size - 1) stride - 2 padding + kernel + output_padding`` (PyTorch's Conv2d and
    ConvTranspose2d documentation, dilation 1)."""
    if transposed:
        return (size - 1) * stride - 2 * padding + kernel + output_padding
    return (size + 2 * padding - kernel) // stride + 1


def up_block(n_in: int, n_out: int, upsample: str = "transposed", bias: bool = False,
             kernel: int = 4) -> list[nn.Module]:
    """Double the resolution: a 4x4 transposed convolution of stride 2 (padding 1), or a
    nearest-neighbour upsampling then a 3x3 convolution (``"resize"``, Odena et al. 2016).
    ``bias``: only where no batch norm follows (its shift would cancel a bias)."""
    if upsample == "transposed":
        return [nn.ConvTranspose2d(n_in, n_out, kernel, stride=2, padding=1, bias=bias)]
    if upsample == "resize":
        return [nn.Upsample(scale_factor=2, mode="nearest"),
                nn.Conv2d(n_in, n_out, 3, padding=1, bias=bias)]
    raise ValueError(f"upsample must be one of {', '.join(map(repr, UPSAMPLING))}, got {upsample!r}")


def _batchnorm(channels: int, on: bool = True) -> list[nn.Module]:
    return [nn.BatchNorm2d(channels)] if on else []


@torch.no_grad()
def dcgan_init(model: nn.Module) -> nn.Module:
    """Radford et al. 2016, section 4: convolution weights from N(0, 0.02^2), batch-norm scales
    from N(1, 0.02^2), biases 0 (the PyTorch DCGAN example's ``weights_init``)."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
    return model


class DCGANGenerator(_Conditioned):
    """G(z) (or G(z | y)) for 28x28 images: z -> 4w x 4 x 4 -> 2w x 7 x 7 -> w x 14 x 14 -> 1 x 28 x 28.

    ``width`` w is the number of channels at 14x14 (2w at 7x7, 4w at 4x4); ``upsample`` chooses
    transposed convolutions or resize-convolutions for the two doublings.
    """

    def __init__(self, noise_dim: int = 100, width: int = 64, upsample: str = "transposed",
                 noise: str = "normal", n_classes: int | None = None, embed_dim: int = 10):
        super().__init__()
        self.noise_dim, self.noise, self.width, self.upsample = noise_dim, noise, width, upsample
        self.data_shape = MNIST_SHAPE
        extra = self._setup_labels(n_classes, embed_dim)
        self.net = nn.Sequential(
            # "project and reshape": a 4x4 transposed convolution of the 1x1 input (z, e(y))
            nn.ConvTranspose2d(noise_dim + extra, 4 * width, 4, bias=False),
            nn.BatchNorm2d(4 * width), nn.ReLU(),
            # 4 -> 7: a 3x3 transposed convolution of stride 2 in both variants (7 is not 2 x 4)
            nn.ConvTranspose2d(4 * width, 2 * width, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(2 * width), nn.ReLU(),
            *up_block(2 * width, width, upsample), nn.BatchNorm2d(width), nn.ReLU(),  # 7 -> 14
            *up_block(width, 1, upsample, bias=True), nn.Tanh(),  # 14 -> 28, no batch norm here
        )
        dcgan_init(self).to(memory_format=CONV_MEMORY_FORMAT)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(self._join(z, labels)[:, :, None, None])

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Noise for ``n`` samples, on the model's device."""
        return sample_noise(n, self.noise_dim, self.noise, generator, next(self.parameters()).device)


class DCGANDiscriminator(_Conditioned):
    """D(x) (or D(x | y)) as a logit: 1 x 28 x 28 -> w x 14 x 14 -> 2w x 7 x 7 -> 4w x 4 x 4 -> 1.

    Strided convolutions halve the resolution; batch norm after each but the first (not on the
    input layer); the 4x4 convolution at the end reads the whole map into one score.
    """

    def __init__(self, width: int = 64, negative_slope: float = 0.2, n_classes: int | None = None,
                 batchnorm: bool = True):
        super().__init__()
        self.width, self.n_classes, self.batchnorm = width, n_classes, batchnorm
        # the label's learned 28x28 map, D's second input channel (see _attach)
        self.embed = None if n_classes is None else nn.Embedding(n_classes, math.prod(MNIST_SHAPE))
        channels = 1 if n_classes is None else 2
        self.net = nn.Sequential(
            nn.Conv2d(channels, width, 4, stride=2, padding=1), nn.LeakyReLU(negative_slope),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=not batchnorm),
            *_batchnorm(2 * width, batchnorm), nn.LeakyReLU(negative_slope),
            nn.Conv2d(2 * width, 4 * width, 3, stride=2, padding=1, bias=not batchnorm),
            *_batchnorm(4 * width, batchnorm), nn.LeakyReLU(negative_slope),
            nn.Conv2d(4 * width, 1, 4),
        )
        dcgan_init(self).to(memory_format=CONV_MEMORY_FORMAT)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Scores of shape (N,)."""
        return self.net(self._join(x, labels)).flatten()

    def _attach(self, x: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        """The image, and the label's learned 28x28 map as a second channel."""
        return torch.cat([x, code.view(len(x), *MNIST_SHAPE)], dim=1)


def dcgan_generator(n_classes: int | None = None, **options) -> DCGANGenerator:
    """The DCGAN generator for 28x28 images (conditional when ``n_classes`` is set); ``options``
    are further :class:`DCGANGenerator` arguments (``width``, ``upsample``, ...)."""
    return DCGANGenerator(n_classes=n_classes, **options)


def dcgan_discriminator(n_classes: int | None = None, **options) -> DCGANDiscriminator:
    """The DCGAN discriminator for 28x28 images (conditional when ``n_classes`` is set);
    ``options`` are further :class:`DCGANDiscriminator` arguments (``width``, ...)."""
    return DCGANDiscriminator(n_classes=n_classes, **options)
