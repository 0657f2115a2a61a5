"""Chapter 06's exercise checkers: right answers pass, typical wrong answers fail with the hint."""

import pytest
import torch
from torch import nn

from gan_course import checks


def _size(size, kernel, stride, padding):
    return (size - 1) * stride - 2 * padding + kernel


def _block(n_in, n_out):
    return nn.Sequential(nn.ConvTranspose2d(n_in, n_out, 4, 2, 1, bias=False), nn.BatchNorm2d(n_out),
                         nn.ReLU())


def _overlaps(size, kernel, stride):
    counts = torch.zeros((size - 1) * stride + kernel, dtype=torch.long)
    for i in range(size):
        counts[i * stride:i * stride + kernel] += 1
    return counts


def _overlaps_off_by_one(size, kernel, stride):
    counts = _overlaps(size, kernel, stride)
    counts[-1] += 1
    return counts


def _raises(*_):
    raise RuntimeError("not done")


RIGHT = {checks.check_transposed_output_size: _size, checks.check_up_block: _block,
         checks.check_overlap_counts: _overlaps}
WRONG = [
    (checks.check_transposed_output_size, lambda s, k, st, p: (s + 2 * p - k) // st + 1,
     "ordinary convolution"),
    (checks.check_transposed_output_size, lambda s, k, st, p: s * st, "stamps a kernel-sized patch"),
    (checks.check_up_block, lambda i, o: nn.Sequential(nn.ConvTranspose2d(i, o, 4, 2, 1, bias=False),
                                                       nn.BatchNorm2d(o), nn.LeakyReLU(0.2)),
     "LeakyReLU for the discriminator"),
    (checks.check_up_block, lambda i, o: nn.Sequential(nn.ConvTranspose2d(i, o, 4, 2, 1), nn.BatchNorm2d(o),
                                                       nn.ReLU()), "bias=False"),
    (checks.check_up_block, lambda i, o: nn.Sequential(nn.ConvTranspose2d(i, o, 3, 2, 1, bias=False),
                                                       nn.BatchNorm2d(o), nn.ReLU()), "must give"),
    (checks.check_up_block, lambda i, o: nn.Sequential(nn.ConvTranspose2d(i, o, 4, 2, 1, bias=False),
                                                       nn.ReLU(), nn.BatchNorm2d(o)),
     "ConvTranspose2d -> ReLU"),
    (checks.check_up_block, lambda i, o: "a block", "return an nn.Module"),
    (checks.check_overlap_counts, _overlaps_off_by_one, "expected"),
    (checks.check_overlap_counts, lambda s, k, st: torch.ones(s * st), "positions"),
]


@pytest.mark.parametrize("checker", list(RIGHT), ids=lambda c: c.__name__)
def test_right_answers_pass(checker, capsys):
    assert checker(RIGHT[checker]) is True
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(("checker", "answer", "hint"), WRONG, ids=lambda x: getattr(x, "__name__", str(x)))
def test_wrong_answers_fail_with_a_hint(checker, answer, hint, capsys):
    assert checker(answer) is False
    out = capsys.readouterr().out
    assert "Not yet" in out and hint in out, out


@pytest.mark.parametrize("checker", list(RIGHT), ids=lambda c: c.__name__)
def test_an_unfinished_answer_is_reported_not_raised(checker, capsys):
    assert checker(_raises) is False
    assert "raised RuntimeError: not done" in capsys.readouterr().out
