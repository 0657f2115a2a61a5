"""Checkers for chapter 09 (energy-based GANs: EBGAN and BEGAN)."""

import torch

from gan_course import energy
from gan_course.checks._common import _float, _report, _run

_REAL = torch.tensor([0.02, 0.05, 0.10, 0.03])  # energies D(x) of four data images
_FAKE = torch.tensor([0.05, 0.20, 0.90, 0.45])  # energies D(G(z)) of four samples
_M = 0.3


def _margin_hint(got) -> str:
    value = _float(got)
    if value is None:
        return ("return one number, the mean over the batch" if torch.is_tensor(got) and got.numel() > 1
                else "return a number")
    mean_real, mean_fake = _REAL.mean().item(), _FAKE.mean().item()
    hints = [
        (mean_real, "this is E[D(x)] alone: the samples' term is missing, or you clipped the mean of "
         "m - D(G(z)) (negative here) instead of each sample's m - D(G(z))"),
        (mean_real + _M - mean_fake, "clip m - D(G(z)) at 0 (torch.relu): a sample whose energy is "
         "already above the margin must cost nothing"),
        (torch.relu(_M - _FAKE).mean().item(), "add the energy of the data, E[D(x)]: D must also "
         "lower it"),
        (mean_real + torch.relu(_FAKE - _M).mean().item(), "the hinge is max(0, m - D(G(z))): D is "
         "paid for raising the samples' energy up to m, not beyond it"),
        (mean_real - mean_fake, "the margin loss does not reward raising D(G(z)) without limit; "
         "use max(0, m - D(G(z)))"),
    ]
    return next((h for v, h in hints if abs(value - v) < 1e-6),
                "E[D(x)] + E[max(0, m - D(G(z)))], each a mean over the batch")


def _listed(values: torch.Tensor) -> list[float]:
    return [round(v, 4) for v in values.tolist()]


def check_margin_loss(answer) -> bool:
    """``answer(real_energy, fake_energy, m)``: EBGAN's discriminator loss
    E[D(x)] + E[max(0, m - D(G(z)))] (Zhao et al. 2017, eq. 1)."""
    got, error = _run(answer, _REAL.clone(), _FAKE.clone(), _M)
    if error:
        return _report(False, failure=error)
    want = energy.margin_loss(_REAL, _FAKE, _M).item()  # 0.05 + (0.25 + 0.1 + 0 + 0) / 4
    value = _float(got)
    if value is None or abs(value - want) > 1e-6:
        shown = got if value is None else round(value, 4)
        return _report(False, failure=f"for D(x) = {_listed(_REAL)}, D(G(z)) = {_listed(_FAKE)} and "
                       f"m = {_M} the loss is {want:.4f}, you returned {shown}. Hint: "
                       f"{_margin_hint(got)}.")
    above = _float(_run(answer, _REAL.clone(), torch.full((4,), 2.0), _M)[0])
    return _report(above is not None and abs(above - _REAL.mean().item()) < 1e-6,
                   "samples above the margin cost D nothing: it stops raising their energy at m, "
                   "so the energy of samples stays bounded.",
                   f"when every D(G(z)) = 2 > m only E[D(x)] = {_REAL.mean().item():.4f} is left; you "
                   f"returned {above}.")


def _k_cases():
    """(k, L(x), L(G(z)), gamma, lambda_k) cases: one inside [0, 1], one hitting each bound."""
    return [(0.2, 0.10, 0.02, 0.5, 0.5), (0.01, 0.10, 0.30, 0.5, 0.5), (0.99, 0.40, 0.0, 0.7, 0.1)]


def check_k_update(answer) -> bool:
    """``answer(k, loss_real, loss_fake, gamma, lambda_k)``: one step of BEGAN's control,
    clip(k + lambda_k (gamma L(x) - L(G(z))), 0, 1) (Berthelot et al. 2017, eq. 4)."""
    for k, real, fake, gamma, lam in _k_cases():
        got, error = _run(answer, torch.tensor(k), torch.tensor(real), torch.tensor(fake), gamma, lam)
        if error:
            return _report(False, failure=error)
        raw = k + lam * (gamma * real - fake)
        want = min(1.0, max(0.0, raw))
        value = _float(got)
        if value is not None and abs(value - want) < 1e-6:
            continue
        if value is not None and abs(value - raw) < 1e-6:
            hint = "clip k to [0, 1] (torch.clamp or min/max): it weighs a loss term"
        elif value is not None and abs(value - (k + lam * (fake - gamma * real))) < 1e-6:
            hint = ("the sign: when L(G(z)) is below gamma L(x) the samples are too easy for D, "
                    "so k must grow to make D push their loss up")
        elif value is not None and abs(value - min(1.0, max(0.0, k + lam * (real - gamma * fake)))) < 1e-6:
            hint = "gamma multiplies the loss of the data: gamma L(x) - L(G(z))"
        else:
            hint = "k + lambda_k * (gamma * L(x) - L(G(z))), then clipped to [0, 1]"
        return _report(False, failure=f"for k = {k}, L(x) = {real}, L(G(z)) = {fake}, gamma = "
                       f"{gamma}, lambda_k = {lam} the next k is {want:.4f}, you returned {got}. "
                       f"Hint: {hint}.")
    return _report(True, "k grows while L(G(z)) is below gamma L(x) and shrinks above it.")


def check_pulling_away(answer) -> bool:
    """``answer(codes)``: the pulling-away term, the mean squared cosine similarity over the
    N (N - 1) ordered pairs of distinct codes (Zhao et al. 2017, eq. 6)."""
    codes = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])  # cos^2: 0, 1/2, 1/2 (each twice)
    got, error = _run(answer, codes.clone())
    if error:
        return _report(False, failure=error)
    value, want = _float(got), 1 / 3
    if value is None or abs(value - want) > 1e-6:
        hints = [(5 / 9, "leave out the pairs of a code with itself (i != j): their cosine is 1"),
                 (5 / 6, "leave out the pairs of a code with itself (i != j): their cosine is 1"),
                 (2 / 9, "divide by N (N - 1), the number of ordered pairs i != j, not N^2"),
                 (2.0, "divide the sum by N (N - 1), the number of ordered pairs i != j"),
                 (15.0, "use cosines: divide each code by its norm before the dot products"),
                 (2 ** 0.5 / 3, "square the cosines"),
                 (1 / 6, "the sum over i != j counts each pair twice, (i, j) and (j, i): sum both, or "
                  "divide the sum over i < j by N (N - 1) / 2")]
        hint = next((h for v, h in hints if value is not None and abs(value - v) < 1e-6),
                    "normalise each code to unit length, take the matrix of dot products, square it, "
                    "and average the entries off the diagonal")
        return _report(False, failure=f"for the codes {codes.tolist()} the squared cosines of the "
                       f"distinct pairs are 0, 1/2 and 1/2 (each counted twice), a mean of "
                       f"{want:.4f}; you returned {got}. Hint: {hint}.")
    gen = torch.Generator().manual_seed(0)
    scaled = torch.randn(16, 8, generator=gen) * torch.rand(16, 1, generator=gen) * 10
    want2 = energy.pulling_away(scaled).item()
    value2 = _float(_run(answer, scaled.clone())[0])
    return _report(value2 is not None and abs(value2 - want2) < 1e-5,
                   "f_PT is 0 for orthogonal codes and 1 for parallel ones.",
                   f"on 16 random codes of different lengths the term is {want2:.5f}, you returned "
                   f"{value2}: use cosines (divide each code by its norm), not raw dot products.")
