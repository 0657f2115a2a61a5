"""The autoencoder discriminators of chapter 09's energy-based GANs (:mod:`gan_course.energy`).

An MLP, chosen over a convolutional autoencoder for the course's 2-core CPU: the encoder
784 -> 256 -> 32 and the decoder 32 -> 256 -> 784 cost about 1.6 times the multiply-adds per
image of chapter 03's discriminator 784 -> 256 -> 256 -> 1, so EBGAN can keep chapter 03's
generator, train at a comparable speed, and be compared with chapter 03's GAN at matched wall
time. Apart from the losses (:mod:`gan_course.energy`), nothing here
needs the games, so :mod:`gan_course.recipes` imports it without a cycle.
"""

import math

import torch
from torch import nn

from gan_course.models import MNIST_SHAPE, _Conditioned, _mlp


class MLPAutoencoder(_Conditioned):
    """An autoencoder D(v) = Dec(Enc(v)) for images: ``784 -> hidden -> code_dim -> hidden ->
    784`` with ELU activations (BEGAN's choice) and a linear output. Conditional when
    ``n_classes`` is set: the encoder sees [v, e(y)] (Mirza & Osindero 2014)."""

    def __init__(self, data_shape=MNIST_SHAPE, hidden=(256,), code_dim: int = 32,
                 n_classes: int | None = None, embed_dim: int = 10):
        super().__init__()
        if isinstance(code_dim, bool) or not isinstance(code_dim, int) or code_dim < 1:
            raise ValueError(f"code_dim must be a positive integer, got {code_dim!r}")
        self.data_shape, self.code_dim = tuple(data_shape), code_dim
        pixels = math.prod(self.data_shape)
        extra = self._setup_labels(n_classes, embed_dim)
        self.encoder = nn.Sequential(*_mlp([pixels + extra, *hidden, code_dim], nn.ELU()))
        self.decoder = nn.Sequential(*_mlp([code_dim, *reversed(hidden), pixels], nn.ELU()))

    def encode(self, v: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Enc(v): the codes, shape (N, code_dim)."""
        return self.encoder(self._join(v.flatten(1), labels))

    def decode(self, codes: torch.Tensor) -> torch.Tensor:
        """Dec(h): images of the data's shape."""
        return self.decoder(codes).view(len(codes), *self.data_shape)

    def forward(self, v: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """The reconstruction D(v) = Dec(Enc(v))."""
        return self.decode(self.encode(v, labels))


def mnist_autoencoder(n_classes: int | None = None, **options) -> MLPAutoencoder:
    """The chapter's autoencoder 784-256-32-256-784 (``options``: :class:`MLPAutoencoder`'s)."""
    return MLPAutoencoder(n_classes=n_classes, **options)
