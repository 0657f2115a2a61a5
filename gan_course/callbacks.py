"""Things to do during training, every so many steps: ``trainer.fit(..., callbacks=[...])``.

A callback is any callable ``c(trainer)`` with an attribute ``c.every`` (steps between calls);
the trainer also calls it once at the end of ``fit`` when the last step is not a multiple of
``every``. Two are provided:

- :class:`Every` wraps a plain function;
- :class:`ScoreTracker` scores the generator during training with :func:`recipes.evaluate`:
  classifier FID and Inception Score on MNIST, W1 and KS on a 1-D target, modes covered on a
  2-D one; for the weight average and for the raw generator, from the same noise each time.
"""

import time

from gan_course import recipes


class Every:
    """Call ``fn(trainer)`` every ``every`` steps."""

    def __init__(self, every: int, fn):
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a positive integer, got {every!r}")
        self.every, self.fn = every, fn

    def __call__(self, trainer) -> None:
        self.fn(trainer)


class ScoreTracker:
    """Score ``n`` samples every ``every`` steps (see :func:`gan_course.recipes.evaluate`).

    ``kinds``: ``"ema"`` scores the generator the trainer samples from (the weight average
    when there is one), ``"raw"`` the raw generator. ``keep(trainer)``, if given, is called at
    each measurement and its result appended to :attr:`kept` (for example samples to draw).
    :attr:`seconds` is the time spent measuring, to report training time without it.
    """

    def __init__(self, every: int, target=None, n: int = 2000, seed: int = 1,
                 kinds=("ema", "raw"), keep=None):
        unknown = set(kinds) - {"ema", "raw"}
        if unknown or not kinds:
            raise ValueError(f"kinds must be 'ema' and/or 'raw', got {kinds!r}")
        self.every, self.target, self.n, self.seed, self.keep = every, target, n, seed, keep
        self.steps: list[int] = []
        self.epochs: list[float] = []
        self.scores: dict[str, list[dict]] = {kind: [] for kind in kinds}
        self.kept: list = []
        self.seconds = 0.0

    def __call__(self, trainer) -> None:
        start = time.perf_counter()
        self.steps.append(trainer.step)
        self.epochs.append(trainer.step / trainer.steps_per_epoch)
        for kind, scores in self.scores.items():
            scores.append(recipes.evaluate(trainer, self.target, n=self.n, seed=self.seed,
                                           raw=kind == "raw"))
        if self.keep is not None:
            self.kept.append(self.keep(trainer))
        self.seconds += time.perf_counter() - start

    def curve(self, key: str, kind: str = "ema") -> list[float]:
        """One score over training, e.g. ``curve("fid", "raw")``."""
        return [scores[key] for scores in self.scores[kind]]
