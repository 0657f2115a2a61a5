"""Multi-layer perceptron generators and discriminators, optionally conditional.

The defaults are the MNIST pair of the course's seed notebook (after the CS231n GAN assignment):

- discriminator ``784 -> 256 -> 256 -> 1`` with LeakyReLU(0.2);
- generator ``96 -> 1024 -> 1024 -> 784`` with ReLU and a final tanh, fed uniform noise in [-1, 1].

Every discriminator returns a raw score (a *logit*), never a probability: the GAN losses apply the
sigmoid inside a numerically stable ``binary_cross_entropy_with_logits``, and a WGAN critic
(Arjovsky et al. 2017) is the same network read without any sigmoid. ``dropout`` after the
discriminator's hidden layers (off by default) is one way to keep it from overpowering its
generator (Mirza & Osindero 2014 use dropout in both networks); ``spectral_norm=True`` divides
each of its weight matrices by an estimate of its largest singular value (Miyato et al. 2018,
:func:`spectral_normalise`), another way to restrain it (chapter 07). A conditional model
(Mirza & Osindero 2014) learns an embedding of the label and joins it to its input:
``G(z | y) = G([z, e(y)])`` and ``D(x | y) = D([x, e(y)])``.
"""

import math

import torch
from torch import nn

MNIST_SHAPE = (1, 28, 28)


def sample_noise(n: int, dim: int, kind: str = "uniform", generator: torch.Generator | None = None,
                 device=None) -> torch.Tensor:
    """``n`` noise vectors z of size ``dim``: ``"uniform"`` in [-1, 1] or ``"normal"`` N(0, I)."""
    if kind == "uniform":
        z = torch.rand(n, dim, generator=generator) * 2 - 1
    elif kind == "normal":
        z = torch.randn(n, dim, generator=generator)
    else:
        raise ValueError(f"noise kind must be 'uniform' or 'normal', got {kind!r}")
    return z.to(device) if device is not None else z


def _mlp(sizes, activation: nn.Module) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(activation)
    return layers


class _Conditioned(nn.Module):
    """Shared by both networks: an optional label embedding concatenated to the input."""

    def _setup_labels(self, n_classes: int | None, embed_dim: int) -> int:
        self.n_classes = n_classes
        if n_classes is None:
            self.embed = None
            return 0
        self.embed = nn.Embedding(n_classes, embed_dim)
        return embed_dim

    def _join(self, inputs: torch.Tensor, labels: torch.Tensor | None) -> torch.Tensor:
        if self.embed is None:
            if labels is not None:
                raise ValueError("this model is unconditional: call it without labels")
            return inputs
        if labels is None:
            raise ValueError(f"this model is conditional on {self.n_classes} classes: pass labels")
        if labels.shape != (len(inputs),):
            raise ValueError(f"labels must have shape ({len(inputs)},), got {tuple(labels.shape)}")
        return self._attach(inputs, self.embed(labels))

    def _attach(self, inputs: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        """The input with the label's embedding ``code`` joined: concatenated as extra features
        here; a network that takes the label another way (DCGAN's D: a second image channel)
        overrides this and keeps the label checks of :meth:`_join`."""
        return torch.cat([inputs, code], dim=1)


class MLPGenerator(_Conditioned):
    """G(z) (or G(z | y)): noise of size ``noise_dim`` to a sample of shape ``data_shape``."""

    def __init__(self, noise_dim: int = 96, hidden=(1024, 1024), data_shape=MNIST_SHAPE,
                 noise: str = "uniform", out_activation: str | None = "tanh",
                 n_classes: int | None = None, embed_dim: int = 10):
        super().__init__()
        self.noise_dim, self.noise, self.data_shape = noise_dim, noise, tuple(data_shape)
        extra = self._setup_labels(n_classes, embed_dim)
        layers = _mlp([noise_dim + extra, *hidden, math.prod(self.data_shape)], nn.ReLU())
        if out_activation == "tanh":
            layers.append(nn.Tanh())
        elif out_activation is not None:
            raise ValueError(f"out_activation must be 'tanh' or None, got {out_activation!r}")
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(self._join(z, labels)).view(len(z), *self.data_shape)

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Noise for ``n`` samples, on the model's device."""
        return sample_noise(n, self.noise_dim, self.noise, generator, next(self.parameters()).device)


class MLPDiscriminator(_Conditioned):
    """D(x) (or D(x | y)) as a logit; also serves as the WGAN critic f(x)."""

    def __init__(self, data_shape=MNIST_SHAPE, hidden=(256, 256), negative_slope: float = 0.2,
                 n_classes: int | None = None, embed_dim: int = 10, dropout: float = 0.0,
                 spectral_norm: bool = False):
        super().__init__()
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.data_shape = tuple(data_shape)
        extra = self._setup_labels(n_classes, embed_dim)
        sizes = [math.prod(self.data_shape) + extra, *hidden, 1]
        layers = _mlp(sizes, nn.LeakyReLU(negative_slope))
        if dropout > 0:  # after each hidden activation, as in the maxout-and-dropout D of the papers
            layers = [m for layer in layers for m in (
                (layer, nn.Dropout(dropout)) if isinstance(layer, nn.LeakyReLU) else (layer,))]
        self.net = nn.Sequential(*layers)
        self.spectral_norm = spectral_norm
        if spectral_norm:
            spectral_normalise(self.net)

    def forward(self, x: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
        """Scores of shape (N,)."""
        return self.net(self._join(x.flatten(1), labels)).squeeze(1)


def mnist_generator(n_classes: int | None = None, **options) -> MLPGenerator:
    """The seed notebook's generator 96-1024-1024-784 (conditional when ``n_classes`` is set);
    ``options`` are further :class:`MLPGenerator` arguments, e.g. ``embed_dim``."""
    return MLPGenerator(n_classes=n_classes, **options)


def mnist_discriminator(n_classes: int | None = None, **options) -> MLPDiscriminator:
    """The seed notebook's discriminator 784-256-256-1 (conditional when ``n_classes`` is set);
    ``options`` are further :class:`MLPDiscriminator` arguments, e.g. ``dropout``."""
    return MLPDiscriminator(n_classes=n_classes, **options)


def toy_generator(dim: int = 1, noise_dim: int = 1, hidden=(32, 32),
                  noise: str = "uniform") -> MLPGenerator:
    """A small generator for the 1-D and 2-D toy targets (no output squashing)."""
    return MLPGenerator(noise_dim, hidden, (dim,), noise=noise, out_activation=None)


def toy_discriminator(dim: int = 1, hidden=(32, 32), spectral_norm: bool = False) -> MLPDiscriminator:
    """A small discriminator (or critic) for the toy targets (``spectral_norm``: chapter 07)."""
    return MLPDiscriminator((dim,), hidden, spectral_norm=spectral_norm)


def spectral_normalise(module: nn.Module) -> nn.Module:
    """Spectral normalisation (Miyato et al. 2018) of every linear and convolutional layer in
    ``module``: each weight W is used as W / sigma(W), with sigma(W), its largest singular value,
    estimated by one step of power iteration per training forward pass
    (``torch.nn.utils.parametrizations.spectral_norm``). Each layer is then at most 1-Lipschitz.
    Returns ``module``, changed in place."""
    layers = [m for m in module.modules() if isinstance(m, nn.Linear | nn.Conv2d | nn.ConvTranspose2d)]
    if not layers:
        raise ValueError(f"{type(module).__name__} has no linear or convolutional layer to normalise")
    for layer in layers:
        nn.utils.parametrizations.spectral_norm(layer)
    return module


def count_parameters(model: nn.Module) -> int:
    """The number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
