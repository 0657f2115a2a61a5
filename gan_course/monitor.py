"""A training-health monitor: a callback that watches a GAN train and says in words what goes wrong.

    health = monitor.HealthMonitor(every=200, target=target)     # or dataset="mnist"
    trainer.fit(steps=4000, callbacks=[health])                  # status in the progress bar
    health.report()                                              # one figure, and the diagnosis

Every ``every`` steps it probes copies of the two networks on ``n`` real samples and ``n`` fresh
samples (its own random numbers: the run trains exactly as it would without it) and reads the
history. Five problems, each a rule on those measurements (:data:`PROBLEMS`):

- the discriminator wins: it scores the samples as fake and the data as real with near certainty
  (mean D(G(z)) near 0, L_D near 0; on the scale of the game's targets, see :func:`verdicts`);
- the generator's gradient vanishes: the slope of L_G at D's scores (dL_G / d score, per sample)
  is near 0, so almost nothing reaches G (the saturating loss where D is confident, chapter 01);
- the generator's gradient explodes: ||grad_theta L_G|| far above its typical value so far;
- the losses or the critic's estimate diverge: far beyond any value seen so far;
- mode collapse: fewer than 3/4 of the modes (2-D targets) or classes (MNIST, by the classifier
  of :mod:`gan_course.metrics`) get at least 1 % of the samples.

The first three rules read D's scores of samples. A game whose discriminator gives no score
(chapter 09's EBGAN and BEGAN, whose D is an autoencoder) has no ``generator_loss`` of a score:
the monitor then watches only the losses and the coverage (divergence and mode collapse).

A problem is *flagged* when its rule holds at ``patience`` consecutive checks after ``warmup``
steps (by default the first half of ``steps``, when given): one bad measurement is noise,
several in a row are a trend, and every run starts out covering no mode at all.
"""

import copy
import textwrap

import numpy as np
import torch

from gan_course import data, games, metrics, recipes
from gan_course.monitor_report import draw_report, sentence

PROBLEMS = ("d_wins", "g_vanishing", "g_exploding", "diverging", "collapse")
SHORT = {"d_wins": "D wins", "g_vanishing": "G grad vanishing", "g_exploding": "G grad exploding",
         "diverging": "diverging", "collapse": "mode collapse"}
LIMITS = {
    "d_wins": 0.15,  # both mean verdicts within 15 % of D's targets
    "g_vanishing": 0.05,  # mean |dL_G / d score| below 0.05 (1 for the hinge, WGAN losses)
    "g_exploding": 10.0,  # ||grad L_G|| above 10 x the median of the earlier checks
    "diverging": 10.0,  # |loss| above 10 x the largest |loss| of the first checks (and > 10)
    "collapse": 0.75,  # fewer than 3/4 of the modes or classes covered
}


def verdicts(game: games.Game, real: torch.Tensor, fake: torch.Tensor) -> tuple[float, float] | None:
    """D's mean verdict on data and samples on the scale of its targets: 1 = "surely real",
    0 = "surely fake". Log-loss games: the probabilities D(x), D(G(z)); the least-squares D:
    its raw scores (targets 1 and 0); the hinge D: (score + 1) / 2 (margins +1 and -1).
    None for a Wasserstein critic, whose scores have no targets."""
    if isinstance(game, games.WGAN):
        return None
    if isinstance(game, games.LSGAN):
        return real.mean().item(), fake.mean().item()
    if type(game).__name__ == "HingeGAN":
        return ((real + 1) / 2).clamp(0, 1).mean().item(), ((fake + 1) / 2).clamp(0, 1).mean().item()
    return torch.sigmoid(real).mean().item(), torch.sigmoid(fake).mean().item()


class HealthMonitor:
    """Watch a run every ``every`` steps (a callback of :meth:`Trainer.fit`).

    ``target``: a 2-D toy target, for the modes covered; ``dataset``: ``"mnist"`` (or
    ``"fashion"``), for the classes covered; neither: no collapse check. ``steps``: the run's
    length; when given, :meth:`report` is drawn when the run reaches it (and ``warmup``, the steps
    not judged, defaults to half of it). ``limits`` replace
    entries of :data:`LIMITS`. The current state is in ``trainer.status["health"]``.
    """

    def __init__(self, every: int = 200, target=None, dataset: str | None = None, n: int = 512,
                 seed: int = 1, patience: int = 2, warmup: int | None = None, steps: int | None = None,
                 limits: dict | None = None):
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        if target is not None and dataset is not None:
            raise ValueError("give target= (a 2-D toy target) or dataset= (images), not both")
        unknown = sorted(set(limits or {}) - set(LIMITS))
        if unknown:
            raise ValueError(f"unknown limit {unknown[0]!r}; the limits are {', '.join(LIMITS)}")
        if dataset is not None:
            data.dataset_info(dataset)  # a clear error for an unknown name
        self.every, self.target, self.dataset, self.n, self.patience = every, target, dataset, n, patience
        self.warmup = warmup if warmup is not None else (steps // 2 if steps else 0)
        self.steps, self.limits = steps, {**LIMITS, **(limits or {})}
        self.rng = torch.Generator().manual_seed(seed)
        self.records: list[dict] = []
        self.flagged: dict[str, int] = {}  # problem -> first step it was flagged
        self._seen = 0  # history rows already read

    def __call__(self, trainer) -> None:
        record = {"step": trainer.step, **self._losses(trainer), **self._probe(trainer)}
        record.update(self._coverage(trainer))
        record["problems"] = self._rules(record)
        self.records.append(record)
        self._flag(trainer.step)
        current = [SHORT[p] for p in record["problems"]]
        trainer.status["health"] = ", ".join(current) if current else "ok"
        if self.steps is not None and trainer.step >= self.steps:
            self.report()

    @property
    def healthy(self) -> bool:
        """True when no problem was flagged."""
        return not self.flagged

    @property
    def persisting(self) -> list[str]:
        """The flagged problems whose rule still held at the last check (the others went away)."""
        last = self.records[-1]["problems"] if self.records else []
        return [problem for problem in self.flagged if problem in last]

    def _losses(self, trainer) -> dict:
        """Mean losses (and critic estimate) of the history rows since the last check."""
        history, start = trainer.history, self._seen
        self._seen = len(history.get("step", []))
        keys = [k for k in ("d_loss", "g_loss", "wasserstein") if k in history]
        return {k: float(np.mean(history[k][start:] or history[k][-1:])) for k in keys if history[k]}

    def _probe(self, trainer) -> dict:
        """D's verdicts, the loss's slope and G's gradient norm, on copies of the networks (in
        training mode, as in a step), with the global random state restored afterwards."""
        game = trainer.game
        if not callable(getattr(game, "generator_loss", None)):  # no score to probe (energy games)
            return {}
        G, D = copy.deepcopy(game.generator), copy.deepcopy(game.discriminator)
        x, y = self._real(trainer)
        cuda = [trainer.device.index or 0] if trainer.device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda):  # dropout draws from the global state
            fake = G(*game.generator_inputs(G, len(x), self.rng, y))
            with torch.no_grad():
                real_score = D(x, y)
            fake_score = D(fake, y)
            score = fake_score.detach().requires_grad_(True)
            (slope,) = torch.autograd.grad(game.generator_loss(score), score)
            g_loss = game.generator_loss(fake_score)
            grads = torch.autograd.grad(g_loss, list(G.parameters()), allow_unused=True)
        norm = torch.sqrt(sum((g.detach() ** 2).sum() for g in grads if g is not None)).item()
        out = {"g_grad": norm, "g_slope": (slope.abs() * len(slope)).mean().item()}
        verdict = verdicts(game, real_score.detach(), fake_score.detach())
        if verdict is not None:
            out["d_real"], out["d_fake"] = verdict
        return out

    def _real(self, trainer) -> tuple:
        """``n`` real samples (and labels) drawn with the monitor's own generator."""
        tensors = trainer.batches.tensors
        rows = torch.randint(len(tensors[0]), (self.n,), generator=self.rng).to(tensors[0].device)
        return tensors[0][rows], (tensors[1][rows] if len(tensors) == 2 else None)

    @torch.no_grad()
    def _coverage(self, trainer) -> dict:
        """Modes (toy target) or classes (images) with at least 1 % of ``n`` samples."""
        if self.target is None and self.dataset is None:
            return {}
        labels = None
        if getattr(trainer.generator, "n_classes", None) is not None:
            labels = torch.arange(self.n) % trainer.generator.n_classes
        samples = trainer.sample(self.n, labels, generator=self.rng)
        if self.target is not None:
            found = metrics.mode_coverage(samples, self.target)
            return {"covered": found["modes_covered"], "of": found["n_modes"]}
        _, probs = metrics.features_and_probs(samples.clamp(-1, 1), self.dataset)
        counts = np.bincount(probs.argmax(1), minlength=probs.shape[1])
        return {"covered": int((counts >= 0.01 * len(probs)).sum()), "of": probs.shape[1]}

    def _rules(self, r: dict) -> list[str]:
        """The problems whose rule holds at this check (see :data:`LIMITS`)."""
        lim, earlier = self.limits, self.records
        found = []
        if "d_real" in r and r["d_fake"] < lim["d_wins"] and r["d_real"] > 1 - lim["d_wins"]:
            found.append("d_wins")
        if "g_slope" in r and r["g_slope"] < lim["g_vanishing"]:
            found.append("g_vanishing")
        typical = [e["g_grad"] for e in earlier if "g_grad" in e and np.isfinite(e["g_grad"])]
        if "g_grad" in r and (not np.isfinite(r["g_grad"]) or (
                len(typical) >= 3 and r["g_grad"] > lim["g_exploding"] * np.median(typical))):
            found.append("g_exploding")
        if any(self._diverges(key, r, earlier) for key in ("d_loss", "g_loss", "wasserstein")):
            found.append("diverging")
        if "covered" in r and r["covered"] < lim["collapse"] * r["of"]:
            found.append("collapse")
        return found

    def _diverges(self, key: str, r: dict, earlier: list[dict]) -> bool:
        """|value| non-finite, or above 10 and ``limits["diverging"]`` times the largest |value|
        of the first checks (the first quarter of those so far, at least two)."""
        if key not in r:
            return False
        if not np.isfinite(r[key]):
            return True
        first = [abs(e[key]) for e in earlier[: max(2, len(earlier) // 4)] if key in e]
        return len(first) >= 2 and abs(r[key]) > max(10.0, self.limits["diverging"] * max(first))

    def _flag(self, step: int) -> None:
        """Flag a problem seen at the last ``patience`` checks, all after ``warmup``."""
        recent = self.records[-self.patience:]
        if len(recent) < self.patience or recent[0]["step"] <= self.warmup:
            return
        for problem in PROBLEMS:
            if problem not in self.flagged and all(problem in r["problems"] for r in recent):
                self.flagged[problem] = recent[0]["step"]

    def diagnosis(self) -> list[str]:
        """One sentence per flagged problem, in the order they appeared; or that all was well."""
        if not self.records:
            return ["nothing measured yet: pass the monitor to trainer.fit(callbacks=[...])"]
        if self.healthy:
            return [sentence("healthy", self.records, None, self.limits)]
        last = self.records[-1]["step"]
        return [sentence(p, self.records, step, self.limits)
                + (f" Still there at the last check (step {last})." if p in self.persisting
                   else f" Gone by the last check (step {last}): the run recovered.")
                for p, step in sorted(self.flagged.items(), key=lambda item: item[1])]

    def report(self, title: str = "", show: bool = True, figsize=(11, 4.6)):
        """The one-figure report (D's verdicts, G's gradient, losses, coverage; flagged problems
        shaded) and the diagnosis, printed. Returns the figure."""
        figure = draw_report(self, title, figsize)
        print("\n".join(textwrap.fill(line, 105) for line in self.diagnosis()))
        if show:
            import matplotlib.pyplot as plt

            plt.show()
        return figure


def for_run(trainer, target, steps: int, checks: int = 20) -> HealthMonitor:
    """The monitor ``python -m gan_course train`` switches on for a run of ``steps`` steps: about
    ``checks`` checks, the first half not judged (a run starts with no mode or class covered, and
    a 3-epoch MNIST run still covers few classes at a quarter of its length), coverage counted on
    a 2-D ``target``'s modes or on the classes of the run's image dataset (a 1-D target: no
    coverage check)."""
    every = max(1, steps // checks)
    if target is None:  # a translation game's outputs are no dataset's samples: no coverage check
        dataset = None if hasattr(trainer.game, "evaluate") else recipes.image_dataset(trainer)
        return HealthMonitor(every=every, dataset=dataset, warmup=steps // 2)
    return HealthMonitor(every=every, target=target if target.dim == 2 else None, warmup=steps // 2)
