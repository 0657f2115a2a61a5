"""Chapter 09's exercise checkers: right answers pass, typical wrong answers fail with the hint."""

import pytest
import torch

from gan_course import checks


def _margin(real, fake, m):
    return real.mean() + torch.relu(m - fake).mean()


def _k(k, real, fake, gamma, lam):
    return torch.clamp(k + lam * (gamma * real - fake), 0.0, 1.0)


def _unit(codes):
    return codes / codes.norm(dim=1, keepdim=True)


def _pull(codes):
    unit = codes / codes.norm(dim=1, keepdim=True)
    cos2 = (unit @ unit.T) ** 2
    n = len(codes)
    return (cos2.sum() - n) / (n * (n - 1))


def _pull_unordered(codes):  # the same quantity over unordered pairs: also right
    unit = codes / codes.norm(dim=1, keepdim=True)
    i, j = torch.triu_indices(len(codes), len(codes), offset=1)
    return ((unit[i] * unit[j]).sum(1) ** 2).mean()


def _raises(*_):
    raise RuntimeError("not done")


RIGHT = [(checks.check_margin_loss, _margin), (checks.check_k_update, _k),
         (checks.check_pulling_away, _pull), (checks.check_pulling_away, _pull_unordered),
         (checks.check_k_update, lambda k, r, f, g, lam: float(min(1.0, max(0.0, k + lam * (g * r - f)))))]
WRONG = [
    (checks.check_margin_loss, lambda r, f, m: r.mean() + torch.relu(m - f.mean()),
     "samples' term is missing"),
    (checks.check_margin_loss, lambda r, f, m: r.mean(), "samples' term is missing"),
    (checks.check_margin_loss, lambda r, f, m: r + torch.relu(m - f), "the mean over the batch"),
    (checks.check_margin_loss, lambda r, f, m: r.mean() + (m - f).mean(), "clip m - D(G(z)) at 0"),
    (checks.check_margin_loss, lambda r, f, m: torch.relu(m - f).mean(), "add the energy of the data"),
    (checks.check_margin_loss, lambda r, f, m: r.mean() + torch.relu(f - m).mean(), "not beyond it"),
    (checks.check_margin_loss, lambda r, f, m: r.mean() - f.mean(), "without limit"),
    (checks.check_margin_loss, lambda r, f, m: (r + torch.relu(m - f)).sum(), "each a mean"),
    (checks.check_k_update, lambda k, r, f, g, lam: k + lam * (g * r - f), "clip k to [0, 1]"),
    (checks.check_k_update, lambda k, r, f, g, lam: _k(k, f, g * r, 1.0, lam), "the sign"),
    (checks.check_k_update, lambda k, r, f, g, lam: _k(k, r, g * f, 1.0, lam), "gamma multiplies"),
    (checks.check_k_update, lambda k, r, f, g, lam: _k(k, r, f, g, 1.0), "then clipped"),
    (checks.check_pulling_away, lambda c: _pull(c) * (len(c) - 1) / len(c) + 1 / len(c), "i != j"),
    (checks.check_pulling_away, lambda c: _pull(c) * (len(c) - 1) / len(c), "not N^2"),
    (checks.check_pulling_away, lambda c: _pull(c) * len(c) * (len(c) - 1), "divide the sum"),
    (checks.check_pulling_away, lambda c: _pull(c) / 2, "counts each pair twice"),
    (checks.check_pulling_away, lambda c: (((c @ c.T) ** 2).sum() - ((c * c).sum(1) ** 2).sum())
     / (len(c) * (len(c) - 1)), "use cosines"),
    (checks.check_pulling_away, lambda c: (_unit(c) @ _unit(c).T).sum().sub(len(c)) / (len(c) * (len(c) - 1)),
     "square the cosines"),
]


@pytest.mark.parametrize(("checker", "answer"), RIGHT, ids=lambda x: getattr(x, "__name__", str(x)))
def test_right_answers_pass(checker, answer, capsys):
    assert checker(answer) is True
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(("checker", "answer", "hint"), WRONG, ids=lambda x: getattr(x, "__name__", str(x)))
def test_wrong_answers_fail_with_a_hint(checker, answer, hint, capsys):
    assert checker(answer) is False
    out = capsys.readouterr().out
    assert "Not yet" in out and hint in out, out


CHECKERS = [checks.check_margin_loss, checks.check_k_update, checks.check_pulling_away]


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_an_unfinished_answer_is_reported_not_raised(checker, capsys):
    assert checker(_raises) is False
    assert "raised RuntimeError: not done" in capsys.readouterr().out
