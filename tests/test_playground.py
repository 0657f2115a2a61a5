"""The 2-D playground (gan_course.playground): one player at a time through the trainer, the
arrows against the losses' derivatives, the view's arrays, CSV points, and the widget's buttons."""

import asyncio
import datetime
import math

import numpy as np
import pytest
import torch

from gan_course import playground
from gan_course.playground import Playground, Session, Settings
from gan_course.train import TrainingDiverged

SMALL = {"width": 16, "batch_size": 64}


def weights(module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in module.parameters()]).clone()


@pytest.mark.parametrize("changes, message", [
    ({"target": "square"}, "target must be one of"),
    ({"loss": "hinge", "penalty": "R1"}, "R1 penalty belongs to the non-saturating loss"),
    ({"loss": "WGAN-GP", "penalty": "gradient penalty"}, "bring their own constraint"),
    ({"width": 0}, "width must be an integer from 4 to 512"),
    ({"d_steps": 2.5}, "d_steps must be an integer"),
    ({"lr_d": -1.0}, "lr_d must be a positive number"),
])
def test_settings_refuse_bad_values_in_one_line(changes, message):
    with pytest.raises(ValueError, match=message) as error:
        Settings(**changes)
    assert "\n" not in str(error.value)


def test_settings_replace_names_an_unknown_setting():
    with pytest.raises(ValueError, match="unknown setting 'lr'"):
        Settings().replace(lr=1e-3)


def test_one_player_steps_leave_the_other_player_unchanged():
    session = Session(Settings(d_steps=3, ema=True, **SMALL))
    g, d, average = (weights(session.trainer.generator), weights(session.trainer.discriminator),
                     weights(session.trainer.sampler))
    session.step_discriminator()
    assert torch.equal(weights(session.trainer.generator), g)
    assert torch.equal(weights(session.trainer.sampler), average)  # no G update, no new average
    assert not torch.equal(weights(session.trainer.discriminator), d)
    assert session.updates == {"discriminator": 3, "generator": 0}
    d = weights(session.trainer.discriminator)
    session.step_generator()
    assert torch.equal(weights(session.trainer.discriminator), d)
    assert not torch.equal(weights(session.trainer.generator), g)
    assert session.updates == {"discriminator": 3, "generator": 1}
    session.run(2)
    assert session.updates == {"discriminator": 9, "generator": 3} and session.step == 4


def test_train_step_refuses_an_unknown_player():
    session = Session(Settings(**SMALL))
    with pytest.raises(ValueError, match="players must name some of discriminator, generator"):
        session.trainer.train_step(("critic",))


def test_a_discriminator_step_is_the_same_whatever_the_generator_loss():
    """D's loss is the same for the saturating and non-saturating games: D-only steps agree."""
    a, b = (Session(Settings(loss=loss, **SMALL)) for loss in ("saturating", "non-saturating"))
    for session in (a, b):
        session.step_discriminator(5)
    assert torch.equal(weights(a.trainer.discriminator), weights(b.trainer.discriminator))


def test_arrows_are_minus_the_derivative_of_each_generator_loss():
    """-dL_G/dx per sample: (1 - D) grad(logit) for -log D, D grad(logit) for log(1 - D)
    (chapter 01), with D = sigmoid(logit); the saturating arrows are D / (1 - D) times the
    non-saturating ones."""
    pushes = {}
    for loss in ("non-saturating", "saturating"):
        session = Session(Settings(loss=loss, **SMALL))
        session.step_discriminator(20)
        x = session.samples(32, average=False)
        pushes[loss] = session.generator_push(x)
        logit_x = x.clone().requires_grad_(True)
        logit = session.trainer.discriminator(logit_x)
        (grad_logit,) = torch.autograd.grad(logit.sum(), logit_x)
        p = torch.sigmoid(logit.detach()).reshape(-1, 1)
        expected = (1 - p) * grad_logit if loss == "non-saturating" else p * grad_logit
        torch.testing.assert_close(pushes[loss], expected, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(pushes["saturating"], pushes["non-saturating"] * p / (1 - p),
                               rtol=1e-4, atol=1e-6)


def test_heat_map_is_d_on_the_grid_of_the_view():
    session = Session(Settings(**SMALL))
    heat = session.heat(5)
    lim = session.lim
    corner = torch.tensor([[lim, -lim]])  # last column, first row (rows run over x2 upwards)
    expected = torch.sigmoid(session.trainer.discriminator(corner)).item()
    assert heat.shape == (5, 5) and heat[0, -1] == pytest.approx(expected, rel=1e-5)
    critic = Session(Settings(loss="WGAN-GP", **SMALL))
    raw = critic.trainer.discriminator(torch.tensor([[0.0, 0.0]])).item()
    assert critic.heat(5)[2, 2] == pytest.approx(raw, rel=1e-5)  # a critic's raw value


@pytest.mark.parametrize("noise_dim, n_curves", [(1, 1), (2, 22), (4, 22)])
def test_manifold_is_the_noise_grid_through_g(noise_dim, n_curves):
    session = Session(Settings(noise_dim=noise_dim, **SMALL))
    curves = session.manifold(lines=11, points=41)
    assert len(curves) == n_curves and all(c.shape == (41, 2) for c in curves)
    z = torch.zeros(41, noise_dim)
    z[:, 0] = torch.linspace(-2, 2, 41)
    if noise_dim > 1:
        z[:, 1] = -2.0  # the first line: z1 varies, z2 = -2
    expected = session.trainer.generator(z).detach().numpy()
    np.testing.assert_allclose(curves[0], expected, rtol=1e-5, atol=1e-6)


def test_coverage_counts_modes_and_follows_the_steps():
    session = Session(Settings(**SMALL))
    assert session.coverage == [(0, 0)]  # at initialisation the samples sit near the origin
    session.run(3)
    assert [s for s, _ in session.coverage] == [0, 3]


def test_the_two_new_targets_are_curves_of_evenly_spaced_gaussians():
    moons = playground.two_moons()
    assert len(moons.means) == 24 and moons.dim == 2
    upper, lower = np.array(moons.means[:12]), np.array(moons.means[12:])
    np.testing.assert_allclose(upper + lower, 0, atol=1e-12)  # point-symmetric, interleaved
    spiral = np.array(playground.spiral(n_means=32).means)
    gaps = np.linalg.norm(np.diff(spiral, axis=0), axis=1)
    assert gaps.max() / gaps.min() < 1.6  # about equal spacing along the curve
    assert np.linalg.norm(spiral, axis=1)[-1] == pytest.approx(2.5)


def test_read_points_fills_the_view_and_reports_a_bad_line():
    target = playground.read_points("x,y\n0,0\n10,10\n20,0\n")
    means = np.array(target.means)
    assert np.ptp(means, axis=0).max() == pytest.approx(4.5)
    np.testing.assert_allclose((means.max(0) + means.min(0)) / 2, 0, atol=1e-12)
    with pytest.raises(ValueError, match="line 3 of the CSV is not two numbers"):
        playground.read_points("x,y\n0,0\nfoo,1\n")
    with pytest.raises(ValueError, match="line 2 of the CSV is not two numbers"):
        playground.read_points("0,0\nfoo,1\n1,1\n")  # no header: the second line is wrong
    with pytest.raises(ValueError, match="line 4 of the CSV is not two numbers"):
        playground.read_points("x,y\n\n0,0\n1\n")  # blank lines count; one number is not two
    with pytest.raises(ValueError, match="points must be 2 to 200 rows"):
        playground.read_points("1,2\n")
    with pytest.raises(ValueError, match="all the same point"):
        playground.read_points("1,2\n1,2\n")


def test_uploaded_target_needs_its_points():
    with pytest.raises(ValueError, match="needs the points"):
        Session(Settings(target=playground.UPLOADED))


def test_view_shows_the_current_samples_and_scales_the_longest_arrow():
    session = Session(Settings(**SMALL))
    session.run(10)
    view = playground.figure_for(dpi=50)
    v = view.update(session)
    np.testing.assert_allclose(view.artists["samples"].get_offsets(), session.samples().numpy())
    quiver = view.artists["arrows"]
    lengths = np.hypot(quiver.U, quiver.V)
    assert lengths.max() == pytest.approx(0.15 * 2 * v["lim"], rel=1e-5)
    assert "step 10" in view.ax.get_title()
    fixed = playground.View(playground.figure_for(curves=False).ax, arrow_scale=2.0)
    fixed.update(session)
    np.testing.assert_allclose(np.hypot(fixed.artists["arrows"].U, fixed.artists["arrows"].V),
                               2.0 * np.linalg.norm(v["push"], axis=1), rtol=1e-5)


def test_moments_draws_one_panel_per_moment_and_refuses_going_back():
    figure, session = playground.moments(Settings(**SMALL), at=(0, 2, 5))
    assert [ax.get_title().split(":")[0] for ax in figure.axes if ax.get_title()] == \
        ["step 0", "step 2", "step 5"]
    assert session.step == 5
    with pytest.raises(ValueError, match="increasing steps"):
        playground.moments(Settings(**SMALL), at=(3, 1))


def test_buttons_move_the_counters_and_change_the_image():
    panel = Playground(Settings(**SMALL), dpi=40)
    first = panel.image.value
    assert "step 0" in panel.status.value
    panel.buttons["step D"].click()
    assert "step 1" in panel.status.value and "D updates 1" in panel.status.value
    assert panel.image.value != first
    panel.buttons["step G"].click()
    assert "G updates 1" in panel.status.value
    panel.controls["loss"].value = "hinge"  # a new setting: a new run
    assert "step 0" in panel.status.value and panel.session.settings.loss == "hinge"


def test_an_impossible_combination_is_named_and_the_run_kept():
    panel = Playground(Settings(**SMALL), dpi=40)
    panel.buttons["step D"].click()
    session = panel.session
    panel.controls["penalty"].value = "R1"
    panel.controls["loss"].value = "hinge"
    assert "R1 penalty belongs to the non-saturating loss" in panel.message.value
    assert panel.session is not session  # R1 with the non-saturating loss was a valid new run
    assert panel.session.settings.penalty == "R1" and panel.session.settings.loss == "non-saturating"


def test_play_runs_frames_until_pause():
    async def play_a_while(panel):
        panel.play()
        for _ in range(200):
            await asyncio.sleep(0.01)
            if panel.frames >= 4:
                break
        panel.pause()
        await panel._task

    panel = Playground(Settings(**SMALL), steps_per_frame=3, dpi=40)
    asyncio.run(play_a_while(panel))
    assert panel.frames >= 4 and panel.session.step == 3 * (panel.frames - 1)
    assert panel.fps > 0 and "paused" in panel.status.value


def test_a_diverged_run_stops_playing_with_the_trainer_s_message(monkeypatch):
    panel = Playground(Settings(**SMALL), dpi=40)
    panel.playing = True

    def diverge(steps=1):
        raise TrainingDiverged("d_loss became nan at step 7")

    monkeypatch.setattr(panel.session, "run", diverge)
    panel._act(panel.session.run)
    assert not panel.playing and "Stopped:" in panel.message.value and "nan" in panel.message.value


def test_uploading_a_csv_switches_to_those_points():
    panel = Playground(Settings(**SMALL), dpi=40)
    upload = {"name": "mine.csv", "type": "text/csv", "size": 20, "last_modified": datetime.datetime.now()}
    panel.upload.value = ({**upload, "content": memoryview(b"x,y\n0,0\n4,0\n0,3\n")},)
    assert panel.controls["target"].value == playground.UPLOADED
    assert len(panel.session.target.means) == 3 and "of 3" in panel.status.value
    panel.upload.value = ({**upload, "name": "bad.csv", "content": memoryview(b"1,1\n")},)
    assert "Could not use bad.csv" in panel.message.value
    assert math.isclose(np.ptp(np.array(panel.session.target.means), axis=0).max(), 4.5)


def test_load_sets_the_experiment_and_runs_its_prelude():
    panel = Playground(Settings(**SMALL), dpi=40)
    panel.controls["loss"].value = "hinge"
    panel.load("saturating")
    experiment = playground.TOUR["saturating"]
    assert panel.session.settings == experiment.settings
    assert panel.session.updates == {"discriminator": experiment.prelude_d, "generator": 0}
    assert "Disjoint supports" in panel.message.value
    with pytest.raises(ValueError, match="unknown experiment 'gp'; the tour has: saturating"):
        panel.load("gp")


def test_frame_times_are_measured_per_frame():
    times = playground.frame_times(Settings(**SMALL), frames=3, steps_per_frame=2, dpi=30)
    assert times.shape == (3,) and (times > 0).all()


def test_the_weight_average_box_switches_the_samples_without_a_new_run():
    panel = Playground(Settings(**SMALL), dpi=40)
    panel.session.run(5)
    session, raw = panel.session, panel.session.samples()
    panel.controls["ema"].value = True
    assert panel.session is session and "step 5" in panel.status.value
    shown = panel.session.samples()
    assert torch.equal(shown, session.samples(average=True)) and not torch.equal(shown, raw)


def test_load_takes_changes_to_the_experiment():
    panel = Playground(Settings(**SMALL), dpi=40)
    panel.load("saturating", loss="non-saturating")
    assert panel.session.settings.loss == "non-saturating"
    assert panel.session.updates["discriminator"] == playground.TOUR["saturating"].prelude_d
    with pytest.raises(ValueError, match="unknown setting 'lr'"):
        panel.load("saturating", lr=1.0)
