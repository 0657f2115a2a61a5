"""Checkers for chapter 01 (the value function)."""

import numpy as np
import torch

from gan_course import losses, theory
from gan_course.checks._common import _close, _float, _report, _run


def check_optimal_discriminator(answer) -> bool:
    """``answer(p_data, p_g)``: D*(x) = p_data / (p_data + p_g) on arrays of density values."""
    p_data = np.array([0.4, 0.1, 0.0, 0.25, 2.0])
    p_g = np.array([0.4, 0.3, 0.2, 0.05, 0.5])
    want = theory.optimal_discriminator(p_data, p_g)
    got, error = _run(answer, p_data, p_g)
    if error:
        return _report(False, failure=error)
    return _report(_close(got, want),
                   "D*(x) = p_data(x) / (p_data(x) + p_g(x)): equal densities give 1/2.",
                   f"for p_data = {p_data.tolist()} and p_g = {p_g.tolist()} you returned {got}, "
                   f"expected {np.round(want, 4).tolist()}. Hint: D* is the share of the density "
                   "at x that comes from the data.")


def check_c_of_g(answer) -> bool:
    """``answer(jsd)``: C(G) = -log 4 + 2 JSD."""
    tests = [0.0, 0.1, float(np.log(2))]
    got = [_run(answer, j)[0] for j in tests]
    want = [-np.log(4) + 2 * j for j in tests]
    ok = all(g is not None and abs(float(g) - w) < 1e-6 for g, w in zip(got, want, strict=True))
    return _report(ok, "C(G) = -log 4 + 2 JSD: its minimum -log 4 is reached at p_g = p_data.",
                   f"for JSD = {tests} you returned {got}, expected {np.round(want, 4).tolist()}. "
                   "Hint: Theorem 1 of Goodfellow et al. 2014.")


def check_generator_loss(answer) -> bool:
    """``answer(fake_logits)``: the non-saturating loss -E[log D(G(z))], stable for large logits."""
    logits = torch.tensor([-200.0, -3.0, 0.0, 2.5, 50.0])
    want = losses.g_loss_nonsaturating(logits)
    got, error = _run(answer, logits)
    if error:
        return _report(False, failure=error)
    if got is not None and torch.is_tensor(got) and not torch.isfinite(got).all():
        return _report(False, failure=f"you returned {got} for logits {logits.tolist()}: "
                       "log(sigmoid(-200)) underflows. Hint: -log sigmoid(a) = softplus(-a).")
    return _report(_close(got, want, 1e-4),
                   "-log D(G(z)) = softplus(-logit), averaged over the batch.",
                   f"for logits {logits.tolist()} you returned {got}, expected {want.item():.4f}. "
                   "Hint: average -log sigmoid(logit) over the batch, with F.softplus.")


def check_js_divergence(answer) -> bool:
    """``answer(p, q, x)``: JSD(p || q) for density values on the grid ``x`` (trapezoid rule)."""
    x = np.linspace(-6.0, 6.0, 4801)

    def box(a, b):
        return ((x >= a) & (x <= b)).astype(float) / (b - a)

    def normal(mu, s):
        return np.exp(-((x - mu) ** 2) / (2 * s**2)) / (s * np.sqrt(2 * np.pi))

    cases = [("two equal Gaussians", normal(0, 1), normal(0, 1)),
             ("two Gaussians N(0, 1) and N(1, 0.5^2)", normal(0, 1), normal(1, 0.5)),
             ("two boxes that do not overlap, U[-3, -1] and U[1, 3]", box(-3, -1), box(1, 3))]
    for name, p, q in cases:
        want = theory.js_divergence(p, q, x)
        got, error = _run(answer, p, q, x)
        if error:
            return _report(False, failure=error)
        value = _float(got)
        if value is None or not np.isfinite(value):
            return _report(False, failure=f"for {name} you returned {got}: expected a finite number. "
                           "Hint: where p(x) = 0 the term p log(p / m) is 0 (use scipy.special.xlogy "
                           "or np.where), so do not divide by zero.")
        if abs(value - want) > 1e-4:
            return _report(False, failure=f"for {name} you returned {value:.5f}, expected {want:.5f}. "
                           "Hint: JSD = 1/2 KL(p || m) + 1/2 KL(q || m) with m = (p + q) / 2, each KL "
                           "integrated with np.trapezoid(..., x).")
    return _report(True, "JSD is 0 for equal densities and log 2 = 0.6931 when they do not overlap.")


def check_logit_gradients(answer) -> bool:
    """``answer(d)``: the derivatives of log(1 - D) and of -log D with respect to D's logit a,
    as functions of the values d = D(G(z)) = sigmoid(a); returns the pair (saturating,
    non-saturating)."""
    d = np.array([1e-4, 0.01, 0.3, 0.5, 0.9, 0.999])
    want_sat, want_ns = -d, -(1 - d)
    got, error = _run(answer, d.copy())
    if error:
        return _report(False, failure=error)
    if not (isinstance(got, tuple | list) and len(got) == 2):
        return _report(False, failure=f"return a pair (saturating, non_saturating); you returned {got!r}.")
    ok_sat, ok_ns = _close(got[0], want_sat, 1e-6), _close(got[1], want_ns, 1e-6)
    if ok_sat and ok_ns:
        return _report(True, "at D(G(z)) = 0.0001 the saturating gradient is 10,000 times smaller "
                       "than the non-saturating one.")
    which = "the saturating one, d/da log(1 - sigmoid(a))" if not ok_sat else \
        "the non-saturating one, d/da [-log sigmoid(a)]"
    return _report(False, failure=f"{which} is not right yet: for d = {d.tolist()} expected "
                   f"{(want_sat if not ok_sat else want_ns).round(4).tolist()}, got "
                   f"{got[0] if not ok_sat else got[1]}. Hint: sigmoid'(a) = sigmoid(a) (1 - sigmoid(a)), "
                   "so both answers are simple expressions in d.")


def _half_points(mu, sigma, mu_g, sigma_g) -> np.ndarray:
    """Where N(mu, sigma^2) and N(mu_g, sigma_g^2) have equal density: log p_data - log p_g
    = a x^2 + b x + c = 0, a straight line (one root) when sigma_g = sigma."""
    a = 1 / (2 * sigma_g**2) - 1 / (2 * sigma**2)
    b = mu / sigma**2 - mu_g / sigma_g**2
    c = mu_g**2 / (2 * sigma_g**2) - mu**2 / (2 * sigma**2) + np.log(sigma_g / sigma)
    if sigma == sigma_g:
        return np.array([-c / b])
    return np.sort(np.roots([a, b, c]).real)


def _roots_without_normalisation(mu, sigma, mu_g, sigma_g) -> np.ndarray:
    """The usual slip: equal exponents, (x - mu)^2 / sigma^2 = (x - mu_g)^2 / sigma_g^2."""
    a = 1 / sigma_g**2 - 1 / sigma**2
    b = 2 * mu / sigma**2 - 2 * mu_g / sigma_g**2
    c = mu_g**2 / sigma_g**2 - mu**2 / sigma**2
    return np.sort(np.roots([a, b, c]).real) if a else np.array([-c / b])


def check_half_points(answer) -> bool:
    """``answer(mu, sigma, mu_g, sigma_g)``: the points x where D*(x) = 1/2, i.e. where the
    densities of N(mu, sigma^2) and N(mu_g, sigma_g^2) are equal (any order)."""
    cases = [(4.0, 0.5, 2.5, 1.0), (0.0, 1.0, 2.0, 1.0), (0.0, 1.0, 0.0, 2.0), (1.0, 2.0, -1.0, 0.5)]
    for case in cases:
        want = _half_points(*case)
        got, error = _run(answer, *case)
        if error:
            return _report(False, failure=error)
        try:
            values = np.sort(np.atleast_1d(np.asarray(got, dtype=float)).ravel())
        except (TypeError, ValueError):
            values = None
        if values is not None and values.shape == want.shape and np.allclose(values, want, atol=1e-6):
            continue
        where = "mu, sigma, mu_g, sigma_g = " + ", ".join(f"{v:g}" for v in case)
        return _report(False, failure=f"for {where} you returned {got}, expected "
                       f"{np.round(want, 4).tolist()}. {_half_points_hint(case, values, want)}")
    return _report(True, "p_data = p_g is quadratic in x: two crossings if the spreads differ, one if not.")


def _half_points_hint(case, values, want) -> str:
    mu, sigma, mu_g, sigma_g = case
    if values is None or not np.all(np.isfinite(values)):
        if sigma == sigma_g:
            return ("Hint: with sigma_g = sigma the x^2 terms cancel, so the equation is linear: "
                    "one crossing, and no division by the (zero) x^2 coefficient.")
        return "Hint: return a NumPy array of finite numbers."
    if len(want) == 2 and len(values) == 1:
        return ("Hint: when the spreads differ the x^2 terms do not cancel: the equation is quadratic "
                "and has two solutions (the wider density wins again in both tails).")
    slip = _roots_without_normalisation(*case)
    if values.shape == slip.shape and np.allclose(values, slip, atol=1e-6):
        return ("Hint: you compared the exponents only. The densities also differ by their factor "
                "1 / (sigma sqrt(2 pi)): keep the term log(sigma_g / sigma).")
    return ("Hint: take logarithms, log N(x; mu, sigma^2) = -(x - mu)^2 / (2 sigma^2) - log sigma - "
            "log(2 pi) / 2, and set log p_data(x) = log p_g(x).")
