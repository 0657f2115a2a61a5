"""Chapter 10: InfoGAN (Chen et al. 2016), a GAN whose codes become the data's factors unlabelled.

The generator gets, besides the noise z, a **code** c: here a categorical code c_1 (one of
``n_categories`` values, uniform, given as a one-hot vector) and ``n_continuous`` continuous codes
c_2, c_3 ~ U[-1, 1]. Nothing in the GAN game stops G from ignoring c, so InfoGAN rewards a high
mutual information I(c; G(z, c)) between the code and the sample. I is intractable; its
variational lower bound (Chen et al. 2016, Lemma 5.1, eq. 4) is

    I(c; G(z, c)) >= L_I(G, Q) = E_{c ~ p(c), x ~ G(z, c)}[log Q(c | x)] + H(c),

for any distribution Q(c | x): the gap is E_x KL(P(c | x) || Q(c | x)) >= 0. An auxiliary network
Q estimates c from a sample; it shares the discriminator's body (:class:`InfoDiscriminator`, the
paper's section 6): one pass over D's body gives D's logit and Q's outputs. The game (eq. 5) is

    min_{G, Q} max_D  V(D, G) - lambda L_I(G, Q).

- categorical c_1: Q outputs logits; -log Q(c_1 | x) is the cross-entropy; H(c_1) = log K;
- continuous c_j: Q outputs the mean mu_j of a Gaussian of standard deviation 1 (the authors'
  code fixes it); -log Q(c_j | x) = (c_j - mu_j)^2 / 2 + log(2 pi) / 2; H(U[-1, 1]) = log 2.

The networks are chapter 06's DCGAN pair (the paper's MNIST networks are of the same kind: two
strided convolutions with batch norm in D, transposed convolutions in G). :class:`InfoGAN`
(``"infogan"``, registered in :data:`gan_course.games.GAMES`) is chapter 06's DCGAN game (real and
generated batches in separate calls of D, because of batch norm) with the information term.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from gan_course import conv_models, dcgan, games, infogan_eval, models

CONTINUOUS_RANGE = (-1.0, 1.0)  # c_j ~ U[-1, 1], as in the paper


class InfoGenerator(conv_models.DCGANGenerator):
    """G(z, c): chapter 06's DCGAN generator fed ``[z, one_hot(c_1), c_2, ..., c_{1+n_continuous}]``
    (the paper's MNIST sizes: 62 uniform noise values, a 10-way code, 2 continuous codes).

    :meth:`sample_noise` draws z and the codes, so the trainer's sampling and snapshots work as for
    any generator; :meth:`join` builds the input from chosen codes and :meth:`split` reads them back.
    """

    def __init__(self, z_dim: int = 62, n_categories: int = 10, n_continuous: int = 2, width: int = 32,
                 upsample: str = "transposed"):
        _check_codes(n_categories, n_continuous)
        super().__init__(z_dim + n_categories + n_continuous, width, upsample, noise="uniform")
        self.z_dim, self.n_categories, self.n_continuous = z_dim, n_categories, n_continuous

    def join(self, z: torch.Tensor, categories: torch.Tensor, continuous: torch.Tensor) -> torch.Tensor:
        """The input ``[z, one_hot(categories), continuous]`` of shape (N, input size)."""
        one_hot = F.one_hot(categories.long(), self.n_categories).to(z.dtype)
        return torch.cat([z, one_hot, continuous.to(z.dtype).view(len(z), self.n_continuous)], dim=1)

    def split(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(z, categories, continuous)`` of inputs made by :meth:`join`."""
        z, one_hot, continuous = inputs.split([self.z_dim, self.n_categories, self.n_continuous], 1)
        return z, one_hot.argmax(1), continuous

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """z ~ U[-1, 1], c_1 uniform over the categories and c_j ~ U[-1, 1], joined, on the
        model's device."""
        z = models.sample_noise(n, self.z_dim, "uniform", generator)
        categories = torch.randint(self.n_categories, (n,), generator=generator)
        low, high = CONTINUOUS_RANGE
        continuous = low + (high - low) * torch.rand(n, self.n_continuous, generator=generator)
        return self.join(z, categories, continuous).to(next(self.parameters()).device)


class InfoDiscriminator(nn.Module):
    """D and Q on one body (Chen et al. 2016, section 6): chapter 06's DCGAN discriminator split
    into its ``body`` (three strided convolutions, to 4w x 4 x 4 features) and D's logit ``head``
    (its last convolution), and Q's head ``q``: a hidden layer of ``q_hidden`` units with batch
    norm (as the paper's Q), then the categorical code's logits and the continuous codes' means."""

    def __init__(self, n_categories: int = 10, n_continuous: int = 2, width: int = 32,
                 q_hidden: int = 128, negative_slope: float = 0.2):
        super().__init__()
        _check_codes(n_categories, n_continuous)
        self.n_categories, self.n_continuous, self.n_classes = n_categories, n_continuous, None
        layers = conv_models.DCGANDiscriminator(width, negative_slope).net
        self.body, self.head = layers[:-1], layers[-1]
        self.q = nn.Sequential(nn.Flatten(), nn.Linear(4 * width * 4 * 4, q_hidden), nn.BatchNorm1d(q_hidden),
                               nn.LeakyReLU(negative_slope), nn.Linear(q_hidden, n_categories + n_continuous))

    def forward(self, x: torch.Tensor, labels=None) -> torch.Tensor:
        """D's logits, shape (N,): the discriminator of an ordinary GAN."""
        if labels is not None:
            raise ValueError("the InfoGAN discriminator is unconditional: call it without labels")
        return self.head(self.body(x)).flatten()

    def scores_and_codes(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One pass over the body: D's logits (N,), Q's categorical logits (N, K) and continuous
        means (N, n_continuous)."""
        features = self.body(x)
        logits, means = self.q(features).split([self.n_categories, self.n_continuous], 1)
        return self.head(features).flatten(), logits, means

    def codes(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Q's estimate of the codes of ``x``: categorical logits and continuous means."""
        return self.scores_and_codes(x)[1:]


def _check_codes(n_categories: int, n_continuous: int) -> None:
    for name, value, low in (("n_categories", n_categories, 2), ("n_continuous", n_continuous, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")


def info_generator(n_classes: int | None = None, **options) -> InfoGenerator:
    """The recipe's generator (``networks="infogan"``); InfoGAN takes no labels."""
    _unlabelled(n_classes)
    return InfoGenerator(**options)


def info_discriminator(n_classes: int | None = None, **options) -> InfoDiscriminator:
    """The recipe's discriminator with Q (``networks="infogan"``); InfoGAN takes no labels."""
    _unlabelled(n_classes)
    return InfoDiscriminator(**options)


def _unlabelled(n_classes) -> None:
    if n_classes is not None:
        raise ValueError("InfoGAN learns without labels: use an unconditional recipe (conditional=False)")


def categorical_nll(logits: torch.Tensor, categories: torch.Tensor) -> torch.Tensor:
    """E[-log Q(c_1 | x)]: the cross-entropy of Q's logits with the drawn categories."""
    return F.cross_entropy(logits, categories)


def continuous_nll(means: torch.Tensor, continuous: torch.Tensor) -> torch.Tensor:
    """E[-log Q(c_j | x)] summed over the continuous codes, for Gaussians N(mu_j, 1):
    (c_j - mu_j)^2 / 2 + log(2 pi) / 2 each."""
    return (0.5 * (continuous - means).pow(2) + 0.5 * math.log(2 * math.pi)).sum(1).mean()


def code_entropies(n_categories: int, n_continuous: int) -> tuple[float, float]:
    """H(c_1) = log K and the summed differential entropies of the U[-1, 1] codes, n log 2."""
    low, high = CONTINUOUS_RANGE
    return math.log(n_categories), n_continuous * math.log(high - low)


def mutual_information_bound(logits, means, categories, continuous) -> tuple[torch.Tensor, torch.Tensor]:
    """L_I = H(c) - E[-log Q(c | x)] (Chen et al. 2016, eq. 4), for the categorical code and for
    the continuous codes (their sum): two lower bounds on the mutual information, in nats."""
    h_categorical, h_continuous = code_entropies(logits.shape[1], means.shape[1])
    return (h_categorical - categorical_nll(logits, categories),
            h_continuous - continuous_nll(means, continuous))


def _check_pair(generator, discriminator) -> None:
    """The generator's codes must be the ones Q estimates."""
    if not (hasattr(generator, "split") and hasattr(discriminator, "scores_and_codes")):
        raise ValueError("InfoGAN needs a generator with codes and a discriminator with a Q head: "
                         "infogan.InfoGenerator and infogan.InfoDiscriminator")
    given = (generator.n_categories, generator.n_continuous)
    estimated = (discriminator.n_categories, discriminator.n_continuous)
    if given != estimated:
        raise ValueError(f"the generator draws codes (categories, continuous) = {given} but Q "
                         f"estimates {estimated}: give both networks the same code sizes")


class InfoGAN(dcgan.DCGAN):
    """InfoGAN (Chen et al. 2016, eq. 5) on chapter 06's DCGAN game (non-saturating):

    1. D and Q (one optimiser: Q's head sits on D's body) maximise
       log D(x) + log(1 - D(G(z, c))) + lambda L_I(Q) on the detached samples G(z, c);
    2. G minimises -log D(G(z, c)) - lambda L_I(G, Q), D and Q frozen.

    The information term is in both updates, as in the authors' code: Q learns to read the codes
    (step 1) and G learns to write them (step 2). ``info_weight`` is lambda (the paper: 1 for a
    categorical code; 0 turns InfoGAN into DCGAN with an unused code); ``continuous_weight``
    multiplies the continuous codes' part of L_I. G's step reuses the last discriminator step's
    G(z, c), whose codes it knows (as :class:`~gan_course.games.GAN` does).
    """

    def __init__(self, generator, discriminator, d_steps: int = 1, info_weight: float = 1.0,
                 continuous_weight: float = 1.0):
        super().__init__(generator, discriminator, d_steps)
        _check_pair(generator, discriminator)
        for name, value in (("info_weight", info_weight), ("continuous_weight", continuous_weight)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
                raise ValueError(f"{name} must be a number >= 0 (0 turns the term off), got {value!r}")
        self.info_weight, self.continuous_weight = info_weight, continuous_weight

    def information(self, logits, means, inputs) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(L_I weighted, categorical bound, continuous bound)`` of Q's outputs for the samples
        made from ``inputs``: bound_cat + continuous_weight * bound_cont, and its two parts."""
        _, categories, continuous = self.generator.split(inputs)
        bound_cat, bound_cont = mutual_information_bound(logits, means, categories, continuous)
        return bound_cat + self.continuous_weight * bound_cont, bound_cat, bound_cont

    def step(self, r) -> None:
        G, D = self.generator, self.discriminator
        for k in range(self.d_steps):
            # 1. update D and Q: maximise log D(x) + log(1 - D(G(z, c))) + lambda L_I(Q)
            x, _ = r.real(k)
            inputs = G.sample_noise(len(x), r.rng)
            with torch.set_grad_enabled(k == self.d_steps - 1):  # the last G(z, c) is reused in 2.
                fake = G(inputs)
            real_score = D(x)  # real and generated batches in separate calls (batch norm)
            fake_score, logits, means = D.scores_and_codes(fake.detach())
            info, _, _ = self.information(logits, means, inputs)
            d_loss = self.discriminator_loss(real_score, fake_score) - self.info_weight * info
            r.update("discriminator", d_loss)
        # 2. update G: minimise -log D(G(z, c)) - lambda L_I(G, Q), D and Q frozen
        with games.frozen(D):
            score, logits, means = D.scores_and_codes(fake)
        info, bound_cat, bound_cont = self.information(logits, means, inputs)
        g_loss = self.generator_loss(score) - self.info_weight * info
        r.update("generator", g_loss)
        r.record(d_loss=d_loss, g_loss=g_loss, mi_categorical=bound_cat.detach(),
                 mi_continuous=bound_cont.detach(), **self.report(real_score, fake_score, None))

    def extra_metrics(self, trainer, dataset: str, n: int = 10_000, seed: int = 0, raw: bool = False) -> dict:
        """What :func:`gan_course.recipes.evaluate` adds for InfoGAN: the matched accuracies of
        the categorical code (:func:`gan_course.infogan_eval.code_scores`)."""
        return infogan_eval.code_scores(trainer, dataset, n=n, seed=seed, raw=raw)


games.GAMES["infogan"] = InfoGAN
