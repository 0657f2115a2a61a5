"""Games: one class per GAN family, each writing its paper's training step.

A game owns its networks and says what happens in one training step; the trainer
(:mod:`gan_course.train`) does the bookkeeping every game shares: batches, optimiser steps, the
weight average, snapshots, history, checkpoints, progress and the NaN/inf stop. The trainer
calls ``game.step(r)`` with a :class:`~gan_course.train.Round` ``r``:

- ``r.real(k)``: the ``k``-th real batch of this step, as ``(x, y)`` (``y``: labels or None);
- ``r.rng``: the ``torch.Generator`` for noise and other random draws (seeded, checkpointed);
- ``r.update(player, loss)``: one optimiser step of ``"discriminator"`` or ``"generator"``;
- ``r.record(**values)``: scalars for the history (``d_loss``, ``g_loss``, ...).

A new GAN is a new subclass of :class:`Game` (or of :class:`GAN` when only the losses change):
nothing in the trainer changes. Conditional forms need nothing extra: with labels in the data,
``y`` is passed to both networks (Mirza & Osindero 2014).
"""

import contextlib
import inspect

import torch
from torch import nn

from gan_course import losses
from gan_course.settings import positive_number


class Game(nn.Module):
    """Base class: two players, a generator and a discriminator (or critic).

    A game is an ``nn.Module`` holding its networks, so ``state_dict`` checkpoints all of them
    (and any state the game keeps between steps, registered as a buffer).
    """

    players = ("discriminator", "generator")  # each gets its own optimiser (lr_d, lr_g)

    def __init__(self, generator: nn.Module, discriminator: nn.Module, d_steps: int = 1):
        super().__init__()
        if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a positive integer, got {d_steps!r}")
        self.generator, self.discriminator, self.d_steps = generator, discriminator, d_steps

    @property
    def batches_per_step(self) -> int:
        """Real batches one training step consumes (one per discriminator step)."""
        return self.d_steps

    @property
    def conditional(self) -> bool:
        return getattr(self.generator, "n_classes", None) is not None

    def parameters_of(self, player: str) -> list[nn.Parameter]:
        """The parameters that ``player``'s optimiser updates."""
        return list(getattr(self, player).parameters())

    def options(self) -> dict:
        """The game's own settings (its constructor's keyword arguments), for checkpoints."""
        signature = inspect.signature(type(self).__init__).parameters
        return {name: getattr(self, name) for name, p in signature.items()
                if name != "self" and p.default is not inspect.Parameter.empty}

    def check_data(self, tensors: tuple) -> None:
        """Refuse data that does not fit the networks: labels exactly for conditional models."""
        if self.conditional != (len(tensors) == 2):
            raise ValueError("pass labels exactly when the models are conditional (a conditional "
                             "generator needs (images, labels); an unconditional one images only)")

    def generator_inputs(self, model: nn.Module, n: int, rng: torch.Generator | None,
                         labels=None) -> tuple:
        """The arguments of ``model`` (G or its weight average) for ``n`` samples."""
        return model.sample_noise(n, rng), labels

    def snapshot_inputs(self, n: int, rng: torch.Generator, device) -> tuple:
        """Fixed inputs whose samples the trainer keeps during training: noise, and for a
        conditional generator the classes 0, 1, 2, ... in turn."""
        labels = None
        if self.conditional:
            labels = torch.arange(n, device=device) % self.generator.n_classes
        return self.generator_inputs(self.generator, n, rng, labels)

    def sample_labels(self, n: int, labels, device) -> torch.Tensor | None:
        """``labels`` (one class, or one per sample) checked and expanded to ``n`` on ``device``."""
        n_classes = getattr(self.generator, "n_classes", None)
        if labels is None:
            if n_classes is not None:
                raise ValueError(f"this generator is conditional on {n_classes} classes: pass "
                                 "labels (one class, or one per sample)")
            return None
        if n_classes is None:
            raise ValueError("this generator is unconditional: sample without labels")
        labels = torch.as_tensor(labels, device=device)
        if labels.dim() == 0:
            labels = labels.expand(n)
        if labels.shape != (n,) or labels.is_floating_point():
            raise ValueError(f"labels must be one integer class or {n} of them, got shape "
                             f"{tuple(labels.shape)} of {labels.dtype}")
        if len(labels) and not (0 <= int(labels.min()) and int(labels.max()) < n_classes):
            raise ValueError(f"labels must be classes 0 to {n_classes - 1}, got values from "
                             f"{int(labels.min())} to {int(labels.max())}")
        return labels

    def step(self, r) -> None:
        raise NotImplementedError("a game implements step(r): one iteration of its algorithm")


@contextlib.contextmanager
def frozen(*modules: nn.Module):
    """The modules' weights frozen inside the block: gradients flow to their inputs only."""
    for module in modules:
        module.requires_grad_(False)
    try:
        yield
    finally:
        for module in modules:
            module.requires_grad_(True)


def _frozen_scores(critic: nn.Module, samples: torch.Tensor, labels) -> torch.Tensor:
    """The critic's scores with its weights frozen: gradients flow to the samples only."""
    with frozen(critic):
        return critic(samples, labels)


class GAN(Game):
    """The GAN of Goodfellow et al. 2014, Algorithm 1, with the non-saturating generator loss.

    - ``d_steps``: k, discriminator steps per generator step (the paper used k = 1);
    - ``gp_weight``: optional weight of a gradient penalty on D (Gulrajani et al. 2017, eq. 3),
      used as a regulariser of a GAN discriminator in chapter 04.

    One difference from Algorithm 1, on purpose: the generator step does not draw fresh noise,
    it reuses the samples G(z) of the last discriminator step, made with their graph kept. That
    saves one generator forward pass per step, and the samples are just as independent of the
    discriminator's *next* update (the PyTorch DCGAN example does the same).
    """

    def __init__(self, generator, discriminator, d_steps: int = 1, gp_weight: float | None = None):
        super().__init__(generator, discriminator, d_steps)
        positive_number("gp_weight", gp_weight, allow_none=True)
        self.gp_weight = gp_weight

    def step(self, r) -> None:
        G, D = self.generator, self.discriminator
        for k in range(self.d_steps):
            # 1. update D (k times): maximise log D(x) + log(1 - D(G(z))) on m data x, m noise z
            x, y = r.real(k)
            z = G.sample_noise(len(x), r.rng)
            with torch.set_grad_enabled(k == self.d_steps - 1):  # the last G(z) is reused in 2.
                fake = G(z, y)
            real_score, fake_score = self.scores(x, fake.detach(), y)
            d_loss = self.discriminator_loss(real_score, fake_score)
            penalty = None
            if self.gp_weight:  # keep D's gradient norm near 1 between data and samples
                penalty = losses.gradient_penalty(D, x, fake, y, r.rng)
                d_loss = d_loss + self.gp_weight * penalty
            r.update("discriminator", d_loss)
            self.after_discriminator_update()
        # 2. update G: minimise -log D(G(z)) (non-saturating) on the last discriminator step's G(z)
        g_loss = self.generator_loss(_frozen_scores(D, fake, y))
        r.update("generator", g_loss)
        r.record(d_loss=d_loss, g_loss=g_loss, **self.report(real_score, fake_score, penalty))

    def scores(self, real: torch.Tensor, fake: torch.Tensor, labels) -> tuple:
        """D's logits on real and generated samples, in one call (one pass over D's weights)."""
        both = None if labels is None else torch.cat([labels, labels])
        return self.discriminator(torch.cat([real, fake]), both).chunk(2)

    def discriminator_loss(self, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        """-[log D(x) + log(1 - D(G(z)))], from logits (:func:`losses.d_loss_gan`)."""
        return losses.d_loss_gan(real, fake)

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        """-log D(G(z)) (:func:`losses.g_loss_nonsaturating`)."""
        return losses.g_loss_nonsaturating(fake)

    def after_discriminator_update(self) -> None:
        """Hook after each discriminator update (WGAN clips its critic here)."""

    def report(self, real: torch.Tensor, fake: torch.Tensor, penalty) -> dict:
        """History values besides the losses: mean D(x) and D(G(z)) as probabilities."""
        out = {"d_real": torch.sigmoid(real).mean(), "d_fake": torch.sigmoid(fake).mean()}
        if penalty is not None:
            out["gradient_penalty"] = penalty
        return out


class SaturatingGAN(GAN):
    """Algorithm 1 exactly as the minimax game: G minimises log(1 - D(G(z))).

    Its gradient vanishes where D confidently rejects the samples (chapter 01).
    """

    def generator_loss(self, fake: torch.Tensor) -> torch.Tensor:
        """log(1 - D(G(z))) (:func:`losses.g_loss_saturating`)."""
        return losses.g_loss_saturating(fake)


class LSGAN(GAN):
    """Least-squares GAN (Mao et al. 2017, eq. 9 with a = 0, b = c = 1): D regresses its raw
    output to 1 on data and 0 on samples; G pushes D(G(z)) towards 1."""

    def discriminator_loss(self, real, fake):
        """1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2] (:func:`losses.d_loss_lsgan`)."""
        return losses.d_loss_lsgan(real, fake)

    def generator_loss(self, fake):
        """1/2 E[(D(G(z)) - 1)^2] (:func:`losses.g_loss_lsgan`)."""
        return losses.g_loss_lsgan(fake)

    def report(self, real, fake, penalty) -> dict:
        """Mean raw outputs D(x), D(G(z)): the targets are 1 and 0."""
        out = {"d_real": real.mean(), "d_fake": fake.mean()}
        if penalty is not None:
            out["gradient_penalty"] = penalty
        return out


class WGAN(GAN):
    """Wasserstein GAN with weight clipping (Arjovsky et al. 2017, Algorithm 1).

    The critic f maximises E[f(x)] - E[f(G(z))] over ``d_steps`` = n_critic steps, its weights
    clipped to [-clip, clip] after each; G minimises -E[f(G(z))]. The paper: n_critic = 5,
    c = 0.01, RMSProp with learning rate 5e-5.
    """

    def __init__(self, generator, discriminator, d_steps: int = 5, clip: float = 0.01):
        Game.__init__(self, generator, discriminator, d_steps)
        positive_number("clip", clip)
        self.clip, self.gp_weight = clip, None

    def discriminator_loss(self, real, fake):
        """-(E[f(x)] - E[f(G(z))]): minimising it maximises the critic's estimate of W1."""
        return losses.d_loss_wgan(real, fake)

    def generator_loss(self, fake):
        """-E[f(G(z))]."""
        return losses.g_loss_wgan(fake)

    @torch.no_grad()
    def after_discriminator_update(self) -> None:
        """w <- clip(w, -c, c) (Algorithm 1, line 7)."""
        for p in self.discriminator.parameters():
            p.clamp_(-self.clip, self.clip)

    def report(self, real, fake, penalty) -> dict:
        """Mean critic scores and the critic's estimate of W1, E[f(x)] - E[f(G(z))]."""
        out = {"d_real": real.mean(), "d_fake": fake.mean()}
        if penalty is not None:
            out["gradient_penalty"] = penalty
        out["wasserstein"] = real.mean() - fake.mean()
        return out

    def share_at_clip_bound(self, tolerance: float = 0.01) -> float:
        """The share of the critic's weights within ``tolerance * clip`` of +-clip."""
        weights = torch.cat([p.detach().flatten() for p in self.discriminator.parameters()])
        return (weights.abs() >= (1 - tolerance) * self.clip).float().mean().item()


class WGANGP(WGAN):
    """WGAN with a gradient penalty instead of clipping (Gulrajani et al. 2017, Algorithm 1):
    L = E[f(G(z))] - E[f(x)] + lambda E[(||grad f(x_hat)||_2 - 1)^2], x_hat between x and G(z).
    The paper: lambda = 10, n_critic = 5, Adam(1e-4, beta1 = 0, beta2 = 0.9)."""

    def __init__(self, generator, discriminator, d_steps: int = 5, gp_weight: float = 10.0):
        Game.__init__(self, generator, discriminator, d_steps)
        positive_number("gp_weight", gp_weight)
        self.gp_weight = gp_weight

    def after_discriminator_update(self) -> None:
        """No clipping: the penalty keeps the critic near 1-Lipschitz."""


# The names recipes and the command line use.
GAMES: dict[str, type[Game]] = {
    "gan": GAN,
    "gan-saturating": SaturatingGAN,
    "lsgan": LSGAN,
    "wgan": WGAN,
    "wgan-gp": WGANGP,
}


def option_names(name: str) -> list[str]:
    """The options (keyword arguments besides the networks) of game ``name``."""
    if name not in GAMES:
        raise ValueError(f"unknown game {name!r}; choose one of: {', '.join(GAMES)}")
    return [p for p, spec in inspect.signature(GAMES[name].__init__).parameters.items()
            if p != "self" and spec.default is not inspect.Parameter.empty]


def make(name: str, generator: nn.Module, discriminator: nn.Module, **options) -> Game:
    """The game ``name`` of :data:`GAMES` on these networks; ``options`` are its keyword
    arguments, and a misspelt one is named in a one-line error."""
    cls, accepted = GAMES.get(name), option_names(name)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise ValueError(f"unknown option {unknown[0]!r} for game {name!r}; it takes: "
                         f"{', '.join(accepted)}")
    return cls(generator, discriminator, **options)
