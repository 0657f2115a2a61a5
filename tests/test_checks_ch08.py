"""Chapter 08's exercise checkers accept right answers and explain wrong ones."""

import numpy as np
import torch

from gan_course import checks, distances, evaluation, stress


def _kid(x, y):
    x, y = np.asarray(x, float), np.asarray(y, float)
    m, n, d = len(x), len(y), x.shape[1]

    def k(a, b):
        return (a @ b.T / d + 1) ** 3

    kxx, kyy = k(x, x), k(y, y)
    return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
            - 2 * k(x, y).mean())


def test_kid_checker(capsys):
    assert checks.check_kid_unbiased(_kid)
    assert checks.check_kid_unbiased(lambda x, y: torch.tensor(distances.mmd2_unbiased(x, y)))
    assert "✅ Correct" in capsys.readouterr().out

    def biased(x, y):
        k = distances.polynomial_kernel
        return k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean()

    assert not checks.check_kid_unbiased(biased)
    assert "that is the biased estimate" in capsys.readouterr().out
    assert not checks.check_kid_unbiased(lambda x, y: _kid(x, y) + 1e-3)
    assert "Hint: mean of k(x_i, x_j) over i != j" in capsys.readouterr().out
    assert not checks.check_kid_unbiased(lambda x, y: [1.0, 2.0])
    assert "return one number" in capsys.readouterr().out


def test_fid_infinity_checker(capsys):
    assert checks.check_fid_infinity(lambda sizes, fids: np.polyfit(1 / sizes, fids, 1)[1])
    assert checks.check_fid_infinity(evaluation.fid_infinity)  # a pair (FID_inf, k) is accepted
    assert capsys.readouterr().out.count("✅ Correct") == 2
    assert not checks.check_fid_infinity(lambda sizes, fids: np.polyfit(sizes, fids, 1)[1])
    assert "you fitted a line in N" in capsys.readouterr().out
    assert not checks.check_fid_infinity(lambda sizes, fids: fids[-1])
    assert "np.polyfit(1 / sizes, fids, 1)" in capsys.readouterr().out


def _moved_copies(images, training, threshold=0.5):
    moves = [(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    ratios = torch.stack([evaluation.distance_ratios(stress.shifted(images, dx, dy), training)
                          for dx, dy in moves])
    return ratios.min(dim=0).values < threshold


def test_copy_detector_checker(capsys):
    assert checks.check_copy_detector(_moved_copies)
    assert "✅ Correct" in capsys.readouterr().out
    # the chapter's own pixel test, without undoing the move, misses the moved copies
    def unmoved(images, training):
        return evaluation.distance_ratios(images, training) < 0.5

    assert not checks.check_copy_detector(unmoved)
    assert "want >= 90 %" in capsys.readouterr().out
    assert not checks.check_copy_detector(lambda images, training: torch.ones(len(images), dtype=torch.bool))
    assert "100% of new test digits (want <= 5 %)" in capsys.readouterr().out
    assert not checks.check_copy_detector(lambda images, training: torch.ones(3))
    assert "one flag per image" in capsys.readouterr().out
