"""Checkers for chapter 11 (CycleGAN: the cycle-consistency loss, reading a broken run's scores)."""

import torch

from gan_course.checks._common import _float, _report, _run


def _maps():
    """Pairs of translators (G_AB, G_BA): inverse of each other, or not."""
    return [
        (lambda x: 2 * x + 1, lambda y: (y - 1) / 2),  # inverses: the loss is 0
        (lambda x: torch.tanh(3 * x), lambda y: 0.5 * y),  # not inverses
        (lambda x: x.flip(-1), lambda y: y ** 3),  # a mirror, then a cube
    ]


def _inputs():
    gen = torch.Generator().manual_seed(11)
    return torch.rand(4, 1, 5, 5, generator=gen) * 2 - 1, torch.rand(4, 1, 5, 5, generator=gen) * 2 - 1


def _cycle(ab, ba, a, b) -> float:
    return float((ba(ab(a)) - a).abs().mean() + (ab(ba(b)) - b).abs().mean())


def _cycle_hint(got: float, ab, ba, a, b) -> str:
    hints = [
        (float((ba(ab(a)) - a).abs().mean()), "add the other round trip, G_AB(G_BA(b)) against b"),
        (float((ab(ba(b)) - b).abs().mean()), "add the other round trip, G_BA(G_AB(a)) against a"),
        (float((ba(ab(a)) - a).pow(2).mean() + (ab(ba(b)) - b).pow(2).mean()),
         "the paper's cycle loss is an L1 distance: absolute values, not squares"),
        (float((ba(ab(a)) - a).abs().sum() + (ab(ba(b)) - b).abs().sum()),
         "take the mean over pixels and images, not the sum"),
        (float((ab(a) - a).abs().mean() + (ba(b) - b).abs().mean()),
         "that is the identity loss's shape: translate, then translate back, before comparing"),
        (float((ab(ab(a)) - a).abs().mean() + (ba(ba(b)) - b).abs().mean()),
         "the way back from B is G_BA: a -> G_AB(a) -> G_BA(G_AB(a))"),
    ]
    return next((h for value, h in hints if abs(got - value) < 1e-6),
                "mean |G_BA(G_AB(a)) - a| + mean |G_AB(G_BA(b)) - b|")


def check_cycle_loss(answer) -> bool:
    """``answer(G_AB, G_BA, a, b)``: the cycle-consistency loss of Zhu et al. 2017, eq. 2, with
    each expectation a mean over images and pixels."""
    a, b = _inputs()
    for ab, ba in _maps():
        got, error = _run(answer, ab, ba, a.clone(), b.clone())
        if error:
            return _report(False, failure=error)
        value, want = _float(got), _cycle(ab, ba, a, b)
        if value is None or abs(value - want) > 1e-5:
            hint = _cycle_hint(value, ab, ba, a, b) if value is not None else "return a number"
            return _report(False, failure=f"for one pair of test translators the cycle loss is {want:.4f}, "
                           f"you returned {got}. Hint: {hint}.")
    return _report(True, "two translators that invert each other score exactly 0.")


# Exercise 2's runs: each MLP ablation of chapter 11 and the terms it was trained without, with
# the evidence a student can see in the chapter's scores and pictures.
_MISSING = {
    "X": ({"cycle", "identity"}, "run X's translations are all nearly the same image (content at chance, "
          "the largest FID) and its round trips do not come back: nothing asked for a way back; and "
          "its identity L1 is large, like Z's"),
    "Y": ({"cycle"}, "run Y has the smallest identity L1 of the three, so its identity loss was on; "
          "its round trips miss more than Z's, and some digits turn into others"),
    "Z": ({"identity"}, "run Z's round trips bring the source digit back even where the translation "
          "is another digit, so the cycle loss was on; its identity L1 is the largest"),
}
_TERMS = {"cycle", "identity"}


def _as_terms(value):
    """A run's answer as a set of term names, or None when it is not one."""
    if isinstance(value, str):
        value = {value}
    try:
        terms = {str(v).strip().lower() for v in value}
    except TypeError:
        return None
    return terms if terms <= _TERMS else None


def check_missing_terms(answer) -> bool:
    """``answer``: a dict from run name ("X", "Y", "Z") to the set of terms ("cycle", "identity")
    that run was trained without."""
    if not isinstance(answer, dict) or set(answer) != set(_MISSING):
        return _report(False, failure=f"give a dict with the keys X, Y and Z, got {answer!r}.")
    for run, (want, evidence) in _MISSING.items():
        got = _as_terms(answer[run])
        if got is None:
            return _report(False, failure=f"run {run}: give a set of \"cycle\" and/or \"identity\", got "
                           f"{answer[run]!r}.")
        if not got:
            return _report(False, failure=f"run {run}: every run lost at least one term; which?")
        if got != want:
            return _report(False, failure=f"run {run}: not {sorted(got)}. Hint: {evidence}.")
    return _report(True, "X lost both terms, Y the cycle loss, Z the identity loss.")
