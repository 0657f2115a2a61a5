"""Chapter 11: CycleGAN, translation between two image domains without pairs (Zhu et al. 2017).

Two domains, A and B, and no pairs: nobody says which b belongs to which a. Two translators,
``G.ab`` (A to B) and ``G.ba`` (B to A), and two discriminators, ``D.a`` (real A or translated?)
and ``D.b``. The losses (Zhu et al. 2017, eq. 3, with the least-squares losses of their section
4 and the identity loss of their section 5.2): the discriminators minimise

    L_D = 1/2 [E_b (D_B(b) - 1)^2 + E_a D_B(G_AB(a))^2] + the same for D_A, and the translators

    L_G = E_a (D_B(G_AB(a)) - 1)^2 + E_b (D_A(G_BA(b)) - 1)^2 + cycle_weight * L_cyc + identity_weight * L_id,
    L_cyc = E_a |G_BA(G_AB(a)) - a|_1 + E_b |G_AB(G_BA(b)) - b|_1      (eq. 2)
    L_id  = E_b |G_AB(b) - b|_1 + E_a |G_BA(a) - a|_1

The course's domains (:func:`stroke_domains`): MNIST digits as written (A) and with strokes
thickened by a 3x3 dilation (B), from the two disjoint halves of the training set, so no digit is
in both. The trainer needs nothing new: one training "image" is a pair (a, b) stacked as two
channels, a random a with a random b (a batch of such pairs is two unpaired batches), and the
"generator" is the pair of translators, whose output for a pair (a, b) is (G_AB(a), G_BA(b)).
Not kept from the paper, for simplicity: its buffer of 50 earlier translations shown to D (a
smoothing of D's updates); and its 9-block ResNet at width 64 (a CPU trains width 16, one block).
"""

from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn

from gan_course import data, games
from gan_course.models import MNIST_SHAPE
from gan_course.runtime import fast_or_full
from gan_course.settings import positive_number

# Test digits a run is measured on: six translations of each and four classifier passes take about
# 10 s for 5,000 on 2 cores (all 10,000: twice that); fast mode measures 500, through the same code.
TEST_DIGITS = fast_or_full(5000, 500)


def thicken(images: torch.Tensor) -> torch.Tensor:
    """Strokes dilated by a 3x3 square: each pixel takes the largest value of its neighbourhood
    (ink is +1, paper -1), so every stroke grows by one pixel on each side."""
    return F.max_pool2d(images, kernel_size=3, stride=1, padding=1)


@lru_cache(maxsize=2)  # built once per process (0.6 s for the training pairs); never modified
def stroke_domains(split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
    """``(pairs, labels)``: pairs (N, 2, 28, 28), channel 0 from domain A (digits as written),
    channel 1 from domain B (thickened), labels (N, 2) their digits. ``"train"``: A is the first
    half of MNIST's training set, B the thickened second half, so the two are unpaired (different
    digits). ``"test"``: each test digit with its own thickened copy, the true translation, for
    measuring only."""
    images, labels = data.mnist(split)
    if split == "train":
        half = len(images) // 2
        return (torch.cat([images[:half], thicken(images[half:2 * half])], 1),
                torch.stack([labels[:half], labels[half:2 * half]], 1))
    return torch.cat([images, thicken(images)], 1), torch.stack([labels, labels], 1)


class ResidualBlock(nn.Module):
    """x + f(x), f two 3x3 convolutions with instance normalisation (He et al. 2016)."""

    def __init__(self, channels: int):
        super().__init__()
        self.f = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1), nn.InstanceNorm2d(channels, affine=True), nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1), nn.InstanceNorm2d(channels, affine=True))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.f(x)


def conv_translator(width: int = 16, blocks: int = 1) -> nn.Sequential:
    """The paper's ResNet generator, small: 28x28 -> 14x14 (2*width channels) -> ``blocks``
    residual blocks -> 28x28, instance norm, tanh output. Each output pixel sees a neighbourhood
    of the input: a local edit, such as a thicker stroke, is what it makes most easily."""
    return nn.Sequential(
        nn.Conv2d(1, width, 3, padding=1), nn.InstanceNorm2d(width, affine=True), nn.ReLU(),
        nn.Conv2d(width, 2 * width, 4, 2, 1), nn.InstanceNorm2d(2 * width, affine=True), nn.ReLU(),
        *[ResidualBlock(2 * width) for _ in range(blocks)],
        nn.ConvTranspose2d(2 * width, width, 4, 2, 1), nn.InstanceNorm2d(width, affine=True), nn.ReLU(),
        nn.Conv2d(width, 1, 3, padding=1), nn.Tanh())


def mlp_translator(hidden: int = 256) -> nn.Sequential:
    """784 -> hidden -> hidden -> 784: every output pixel depends on every input pixel, so
    nothing in the architecture ties an output to the part of the input it came from."""
    return nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                         nn.ReLU(), nn.Linear(hidden, 784), nn.Tanh(), nn.Unflatten(1, MNIST_SHAPE))


def patch_discriminator(width: int = 16) -> nn.Sequential:
    """A PatchGAN (Isola et al. 2017): a 7x7 map of scores, each judging one overlapping patch
    (a receptive field of 18x18 pixels) as real or translated."""
    return nn.Sequential(
        nn.Conv2d(1, width, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(width, 2 * width, 4, 2, 1), nn.InstanceNorm2d(2 * width, affine=True), nn.LeakyReLU(0.2),
        nn.Conv2d(2 * width, 1, 3, padding=1))


class TranslatorPair(nn.Module):
    """G_AB and G_BA as one "generator" for the trainer: a pair (a, b) in, (G_AB(a), G_BA(b)) out.

    Its input is not noise: :meth:`sample_noise` draws pairs from ``examples`` (test pairs, a
    buffer left out of checkpoints), so the trainer's samples and snapshots are translations."""

    n_classes = None

    def __init__(self, ab: nn.Module, ba: nn.Module, examples: torch.Tensor):
        super().__init__()
        self.ab, self.ba = ab, ba
        self.register_buffer("examples", examples, persistent=False)

    def forward(self, pairs: torch.Tensor, labels=None) -> torch.Tensor:
        return torch.cat([self.ab(pairs[:, :1]), self.ba(pairs[:, 1:])], 1)

    def sample_noise(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        rows = torch.randint(len(self.examples), (n,), generator=generator)
        return self.examples[rows.to(self.examples.device)]


class DiscriminatorPair(nn.Module):
    """D_A and D_B, one module so that one optimiser updates both (as in the paper's code)."""

    n_classes = None

    def __init__(self, a: nn.Module, b: nn.Module):
        super().__init__()
        self.a, self.b = a, b


TRANSLATORS = {"conv": conv_translator, "mlp": mlp_translator}


def translator_pair(n_classes=None, translator: str = "conv", examples: int = 1000,
                    **options) -> TranslatorPair:
    """Two fresh translators of kind ``translator`` ("conv" or "mlp", ``options`` its arguments),
    with the first ``examples`` test pairs to translate when sampled."""
    if n_classes is not None or translator not in TRANSLATORS:
        raise ValueError(f"CycleGAN's translators take no classes and translator= one of "
                         f"{', '.join(TRANSLATORS)}; got n_classes={n_classes!r}, translator={translator!r}")
    make = TRANSLATORS[translator]
    return TranslatorPair(make(**options), make(**options), stroke_domains("test")[0][:examples])


def discriminator_pair(n_classes=None, width: int = 16) -> DiscriminatorPair:
    """Two fresh PatchGAN discriminators, D_A and D_B."""
    if n_classes is not None:
        raise ValueError(f"CycleGAN's discriminators take no classes, got n_classes={n_classes!r}")
    return DiscriminatorPair(patch_discriminator(width), patch_discriminator(width))


def least_squares(scores: torch.Tensor, target: float) -> torch.Tensor:
    """E (D(x) - target)^2: the least-squares GAN loss (Mao et al. 2017) the paper uses."""
    return (scores - target).pow(2).mean()


def cycle_loss(G: TranslatorPair, a, b, fake_a, fake_b) -> torch.Tensor:
    """Eq. 2: |G_BA(G_AB(a)) - a|_1 + |G_AB(G_BA(b)) - b|_1, each a mean over pixels."""
    return (G.ba(fake_b) - a).abs().mean() + (G.ab(fake_a) - b).abs().mean()


def identity_loss(G: TranslatorPair, a, b) -> torch.Tensor:
    """Section 5.2: |G_AB(b) - b|_1 + |G_BA(a) - a|_1: a translator leaves its own target alone."""
    return (G.ab(b) - b).abs().mean() + (G.ba(a) - a).abs().mean()


class CycleGAN(games.Game):
    """Zhu et al. 2017: two translators, two discriminators, least-squares adversarial losses,
    the cycle loss (``cycle_weight``, lambda = 10 in the paper) and the identity loss
    (``identity_weight``, 0.5 lambda). Either weight may be 0, for the ablations."""

    def __init__(self, generator, discriminator, cycle_weight: float = 10.0, identity_weight: float = 5.0):
        super().__init__(generator, discriminator)
        for name, value in (("cycle_weight", cycle_weight), ("identity_weight", identity_weight)):
            if value != 0:
                positive_number(name, value)
        self.cycle_weight, self.identity_weight = cycle_weight, identity_weight

    def check_data(self, tensors: tuple) -> None:
        if len(tensors) != 1 or tensors[0].dim() != 4 or tensors[0].shape[1] != 2:
            raise ValueError("CycleGAN trains on one tensor of pairs (N, 2, H, W): channel 0 from domain "
                             "A, channel 1 from domain B (gan_course.cyclegan.stroke_domains)")

    def step(self, r) -> None:
        G, D = self.generator, self.discriminator
        pairs, _ = r.real(0)
        a, b = pairs[:, :1], pairs[:, 1:]  # two unpaired batches: different digits
        fake_b, fake_a = G.ab(a), G.ba(b)
        # 1. update D_A and D_B: real -> 1, translated -> 0 (least squares, halved as in the paper)
        d_loss = 0.5 * (least_squares(D.b(b), 1) + least_squares(D.b(fake_b.detach()), 0)
                        + least_squares(D.a(a), 1) + least_squares(D.a(fake_a.detach()), 0))
        r.update("discriminator", d_loss)
        # 2. update G_AB and G_BA: be taken for real (D frozen), come back (cycle), leave B alone
        with games.frozen(D):
            adversarial = least_squares(D.b(fake_b), 1) + least_squares(D.a(fake_a), 1)
        cycle = cycle_loss(G, a, b, fake_a, fake_b) if self.cycle_weight else a.new_zeros(())
        identity = identity_loss(G, a, b) if self.identity_weight else a.new_zeros(())
        g_loss = adversarial + self.cycle_weight * cycle + self.identity_weight * identity
        r.update("generator", g_loss)
        r.record(d_loss=d_loss, g_loss=g_loss, adversarial=adversarial, cycle=cycle, identity=identity)

    def evaluate(self, trainer, raw: bool = False) -> dict:
        """Chapter 11's measures on the first :data:`TEST_DIGITS` test digits
        (:func:`gan_course.cyclegan_eval.scores`)."""
        from gan_course import cyclegan_eval

        return cyclegan_eval.scores(self.generator if raw else trainer.sampler, n=TEST_DIGITS)

    def picture(self, trainer, n: int = 10):
        """Rows of sources, translations and reconstructions, both ways (the run's samples.png)."""
        from gan_course import cyclegan_eval

        return cyclegan_eval.show_translations(trainer.sampler, stroke_domains("test")[0][:n])


games.GAMES["cyclegan"] = CycleGAN
