"""One trainer for every chapter: GAN, non-saturating GAN, LSGAN, WGAN (clipping) and WGAN-GP.

Each generator step (Goodfellow et al. 2014, algorithm 1; Arjovsky et al. 2017, algorithm 1):

1. ``d_steps`` times: take a real batch x and noise z, score real and generated samples in *one*
   discriminator call, minimise the discriminator loss (plus ``gp_weight`` times the gradient
   penalty), then clip the critic's weights to [-clip, clip] if asked;
2. minimise the generator loss on the samples of the last discriminator step. They were made
   with the autograd graph kept, so the generator runs forward once per step: the discriminator
   sees them detached, the generator step reuses them.

The trainer records a per-step history, keeps fixed-noise snapshots, can average the
generator's weights (EMA), saves and resumes checkpoints, and stops cleanly when a loss becomes
NaN or infinite.
"""

import copy
import os
import time
from pathlib import Path

import torch
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm.auto import tqdm

from gan_course.data import Batches
from gan_course.losses import LOSSES, gradient_penalty
from gan_course.runtime import device as pick_device

OPTIMIZERS = ("adam", "rmsprop")


def _tqdm_disabled_by_environment() -> bool:
    """True when the environment sets ``TQDM_DISABLE`` (tests, committed notebook outputs).

    Read here because the notebook bar of ``tqdm.auto`` ignores that variable by itself.
    """
    return os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false", "no")


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the models keep their last good weights."""


def save_atomic(obj, path) -> Path:
    """``torch.save`` to a temporary file beside ``path``, then rename it into place.

    A crash mid-write leaves the previous file intact, never a truncated one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path) -> dict:
    """Load a checkpoint written by :meth:`Trainer.save` (tensors and plain data only)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No checkpoint at {path}: train first, or check the path.")
    return torch.load(path, map_location="cpu", weights_only=True)


class Trainer:
    """Train ``generator`` against ``discriminator`` on the tensor ``data`` (and ``labels``).

    Arguments (all but the first three are keywords):

    - ``loss``: ``"gan"`` (non-saturating), ``"gan-saturating"``, ``"wgan"`` or ``"lsgan"``;
    - ``d_steps``: discriminator (critic) steps per generator step, k in Goodfellow et al.;
    - ``optimizer``: ``"adam"`` (with ``betas``) or ``"rmsprop"``; ``lr_g``, ``lr_d``;
    - ``clip``: clip the critic's weights to [-clip, clip] after each step (WGAN);
    - ``gp_weight``: weight lambda of the gradient penalty (WGAN-GP, lambda = 10 in the paper);
    - ``ema_decay``: also keep an exponential moving average of the generator's weights;
    - ``n_snapshots`` fixed noise vectors, sampled every ``snapshot_every`` steps;
    - ``seed``: data order, noise and penalty points (seed the models' initialisation yourself,
      with :func:`gan_course.seed_everything`, before building them);
    - ``checkpoint``: a path, written every ``checkpoint_every`` steps and at the end of ``fit``;
    - ``meta``: plain data stored in checkpoints (for example the recipe's name);
    - ``progress``: show a progress bar (never when the environment sets ``TQDM_DISABLE=1``).
    """

    def __init__(self, generator, discriminator, data, labels=None, *, loss="gan", d_steps=1,
                 batch_size=128, optimizer="adam", lr_g=2e-4, lr_d=2e-4, betas=(0.5, 0.999),
                 clip=None, gp_weight=None, ema_decay=None, n_snapshots=64, snapshot_every=None,
                 seed=0, device=None, checkpoint=None, checkpoint_every=None, meta=None,
                 progress=True):
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {sorted(LOSSES)}, got {loss!r}")
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
        if not (isinstance(d_steps, int) and d_steps >= 1):
            raise ValueError(f"d_steps must be a positive integer, got {d_steps!r}")
        conditional = getattr(generator, "n_classes", None) is not None
        if conditional != (labels is not None):
            raise ValueError("pass labels exactly when the models are conditional")
        self.device = pick_device() if device is None else torch.device(device)
        self.generator = generator.to(self.device)
        self.discriminator = discriminator.to(self.device)
        self.loss, self.d_steps, self.clip, self.gp_weight = loss, d_steps, clip, gp_weight
        self.d_loss_fn, self.g_loss_fn = LOSSES[loss]
        tensors = (data,) if labels is None else (data, labels)
        self.batches = Batches(*tensors, batch_size=batch_size, seed=seed).to(self.device)
        if len(self.batches) < d_steps:
            raise ValueError(f"{len(self.batches)} batches per epoch is fewer than d_steps={d_steps}")

        def make_optimizer(params, lr):
            # Adam's fused kernel updates all parameters in one pass: on a CPU that is several
            # times faster than the default per-tensor loop (see benchmarks/bench_trainer.py).
            if optimizer == "adam":
                return torch.optim.Adam(params, lr=lr, betas=tuple(betas), fused=True)
            return torch.optim.RMSprop(params, lr=lr, foreach=True)

        self.opt_g = make_optimizer(self.generator.parameters(), lr_g)
        self.opt_d = make_optimizer(self.discriminator.parameters(), lr_d)
        self.ema = None
        if ema_decay is not None:
            self.ema = AveragedModel(self.generator, multi_avg_fn=get_ema_multi_avg_fn(ema_decay))
        self.rng = torch.Generator().manual_seed(seed)
        fixed = torch.Generator().manual_seed(seed + 12345)
        self.fixed_noise = generator.sample_noise(n_snapshots, fixed)
        self.fixed_labels = (torch.arange(n_snapshots, device=self.device) % generator.n_classes
                             if conditional else None)
        self.snapshot_every = snapshot_every or self.steps_per_epoch
        self.checkpoint = None if checkpoint is None else Path(checkpoint)
        self.checkpoint_every = checkpoint_every
        self.meta = dict(meta or {})
        self.progress = progress
        self.step, self.elapsed = 0, 0.0
        self.history: dict[str, list[float]] = {}
        self.snapshots: list[tuple[int, torch.Tensor]] = []

    @property
    def steps_per_epoch(self) -> int:
        """Generator steps per pass of the discriminator over the data."""
        return len(self.batches) // self.d_steps

    @property
    def sampler(self):
        """The generator to sample from: the weight average when ``ema_decay`` is set."""
        return self.generator if self.ema is None else self.ema.module

    @torch.no_grad()
    def sample(self, n: int, labels=None, generator: torch.Generator | None = None,
               raw: bool = False) -> torch.Tensor:
        """``n`` samples on the CPU (from the EMA generator unless ``raw``)."""
        model = self.generator if raw else self.sampler
        was_training = model.training
        model.eval()
        z = model.sample_noise(n, generator)
        if labels is not None:
            labels = torch.as_tensor(labels, device=self.device).expand(n)
        out = model(z, labels).cpu()
        model.train(was_training)
        return out

    def _record(self, **values: torch.Tensor) -> None:
        numbers = torch.stack([v.detach().float() for v in values.values()]).tolist()
        self.history.setdefault("step", []).append(float(self.step))
        for key, number in zip(values, numbers, strict=True):
            self.history.setdefault(key, []).append(number)

    def _check_finite(self, name: str, value: torch.Tensor) -> None:
        if not torch.isfinite(value):
            where = (f"The last good checkpoint is {self.checkpoint} (step {self._saved_step})."
                     if self.checkpoint is not None and self._saved_step is not None
                     else "No checkpoint was written (pass checkpoint=... to keep one).")
            raise TrainingDiverged(
                f"{name} became {value.item()} at step {self.step + 1}; training stopped and the "
                f"models keep the weights of step {self.step}. {where} Try a lower learning rate, "
                "the non-saturating loss, or gradient clipping/penalty for a critic.")

    def train_step(self) -> None:
        """One generator step, preceded by ``d_steps`` discriminator steps."""
        G, D = self.generator, self.discriminator
        for k in range(self.d_steps):
            real, *rest = self.batches.batch(self.step * self.d_steps + k)
            labels = rest[0] if rest else None
            z = G.sample_noise(len(real), self.rng)
            if k == self.d_steps - 1:
                fake = G(z, labels)  # keeps its graph: reused by the generator step below
            else:
                with torch.no_grad():
                    fake = G(z, labels)
            both = None if labels is None else torch.cat([labels, labels])
            real_score, fake_score = D(torch.cat([real, fake.detach()]), both).chunk(2)
            d_loss = self.d_loss_fn(real_score, fake_score)
            extra = {}
            if self.gp_weight:
                penalty = gradient_penalty(D, real, fake, labels, self.rng)
                d_loss = d_loss + self.gp_weight * penalty
                extra["gradient_penalty"] = penalty
            self._check_finite("the discriminator loss", d_loss)
            self.opt_d.zero_grad(set_to_none=True)
            d_loss.backward()
            self.opt_d.step()
            if self.clip is not None:
                with torch.no_grad():
                    for p in D.parameters():
                        p.clamp_(-self.clip, self.clip)

        D.requires_grad_(False)  # the generator step needs gradients for G only
        g_loss = self.g_loss_fn(D(fake, labels))
        D.requires_grad_(True)
        self._check_finite("the generator loss", g_loss)
        self.opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        self.opt_g.step()
        if self.ema is not None:
            self.ema.update_parameters(G)

        self.step += 1
        if self.loss.startswith("gan"):  # report probabilities D(x), D(G(z))
            real_score, fake_score = torch.sigmoid(real_score), torch.sigmoid(fake_score)
        if self.loss == "wgan":
            extra["wasserstein"] = real_score.mean() - fake_score.mean()
        self._record(d_loss=d_loss, g_loss=g_loss, d_real=real_score.mean(),
                     d_fake=fake_score.mean(), **extra)

    def fit(self, steps: int | None = None, epochs: float | None = None, callback=None,
            callback_every: int | None = None) -> dict[str, list[float]]:
        """Train until the run has made ``steps`` generator steps in total (or ``epochs`` epochs).

        Counting in totals makes resuming natural: ``load`` a checkpoint of step 500 and
        ``fit(steps=1000)`` makes the remaining 500 steps. ``callback(trainer)`` is called every
        ``callback_every`` steps and at the end. Returns the history.
        """
        if (steps is None) == (epochs is None):
            raise ValueError("give exactly one of steps= or epochs=")
        total = steps if steps is not None else round(epochs * self.steps_per_epoch)
        if not (isinstance(total, int) and total >= 0):
            raise ValueError(f"steps must be a non-negative integer, got {total!r}")
        self._saved_step = getattr(self, "_saved_step", None)
        if self.step == 0 and not self.snapshots:
            self._snapshot()
        bar = tqdm(total=total, initial=min(self.step, total), desc="training", unit="step",
                   disable=not self.progress or _tqdm_disabled_by_environment())
        start = time.perf_counter()
        try:
            while self.step < total:
                self.train_step()
                bar.update(1)
                if self.step % self.snapshot_every == 0 or self.step == total:
                    self._snapshot()
                if callback is not None and callback_every and self.step % callback_every == 0:
                    callback(self)
                if self.step % 50 == 0:
                    bar.set_postfix(d_loss=f"{self.history['d_loss'][-1]:.3f}",
                                    g_loss=f"{self.history['g_loss'][-1]:.3f}")
                if (self.checkpoint is not None and self.checkpoint_every
                        and self.step % self.checkpoint_every == 0):
                    self.save(self.checkpoint)
        finally:
            bar.close()
            self.elapsed += time.perf_counter() - start
        if callback is not None and not (callback_every and self.step % callback_every == 0):
            callback(self)
        if self.checkpoint is not None:
            self.save(self.checkpoint)
        return self.history

    @torch.no_grad()
    def _snapshot(self) -> None:
        if self.snapshots and self.snapshots[-1][0] == self.step:
            return
        self.sampler.eval()
        images = self.sampler(self.fixed_noise, self.fixed_labels).cpu()
        self.sampler.train()
        self.snapshots.append((self.step, images))

    def state_dict(self) -> dict:
        return {
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "opt_g": self.opt_g.state_dict(),
            "opt_d": self.opt_d.state_dict(),
            "ema": None if self.ema is None else self.ema.state_dict(),
            "rng": self.rng.get_state(),
            "step": self.step,
            "elapsed": self.elapsed,
            "history": self.history,
            "snapshots": [[step, images] for step, images in self.snapshots],
            "meta": self.meta,
        }

    def save(self, path) -> Path:
        """Write a checkpoint atomically (see :func:`save_atomic`)."""
        path = save_atomic(self.state_dict(), path)
        self._saved_step = self.step
        return path

    def load(self, path) -> "Trainer":
        """Restore a checkpoint so that training continues exactly where it stopped."""
        state = load_checkpoint(path)
        try:
            self.generator.load_state_dict(state["generator"])
            self.discriminator.load_state_dict(state["discriminator"])
            if (state["ema"] is None) != (self.ema is None):
                raise ValueError("the checkpoint and this trainer disagree on ema_decay")
            if self.ema is not None:
                self.ema.load_state_dict(state["ema"])
        except (RuntimeError, ValueError) as error:
            raise ValueError(f"{path} does not fit these models ({error}). Build the trainer "
                             "with the same models and settings as the run that wrote it.") from None
        self.opt_g.load_state_dict(state["opt_g"])
        self.opt_d.load_state_dict(state["opt_d"])
        self.rng.set_state(state["rng"])
        self.step, self.elapsed = state["step"], state["elapsed"]
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.snapshots = [(int(step), images) for step, images in state["snapshots"]]
        self.meta = dict(state["meta"])
        self._saved_step = self.step
        return self

    def copy_generator(self):
        """A detached copy of the generator (raw weights) for comparisons."""
        return copy.deepcopy(self.generator).eval()
