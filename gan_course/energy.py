"""Chapter 09: energy-based GANs, whose discriminator is an autoencoder.

The discriminator D is an autoencoder, and its **reconstruction error is an energy**: low on the
data it learns to reconstruct, high elsewhere. Two games:

- :class:`EBGAN` (``"ebgan"``, Zhao, Mathieu & LeCun 2017): D(x) = (1/n) ||Dec(Enc(x)) - x||^2,
  D minimises the margin loss L_D = D(x) + [m - D(G(z))]^+ (eq. 1), G minimises
  L_G = D(G(z)) (eq. 2), optionally plus the pulling-away term f_PT of the encoder's codes
  (eq. 6) against mode collapse.
- :class:`BEGAN` (``"began"``, Berthelot, Schumm & Metz 2017): L(v) = (1/n) sum |v - D(v)|^eta,
  L_D = L(x) - k_t L(G(z)), L_G = L(G(z)), and the proportional control
  k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1) that holds the equilibrium
  E[L(G(z))] = gamma E[L(x)]; M_global = L(x) + |gamma L(x) - L(G(z))| measures convergence.
  k_t is a registered buffer: checkpoints carry it.

Both games register themselves in :data:`gan_course.games.GAMES`. Their discriminator,
:func:`gan_course.autoencoders.mnist_autoencoder` (re-exported here), is that of the recipes
``mnist-ebgan`` and ``mnist-began`` (networks ``"mlp-autoencoder"`` and ``"dcgan-autoencoder"``).
"""

import math
from numbers import Real

import torch

from gan_course import games
from gan_course.autoencoders import MLPAutoencoder, mnist_autoencoder
from gan_course.games import frozen
from gan_course.settings import positive_number

__all__ = ["EBGAN", "BEGAN", "EnergyGame", "MLPAutoencoder", "mnist_autoencoder", "reconstruction_error",
           "margin_loss", "pulling_away", "k_update", "convergence_measure"]


def reconstruction_error(images: torch.Tensor, reconstructions: torch.Tensor,
                         power: float = 2.0) -> torch.Tensor:
    """Per sample, (1/n) sum_i |v_i - D(v)_i|^power over the n pixels: the energy (power 2 for
    EBGAN's mean squared error, 1 for BEGAN's L1 loss with eta = 1). Shape (N,)."""
    return (images - reconstructions).abs().pow(power).flatten(1).mean(1)


def margin_loss(real_energy: torch.Tensor, fake_energy: torch.Tensor, margin: float) -> torch.Tensor:
    """EBGAN's discriminator loss (Zhao et al. 2017, eq. 1): E[D(x)] + E[max(0, m - D(G(z)))]."""
    return real_energy.mean() + torch.relu(margin - fake_energy).mean()


def pulling_away(codes: torch.Tensor) -> torch.Tensor:
    """The pulling-away term (Zhao et al. 2017, eq. 6) of a batch of N codes S_i:
    f_PT = 1 / (N (N - 1)) sum_{i != j} (S_i . S_j / (|S_i| |S_j|))^2, the mean squared cosine
    similarity between distinct samples: 0 for orthogonal codes, 1 when all are parallel."""
    n = len(codes)
    if n < 2:
        raise ValueError(f"the pulling-away term needs a batch of at least 2 codes, got {n}")
    unit = codes / codes.norm(dim=1, keepdim=True).clamp_min(1e-12)
    cosine = unit @ unit.T
    return (cosine.pow(2).sum() - cosine.diagonal().pow(2).sum()) / (n * (n - 1))


def k_update(k: torch.Tensor, loss_real: torch.Tensor, loss_fake: torch.Tensor, gamma: float,
             lambda_k: float) -> torch.Tensor:
    """BEGAN's proportional control (Berthelot et al. 2017, eq. 4):
    k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1)."""
    return (k + lambda_k * (gamma * loss_real - loss_fake)).clamp(0.0, 1.0)


def convergence_measure(loss_real: torch.Tensor, loss_fake: torch.Tensor, gamma: float) -> torch.Tensor:
    """BEGAN's M_global = L(x) + |gamma L(x) - L(G(z))| (Berthelot et al. 2017, section 3.4.1)."""
    return loss_real + (gamma * loss_real - loss_fake).abs()


class EnergyGame(games.Game):
    """A game whose discriminator is an autoencoder and whose scores are energies."""

    power = 2.0  # the exponent of the reconstruction error

    def __init__(self, generator, discriminator, d_steps: int = 1):
        super().__init__(generator, discriminator, d_steps)
        if not all(callable(getattr(discriminator, f, None)) for f in ("encode", "decode")):
            raise ValueError(f"an energy game needs an autoencoder discriminator with encode() and "
                             f"decode() (energy.mnist_autoencoder), got {type(discriminator).__name__}")

    def energies(self, images: torch.Tensor, labels=None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(energy, codes)``: each image's reconstruction error and its code Enc(v)."""
        D = self.discriminator
        codes = D.encode(images, labels)
        return reconstruction_error(images, D.decode(codes), self.power), codes

    def paired(self, real: torch.Tensor, fake: torch.Tensor, labels) -> tuple:
        """Energies of the real and the generated batch, in one call: ``(real, fake)``."""
        both = None if labels is None else torch.cat([labels, labels])
        return self.energies(torch.cat([real, fake]), both)[0].chunk(2)

    @torch.no_grad()
    def energy_of(self, images: torch.Tensor, labels=None, chunk: int = 2000) -> torch.Tensor:
        """The energies of many images (on the CPU), in chunks, without gradients."""
        device, parts = next(self.discriminator.parameters()).device, []
        for start in range(0, len(images), chunk):
            part = None if labels is None else labels[start:start + chunk].to(device)
            parts.append(self.energies(images[start:start + chunk].to(device), part)[0].cpu())
        return torch.cat(parts)


class EBGAN(EnergyGame):
    """Energy-based GAN (Zhao, Mathieu & LeCun 2017, eqs. 1, 2 and 6).

    - ``margin``: m; D lowers the energy of data and raises that of samples up to m;
    - ``pt_weight``: weight of the pulling-away term in G's loss (0: off; the paper used 0.1);
    - ``d_steps``: discriminator steps per generator step.

    As in :class:`~gan_course.games.GAN`, G's step reuses the last discriminator step's G(z).
    """

    def __init__(self, generator, discriminator, d_steps: int = 1, margin: float = 1.0,
                 pt_weight: float = 0.0):
        super().__init__(generator, discriminator, d_steps)
        positive_number("margin", margin)
        if isinstance(pt_weight, bool) or not isinstance(pt_weight, Real) or not 0 <= pt_weight < math.inf:
            raise ValueError(f"pt_weight must be a number >= 0 (0 turns the term off), got {pt_weight!r}")
        self.margin, self.pt_weight = margin, pt_weight

    def step(self, r) -> None:
        G, D = self.generator, self.discriminator
        for k in range(self.d_steps):
            # 1. update D (k times): minimise D(x) + [m - D(G(z))]^+, energy down on x, up on G(z)
            x, y = r.real(k)
            with torch.set_grad_enabled(k == self.d_steps - 1):  # the last G(z) is reused in 2.
                fake = G(G.sample_noise(len(x), r.rng), y)
            real_energy, fake_energy = self.paired(x, fake.detach(), y)
            d_loss = margin_loss(real_energy, fake_energy, self.margin)
            r.update("discriminator", d_loss)
        # 2. update G: minimise D(G(z)) (+ pt_weight f_PT of the codes of G(z)), D frozen
        with frozen(D):
            energy, codes = self.energies(fake, y)
            pull = pulling_away(codes)
            g_loss = energy.mean() + (self.pt_weight * pull if self.pt_weight else 0.0)
        r.update("generator", g_loss)
        r.record(d_loss=d_loss, g_loss=g_loss, energy_real=real_energy.mean(),
                 energy_fake=fake_energy.mean(), pulling_away=pull.detach(),
                 below_margin=(fake_energy < self.margin).float().mean())


class BEGAN(EnergyGame):
    """Boundary equilibrium GAN (Berthelot, Schumm & Metz 2017, eq. 4 and section 3.4.1).

    - ``gamma``: the diversity ratio E[L(G(z))] / E[L(x)] the control aims for;
    - ``lambda_k``: the proportional gain of k_t (the paper: 0.001); ``k_0 = 0``;
    - ``eta``: the exponent of the autoencoder loss (the paper: 1, an L1 loss);
    - ``d_steps``: discriminator steps per generator step (the paper: 1).

    k_t is the buffer ``k``, updated after the generator's step from that step's L(x) and
    L(G(z)). G's step reuses the last discriminator step's G(z) (the same z for both losses, as
    in the common implementations).
    """

    def __init__(self, generator, discriminator, d_steps: int = 1, gamma: float = 0.5,
                 lambda_k: float = 0.001, eta: float = 1.0):
        super().__init__(generator, discriminator, d_steps)
        for name, value in (("gamma", gamma), ("lambda_k", lambda_k), ("eta", eta)):
            positive_number(name, value)
        self.gamma, self.lambda_k, self.eta = gamma, lambda_k, eta
        self.register_buffer("k", torch.zeros(()))

    @property
    def power(self) -> float:
        """The exponent of the autoencoder loss: eta."""
        return self.eta

    def step(self, r) -> None:
        G, D = self.generator, self.discriminator
        for j in range(self.d_steps):
            # 1. update D (d_steps times): minimise L(x) - k_t L(G(z))
            x, y = r.real(j)
            with torch.set_grad_enabled(j == self.d_steps - 1):  # the last G(z) is reused in 2.
                fake = G(G.sample_noise(len(x), r.rng), y)
            loss_real, loss_d_fake = (e.mean() for e in self.paired(x, fake.detach(), y))
            d_loss = loss_real - self.k * loss_d_fake
            r.update("discriminator", d_loss)
        # 2. update G: minimise L(G(z)), D frozen
        with frozen(D):
            g_loss = self.energies(fake, y)[0].mean()
        r.update("generator", g_loss)
        # 3. proportional control: k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1)
        loss_real, loss_fake = loss_real.detach(), g_loss.detach()
        self.k.copy_(k_update(self.k, loss_real, loss_fake, self.gamma, self.lambda_k))
        r.record(d_loss=d_loss, g_loss=g_loss, loss_real=loss_real, loss_fake=loss_fake,
                 k=self.k.clone(), m_global=convergence_measure(loss_real, loss_fake, self.gamma))


games.GAMES.update({"ebgan": EBGAN, "began": BEGAN})
