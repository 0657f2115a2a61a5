"""The committed chapters and RESULTS.md report the same runs: each chapter trains its recipe
with seed 0, and `make results` trains the same recipe with seed 0 through the command line, so
the numbers a chapter prints must be the seed-0 numbers in results/results.json."""

import json
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
RECORDED = ROOT / "results" / "results.json"


def printed(chapter: str) -> str:
    """All text the committed notebook printed."""
    nb = nbformat.read(ROOT / "chapters" / chapter, as_version=4)
    return "\n".join(out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
                     for out in cell.outputs if out.output_type == "stream")


def seed0(model: str) -> dict:
    return json.loads(RECORDED.read_text())[model]["0"]


def find(pattern: str, text: str) -> tuple[str, ...]:
    match = re.search(pattern, text)
    assert match, f"no line matching {pattern!r} in the notebook's outputs"
    return match.groups()


def test_results_cover_every_recipe_with_two_seeds_or_its_own_number():
    from gan_course import recipes

    recorded = json.loads(RECORDED.read_text())
    assert sorted(recorded) == sorted(recipes.RECIPES)
    assert all(len(by_seed) >= (recipes.get(name).seeds or 2) for name, by_seed in recorded.items())
    report = (ROOT / "RESULTS.md").read_text()
    assert "Fast mode" not in report, "RESULTS.md must come from a full-length run"
    assert all((ROOT / "results" / f"{name}.png").is_file() for name in recorded)


def test_chapter_02_prints_the_toy1d_result():
    (w1,) = find(r"W1 = (\d\.\d{4}) = ", printed("02_toy_gaussian.ipynb"))
    assert float(w1) == pytest.approx(seed0("toy1d")["w1"], abs=5e-5)


def test_chapter_03_prints_the_mnist_gan_result():
    fid, score = find(r"averaged generator \(EMA\)\s+([\d.]+)\s+([\d.]+)", printed("03_mnist_gan.ipynb"))
    want = seed0("mnist-gan")
    assert float(fid) == pytest.approx(want["fid"], abs=5e-3)
    assert float(score) == pytest.approx(want["inception_score"], abs=5e-3)


def test_chapter_04_prints_the_mnist_cgan_result():
    accuracy, fid, score = find(r"averaged generator \(EMA\)\s+([\d.]+)%\s+([\d.]+)\s+([\d.]+)",
                                printed("04_conditional_gan.ipynb"))
    want = seed0("mnist-cgan")
    assert float(accuracy) / 100 == pytest.approx(want["label_accuracy"], abs=5e-5)
    assert float(fid) == pytest.approx(want["fid"], abs=5e-3)
    assert float(score) == pytest.approx(want["inception_score"], abs=5e-3)


@pytest.mark.parametrize("model", ["ring-gan", "ring-wgan", "ring-wgan-gp"])
def test_chapter_05_prints_the_ring_results(model):
    modes, share = find(rf"(?m)^{model}: (\d)/8 modes, ([\d.]+)% high quality", printed("05_wgan.ipynb"))
    want = seed0(model)
    assert int(modes) == want["modes_covered"]
    assert float(share) / 100 == pytest.approx(want["high_quality"], abs=5e-4)


@pytest.mark.parametrize("model", ["mnist-wgan-gp", "mnist-wgan"])
def test_chapter_05_prints_the_mnist_results(model):
    fid, score = find(rf"{model}: FID ([\d.]+), Inception Score ([\d.]+)", printed("05_wgan.ipynb"))
    want = seed0(model)
    assert float(fid) == pytest.approx(want["fid"], abs=0.05)
    assert float(score) == pytest.approx(want["inception_score"], abs=5e-3)


@pytest.mark.parametrize("model", ["mnist-gan", "mnist-wgan-gp-ema", "mnist-wgan-gp"])
def test_chapter_05_prints_the_matched_wall_time_comparison_from_the_results(model):
    """Section 8 reads both seeds of the two long runs (and section 7's) from results.json."""
    pattern = (rf"(?m)^{model}: FID ([\d.]+), Inception Score ([\d.]+), (\d+)/10 classes "
               r"\(seed 1: FID ([\d.]+), IS ([\d.]+)\)")
    fid, score, classes, fid1, score1 = find(pattern, printed("05_wgan.ipynb"))
    want, want1 = seed0(model), json.loads(RECORDED.read_text())[model]["1"]
    assert float(fid) == pytest.approx(want["fid"], abs=5e-3)
    assert float(score) == pytest.approx(want["inception_score"], abs=5e-3)
    assert int(classes) == want["classes_covered"]
    assert float(fid1) == pytest.approx(want1["fid"], abs=5e-3)
    assert float(score1) == pytest.approx(want1["inception_score"], abs=5e-3)


def test_chapter_06_prints_the_mnist_dcgan_result():
    fid, score, classes = find(r"DCGAN, mnist-dcgan \(seed 0, here\)\s+\d+\s+([\d.]+)\s+([\d.]+)\s+(\d+)/10",
                               printed("06_dcgan.ipynb"))
    want = seed0("mnist-dcgan")
    assert float(fid) == pytest.approx(want["fid"], abs=5e-3)
    assert float(score) == pytest.approx(want["inception_score"], abs=5e-3)
    assert int(classes) == want["classes_covered"]


def test_chapter_06_prints_the_fashion_cdcgan_result():
    accuracy, fid, score = find(r"accuracy on the requested class ([\d.]+) %, FID ([\d.]+), IS ([\d.]+)",
                                printed("06_dcgan.ipynb"))
    want = seed0("fashion-cdcgan")
    assert float(accuracy) / 100 == pytest.approx(want["label_accuracy"], abs=5e-4)
    assert float(fid) == pytest.approx(want["fid"], abs=5e-3)
    assert float(score) == pytest.approx(want["inception_score"], abs=5e-3)


def test_chapter_06_reads_the_fashion_dcgan_result():
    fid, score = find(r"fashion-dcgan seed 0: FID ([\d.]+), Inception Score ([\d.]+)",
                      printed("06_dcgan.ipynb"))
    want = seed0("fashion-dcgan")
    assert float(fid) == pytest.approx(want["fid"], abs=5e-3)
    assert float(score) == pytest.approx(want["inception_score"], abs=5e-3)


def test_chapter_07_retrains_the_zoo_table_seed_0_ring_runs():
    """The ten live ring runs of chapter 07, section 5, are the seed-0 ring runs of tools/zoo.py."""
    recorded = json.loads((ROOT / "results" / "zoo.json").read_text())
    assert not recorded["fast"], "results/zoo.json must come from a full-length run"
    runs = recorded["runs"]
    assert {r["seed"] for r in runs} == {0, 1, 2, 3, 4} and len(runs) == 2 * 5 * 2 * 5
    text = printed("07_loss_zoo.ipynb")
    ring0 = [r for r in runs if r["recipe"] == "ring-gan" and r["seed"] == 0]
    assert len(ring0) == 10
    for run in ring0:
        scores, sn = run["ema"], "SN" if run["spectral_norm"] else "  "
        line = (f"{run['loss']:15s} {sn}  {scores['modes_covered']}/8 modes, "
                f"{scores['high_quality']:6.1%} high quality")
        assert line in text, f"chapter 07 does not print the recorded line {line!r}"


@pytest.mark.parametrize("model", ["mnist-wgan", "mnist-wgan-gp"])
def test_chapter_08_retrains_the_full_length_wgan_runs(model):
    """Chapter 08 trains (or loads) mnist-wgan and mnist-wgan-gp at full length, seed 0, and scores
    10,000 samples as make results does."""
    fid, score = find(rf"(?m)^{model}: FID ([\d.]+), Inception Score ([\d.]+) \(10,000 samples",
                      printed("08_evaluation.ipynb"))
    want = seed0(model)
    assert float(fid) == pytest.approx(want["fid"], abs=5e-3)
    assert float(score) == pytest.approx(want["inception_score"], abs=5e-4)


@pytest.mark.parametrize("model", ["mnist-ebgan", "mnist-began"])
def test_chapter_09_prints_the_energy_recipes_results(model):
    fid, score, classes = find(rf"(?m)^{model}, seed 0: FID ([\d.]+), IS ([\d.]+), classes (\d+),",
                               printed("09_energy_gans.ipynb"))
    want = seed0(model)
    assert float(fid) == pytest.approx(want["fid"], abs=5e-3)
    assert float(score) == pytest.approx(want["inception_score"], abs=5e-4)
    assert int(classes) == want["classes_covered"]


def test_chapter_10_prints_the_mnist_infogan_result():
    pattern = (r"(?m)^mnist-infogan, seed 0: FID ([\d.]+), IS ([\d.]+), classes (\d+), "
               r"code accuracy ([\d.]+)%, Q accuracy ([\d.]+)%")
    fid, score, classes, code, q = find(pattern, printed("10_infogan.ipynb"))
    want = seed0("mnist-infogan")
    assert float(fid) == pytest.approx(want["fid"], abs=5e-3)
    assert float(score) == pytest.approx(want["inception_score"], abs=5e-4)
    assert int(classes) == want["classes_covered"]
    assert float(code) / 100 == pytest.approx(want["code_accuracy"], abs=5e-4)
    assert float(q) / 100 == pytest.approx(want["q_accuracy"], abs=5e-4)


def test_chapter_10_reads_the_recorded_sweep():
    """The seeds-and-lambdas table the chapter prints is results/infogan.json's."""
    runs = json.loads((ROOT / "results" / "infogan.json").read_text())["runs"]
    text = printed("10_infogan.ipynb")
    recipe = [r["code_accuracy"] for r in runs if r["variant"] == "recipe"]
    assert len(recipe) == 10
    (median,) = find(r"recipe \(λ = 1\)\s+seeds \[0, 1, 2, 3, 4, 5, 6, 7, 8, 9\]: "
                     r"code accuracy median ([\d.]+)%", text)
    assert float(median) / 100 == pytest.approx(sorted(recipe)[4] / 2 + sorted(recipe)[5] / 2, abs=5e-4)


CH11_RECIPES = ["mnist-cyclegan", "mnist-cyclegan-gan-only", "mnist-cyclegan-mlp",
                "mnist-cyclegan-mlp-no-identity", "mnist-cyclegan-mlp-no-cycle",
                "mnist-cyclegan-mlp-gan-only"]


@pytest.mark.parametrize("model", CH11_RECIPES)
def test_chapter_11_prints_the_cyclegan_results(model):
    pattern = (rf"(?m)^{re.escape(model)}\s+content\s+([\d.]+)%\s+([\d.]+)% \| FID to B\s+([\d.]+), "
               r"to A\s+([\d.]+) \| cycle ([\d.]+) \| identity ([\d.]+)$")
    values = [float(v) for v in find(pattern, printed("11_cyclegan.ipynb"))]
    want = seed0(model)
    assert values[0] / 100 == pytest.approx(want["content_ab"], abs=5e-4)
    assert values[1] / 100 == pytest.approx(want["content_ba"], abs=5e-4)
    assert values[2] == pytest.approx(want["fid_to_b"], abs=0.05)
    assert values[3] == pytest.approx(want["fid_to_a"], abs=0.05)
    assert values[4] == pytest.approx(want["cycle_l1"], abs=5e-4)
    assert values[5] == pytest.approx(want["identity_l1"], abs=5e-4)
