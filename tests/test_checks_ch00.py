"""The playground's checker: the arrows of the least-squares and hinge generator losses."""

import pytest

from gan_course import checks


def lsgan_push(score, grad_score):
    return (1 - score).unsqueeze(1) * grad_score  # -d/dx 1/2 (D(x) - 1)^2


def hinge_push(score, grad_score):
    return grad_score  # -d/dx (-D(x))


@pytest.mark.parametrize("loss, answer", [("least squares", lsgan_push), ("hinge", hinge_push)])
def test_right_arrows_pass(loss, answer, capsys):
    assert checks.check_push(answer, loss) is True
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("answer, message", [
    (lambda s, g: -(1 - s).unsqueeze(1) * g, "point the wrong way"),
    (lambda s, g: g, "Hint: differentiate the loss of one sample"),  # the hinge's arrow for LSGAN
    (lambda s, g: (1 - s) * g[:, 0], "return a tensor of shape (16, 2)"),
    (lambda s, g: 1 / 0, "your function raised ZeroDivisionError"),
])
def test_wrong_arrows_are_explained(answer, message, capsys):
    assert checks.check_push(answer, "least squares") is False
    assert message in capsys.readouterr().out


def test_the_lsgan_arrow_is_not_the_hinge_arrow(capsys):
    assert checks.check_push(lsgan_push, "hinge") is False


def test_unknown_loss_is_refused():
    with pytest.raises(ValueError, match="loss must be one of least squares, hinge"):
        checks.check_push(hinge_push, "wasserstein")
