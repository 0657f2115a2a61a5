"""Chapter 11's exercise checkers: right answers pass, typical wrong answers fail with the hint."""

import pytest

from gan_course import checks


def _cycle(ab, ba, a, b):
    return (ba(ab(a)) - a).abs().mean() + (ab(ba(b)) - b).abs().mean()


def _raises(*_):
    raise RuntimeError("not done")


RIGHT_CYCLE = [_cycle, lambda ab, ba, a, b: float(_cycle(ab, ba, a, b)),
               lambda ab, ba, a, b: (ba(ab(a)) - a).abs().mean() + (ab(ba(b)) - b).abs().flatten().mean()]
WRONG_CYCLE = [
    (lambda ab, ba, a, b: (ba(ab(a)) - a).abs().mean(), "add the other round trip, G_AB(G_BA(b))"),
    (lambda ab, ba, a, b: (ab(ba(b)) - b).abs().mean(), "add the other round trip, G_BA(G_AB(a))"),
    (lambda ab, ba, a, b: (ba(ab(a)) - a).pow(2).mean() + (ab(ba(b)) - b).pow(2).mean(), "not squares"),
    (lambda ab, ba, a, b: (ba(ab(a)) - a).abs().sum() + (ab(ba(b)) - b).abs().sum(), "not the sum"),
    (lambda ab, ba, a, b: (ab(a) - a).abs().mean() + (ba(b) - b).abs().mean(), "identity loss's shape"),
    (lambda ab, ba, a, b: (ab(ab(a)) - a).abs().mean() + (ba(ba(b)) - b).abs().mean(), "the way back"),
    (lambda ab, ba, a, b: None, "return a number"),
    (_raises, "raised RuntimeError"),
]
ANSWER = {"X": {"cycle", "identity"}, "Y": {"cycle"}, "Z": {"identity"}}


@pytest.mark.parametrize("answer", RIGHT_CYCLE)
def test_right_cycle_losses_pass(answer, capsys):
    assert checks.check_cycle_loss(answer) is True
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "hint"), WRONG_CYCLE)
def test_wrong_cycle_losses_fail_with_the_hint(answer, hint, capsys):
    assert checks.check_cycle_loss(answer) is False
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize("answer", [ANSWER, {"X": ["identity", "cycle"], "Y": "cycle", "Z": ("Identity",)}])
def test_the_right_diagnosis_passes_in_any_spelling_of_a_set(answer, capsys):
    assert checks.check_missing_terms(answer) is True
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(("answer", "hint"), [
    ({**ANSWER, "X": {"cycle"}}, "run X: not ['cycle']. Hint: run X's translations are all nearly the same"),
    ({**ANSWER, "Y": {"identity"}}, "run Y has the smallest identity L1"),
    ({**ANSWER, "Z": {"cycle", "identity"}}, "run Z's round trips bring the source digit back"),
    ({**ANSWER, "Y": set()}, "every run lost at least one term"),
    ({**ANSWER, "Z": {"adversarial"}}, "give a set of \"cycle\" and/or \"identity\""),
    ({"X": {"cycle"}}, "keys X, Y and Z"),
    ([("X", {"cycle"})], "keys X, Y and Z"),
])
def test_wrong_diagnoses_fail_with_the_evidence(answer, hint, capsys):
    assert checks.check_missing_terms(answer) is False
    assert hint in capsys.readouterr().out
