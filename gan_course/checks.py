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


# --- chapters 01 and 02 -------------------------------------------------------------------------


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
        return _report(True, "at D(G(z)) = 0.0001 the saturating loss sends back a gradient 10,000 "
                       "times smaller than the non-saturating one.")
    which = "the saturating one, d/da log(1 - sigmoid(a))" if not ok_sat else \
        "the non-saturating one, d/da [-log sigmoid(a)]"
    return _report(False, failure=f"{which} is not right yet: for d = {d.tolist()} expected "
                   f"{(want_sat if not ok_sat else want_ns).round(4).tolist()}, got "
                   f"{got[0] if not ok_sat else got[1]}. Hint: sigmoid'(a) = sigmoid(a) (1 - sigmoid(a)), "
                   "so both answers are simple expressions in d.")


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
        return _report(True, "a collapsed generator puts (almost) all its samples in one share.")
    return _report(False, failure=f"for samples {samples.tolist()} and modes {means} you returned {got}, "
                   f"expected {want.tolist()} (an array with one share per mode, summing to 1). Hint: "
                   "np.abs(samples[:, None] - np.array(means)[None, :]).argmin(axis=1) gives each "
                   "sample's nearest mode; then np.bincount(..., minlength=len(means)) / len(samples).")


# --- chapters 03 and 04 -------------------------------------------------------------------------


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
        return _report(True, "the norm of the path stays near the norms of z0 and z1, where "
                       "Gaussian noise lives, instead of dipping through the middle.")
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


def check_label_morph(answer) -> bool:
    """``answer(generator, z, label_a, label_b, t)``: the conditional generator's output for one
    noise vector ``z`` and the label embedding (1 - t) e(a) + t e(b), for each value of the 1-D
    tensor ``t``: shape (len(t), *data_shape)."""
    from gan_course.models import MLPGenerator

    torch.manual_seed(0)
    generator = MLPGenerator(noise_dim=4, hidden=(16,), data_shape=(1, 2, 3), n_classes=5,
                             embed_dim=3).eval()
    z = torch.rand(4) * 2 - 1
    t = torch.tensor([0.0, 0.3, 1.0])
    with torch.no_grad():
        codes = (1 - t[:, None]) * generator.embed.weight[1] + t[:, None] * generator.embed.weight[4]
        want = generator.net(torch.cat([z.expand(3, -1), codes], dim=1)).view(3, 1, 2, 3)
    got, error = _run(answer, generator, z.clone(), 1, 4, t.clone())
    if error:
        return _report(False, failure=error + ". Hint: generator.embed(torch.tensor(a)) is e(a); "
                       "join [z, code] with torch.cat and run generator.net, then reshape.")
    if not torch.is_tensor(got):
        return _report(False, failure=f"return a tensor, got {type(got).__name__}.")
    got = got.detach()
    if got.numel() != want.numel():
        return _report(False, failure=f"for 3 values of t expected {want.numel()} numbers, shape "
                       f"(3, *data_shape) = {tuple(want.shape)}; got shape {tuple(got.shape)}.")
    if _close(got.reshape(want.shape), want, 1e-5):
        return _report(True, "between two labels the generator draws something in between: the "
                       "embedding space is continuous even though the labels are not.")
    return _report(False, failure="the values differ from the reference. Hint: the code of the "
                   "mixture is (1 - t) * e(label_a) + t * e(label_b) (t = 0 gives label_a), and "
                   "the generator's input is [z, code], noise first, exactly as in its forward().")
