"""Checkers for chapter 05 (WGAN and WGAN-GP)."""

import torch

from gan_course import losses
from gan_course.checks._common import _close, _float, _report, _run


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


def check_critic_slope(answer) -> bool:
    """``answer(critic, a, b)``: max_i |f(a_i) - f(b_i)| / ||a_i - b_i||_2 over paired rows, the
    largest slope of f seen between the pairs: a lower bound on the critic's Lipschitz constant
    K (the constant the Kantorovich-Rubinstein dual needs fixed; Arjovsky et al. 2017, eq. 3)."""
    linear = torch.nn.Linear(2, 1)
    with torch.no_grad():
        linear.weight.copy_(torch.tensor([[3.0, 4.0]]))  # slope 5 along (0.6, 0.8), less elsewhere
        linear.bias.zero_()

    def critic(x):
        return linear(x).squeeze(1)

    gen = torch.Generator().manual_seed(0)
    a = torch.randn(50, 2, generator=gen)
    b = a + 0.3 * torch.randn(50, 2, generator=gen)
    b[7] = a[7] + 2.0 * torch.tensor([0.6, 0.8])  # the steepest pair: f(a) - f(b) = -10 over 2
    got, error = _run(answer, critic, a.clone(), b.clone())
    if error:
        return _report(False, failure=error)
    got = _float(got)
    if got is None or abs(got - 5.0) > 1e-4:
        return _report(False, failure=f"for f(x) = 3 x1 + 4 x2 the steepest of the pairs rises by "
                       f"10 over a distance of 2, a slope of 5; you returned {got}. Take the "
                       "absolute difference of the scores, divide by the Euclidean distance "
                       "(a - b).norm(dim=1), and the maximum over the pairs.")
    torch.manual_seed(1)
    mlp = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))

    def critic2(x):
        return mlp(x).squeeze(1)

    with torch.no_grad():
        want = ((critic2(a) - critic2(b)).abs() / (a - b).norm(dim=1)).max().item()
    got, error = _run(answer, critic2, a.clone(), b.clone())
    got = _float(got)
    return _report(not error and got is not None and abs(got - want) < 1e-4,
                   "a 1-Lipschitz critic never exceeds 1; a clipped critic stays far below it "
                   "and a weakly penalised one above it.",
                   error or f"on a small MLP critic you returned {got}, expected {want:.5f}.")


def check_share_at_bound(answer) -> bool:
    """``answer(critic, c)``: the share of all the critic's parameters (weights and biases) within
    1 % of the clipping bound, |w| >= 0.99 c (what ``games.WGAN.share_at_clip_bound`` reports;
    clipping: Arjovsky et al. 2017, Algorithm 1, line 7)."""
    c = 0.01
    critic = torch.nn.Linear(4, 3)  # 12 weights and 3 biases
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[c, -c, 0.995 * c, -0.995 * c],
                                          [0.5 * c, 0.0, -0.2 * c, 0.9 * c],
                                          [c, 0.1 * c, -0.3 * c, 0.0]]))
        critic.bias.copy_(torch.tensor([-c, -c, 0.0]))
    want = 7 / 15  # five weights and two biases at the bound
    got, error = _run(answer, critic, c)
    if error:
        return _report(False, failure=error)
    got = _float(got)
    if got is not None and abs(got - want) < 1e-6:
        return _report(True, "clipping leaves the weights that want to grow pinned at +-c.")
    hints = [(5 / 12, "count the biases too: clipping clamps every parameter."),
             (3 / 15, "count both walls: |w| near +c and near -c."),
             (5 / 15, "weights within 1 % of the bound count too: |w| >= 0.99 c."),
             (0.0, "a clipped weight equals +-c exactly, so |w| > c finds none: use |w| >= 0.99 c."),
             (7.0, "return the share of all parameters, not their number.")]
    hint = next((h for value, h in hints if got is not None and abs(got - value) < 1e-6),
                "concatenate all parameters, take |w| >= 0.99 * c, and the mean.")
    return _report(False, failure=f"for a layer with 5 of 12 weights and 2 of 3 biases at +-c (within "
                   f"1 %) the share is 7/15 = {want:.4f}; you returned {got}. Hint: {hint}")


def check_modes_covered(answer) -> bool:
    """``answer(samples, modes, std)``: the number of modes holding at least 1 % of *all* samples
    among the high-quality ones, within 3 std of their nearest mode (``metrics.mode_coverage``,
    the measure of Srivastava et al. 2017, VEEGAN, section 5.1)."""
    modes = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
    std = 0.05
    gen = torch.Generator().manual_seed(0)
    samples = torch.cat([  # 200 samples, 91 of them high quality
        modes[0] + std * torch.randn(60, 2, generator=gen).clamp(-1.5, 1.5),  # 30 %: covered
        modes[1] + std * torch.randn(30, 2, generator=gen).clamp(-1.5, 1.5),  # 15 %: covered
        modes[2] + torch.tensor([[0.01, 0.0]]),  # one sample, 0.5 % of all: not covered
        modes[3] + torch.tensor([0.2, 0.0]) * torch.ones(109, 1),  # nearest mode 4, 4 std away
    ])
    got, error = _run(answer, samples.clone(), modes.clone(), std)
    if error:
        return _report(False, failure=error)
    got = _float(got)
    if got != 2:
        return _report(False, failure=f"2 modes hold at least 1 % of the 200 samples within 3 std; you "
                       f"returned {got}. Check: a sample counts only within 3 * std of its nearest "
                       "mode (not 3 * std ** 2), and the 1 % is of all samples, not of the "
                       "high-quality ones (one stray sample on a mode is not coverage).")
    from gan_course import data, metrics

    grid = data.grid_of_gaussians()
    points = grid.sample(2000, torch.Generator().manual_seed(1))[:1500]
    points = torch.cat([points, 0.5 * torch.randn(500, 2, generator=gen)])  # some off-mode noise
    want = metrics.mode_coverage(points, grid)["modes_covered"]
    got, error = _run(answer, points.clone(), grid.modes.clone(), grid.std)
    got = _float(got)
    return _report(not error and got == want, "the grid's coverage: compare the GAN's and WGAN-GP's.",
                   error or f"on samples of the 5 x 5 grid you returned {got}, expected {want}.")
