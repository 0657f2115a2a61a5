"""Chapter 10's exercise checkers: right answers pass, typical wrong answers fail with the hint."""

import numpy as np
import pytest
import torch
from scipy.optimize import linear_sum_assignment

from gan_course import checks


def _bound(p_joint, q):
    p_code = p_joint.sum(1)
    entropy = -torch.xlogy(p_code, p_code).sum()
    return (entropy + torch.xlogy(p_joint, q).sum()).item()


def _expected_log_q(p_joint, q):
    return torch.xlogy(p_joint, q).sum()


def _matched(confusion):
    rows, columns = linear_sum_assignment(confusion, maximize=True)
    return confusion[rows, columns].sum() / confusion.sum()


def _greedy(confusion):
    confusion, total, matched = confusion.astype(float), confusion.sum(), 0.0
    for _ in range(len(confusion)):
        k, j = np.unravel_index(confusion.argmax(), confusion.shape)
        matched += confusion[k, j]
        confusion[k, :], confusion[:, j] = -1, -1
    return matched / total


def _raises(*_):
    raise RuntimeError("not done")


RIGHT = [(checks.check_mi_bound, _bound), (checks.check_mi_bound, lambda p, q: torch.tensor(_bound(p, q))),
         (checks.check_matched_accuracy, _matched),
         (checks.check_matched_accuracy, lambda c: float(_matched(c)))]
WRONG = [
    (checks.check_mi_bound, lambda p, q: _expected_log_q(p, q).item(), "add the entropy of the code"),
    (checks.check_mi_bound, lambda p, q: _bound(p, q) - 2 * _expected_log_q(p, q).item(), "the sign"),
    (checks.check_mi_bound, lambda p, q: _bound(p.T, q.T), "not of the images"),
    (checks.check_mi_bound, lambda p, q: (-torch.xlogy(p.sum(1), p.sum(1)).sum()
                                          + torch.log(q[p > 0]).mean()).item(), "not a plain mean"),
    (checks.check_mi_bound, lambda p, q: None, "return a number"),
    (checks.check_mi_bound, _raises, "raised RuntimeError"),
    (checks.check_matched_accuracy, lambda c: np.trace(c) / c.sum(), "carry no names"),
    (checks.check_matched_accuracy, lambda c: c.max(1).sum() / c.sum(), "one-to-one matching"),
    (checks.check_matched_accuracy, _greedy, "greedy"),
    (checks.check_matched_accuracy, lambda c: 1 - _matched(c), "not the error"),
    (checks.check_matched_accuracy, lambda c: _matched(c) * c.sum(), "divide the matched count"),
    (checks.check_matched_accuracy, _raises, "raised RuntimeError"),
]


@pytest.mark.parametrize(("checker", "answer"), RIGHT)
def test_right_answers_pass(checker, answer, capsys):
    assert checker(answer) is True
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(("checker", "answer", "hint"), WRONG)
def test_wrong_answers_fail_with_the_hint(checker, answer, hint, capsys):
    assert checker(answer) is False
    assert hint in capsys.readouterr().out
