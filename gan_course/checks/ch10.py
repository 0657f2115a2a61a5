"""Checkers for chapter 10 (InfoGAN: the mutual-information bound, codes matched to classes)."""

import numpy as np
import torch

from gan_course import infogan_eval
from gan_course.checks._common import _float, _report, _run

# P(c, x) for 2 codes and 3 images (rows: codes, columns: images), and a guess Q(c | x).
_JOINT = np.array([[0.30, 0.15, 0.05],
                   [0.00, 0.15, 0.35]])
_GUESS = np.array([[0.8, 0.5, 0.3],
                   [0.2, 0.5, 0.7]])


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def _bound(joint: np.ndarray, q: np.ndarray) -> float:
    """H(c) + sum over cells of P(c, x) log Q(c | x), with 0 log 0 = 0."""
    cells = joint > 0
    return _entropy(joint.sum(1)) + float((joint[cells] * np.log(q[cells])).sum())


def _posterior(joint: np.ndarray) -> np.ndarray:
    return joint / joint.sum(0, keepdims=True)


def _bound_hint(got: float, joint: np.ndarray, q: np.ndarray) -> str:
    cells = joint > 0
    expected_log_q = float((joint[cells] * np.log(q[cells])).sum())
    hints = [
        (expected_log_q, "add the entropy of the code, H(c) = -sum_c p(c) log p(c) with p(c) = "
         "p_joint.sum(1)"),
        (_entropy(joint.sum(1)) - expected_log_q, "the sign: L_I = H(c) + E[log Q(c | x)], and "
         "log Q is negative"),
        (_entropy(joint.sum(0)) + expected_log_q, "H(c) is the entropy of the code, the rows' sums "
         "p_joint.sum(1), not of the images (the columns' sums)"),
        (_entropy(joint.sum(1)) + float(np.log(q[cells]).mean()), "weigh each log Q(c | x) by "
         "P(c, x): an expectation over the pairs, not a plain mean"),
    ]
    return next((h for value, h in hints if abs(got - value) < 1e-6),
                "H(c) + sum over the cells of P(c, x) log Q(c | x), skipping cells where P(c, x) = 0")


def check_mi_bound(answer) -> bool:
    """``answer(p_joint, q)``: the variational lower bound L_I = H(c) + E_{P(c, x)}[log Q(c | x)]
    (Chen et al. 2016, eq. 4) for a joint table P(c, x) (codes x images) and a table Q(c | x)."""
    for joint, q in ((_JOINT, _GUESS), (_JOINT, _posterior(_JOINT))):
        got, error = _run(answer, torch.tensor(joint), torch.tensor(q))
        if error:
            return _report(False, failure=error)
        value, want = _float(got), _bound(joint, q)
        if value is None or abs(value - want) > 1e-6:
            hint = _bound_hint(value, joint, q) if value is not None else "return a number"
            return _report(False, failure=f"for P(c, x) = {joint.tolist()} and Q(c | x) = "
                           f"{np.round(q, 3).tolist()} the bound is {want:.4f}, you returned {got}. "
                           f"Hint: {hint}.")
    return _report(True, "with Q = P(c | x) the bound is I(c; x); any other Q loses E_x KL(P || Q).")


def _accuracy_cases() -> list[tuple[np.ndarray, float]]:
    noisy = np.array([[1, 0, 22, 2], [24, 1, 0, 0], [0, 2, 1, 23], [1, 21, 2, 0]])  # 90 of 100
    permuted = np.eye(4, dtype=int)[[2, 0, 3, 1]] * 25
    greedy_trap = np.array([[4, 5, 0], [1, 4, 0], [0, 0, 6]])  # greedy: (6 + 5 + 1) / 20
    shared = np.array([[40, 0, 0], [35, 5, 0], [0, 0, 20]])  # two codes draw class 0
    return [(noisy, 0.9), (permuted, 1.0), (greedy_trap, 14 / 20), (shared, 65 / 100)]


def _accuracy_hint(confusion: np.ndarray, got: float) -> str:
    total = confusion.sum()
    greedy, free, rows = 0, np.ones(confusion.shape[1], bool), np.ones(confusion.shape[0], bool)
    for _ in range(min(confusion.shape)):
        masked = np.where(rows[:, None] & free[None, :], confusion, -1)
        k, j = np.unravel_index(masked.argmax(), confusion.shape)
        greedy, rows[k], free[j] = greedy + confusion[k, j], False, False
    hints = [
        (np.trace(confusion) / total, "the codes carry no names: code k need not draw class k. "
         "Match codes to classes first (scipy.optimize.linear_sum_assignment)"),
        (confusion.max(1).sum() / total, "each class may take one code only: matching every code "
         "to its most frequent class lets two codes share a class. Use a one-to-one matching"),
        (greedy / total, "taking the largest cells first (greedy) is not the best matching: use "
         "linear_sum_assignment(confusion, maximize=True)"),
        (1 - infogan_eval.match_codes(confusion)[1], "return the accuracy, not the error"),
        (infogan_eval.match_codes(confusion)[1] * total, "divide the matched count by the total"),
    ]
    return next((h for value, h in hints if abs(got - value) < 1e-9),
                "linear_sum_assignment(confusion, maximize=True) gives rows and columns; sum those "
                "cells and divide by the total")


def check_matched_accuracy(answer) -> bool:
    """``answer(confusion)``: the share of items matched by the best one-to-one assignment of
    codes (rows) to classes (columns) of a confusion matrix of counts."""
    for confusion, want in _accuracy_cases():
        got, error = _run(answer, confusion.copy())
        if error:
            return _report(False, failure=error)
        value = _float(got)
        if value is None or abs(value - want) > 1e-9:
            hint = _accuracy_hint(confusion, value) if value is not None else "return a number"
            return _report(False, failure=f"for the confusion matrix {confusion.tolist()} the matched "
                           f"accuracy is {want:.4f}, you returned {got}. Hint: {hint}.")
    return _report(True, "a permutation scores 100 %; two codes on one class count once.")
