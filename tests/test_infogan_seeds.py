"""tools/infogan_seeds.py: chapter 10's sweep records every run, its confusion matrices and a report."""

import json
import sys
from pathlib import Path

import numpy as np

from gan_course.infogan_eval import match_codes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import infogan_seeds  # noqa: E402


def test_the_variants_become_cells_with_their_own_seeds():
    args = type("Args", (), {"variants": ["recipe", "lambda-3"], "seeds": None, "device": "cpu",
                             "extra": ['longer={"epochs": 2}']})
    cells = infogan_seeds.cells_of(args)
    want = ([("recipe", s) for s in range(10)] + [("lambda-3", s) for s in range(5)]
            + [("longer", s) for s in range(10)])
    assert [(c[0], c[2]) for c in cells] == want
    assert cells[10][1] == {"info_weight": 3.0} and cells[-1][1] == {"epochs": 2}
    args.seeds = [4]
    cells = infogan_seeds.cells_of(args)
    assert [(c[0], c[2]) for c in cells] == [("recipe", 4), ("lambda-3", 4), ("longer", 4)]


def test_a_run_records_its_confusions_and_the_report_its_spread(tmp_path):
    # a few steps per run, through the code a full sweep runs
    runs = [infogan_seeds.train(("recipe", {"steps": 4}, 0, "cpu")),
            infogan_seeds.train(("lambda-0", {"info_weight": 0.0, "steps": 6}, 0, "cpu"))]
    assert runs[1]["changes"] == {"info_weight": 0.0, "steps": 6} and runs[1]["steps"] == 6
    for run in runs:
        generated, read = np.array(run["generator_confusion"]), np.array(run["q_confusion"])
        assert generated.shape == read.shape == (10, 10)
        assert (generated.sum(1) == 1000).all()  # 1,000 samples per code value
        assert read.sum() == 10_000  # the test digits, each read once
        # the recorded accuracies are the matched shares of the recorded matrices
        assert match_codes(generated)[1] == run["code_accuracy"]
        assert match_codes(read)[1] == run["q_accuracy"]
    infogan_seeds.write(runs, tmp_path, minutes=0.1)
    assert json.loads((tmp_path / "results" / "infogan.json").read_text())["runs"] == runs
    report = (tmp_path / "results" / "infogan.md").read_text()
    assert report.count("\n| ") == 4  # header, rule, two variants
    code = runs[0]["code_accuracy"]
    assert f'| recipe {{"steps": 4}} | 0 | {code:.1%} ({code:.1%}-{code:.1%}) |' in report
    assert '| lambda-0 {"info_weight": 0.0, "steps": 6} | 0 |' in report
