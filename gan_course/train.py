"""One training loop for every game: the bookkeeping all GANs share.

A :class:`~gan_course.games.Game` says what one training step does (its paper's algorithm); the
:class:`Trainer` runs the steps and keeps what every run needs:

- batches: the real data, reshuffled each epoch from the seed (:class:`~gan_course.data.Batches`);
- optimiser steps: one optimiser per player, called through :meth:`Round.update`;
- an exponential moving average of the generator's weights (``ema_decay``);
- snapshots of fixed noise, the history of losses, callbacks, a progress bar;
- checkpoints that resume bit-identically, written atomically (:mod:`gan_course.checkpoints`);
- a clean stop when a loss becomes NaN or infinite, and on Ctrl-C.

Losses stay on the device and reach the host (history, progress bar, NaN/inf check) in one
transfer every ``sync_every`` steps (:class:`~gan_course.settings.RunSettings`).
"""

import contextlib
import time

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from gan_course import checkpoints, validation
from gan_course.data import Batches
from gan_course.history import History
from gan_course.interrupts import TrainingInterrupted, deferred_interrupt
from gan_course.runtime import device as pick_device
from gan_course.runtime import evaluation_mode, progress_disabled
from gan_course.settings import RunSettings, TrainSettings, as_plain

# Snapshot noise comes from its own generator, seeded apart from the training noise, so that
# changing how many snapshots are kept never changes the training.
SNAPSHOT_SEED_OFFSET = 12345
SAMPLE_CHUNK = 10_000  # samples per forward pass in Trainer.sample: bounds the memory it needs
CHECKPOINT_FORMAT = 2


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept, never overwritten."""


class Round:
    """What a game sees of the trainer during one step (see :mod:`gan_course.games`)."""

    def __init__(self, trainer: "Trainer", players=None):
        self._trainer, self.rng, self.values = trainer, trainer.rng, {}
        self._first = trainer.step * trainer.game.batches_per_step
        self.players = validation.players(players, trainer.game.players)  # those updated

    def real(self, k: int = 0) -> tuple:
        """The ``k``-th real batch of this step as ``(x, y)``; ``y`` is None without labels."""
        batch = self._trainer.batches.batch(self._first + k)
        return batch if len(batch) == 2 else (batch[0], None)

    def update(self, player: str, loss: torch.Tensor) -> None:
        """One optimiser step of ``player`` on ``loss`` (gradients zeroed first) if it is updated."""
        optimizer = self._trainer.optimizers[player]
        self._trainer.log.watch(loss)
        if player in self.players:
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()

    def record(self, **values: torch.Tensor) -> None:
        """Scalars for the history of this step (kept on the device until the next sync)."""
        self.values.update(values)


class Trainer:
    """Train ``game`` on ``data`` (a tensor, or a tuple such as ``(images, labels)``).

    ``settings`` (:class:`TrainSettings`) say how it learns, ``run`` (:class:`RunSettings`)
    where it runs and what it keeps. Seed the models' initialisation yourself (with
    :func:`gan_course.seed_everything`) before building them; ``settings.seed`` seeds the rest.
    """

    def __init__(self, game, data, settings: TrainSettings | None = None,
                 run: RunSettings | None = None):
        self.settings, self.run = settings or TrainSettings(), run or RunSettings()
        tensors = data if isinstance(data, tuple | list) else (data,)
        validation.check_training_inputs(game, tuple(tensors))
        self.device = pick_device(self.run.device)
        self.game = game.to(self.device)
        self.batches = Batches(*tensors, batch_size=self.settings.batch_size,
                               seed=self.settings.seed).to(self.device)
        if len(self.batches) < game.batches_per_step:
            raise ValueError(f"{len(self.batches)} batches per epoch is fewer than the "
                             f"{game.batches_per_step} one step uses (d_steps)")
        self.optimizers = {p: self._optimizer(p) for p in game.players}
        self.ema = None
        if self.settings.ema_decay is not None:
            self.ema = AveragedModel(game.generator, use_buffers=True,
                                     multi_avg_fn=get_ema_multi_avg_fn(self.settings.ema_decay))
        self.rng = torch.Generator().manual_seed(self.settings.seed)
        fixed = torch.Generator().manual_seed(self.settings.seed + SNAPSHOT_SEED_OFFSET)
        self.fixed_inputs = game.snapshot_inputs(self.run.n_snapshots, fixed, self.device)
        self.snapshot_every = self.run.snapshot_every or self.steps_per_epoch
        self.meta, self.progress, self.status = dict(self.run.meta), self.run.progress, {}
        self.step, self.elapsed, self.saved_step, self._file = 0, 0.0, None, None
        self.log = History(self.device)
        self.snapshots: list[tuple[int, torch.Tensor]] = []

    def _optimizer(self, player: str) -> torch.optim.Optimizer:
        s = self.settings
        lr = s.lr_d if player == "discriminator" else s.lr_g
        params = self.game.parameters_of(player)
        if s.optimizer == "adam":  # the fused kernel: one pass over all parameters (bench)
            return torch.optim.Adam(params, lr=lr, betas=s.betas, fused=True)
        return torch.optim.RMSprop(params, lr=lr, foreach=True)

    generator = property(lambda self: self.game.generator, doc="The raw generator G.")
    discriminator = property(lambda self: self.game.discriminator, doc="D, or the critic f.")

    @property
    def history(self) -> dict[str, list[float]]:
        """``{"step": [...], "d_loss": [...], ...}`` up to the last sync (see :meth:`sync`)."""
        return self.log.values

    @property
    def steps_per_epoch(self) -> int:
        """Training steps per pass over the data (a step uses ``batches_per_step`` batches)."""
        return len(self.batches) // self.game.batches_per_step

    @property
    def sampler(self):
        """The generator to sample from: the weight average when ``ema_decay`` is set."""
        return self.game.generator if self.ema is None else self.ema.module

    def total_steps(self, steps: int | None = None, epochs: float | None = None) -> int:
        """A run's length in steps, given in ``steps`` or in ``epochs`` (exactly one)."""
        return validation.run_length(steps, epochs, self.steps_per_epoch)

    def train_step(self, players=None) -> None:
        """One step of the game (updating ``players`` only: default all), then EMA and history."""
        r = Round(self, players)
        self.game.step(r)
        if self.ema is not None and "generator" in r.players:
            self.ema.update_parameters(self.game.generator)
        self.step += 1
        if r.values:
            self.log.add(self.step, r.values)

    def sync(self) -> None:
        """Bring the pending history to the host; stop if a loss was NaN or infinite."""
        problem = self.log.sync()
        if problem is None:
            return
        saved = (f"The last good checkpoint, {self.run.checkpoint} (step {self.saved_step}), is "
                 "kept: load it to go back." if self.saved_step is not None
                 else "No checkpoint was written (pass checkpoint=... to keep one).")
        raise TrainingDiverged(
            f"{problem}; training stopped at step {self.step}, and the weights in memory were "
            f"updated with non-finite values, so they are not usable. {saved} Try a lower "
            "learning rate, the non-saturating loss, or a gradient penalty for a critic.")

    def fit(self, steps: int | None = None, epochs: float | None = None,
            callbacks=()) -> dict[str, list[float]]:
        """Train until the run has made ``steps`` steps in total (or ``epochs`` epochs).

        Counting in totals makes resuming natural: ``load`` a checkpoint of step 500 and
        ``fit(steps=1000)`` makes the remaining 500. Each callback ``c`` (see
        :mod:`gan_course.callbacks`) is called as ``c(trainer)`` every ``c.every`` steps and at
        the end. Ctrl-C stops after the current step, saves the checkpoint (if the run has
        one) and raises :class:`TrainingInterrupted`. Returns the history.
        """
        total = self.total_steps(steps, epochs)
        callbacks = validation.check_callbacks(callbacks)
        self._save_run(write=False)
        if self.step == 0 and not self.snapshots:
            self._snapshot()
        bar = tqdm(total=total, initial=min(self.step, total), desc="training", unit="step",
                   disable=not self.progress or progress_disabled())
        start = time.perf_counter()
        try:
            with deferred_interrupt() as interrupt:
                while self.step < total and not interrupt.requested:
                    self.train_step()
                    bar.update(1)
                    self._after_step(total, callbacks, bar)
        finally:
            bar.close()
            self.elapsed += time.perf_counter() - start
        if interrupt.requested:
            self._stop_on_interrupt()
        for c in callbacks:
            if self.step % c.every:
                self.sync()
                c(self)
        self.sync()
        self._save_run()
        return self.history

    def _after_step(self, total: int, callbacks: list, bar) -> None:
        if self.step % self.snapshot_every == 0 or self.step == total:
            self._snapshot()
        if self.step % self.run.sync_every == 0:
            self.sync()
            shown = {k: f"{self.history[k][-1]:.3f}" for k in ("d_loss", "g_loss")
                     if k in self.history}
            bar.set_postfix(**shown, **self.status)
        for c in callbacks:
            if self.step % c.every == 0:
                self.sync()
                c(self)
        every = self.run.checkpoint_every
        if every and self.step % every == 0:
            self._save_run()

    def _save_run(self, write: bool = True) -> None:
        """Save to ``run.checkpoint`` if any, or check that it may; keep a later step there."""
        with contextlib.suppress(checkpoints.CheckpointAhead):
            if self.run.checkpoint is not None:
                checkpoints.check_replaceable(self.run.checkpoint, self.state_dict(), self._file)
                if write:
                    self.save(self.run.checkpoint)

    def _stop_on_interrupt(self) -> None:
        self.sync()
        self._save_run()
        how = (f"saved {self.run.checkpoint}; resume with --resume (command line) or trainer.load("
               f"{str(self.run.checkpoint)!r}) and fit again" if self.saved_step == self.step  # saved now
               else "the trainer holds that step: call fit(...) again to continue")
        raise TrainingInterrupted(f"interrupted after step {self.step} (the last completed "
                                  f"step); {how}.")

    @torch.no_grad()
    def _snapshot(self) -> None:
        if self.snapshots and self.snapshots[-1][0] == self.step:
            return
        with evaluation_mode(self.sampler):
            images = self.sampler(*self.fixed_inputs).cpu()
        self.snapshots.append((self.step, images))

    @torch.no_grad()
    def sample(self, n: int, labels=None, generator: torch.Generator | None = None,
               raw: bool = False) -> torch.Tensor:
        """``n`` samples on the CPU from the EMA generator (the raw one if ``raw``), drawn
        in chunks of :data:`SAMPLE_CHUNK`; ``labels``: one class for all, or one per sample."""
        model = self.game.generator if raw else self.sampler
        labels = self.game.sample_labels(validation.count(n), labels, self.device)
        out = None
        with evaluation_mode(model):
            for start in range(0, n, SAMPLE_CHUNK):
                part = None if labels is None else labels[start:start + SAMPLE_CHUNK]
                inputs = self.game.generator_inputs(model, min(SAMPLE_CHUNK, n - start),
                                                    generator, part)
                out = validation.place(out, n, start, model(*inputs).cpu())  # checks memory
        return out

    def state_dict(self) -> dict:
        """Everything a resumed run needs, as tensors and plain data."""
        return {
            "format": CHECKPOINT_FORMAT,
            "game": self.game.state_dict(),
            "game_class": type(self.game).__name__,
            "game_options": self.game.options(),
            "settings": as_plain(self.settings),
            "optimizers": {p: o.state_dict() for p, o in self.optimizers.items()},
            "ema": None if self.ema is None else self.ema.state_dict(),
            "rng": self.rng.get_state(),
            "step": self.step,
            "elapsed": self.elapsed,
            "history": self.history,
            "snapshots": [[step, images] for step, images in self.snapshots],
            "meta": self.meta,
        }

    def save(self, path) -> None:
        """Write a checkpoint atomically; refuse non-finite weights, and a ``path`` holding another
        run or a later step of this one (:func:`checkpoints.check_replaceable`: nothing is lost)."""
        self.sync()
        if not all(torch.isfinite(p).all() for p in self.game.parameters()):
            raise TrainingDiverged(f"the weights are not finite at step {self.step}: not "
                                   f"overwriting {path}.")
        self._file = checkpoints.save_guarded(self.state_dict(), path, self._file)
        self.saved_step = self.step

    def load(self, path) -> "Trainer":
        """Restore a checkpoint so that training continues exactly where it stopped."""
        state = checkpoints.load_checkpoint(path)
        checkpoints.check_compatible(state, self.state_dict(), path)
        with checkpoints.fitting(path):  # a mismatch: one line, not a load_state_dict traceback
            self.game.load_state_dict(state["game"])
            if self.ema is not None:
                self.ema.load_state_dict(state["ema"])
            for player, optimizer in self.optimizers.items():
                optimizer.load_state_dict(state["optimizers"][player])
        self.rng.set_state(state["rng"])
        self.step, self.elapsed, self.saved_step = state["step"], state["elapsed"], state["step"]
        self.log.load(state["history"])
        self.snapshots = [(int(step), images) for step, images in state["snapshots"]]
        self.meta, self._file = dict(state["meta"]), checkpoints.file_id(path)
        return self
