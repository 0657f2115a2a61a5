"""One playground run: :class:`Settings` (target, loss, penalty, k, rates, noise dimension,
width) and :class:`Session`, which trains them with the course's :class:`~gan_course.train.Trainer`
(whole steps, or one player alone) and computes what the view shows (:meth:`Session.view`)."""

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from gan_course import data, games, metrics, models, plots, zoo_games
from gan_course.playground.targets import TARGETS, UPLOADED
from gan_course.runtime import seed_everything
from gan_course.settings import RunSettings, TrainSettings, make
from gan_course.train import Trainer

assert zoo_games.HingeGAN is games.GAMES["hinge"]  # chapter 07's games are registered

# loss -> (game of gan_course.games, its options, what D outputs): "probability" is D(x) =
# sigmoid(logit) in [0, 1]; "score" a raw output with the loss's own targets; "critic" a
# Wasserstein critic, whose values mean something only relative to each other.
LOSSES = {
    "non-saturating": ("gan", {}, "probability"),  # chapters 01-03
    "saturating": ("gan-saturating", {}, "probability"),  # chapter 01, the minimax loss
    "least squares": ("lsgan", {}, "score"),  # chapter 07 (targets 1 and 0)
    "hinge": ("hinge", {}, "score"),  # chapter 07 (margins +1 and -1)
    "WGAN, weight clipping": ("wgan", {"clip": 0.01}, "critic"),  # chapter 05
    "WGAN-GP": ("wgan-gp", {"gp_weight": 0.1}, "critic"),  # chapter 05 (lambda for this scale)
}
# penalty -> what it changes; the weights are the course's for these 2-D targets.
PENALTIES = {
    "none": {},
    "spectral norm": {"spectral_norm": True},  # chapter 07, on every layer of D
    "gradient penalty": {"gp_weight": 0.1},  # chapter 04, on a GAN's D (chapter 05's lambda)
    "R1": {"r1_weight": 0.1},  # chapter 07, on D's gradient at the data (non-saturating only)
}
EMA_DECAY = 0.99  # the weight average of G: about the last 100 generator updates
N_DATA = 20_000  # points drawn once from the target: the training set
N_SAMPLES = 1024  # fixed noise whose samples the view shows and the coverage counts
N_ARROWS = 96  # samples that get a gradient arrow
HEAT = 64  # the heat map's resolution (HEAT x HEAT points)


def _choice(name: str, value, options) -> None:
    if value not in options:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, options))}; got {value!r}")


def _integer(name: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}; got {value!r}")


@dataclass(frozen=True)
class Settings:
    """One playground run. The defaults are chapter 05's ring: the non-saturating GAN, k = 1,
    Adam at 1e-3 for both players, 2-D normal noise, three hidden layers of 128 units."""

    target: str = "ring of 8"
    loss: str = "non-saturating"
    penalty: str = "none"
    d_steps: int = 1  # k: discriminator (critic) steps per generator step
    lr_d: float = 1e-3
    lr_g: float = 1e-3
    noise_dim: int = 2
    width: int = 128  # units in each of the three hidden layers of G and of D
    ema: bool = False  # show the samples of G's weight average (always kept, decay 0.99), not G's
    seed: int = 0
    batch_size: int = 256

    def __post_init__(self):
        _choice("target", self.target, [*TARGETS, UPLOADED])
        _choice("loss", self.loss, LOSSES)
        _choice("penalty", self.penalty, PENALTIES)
        if self.penalty == "R1" and self.loss != "non-saturating":
            raise ValueError("the R1 penalty belongs to the non-saturating loss (chapter 07): "
                             "choose that loss, or another penalty")
        if self.penalty == "gradient penalty" and LOSSES[self.loss][0].startswith("wgan"):
            raise ValueError("the Wasserstein losses bring their own constraint (clipping, or the "
                             "penalty of WGAN-GP): choose the penalty 'none' or 'spectral norm'")
        _integer("d_steps", self.d_steps, 1, 20)
        _integer("noise_dim", self.noise_dim, 1, 16)
        _integer("width", self.width, 4, 512)
        _integer("seed", self.seed, 0, 2**31 - 1)
        _integer("batch_size", self.batch_size, 2, N_DATA)
        TrainSettings(lr_g=self.lr_g, lr_d=self.lr_d)  # the trainer's own checks of the rates

    def replace(self, **changes) -> "Settings":
        """These settings with ``changes``; a misspelt name is a one-line error (:func:`make`)."""
        return make(Settings, {**dataclasses.asdict(self), **changes})


class Session:
    """One run of :class:`Settings` (or of ``target``, a 2-D Gaussian mixture of your own)."""

    def __init__(self, settings: Settings | None = None, target: data.GaussianMixture | None = None):
        self.settings = s = settings or Settings()
        if target is None:
            if s.target == UPLOADED:
                raise ValueError("the target 'your points' needs the points: pass target=... "
                                 "(gan_course.playground.read_points of a CSV text)")
            target = TARGETS[s.target]()
        self.target = target
        game_name, options, self.output = LOSSES[s.loss]
        penalty = dict(PENALTIES[s.penalty])
        spectral = penalty.pop("spectral_norm", False)
        if "r1_weight" in penalty:
            game_name = "gan-r1"
        seed_everything(s.seed)
        hidden = (s.width,) * 3
        generator = models.toy_generator(dim=2, noise_dim=s.noise_dim, hidden=hidden, noise="normal")
        discriminator = models.toy_discriminator(dim=2, hidden=hidden, spectral_norm=spectral)
        game = games.make(game_name, generator, discriminator, d_steps=s.d_steps,
                          **options, **penalty)
        points = target.sample(N_DATA, torch.Generator().manual_seed(s.seed))
        training = TrainSettings(
            batch_size=s.batch_size, lr_g=s.lr_g, lr_d=s.lr_d, seed=s.seed,
            # the WGAN paper's RMSProp for clipping, Adam(0.5, 0.9) for WGAN-GP (Gulrajani et al.)
            optimizer="rmsprop" if game_name == "wgan" else "adam",
            betas=(0.5, 0.9) if game_name == "wgan-gp" else (0.5, 0.999),
            ema_decay=EMA_DECAY)  # kept always, shown when s.ema (the average changes no update)
        self.trainer = Trainer(game, (points,), training,
                               RunSettings(progress=False, n_snapshots=0, sync_every=10**9))
        self.data = points
        noise = torch.Generator().manual_seed(s.seed + 1)
        self.noise = generator.sample_noise(N_SAMPLES, noise)
        extent = float(self.target.modes.abs().max()) + 1.0
        self.lim = max(2.5, round(extent * 2) / 2)  # the view: [-lim, lim]^2
        self.updates = {"discriminator": 0, "generator": 0}
        self.coverage: list[tuple[int, int]] = []  # (training step, modes covered)
        self._record_coverage()

    @property
    def step(self) -> int:
        """Training steps taken (a step: k discriminator updates then one generator update; the
        buttons that move one player count as steps too)."""
        return self.trainer.step

    def _train(self, steps: int, players=None) -> None:
        for _ in range(steps):
            self.trainer.train_step(players)
            for player in players or self.trainer.game.players:
                self.updates[player] += self.trainer.game.d_steps if player == "discriminator" else 1
        self.trainer.sync()  # stops with TrainingDiverged on a NaN or infinite loss
        self._record_coverage()

    def run(self, steps: int = 1) -> None:
        """``steps`` steps of the game: each k discriminator updates, then one generator update."""
        self._train(steps)

    def step_discriminator(self, steps: int = 1) -> None:
        """``steps`` steps of the discriminator alone (k updates each); G stays as it is."""
        self._train(steps, ("discriminator",))

    def step_generator(self, steps: int = 1) -> None:
        """``steps`` updates of the generator alone; D stays as it is."""
        self._train(steps, ("generator",))

    @torch.no_grad()
    def samples(self, n: int = N_SAMPLES, average: bool | None = None) -> torch.Tensor:
        """G's samples of the fixed noise (the weight average's when ``average``, by default when
        the settings ask for it)."""
        use_average = self.settings.ema if average is None else average
        model = self.trainer.sampler if use_average else self.trainer.generator
        return model(self.noise[:n].to(self.trainer.device)).cpu()

    def _record_coverage(self) -> None:
        covered = self.modes_covered()["modes_covered"]
        if not self.coverage or self.coverage[-1][0] != self.step:
            self.coverage.append((self.step, covered))

    def modes_covered(self, average: bool | None = None) -> dict:
        """:func:`metrics.mode_coverage` of the samples (``average`` as in :meth:`samples`): a
        mode (a Gaussian of the target) is covered by at least 1 % of them (fewer for targets of
        many Gaussians: 25 % of an even share)."""
        share = min(0.01, 0.25 / len(self.target.means))
        return metrics.mode_coverage(self.samples(average=average), self.target, min_share=share)

    def generator_push(self, samples: torch.Tensor) -> torch.Tensor:
        """-dL_G/dx at each sample x = G(z), times the batch size: the direction and strength
        with which the generator's loss moves that sample (the chain rule sends exactly this
        into G's weights). Arrows of the view."""
        game = self.trainer.game
        x = samples.to(self.trainer.device).requires_grad_(True)
        with games.frozen(game.discriminator):
            loss = game.generator_loss(game.discriminator(x))
        (grad,) = torch.autograd.grad(loss, x)
        return -grad.cpu() * len(x)

    @torch.no_grad()
    def heat(self, resolution: int = HEAT) -> np.ndarray:
        """D's output on a ``resolution`` x ``resolution`` grid over the view (rows: x2 from
        -lim to lim): D(x) for the probability losses, the raw score or critic value otherwise."""
        axis = torch.linspace(-self.lim, self.lim, resolution)
        yy, xx = torch.meshgrid(axis, axis, indexing="ij")
        points = torch.stack([xx.ravel(), yy.ravel()], 1)
        values = plots.scores_on(self.trainer.discriminator, points, self.output == "probability")
        return values.reshape(resolution, resolution)

    @torch.no_grad()
    def manifold(self, lines: int = 11, points: int = 41) -> list[np.ndarray]:
        """The noise grid mapped through G: the lines z1 = const and z2 = const over [-2, 2]^2 (other
        noise coordinates 0), each as an array of points; one line for 1-D noise."""
        dim = self.settings.noise_dim
        along = torch.linspace(-2, 2, points)
        curves = []
        for constant in (torch.linspace(-2, 2, lines) if dim > 1 else [None]):
            for axis in (range(2) if dim > 1 else [0]):
                z = torch.zeros(points, dim)
                z[:, axis] = along
                if constant is not None:
                    z[:, 1 - axis] = constant
                curves.append(self.trainer.generator(z.to(self.trainer.device)).cpu().numpy())
        return curves

    def view(self) -> dict:
        """Everything :func:`draw` shows, as arrays."""
        samples = self.samples()
        arrows_at = self.samples(N_ARROWS, average=False)
        return {
            "data": self.data[:N_SAMPLES].numpy(), "samples": samples.numpy(),
            "arrows_at": arrows_at.numpy(), "push": self.generator_push(arrows_at).numpy(),
            "heat": self.heat(), "manifold": self.manifold(), "lim": self.lim,
            "history": {k: list(v) for k, v in self.trainer.history.items()},
            "coverage": list(self.coverage), "n_modes": len(self.target.means),
            "updates": dict(self.updates), "step": self.step,
        }
