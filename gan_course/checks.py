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


def check_nearest_neighbours(answer) -> bool:
    """``answer(samples, train, k)``: the indices (n, k) of the k training images nearest to each
    sample in Euclidean (pixel) distance, nearest first."""
    gen = torch.Generator().manual_seed(0)
    train = torch.rand(300, 1, 28, 28, generator=gen) * 2 - 1
    samples = train[[7, 123, 250]] + 0.05 * torch.randn(3, 1, 28, 28, generator=gen)
    samples = torch.cat([samples, torch.rand(2, 1, 28, 28, generator=gen) * 2 - 1])
    distances = torch.cdist(samples.flatten(1), train.flatten(1))
    want = distances.topk(3, dim=1, largest=False).indices
    got, error = _run(answer, samples.clone(), train.clone(), 3)
    if error:
        return _report(False, failure=error + ". Hint: flatten the images to vectors of 784 first.")
    try:
        got = torch.as_tensor(np.asarray(got)).long()
    except (TypeError, ValueError, RuntimeError):
        return _report(False, failure="return a tensor of indices of shape (5, 3); got "
                       f"{type(got).__name__}.")
    if tuple(got.shape) != (5, 3):
        return _report(False, failure=f"expected indices of shape (n_samples, k) = (5, 3), got "
                       f"{tuple(got.shape)}. Hint: torch.cdist(samples.flatten(1), train.flatten(1)) "
                       "gives a (5, 300) matrix of distances.")
    if torch.equal(got, want):
        return _report(True, "the first three samples are noisy copies of training images 7, 123 "
                       "and 250, and your search found them.")
    if torch.equal(got, distances.topk(3, dim=1, largest=True).indices):
        return _report(False, failure="you returned the farthest images: use largest=False (or sort "
                       "the distances in increasing order).")
    return _report(False, failure=f"for test samples made near training images 7, 123 and 250 you "
                   f"returned {got[:, 0].tolist()} as the nearest ones, expected "
                   f"{want[:, 0].tolist()}. Hint: distances.topk(k, dim=1, largest=False).indices.")


def check_style_sweep(answer) -> bool:
    """``answer(z, n_classes)``: a batch asking for every class with the same noise vector,
    ``(noise (n_classes, noise_dim), labels (n_classes,))`` with labels 0, 1, ..., n_classes - 1."""
    z = torch.linspace(-1, 1, 6)
    got, error = _run(answer, z.clone(), 4)
    if error:
        return _report(False, failure=error)
    if not (isinstance(got, tuple | list) and len(got) == 2):
        return _report(False, failure=f"return a pair (noise, labels); you returned {type(got).__name__}.")
    noise, labels = got
    if not (torch.is_tensor(noise) and torch.is_tensor(labels)):
        return _report(False, failure="both the noise and the labels should be tensors.")
    if tuple(noise.shape) != (4, 6):
        return _report(False, failure=f"for z of size 6 and 4 classes the noise should have shape "
                       f"(4, 6), got {tuple(noise.shape)}. Hint: z.expand(n_classes, -1) or "
                       "z.repeat(n_classes, 1).")
    if not torch.equal(noise, z.expand(4, -1)):
        return _report(False, failure="every row of the noise must be the same vector z: that is what "
                       "keeps the style fixed while the label changes.")
    if labels.dtype != torch.long:
        return _report(False, failure=f"the labels are indices into the embedding table, so they must "
                       f"be integers (torch.long); got {labels.dtype}.")
    if not torch.equal(labels, torch.arange(4)):
        return _report(False, failure=f"expected labels [0, 1, 2, 3], got {labels.tolist()}. "
                       "Hint: torch.arange(n_classes).")
    return _report(True, "one style, every digit: the noise carries the style, the label the class.")
