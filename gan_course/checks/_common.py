"""Shared helpers of the exercise checkers: report, run the answer safely, compare."""

import numpy as np
import torch


def _report(ok: bool, success: str = "", failure: str = "") -> bool:
    print(f"✅ Correct: {success}" if ok else f"❌ Not yet. {failure}")
    return ok


def _run(answer, *args):
    try:
        return answer(*args), None
    except Exception as error:  # the student's code: report, don't crash
        return None, f"your function raised {type(error).__name__}: {error}"


def _close(got, want, atol=1e-5) -> bool:
    try:
        got = torch.as_tensor(np.asarray(got, dtype=float) if not torch.is_tensor(got) else got)
        want = torch.as_tensor(want)
        return got.shape == want.shape and torch.allclose(got.double(), want.double(), atol=atol)
    except (TypeError, ValueError, RuntimeError):
        return False


def _float(value) -> float | None:
    """A scalar answer (float, NumPy or 0-d tensor) as a float, or None if it is not a scalar."""
    if value is None:
        return None
    try:
        if torch.is_tensor(value):
            value = value.detach().cpu().double()
        array = np.asarray(value, dtype=float)
        return float(array) if array.size == 1 else None
    except (TypeError, ValueError, RuntimeError):
        return None
