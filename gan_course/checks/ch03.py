"""Checkers for chapter 03 (an MLP GAN on MNIST)."""

import torch
import torch.nn.functional as F

from gan_course.checks._common import _close, _report, _run


def check_ema_update(answer) -> bool:
    """``answer(average, model, decay)``: one in-place step of the weight average,
    theta_avg <- decay * theta_avg + (1 - decay) * theta, for every parameter of two modules of
    the same architecture; ``model`` itself must stay unchanged."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    average = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    before = [p.detach().clone() for p in model.parameters()]
    start = [p.detach().clone() for p in average.parameters()]
    decay = 0.9
    _, error = _run(answer, average, model, decay)
    if error:
        return _report(False, failure=error + ". Hint: loop over zip(average.parameters(), "
                       "model.parameters()) inside `with torch.no_grad():` and update in place.")
    if not all(torch.equal(p.detach(), b) for p, b in zip(model.parameters(), before, strict=True)):
        return _report(False, failure="your function changed the model's own weights: only the "
                       "average moves; the model keeps training with its raw weights.")
    got = [p.detach() for p in average.parameters()]
    want = [decay * a + (1 - decay) * m for a, m in zip(start, before, strict=True)]
    swapped = [(1 - decay) * a + decay * m for a, m in zip(start, before, strict=True)]
    if all(torch.allclose(g, w, atol=1e-6) for g, w in zip(got, want, strict=True)):
        return _report(True, "with decay 0.999 the average remembers about 1 / (1 - 0.999) = 1,000 "
                       "steps.")
    if all(torch.allclose(g, s, atol=1e-6) for g, s in zip(got, swapped, strict=True)):
        hint = ("you swapped the weights: the old average keeps the share `decay` (0.999, close "
                "to 1) and the new weights get only 1 - decay.")
    elif all(torch.equal(g, s) for g, s in zip(got, start, strict=True)):
        hint = ("the average did not change. Assign in place (p_avg.mul_(decay).add_(...), or "
                "p_avg.copy_(...)); rebinding a local name does not touch the module.")
    else:
        hint = "Hint: theta_avg <- decay * theta_avg + (1 - decay) * theta, parameter by parameter."
    return _report(False, failure=f"with decay = {decay} the average's weights are not right: {hint}")


def _slerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    omega = torch.arccos(torch.clamp(F.cosine_similarity(z0, z1, dim=0), -1.0, 1.0))
    t = t.view(-1, 1)
    return (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)


def check_slerp(answer) -> bool:
    """``answer(z0, z1, t)``: spherical interpolation between two noise vectors for each value of
    the 1-D tensor ``t`` in [0, 1], shape (len(t), noise_dim) (White 2016)."""
    gen = torch.Generator().manual_seed(0)
    z0, z1 = torch.randn(2, 8, generator=gen).double()
    t = torch.tensor([0.0, 0.25, 0.5, 0.9, 1.0], dtype=torch.float64)
    want = _slerp(z0, z1, t)
    got, error = _run(answer, z0.clone(), z1.clone(), t.clone())
    if error:
        return _report(False, failure=error)
    if not torch.is_tensor(got) or tuple(got.shape) != tuple(want.shape):
        shape = tuple(got.shape) if torch.is_tensor(got) else type(got).__name__
        return _report(False, failure=f"expected a tensor of shape (len(t), noise_dim) = "
                       f"{tuple(want.shape)}, got {shape}. Hint: t[:, None] broadcasts against z0.")
    if _close(got, want, 1e-5):
        return _report(True, "the path keeps a norm near those of z0 and z1, where Gaussian "
                       "noise lives,\ninstead of dipping through the middle.")
    linear = (1 - t.view(-1, 1)) * z0 + t.view(-1, 1) * z1
    if _close(got, linear, 1e-5):
        return _report(False, failure="that is the linear path (1 - t) z0 + t z1. Hint: the angle "
                       "omega = arccos(z0 . z1 / (|z0| |z1|)), then weights sin((1 - t) omega) / "
                       "sin(omega) and sin(t omega) / sin(omega).")
    ends = _close(got[0], z0, 1e-5) and _close(got[-1], z1, 1e-5)
    return _report(False, failure=("the end points are right but the path in between is not. "
                                   if ends else "at t = 0 the path must start at z0 and at t = 1 "
                                   "end at z1. ") + "Hint: slerp(z0, z1; t) = [sin((1 - t) omega) z0 "
                   "+ sin(t omega) z1] / sin(omega), with omega the angle between z0 and z1.")
