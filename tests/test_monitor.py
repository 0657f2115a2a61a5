"""The training-health monitor: it flags failing runs, leaves healthy ones alone, and never
changes what a run learns.

Each failure is a short toy run on chapter 05's ring of 8 Gaussians (recipe ``ring-gan``), the
runs chapter 07 demonstrates at full length."""

import matplotlib
import pytest
import torch

from gan_course import monitor, recipes

matplotlib.use("Agg")


def watched(steps: int, warmup: int, seed: int = 0, **changes) -> monitor.HealthMonitor:
    trainer, target = recipes.build("ring-gan", seed=seed, progress=False, **changes)
    health = monitor.HealthMonitor(every=200, target=target, warmup=warmup)
    trainer.fit(steps=steps, callbacks=[health])
    health.trainer_status = dict(trainer.status)
    return health


@pytest.fixture(scope="module")
def healthy():
    return watched(2000, warmup=1000)


def test_a_healthy_run_is_not_flagged(healthy):
    assert healthy.healthy and healthy.flagged == {}, healthy.diagnosis()
    assert healthy.trainer_status == {"health": "ok"}
    assert healthy.records[-1]["covered"] == 8
    assert healthy.diagnosis()[0].startswith("Healthy: no problem persisted over 10 checks")


def test_the_saturating_loss_is_flagged_as_a_vanishing_gradient():
    # D trained 5 times per G step (chapter 02's k = 5) becomes sure of itself within a few
    # hundred steps; the saturating loss then passes (almost) nothing back to G.
    health = watched(800, warmup=200, game="gan-saturating", d_steps=5)
    assert {"g_vanishing", "d_wins"} <= set(health.flagged), health.flagged
    assert health.records[-1]["g_slope"] < 0.05
    assert any("use the non-saturating loss" in line for line in health.diagnosis())
    assert all(line.endswith("Still there at the last check (step 800).") for line in health.diagnosis())


def test_a_learning_rate_ten_times_too_high_is_flagged_as_mode_collapse():
    health = watched(2000, warmup=1000, lr_g=1e-2, lr_d=1e-2)
    assert "collapse" in health.flagged, [r["covered"] for r in health.records]
    assert health.records[-1]["covered"] < 6


def test_a_tiny_generator_is_flagged():
    health = watched(1600, warmup=800, generator={"hidden": (4,)})
    assert "collapse" in health.flagged and health.records[-1]["covered"] <= 2
    assert "collapse" in health.trainer_status["health"]


def test_the_monitor_does_not_change_the_run():
    plain, target = recipes.build("ring-gan", seed=3, progress=False, discriminator={"spectral_norm": True})
    plain.fit(steps=150)
    watched_run, _ = recipes.build("ring-gan", seed=3, progress=False, discriminator={"spectral_norm": True})
    watched_run.fit(steps=150, callbacks=[monitor.HealthMonitor(every=40, target=target)])
    pairs = zip(plain.game.state_dict().items(), watched_run.game.state_dict().values(), strict=True)
    for (name, a), b in pairs:
        assert torch.equal(a, b), name
    assert torch.equal(plain.rng.get_state(), watched_run.rng.get_state())


def test_the_report_is_one_figure_with_the_diagnosis(healthy, capsys):
    figure = healthy.report(title="healthy run", show=False)
    assert len(figure.axes) == 4
    assert figure._suptitle.get_text() == "healthy run - healthy"
    assert [ax.get_title() for ax in figure.axes] == ["discriminator", "generator's gradient", "losses",
                                                      "coverage"]
    assert "Healthy" in capsys.readouterr().out


def test_mnist_classes_are_counted_by_the_classifier():
    trainer, _ = recipes.build("mnist-gan", progress=False)
    health = monitor.HealthMonitor(every=5, dataset="mnist")
    trainer.fit(steps=10, callbacks=[health])
    assert [r["step"] for r in health.records] == [5, 10]
    assert health.records[-1]["of"] == 10 and health.records[-1]["covered"] <= 3  # untrained: blobs
    assert "collapse" in health.records[-1]["problems"]


def test_bad_arguments_get_one_line_errors():
    target = recipes.TARGETS["ring8"]()
    with pytest.raises(ValueError, match="every must be a positive integer, got 0"):
        monitor.HealthMonitor(every=0)
    with pytest.raises(ValueError, match="give target= .* or dataset= .*, not both"):
        monitor.HealthMonitor(target=target, dataset="mnist")
    with pytest.raises(ValueError, match="unknown limit 'd_win'; the limits are d_wins"):
        monitor.HealthMonitor(limits={"d_win": 0.2})
    with pytest.raises(ValueError, match="unknown dataset 'cifar'"):
        monitor.HealthMonitor(dataset="cifar")


def test_the_command_line_monitor_fits_the_run():
    ring_trainer, ring = recipes.build("ring-gan", progress=False)
    watch = monitor.for_run(ring_trainer, ring, 4056)
    assert (watch.every, watch.warmup, watch.target, watch.dataset) == (202, 2028, ring, None)
    fashion, _ = recipes.build("fashion-cdcgan", progress=False)
    assert monitor.for_run(fashion, None, 100).dataset == "fashion"
    toy1d, line = recipes.build("toy1d", progress=False)
    assert monitor.for_run(toy1d, line, 10).target is None  # no modes to count on a line


def test_the_diagnosis_says_when_a_flagged_problem_went_away():
    health = monitor.HealthMonitor(every=100, target=recipes.TARGETS["ring8"](), patience=2)
    for step, covered in ((100, 2), (200, 2), (300, 8)):
        health.records.append({"step": step, "g_grad": 1.0, "g_slope": 1.0, "covered": covered, "of": 8})
        health.records[-1]["problems"] = health._rules(health.records[-1])
        health._flag(step)
    assert health.flagged == {"collapse": 100}
    (line,) = health.diagnosis()
    assert line.startswith("From step 100 mode collapse: the samples cover only 2 of 8")
    assert line.endswith("Gone by the last check (step 300): the run recovered.")
