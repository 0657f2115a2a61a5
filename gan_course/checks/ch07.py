"""Checkers for chapter 07 (the loss zoo and the stabilisers)."""

import torch

from gan_course import losses
from gan_course.checks._common import _close, _float, _report, _run


def check_hinge_loss(answer) -> bool:
    """``answer(real, fake)``: E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))] from raw scores."""
    real = torch.tensor([2.0, 1.0, 0.5, -1.0])
    fake = torch.tensor([-3.0, -1.0, 0.0, 0.5])
    got, error = _run(answer, real.clone(), fake.clone())
    if error:
        return _report(False, failure=error)
    want = losses.d_loss_hinge(real, fake)  # (0 + 0 + 0.5 + 2) / 4 + (0 + 0 + 1 + 1.5) / 4 = 1.25
    if _float(got) is None or not _close(_float(got), want.item(), 1e-6):
        hint = ("scores beyond the margin (D(x) >= 1, D(G(z)) <= -1) must cost nothing: use "
                "torch.relu(1 - real) and torch.relu(1 + fake), then the mean of each")
        return _report(False, failure=f"for D(x) = {real.tolist()} and D(G(z)) = {fake.tolist()} the "
                       f"hinge loss is {want.item():.4f}, you returned {got}. Hint: {hint}.")
    confident = _float(_run(answer, torch.full((8,), 5.0), torch.full((8,), -5.0))[0])
    return _report(confident is not None and abs(confident) < 1e-6,
                   "a confident D (scores beyond both margins) costs nothing:\nthe hinge D stops "
                   "pushing its scores once they are past the margin (Lim & Ye 2017).",
                   f"with every D(x) = 5 and every D(G(z)) = -5 the loss must be 0, you returned "
                   f"{confident}.")


def check_power_iteration(answer) -> bool:
    """``answer(W, steps)``: the power-iteration estimate of the largest singular value of W."""
    torch.manual_seed(0)
    left, _ = torch.linalg.qr(torch.randn(20, 20))
    right, _ = torch.linalg.qr(torch.randn(12, 12))
    singular = torch.tensor([3.0, 1.5, 1.0, 0.8, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01])
    weight = left[:, :12] @ torch.diag(singular) @ right.T  # sigma(W) = 3 exactly
    got, error = _run(answer, weight.clone(), 30)
    if error:
        return _report(False, failure=error)
    value = _float(got)
    if value is None or abs(value - 3.0) > 1e-3:
        return _report(False, failure=f"this W has singular values 3, 1.5, 1, ...; after 30 steps "
                       f"the estimate should be 3.000, you returned {got}. Hint: start from a random "
                       "unit u, repeat v = W^T u / ||W^T u||, u = W v / ||W v||, return u^T W v.")
    exact = torch.linalg.matrix_norm(weight, ord=2).item()
    return _report(True, f"sigma(W) = {value:.4f}; torch.linalg.matrix_norm(W, ord=2) = {exact:.4f}.\n"
                   "Spectral normalisation divides W by this estimate, keeping u between steps.")


def check_lsgan_optimal_discriminator(answer) -> bool:
    """``answer(p_data, p_g, a, b)``: the least-squares D* = (b p_data + a p_g) / (p_data + p_g)."""
    p_data = torch.tensor([0.5, 0.1, 0.0, 0.3, 0.2])
    p_g = torch.tensor([0.5, 0.3, 0.4, 0.0, 0.05])
    for a, b in [(0.0, 1.0), (-1.0, 1.0)]:
        got, error = _run(answer, p_data.clone(), p_g.clone(), a, b)
        if error:
            return _report(False, failure=error)
        want = (b * p_data + a * p_g) / (p_data + p_g)
        if not _close(got, want, 1e-5):
            return _report(False, failure=f"with targets a = {a} (samples) and b = {b} (data), for "
                           f"p_data = {p_data.tolist()} and p_g = {p_g.tolist()} D* is "
                           f"{[round(v, 4) for v in want.tolist()]}, you returned {got}. Hint: "
                           "minimise p_data (D - b)^2 + p_g (D - a)^2 pointwise: set its derivative "
                           "in D to zero.")
    return _report(True, "D*(x) = (b p_data + a p_g) / (p_data + p_g): b where only data lives,\n"
                   "a where only samples live, their average where both are equally likely "
                   "(Mao et al. 2017, section 3.2).")
