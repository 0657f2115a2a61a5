"""Checkers for chapter 02 (the 1-D toy GAN)."""

import numpy as np
import torch

from gan_course import losses
from gan_course.checks._common import _close, _float, _report, _run


def check_wasserstein_samples(answer) -> bool:
    """``answer(a, b)``: W1 between two 1-D samples of equal size (NumPy arrays, any order)."""
    rng = np.random.default_rng(0)
    a = rng.normal(0.0, 1.0, 500)
    cases = [("b = a + 0.7 (a shift)", a, a + 0.7),
             ("b with another spread", a, rng.normal(0.2, 2.0, 500))]
    for name, u, v in cases:
        want = float(np.mean(np.abs(np.sort(u) - np.sort(v))))
        got, error = _run(answer, u.copy(), v.copy())
        if error:
            return _report(False, failure=error)
        value = _float(got)
        if value is None or not abs(value - want) <= 1e-6:
            hint = ("Hint: in 1-D the best transport plan matches the samples in sorted order: "
                    "sort both, then average the distances |a_(i) - b_(i)|.")
            if value is not None and abs(value - float(np.mean(np.abs(u - v)))) < 1e-6:
                hint = "You matched the samples in their given order. " + hint
            return _report(False, failure=f"for {name} you returned {got}, expected {want:.5f}. {hint}")
    return _report(True, "W1 between equal-size 1-D samples is the mean distance between the sorted samples.")


def check_discriminator_loss(answer) -> bool:
    """``answer(real_logits, fake_logits)``: -V on a batch, -mean log D(x) - mean log(1 - D(G(z))),
    computed stably from logits."""
    real = torch.tensor([3.0, 0.0, -2.0, 200.0, -150.0])
    fake = torch.tensor([-3.0, 0.0, 2.0, -200.0, 150.0])
    want = losses.d_loss_gan(real, fake)
    got, error = _run(answer, real.clone(), fake.clone())
    if error:
        return _report(False, failure=error)
    value = _float(got)
    if value is None or not np.isfinite(value):
        return _report(False, failure=f"you returned {got} for logits as large as 150 or 200: "
                       "sigmoid(150) rounds to exactly 1, so log(1 - D) becomes log(0). Hint: "
                       "-log D = softplus(-logit) and -log(1 - D) = softplus(logit).")
    if not abs(value - want.item()) <= 1e-4:
        hint = "Hint: the sum of two averages, softplus(-real).mean() + softplus(fake).mean()."
        if abs(2 * value - want.item()) < 1e-4:
            hint = "You returned half the answer: average each term over its own batch, then add them."
        return _report(False, failure=f"for real logits {real.tolist()} and fake logits {fake.tolist()} "
                       f"you returned {value:.4f}, expected {want.item():.4f}. {hint}")
    return _report(True, "this is binary cross-entropy with label 1 for data and 0 for samples.")


def check_mode_shares(answer) -> bool:
    """``answer(samples, means)``: the share of 1-D ``samples`` nearest to each of ``means``."""
    samples = np.array([-2.1, -1.9, 2.0, 2.2, 0.1, 5.0, -0.3, 1.7])
    means = [-2.0, 2.0]
    want = np.array([3 / 8, 5 / 8])
    got, error = _run(answer, samples.copy(), list(means))
    if error:
        return _report(False, failure=error)
    if _close(got, want, 1e-6):
        return _report(True, "a collapsed generator puts (almost) all its samples in one mode.")
    return _report(False, failure=f"for samples {samples.tolist()} and modes {means} you returned {got}, "
                   f"expected {want.tolist()} (an array with one share per mode, summing to 1). Hint: "
                   "np.abs(samples[:, None] - np.array(means)[None, :]).argmin(axis=1) gives each "
                   "sample's nearest mode; then np.bincount(..., minlength=len(means)) / len(samples).")
