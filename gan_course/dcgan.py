"""Chapter 06: the DCGAN game, batch normalisation at sampling time, and checkerboard artefacts.

- :class:`DCGAN` (``"dcgan"``): Goodfellow et al.'s Algorithm 1 (non-saturating) for networks
  with batch norm. The discriminator scores the real batch and the generated batch in **separate
  calls**, as the PyTorch DCGAN example does and as "ganhacks" advises: with batch norm, a
  mixed batch is normalised with statistics of both halves, so D would see a generated image
  differently in its own update (mixed batch) and in the generator's update (a generated batch
  alone). Separate calls make D's two views of G(z) the same. The class registers itself in
  :data:`gan_course.games.GAMES`.
- A batch-norm layer normalises with the statistics of the current batch in training mode and
  with running averages in evaluation mode (Ioffe & Szegedy 2015, section 3.1), so the same
  generator and the same noise give two sets of images. :func:`sample_in_train_mode` draws the
  training-mode images from a **copy** (in training mode every forward pass also updates the
  running averages); :func:`recalibrate_batchnorm` recomputes the running averages of a copy
  from many batches of its own features (``torch.optim.swa_utils.update_bn``, Izmailov et al.
  2018), for a generator whose averages do not match its weights.
- :func:`period2_power`: the share of an image's spectral power at period 2, the frequency of
  the checkerboard pattern of transposed convolutions (Odena et al. 2016).
"""

import copy

import torch
from torch import nn

from gan_course import games


class DCGAN(games.GAN):
    """Algorithm 1 (non-saturating) for batch-norm networks (Radford et al. 2016): D scores the
    real and the generated batch in two calls, each normalised with its own statistics, exactly
    as D sees a generated batch in the generator's update."""

    def scores(self, real: torch.Tensor, fake: torch.Tensor, labels) -> tuple:
        """D's logits on the real batch, then on the generated batch: two calls."""
        return self.discriminator(real, labels), self.discriminator(fake, labels)


games.GAMES["dcgan"] = DCGAN


def _batchnorms(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


@torch.no_grad()
def sample_in_train_mode(generator: nn.Module, z: torch.Tensor, labels=None) -> torch.Tensor:
    """G(z) with batch norm in training mode (each layer normalised with the statistics of this
    batch), computed on a copy of ``generator``: the model itself, its mode and its running
    averages stay untouched."""
    twin = copy.deepcopy(generator).train()
    return twin(z, labels)


@torch.no_grad()
def recalibrate_batchnorm(generator: nn.Module, n_batches: int = 50, batch_size: int = 256,
                          seed: int = 0) -> nn.Module:
    """A copy of ``generator`` in evaluation mode whose batch-norm running averages are the plain
    averages of the batch statistics over ``n_batches`` batches of fresh noise (for a
    conditional generator, labels drawn uniformly): the logic of
    ``torch.optim.swa_utils.update_bn`` for a generator's noise input."""
    if n_batches < 1 or batch_size < 2:
        raise ValueError(f"need n_batches >= 1 and batch_size >= 2, got {n_batches} and {batch_size}")
    twin = copy.deepcopy(generator).train()
    layers = _batchnorms(twin)
    if not layers:
        raise ValueError("this generator has no batch-norm layer to recalibrate")
    for layer in layers:
        layer.reset_running_stats()
        layer.momentum = None  # None: a cumulative (equal-weight) average of every batch seen
    rng, device = torch.Generator().manual_seed(seed), next(twin.parameters()).device
    n_classes = getattr(twin, "n_classes", None)
    for _ in range(n_batches):
        labels = None if n_classes is None else torch.randint(0, n_classes, (batch_size,), generator=rng)
        twin(twin.sample_noise(batch_size, rng), None if labels is None else labels.to(device))
    for layer, original in zip(layers, _batchnorms(generator), strict=True):
        layer.momentum = original.momentum
    return twin.eval()


def period2_power(images: torch.Tensor) -> torch.Tensor:
    """For each image (N, C, H, W), the share of its spectral power, without the mean, on the
    period-2 lines of its 2-D Fourier transform (row H/2 or column W/2): 0 for an image without
    any period-2 component, 1 for a pure checkerboard ``(-1)^(i + j)``. H and W must be even."""
    h, w = images.shape[-2:]
    if h % 2 or w % 2:
        raise ValueError(f"period2_power needs an even height and width, got {h} x {w}")
    power = torch.fft.fft2(images.double()).abs().pow(2).sum(dim=-3)  # summed over channels
    power[..., 0, 0] = 0.0  # the mean is not a pattern
    lines = power[..., h // 2, :].sum(-1) + power[..., :, w // 2].sum(-1) - power[..., h // 2, w // 2]
    return lines / power.sum(dim=(-2, -1)).clamp_min(1e-12)
