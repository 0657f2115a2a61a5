"""Chapters 01 and 02: their exercise checkers, the toy1d / toy1d-bimodal recipes, and the
trainer's progress bar (off under TQDM_DISABLE=1, as the chapters' committed outputs need)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import tqdm.notebook
from scipy.special import xlogy

from gan_course import checks, metrics, recipes, train


def _jsd(p, q, x):
    m = (p + q) / 2
    kl = lambda a: np.trapezoid(xlogy(a, a) - xlogy(a, np.where(m > 0, m, 1.0)), x)  # noqa: E731
    return 0.5 * kl(p) + 0.5 * kl(q)


def _shares(samples, means):
    nearest = np.abs(np.asarray(samples)[:, None] - np.asarray(means)[None, :]).argmin(axis=1)
    return np.bincount(nearest, minlength=len(means)) / len(nearest)


def _quadratic_roots(mu, sigma, mu_g, sigma_g, branches=(-1, 1)):
    """x with log N(x; mu, sigma^2) = log N(x; mu_g, sigma_g^2), by the quadratic formula."""
    a = 1 / (2 * sigma_g**2) - 1 / (2 * sigma**2)
    b = mu / sigma**2 - mu_g / sigma_g**2
    c = mu_g**2 / (2 * sigma_g**2) - mu**2 / (2 * sigma**2) + np.log(sigma_g / sigma)
    return np.array([(-b + sign * np.sqrt(b * b - 4 * a * c)) / (2 * a) for sign in branches])


def _half_points(mu, sigma, mu_g, sigma_g):
    if sigma == sigma_g:  # the x^2 terms cancel: (mu_g - mu) x = (mu_g^2 - mu^2) / 2
        return np.array([(mu + mu_g) / 2])
    return _quadratic_roots(mu, sigma, mu_g, sigma_g)[::-1]  # any order is accepted


RIGHT = {
    checks.check_half_points: _half_points,
    checks.check_js_divergence: _jsd,
    checks.check_logit_gradients: lambda d: (-d, -(1 - d)),
    checks.check_wasserstein_samples: lambda a, b: np.mean(np.abs(np.sort(a) - np.sort(b))),
    checks.check_discriminator_loss: lambda r, f: F.softplus(-r).mean() + F.softplus(f).mean(),
    checks.check_mode_shares: _shares,
}


@pytest.mark.parametrize("checker", list(RIGHT), ids=lambda c: c.__name__)
def test_new_checkers_accept_right_answers(checker, capsys):
    assert checker(RIGHT[checker]) is True
    assert capsys.readouterr().out.startswith("✅ Correct:")


def test_checkers_accept_tensors_and_lists_where_natural(capsys):
    assert checks.check_wasserstein_samples(
        lambda a, b: torch.tensor(a).sort().values.sub(torch.tensor(b).sort().values).abs().mean())
    assert checks.check_logit_gradients(lambda d: [list(-d), list(d - 1)])
    assert checks.check_mode_shares(lambda s, m: list(_shares(s, m)))
    assert checks.check_half_points(lambda *case: torch.tensor(list(_half_points(*case))))


def _exponents_only(mu, sigma, mu_g, sigma_g):
    # (x - mu)^2 / sigma^2 = (x - mu_g)^2 / sigma_g^2: the factors 1 / sigma forgotten
    if sigma == sigma_g:
        return np.array([(mu + mu_g) / 2])
    return np.roots([1 / sigma_g**2 - 1 / sigma**2, 2 * mu / sigma**2 - 2 * mu_g / sigma_g**2,
                     mu_g**2 / sigma_g**2 - mu**2 / sigma**2])


WRONG = [
    # (checker, wrong answer, a phrase the feedback must contain)
    (checks.check_half_points, lambda mu, s, mu_g, s_g: np.array([(mu + mu_g) / 2]), "two solutions"),
    (checks.check_half_points, lambda *case: _quadratic_roots(*case, branches=(1,)), "two solutions"),
    (checks.check_half_points, _exponents_only, "keep the term log(sigma_g / sigma)"),
    (checks.check_half_points, _quadratic_roots, "the x^2 terms cancel"),  # divides by a = 0
    (checks.check_half_points, lambda *case: _half_points(*case) + 0.1, "set log p_data(x) = log p_g(x)"),
    (checks.check_js_divergence,  # 0 log 0 gives nan for the boxes
     lambda p, q, x: sum(0.5 * np.trapezoid(a * np.log(a / ((p + q) / 2)), x) for a in (p, q)),
     "use scipy.special.xlogy"),
    (checks.check_js_divergence, lambda p, q, x: _jsd(p, q, x) * 2, "expected 0.22398"),
    (checks.check_logit_gradients, lambda d: (-(1 - d), -d), "the saturating one"),
    (checks.check_logit_gradients, lambda d: (-d, -1 / d), "the non-saturating one"),
    (checks.check_logit_gradients, lambda d: -d, "return a pair"),
    (checks.check_wasserstein_samples, lambda a, b: np.mean(np.abs(a - b)), "in their given order"),
    (checks.check_wasserstein_samples, lambda a, b: abs(a.mean() - b.mean()), "sorted order"),
    (checks.check_discriminator_loss,
     lambda r, f: -(torch.log(torch.sigmoid(r)).mean() + torch.log(1 - torch.sigmoid(f)).mean()),
     "softplus"),
    (checks.check_discriminator_loss,
     lambda r, f: F.softplus(torch.cat([-r, f])).mean(), "returned half the answer"),
    (checks.check_mode_shares, lambda s, m: np.array([0.5, 0.5]), "expected [0.375, 0.625]"),
    (checks.check_mode_shares, lambda s, m: 1 / 0, "your function raised ZeroDivisionError"),
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the wrong answers' own log(0)
@pytest.mark.parametrize("checker, answer, phrase", WRONG, ids=lambda v: getattr(v, "__name__", ""))
def test_new_checkers_explain_wrong_answers(checker, answer, phrase, capsys):
    assert checker(answer) is False  # returns, never raises
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet.") and phrase in out, out


def test_unfinished_exercise_cells_get_feedback_not_an_error(capsys):
    # the students' cells start as a function whose body is `...` (returns None)
    for checker in RIGHT:
        assert checker(lambda *args: None) is False
    assert capsys.readouterr().out.count("❌ Not yet.") == len(RIGHT)


def test_toy1d_recipes_share_settings_and_differ_in_target():
    one, two = recipes.get("toy1d"), recipes.get("toy1d-bimodal")
    assert one.training == two.training and one.game_options == two.game_options
    assert one.generator == two.generator
    assert one.target == "gaussian-1d" and two.target == "bimodal-1d"
    trainer, target = recipes.build("toy1d-bimodal", progress=False, device="cpu")
    assert target.modes.ravel().tolist() == [-2.0, 2.0]
    assert trainer.game.d_steps == 5 and trainer.ema is not None
    # 430 passes over 20,000 points in batches of 512 with k = 5: 3,010 generator steps
    assert round(one.epochs * trainer.steps_per_epoch) == 3010


def test_toy1d_moves_towards_the_target_in_fast_mode():
    trainer, target = recipes.build("toy1d", seed=0, progress=False, device="cpu")
    before = recipes.evaluate(trainer, target, n=2000)["w1"]
    trainer.fit(steps=recipes.get("toy1d").fast_steps)
    after = recipes.evaluate(trainer, target, n=2000)["w1"]
    assert before > 3.0 and after < before - 0.3, (before, after)
    samples = trainer.sample(2000, generator=torch.Generator().manual_seed(0))
    assert metrics.mode_coverage(samples, target)["n_modes"] == 1

    # raw=True scores the raw generator from the same noise; without it, the weight average
    raw_samples = trainer.sample(2000, generator=torch.Generator().manual_seed(4), raw=True)
    raw = recipes.evaluate(trainer, target, n=2000, seed=4, raw=True)
    assert raw["w1"] == metrics.wasserstein_1d(raw_samples, target)
    assert raw["w1"] != recipes.evaluate(trainer, target, n=2000, seed=4)["w1"]


def test_progress_bar_honours_tqdm_disable(monkeypatch, capsys):
    def bar_shown(progress):
        trainer, _ = recipes.build("toy1d", progress=progress, device="cpu")
        trainer.fit(steps=3)
        captured = capsys.readouterr()  # the text bar writes to stderr, the notebook one to stdout
        return "training" in captured.out + captured.err

    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    assert bar_shown(True)
    assert not bar_shown(False)
    monkeypatch.setenv("TQDM_DISABLE", "1")  # as in `make test` and for committed outputs
    assert not bar_shown(True)
    # in a notebook tqdm.auto is tqdm.notebook, which ignores TQDM_DISABLE by itself
    monkeypatch.setattr(train, "tqdm", tqdm.notebook.tqdm)
    assert not bar_shown(True)
