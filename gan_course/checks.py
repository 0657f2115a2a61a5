"""Checkers for the chapters' exercises.

Each ``check_*`` function runs the student's answer against a hidden reference on a few test
inputs and prints friendly feedback: a tick when it agrees, otherwise what was given, what was
expected and a hint. It returns ``True`` or ``False`` and never raises, so a wrong answer does not
stop the notebook.
"""

import numpy as np
import torch
import torch.nn.functional as F

from gan_course import losses, theory


def _report(ok: bool, success: str = "", failure: str = "") -> bool:
    print(f"✅ Correct. {success}" if ok else f"❌ Not yet. {failure}")
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


def check_conditional_input(answer) -> bool:
    """``answer(z, labels, n_classes)``: [z, one_hot(labels)] joined along the feature axis."""
    z = torch.linspace(-1, 1, 12).view(3, 4)
    labels = torch.tensor([2, 0, 9])
    want = torch.cat([z, F.one_hot(labels, 10).float()], dim=1)
    got, error = _run(answer, z, labels, 10)
    if error:
        return _report(False, failure=error)
    if not torch.is_tensor(got) or got.shape != want.shape:
        shape = tuple(got.shape) if torch.is_tensor(got) else type(got).__name__
        return _report(False, failure=f"expected a tensor of shape {tuple(want.shape)} "
                       f"(batch, noise_dim + n_classes), got {shape}. Hint: torch.cat(..., dim=1).")
    return _report(_close(got, want),
                   "the generator now sees both the noise and which digit to draw.",
                   "the shape is right but the values differ: the noise should come first, then "
                   "the one-hot label (F.one_hot(labels, n_classes).float()).")


def check_gradient_penalty(answer) -> bool:
    """``answer(critic, real, fake)``: E[(||grad f(x_hat)||_2 - 1)^2], differentiable in f."""
    torch.manual_seed(0)
    linear = torch.nn.Linear(2, 1)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[3.0, 4.0]]))  # ||grad|| = 5 everywhere: penalty 16

    def critic(x):
        return linear(x).squeeze(1)

    real, fake = torch.randn(64, 2), torch.randn(64, 2)
    got, error = _run(answer, critic, real, fake)
    if error:
        return _report(False, failure=error)
    if not _close(got, torch.tensor(16.0), 1e-4):
        return _report(False, failure=f"for the linear critic f(x) = 3 x1 + 4 x2 the gradient norm "
                       f"is 5 everywhere, so the penalty is (5 - 1)^2 = 16; you returned {got}.")
    linear.zero_grad()
    if torch.is_tensor(got) and got.requires_grad:
        got.backward()
    if linear.weight.grad is None or linear.weight.grad.abs().sum() == 0:
        return _report(False, failure="the value is right but no gradient reaches the critic's "
                       "weights: pass create_graph=True to torch.autograd.grad.")
    torch.manual_seed(1)
    mlp = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))

    def critic2(x):
        return mlp(x).squeeze(1)

    torch.manual_seed(2)
    want = losses.gradient_penalty(critic2, real, fake)
    torch.manual_seed(2)
    got, error = _run(answer, critic2, real, fake)
    return _report(not error and _close(got, want, 1e-4),
                   "this is the WGAN-GP penalty of Gulrajani et al. 2017, eq. 3.",
                   error or f"on a small MLP critic you returned {got}, the reference gives "
                   f"{want.item():.5f} with the same random state. Hint: draw eps with "
                   "torch.rand(len(real)) (one per sample) before anything else.")
