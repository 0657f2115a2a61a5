"""Checkers for chapter 08 (evaluating GANs)."""

import numpy as np
import torch

from gan_course import data, distances, evaluation, stress
from gan_course.checks._common import _float, _report, _run


def _biased_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    k = distances.polynomial_kernel
    return float(k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean())


def check_kid_unbiased(answer) -> bool:
    """``answer(x, y)``: the unbiased MMD^2 of Binkowski et al. (2018) between feature arrays
    ``x`` (m, d) and ``y`` (n, d) with the cubic kernel k(a, b) = (a . b / d + 1)^3."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(6, 3)), rng.normal(0.5, 1.5, size=(9, 3))
    got, error = _run(answer, x.copy(), y.copy())
    got = _float(got)
    if error or got is None:
        return _report(False, failure=error or "return one number (a float or a 0-d tensor).")
    want = distances.mmd2_unbiased(x, y)
    tolerance = 1e-6 * max(1.0, abs(want))  # float32 answers are fine
    if abs(got - want) <= tolerance:
        same = _float(_run(answer, np.ones((4, 2)), np.ones((5, 2)))[0])
        if same is not None and abs(same) < 1e-5:
            return _report(True, "it matches the unbiased estimate on random features, and gives 0 "
                           "for two samples of one point.")
        return _report(False, failure=f"right on random features, but for x and y all equal to (1, 1) "
                       f"you returned {same}, not 0.")
    if abs(got - _biased_mmd2(x, y)) <= tolerance:
        hint = ("that is the biased estimate: leave out the diagonal terms k(x_i, x_i) and "
                "k(y_i, y_i) of the within-set sums, and divide them by m (m - 1) and n (n - 1).")
    else:
        hint = ("Hint: mean of k(x_i, x_j) over i != j, plus the same for y, minus twice the mean of "
                "k(x_i, y_j) over all pairs; d is the number of features (x.shape[1]).")
    return _report(False, failure=f"on a 6-by-3 and a 9-by-3 array you returned {got:.6f}, the "
                   f"unbiased estimate is {want:.6f}: {hint}")


def _intercept(answer, sizes: np.ndarray, fids: np.ndarray):
    """The student's FID_inf (a number, or the first of a pair) and an error message or None."""
    got, error = _run(answer, sizes.copy(), fids.copy())
    return _float(got[0] if isinstance(got, tuple | list) else got), error


def check_fid_infinity(answer) -> bool:
    """``answer(sizes, fids)``: FID extrapolated to N = infinity from FIDs measured at ``sizes``,
    the intercept of the line FID_N = FID_inf + k / N (Chong and Forsyth 2020)."""
    sizes = np.array([500, 1000, 2000, 5000, 10_000])
    exact = 3.0 + 4000.0 / sizes
    got, error = _intercept(answer, sizes, exact)
    if error or got is None:
        return _report(False, failure=error or "return FID_inf, one number (or a pair (FID_inf, k)).")
    if abs(got - 3.0) > 1e-6:
        in_n = abs(got - float(np.polyfit(sizes, exact, 1)[1])) < 1e-6
        hint = ("you fitted a line in N: fit it in x = 1 / N, where FID is linear" if in_n
                else "Hint: np.polyfit(1 / sizes, fids, 1) returns (k, FID_inf)")
        return _report(False, failure=f"for FID_N = 3 + 4000 / N exactly you returned {got:.4f}, "
                       f"not 3: {hint}.")
    noisy = exact + np.random.default_rng(0).normal(0, 0.2, len(sizes))
    want = evaluation.fid_infinity(sizes, noisy)[0]
    got, _ = _intercept(answer, sizes, noisy)
    return _report(got is not None and abs(got - want) < 1e-6,
                   "FID_inf is FID with infinitely many samples: comparable across N.",
                   f"with noisy FIDs the least-squares intercept is {want:.4f}, you returned {got}.")


def _copy_cases() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """2,000 training digits, 300 of them each moved by one pixel, and 300 new test digits."""
    images, _ = data.mnist("train")
    test_images, _ = data.mnist("test")
    gen = torch.Generator().manual_seed(8)
    training = images[torch.randperm(len(images), generator=gen)[:2000]]
    split = stress.Split(training, training[:0], torch.zeros(0), test_images, torch.zeros(0))
    return training, stress.mystery(split, 300, gen), test_images[:300]


def check_copy_detector(answer) -> bool:
    """``answer(images, training)``: a bool tensor (N,), True for the images that are copies of a
    training image moved by at most one pixel in any direction; False for new digits."""
    training, moved, new = _copy_cases()
    flags = {}
    for name, images in [("moved copies", moved), ("exact copies", training[:100]), ("new digits", new)]:
        got, error = _run(answer, images.clone(), training.clone())
        if error:
            return _report(False, failure=error)
        got = torch.as_tensor(got).bool().reshape(-1)
        if got.shape != (len(images),):
            return _report(False, failure=f"return one flag per image: shape ({len(images)},), "
                           f"got {tuple(got.shape)}.")
        flags[name] = got.float().mean().item()
    ok = flags["moved copies"] >= 0.9 and flags["exact copies"] >= 0.99 and flags["new digits"] <= 0.05
    return _report(ok, f"{flags['moved copies']:.0%} of moved copies flagged, {flags['new digits']:.0%} "
                   "of new digits: undo the move, then search.",
                   f"with 2,000 training digits you flag {flags['moved copies']:.0%} of copies moved by "
                   f"one pixel (want >= 90 %), {flags['exact copies']:.0%} of exact copies (want 100 %) "
                   f"and {flags['new digits']:.0%} of new test digits (want <= 5 %). Hint: try the 9 "
                   "moves stress.shifted(images, dx, dy), dx, dy in (-1, 0, 1), and keep each image's "
                   "smallest evaluation.distance_ratios.")
