"""The per-step history of a run, without a device-to-host transfer every step.

Each training step adds a row of scalars (losses, mean scores) as *tensors*; on a GPU, turning
them into Python numbers at once (``.item()``) would make the CPU wait for the GPU three or
four times per step. :class:`History` keeps the rows on the device and brings them all to the
host in one transfer when :meth:`History.sync` is called (every ``sync_every`` steps, before
callbacks and checkpoints). It also watches, on the device, whether every loss was finite.
"""

import math

import torch

_WORDS = {"d_loss": "the discriminator loss", "g_loss": "the generator loss"}


class History:
    """``history.values``: ``{"step": [...], "d_loss": [...], ...}`` as Python floats."""

    def __init__(self, device):
        self.values: dict[str, list[float]] = {}
        self._pending: list[tuple[int, list[str], torch.Tensor]] = []
        self._finite = torch.ones((), dtype=torch.bool, device=device)

    def watch(self, loss: torch.Tensor) -> None:
        """Remember, on the device and without waiting, whether ``loss`` is finite."""
        self._finite &= torch.isfinite(loss.detach()).all()

    def add(self, step: int, values: dict[str, torch.Tensor]) -> None:
        """The row of scalars of ``step``, kept on the device until the next :meth:`sync`."""
        keys = list(values)
        if self._pending and self._pending[-1][1] != keys:
            self.sync()
        row = torch.stack([v.detach().float().reshape(()) for v in values.values()])
        self._pending.append((step, keys, row))

    def sync(self) -> str | None:
        """Move pending rows to :attr:`values`; return ``None`` if every loss so far was
        finite, else a sentence naming the first non-finite value and its step."""
        pending, self._pending = self._pending, []
        if pending:
            keys = pending[0][1]
            rows = torch.stack([row for _, _, row in pending]).tolist()  # the one transfer
            for (step, _, _), numbers in zip(pending, rows, strict=True):
                self.values.setdefault("step", []).append(float(step))
                for key, number in zip(keys, numbers, strict=True):
                    self.values.setdefault(key, []).append(number)
        if bool(self._finite):
            return None
        for step, keys, row in pending:
            for key, number in zip(keys, row.tolist(), strict=True):
                if not math.isfinite(number):
                    return f"{_WORDS.get(key, key)} became {number} at step {step}"
        return "a loss became NaN or infinite"

    def load(self, values: dict) -> None:
        """Replace the history by ``values`` (from a checkpoint)."""
        self.values = {k: list(v) for k, v in values.items()}
        self._pending = []
