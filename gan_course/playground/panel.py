"""The live panel (:class:`Playground`, ipywidgets) and the guided tour (:data:`TOUR`)."""

import asyncio
import base64
import dataclasses
import time
from dataclasses import dataclass

import numpy as np

from gan_course import data
from gan_course.playground.session import LOSSES, PENALTIES, Session, Settings
from gan_course.playground.targets import TARGETS, UPLOADED, read_points
from gan_course.playground.view import figure_for, png
from gan_course.train import TrainingDiverged


@dataclass(frozen=True)
class Experiment:
    """One stop of the guided tour: the settings to load, what the panel does first (``prelude``:
    steps of the discriminator alone), and what to try."""

    title: str
    chapter: str
    settings: Settings
    prelude_d: int = 0
    try_this: str = ""


STRONG_D = {"d_steps": 5, "lr_d": 5e-3}  # k = 5 and a rate 5 times G's: D runs ahead
TOUR = {
    "saturating": Experiment(
        "Disjoint supports and the saturating loss", "01", Settings(loss="saturating"), 200,
        "D has been trained alone for 200 steps: the arrows are almost nothing. Run "
        "panel.load('saturating', loss='non-saturating'): the same 200 steps give the same D "
        "(its loss does not depend on G's), and now the arrows are long."),
    "collapse": Experiment(
        "Mode collapse on the ring", "02 and 05", Settings(), 0,
        "Play for a few thousand steps and watch 'modes covered': the samples leave modes and "
        "come back (mode hopping). Try seed 1, and noise dimension 1."),
    "clipping": Experiment(
        "Weight clipping against the gradient penalty", "05",
        Settings(loss="WGAN, weight clipping", d_steps=2), 0,
        "Play: the critic's map stays a gentle slope and the arrows are tiny. Switch the loss to "
        "WGAN-GP and play again."),
    "strong-d": Experiment(
        "A discriminator that is too strong", "03", Settings(**STRONG_D), 0,
        "k = 5 steps of D at 5 times G's learning rate: play and watch the samples crowd onto one "
        "mode. Then choose the saturating loss: now and then the arrows die and the samples "
        "freeze, then jump."),
    "ema": Experiment(
        "The weight average of G (EMA)", "02 and 05", Settings(ema=True), 0,
        "The samples shown are the weight average's. Play, and untick the box now and then to "
        "see the raw generator's samples hop between modes."),
}


STYLE = {"description_width": "7em"}  # the controls' labels, aligned in columns
# The learning rates the panel offers (1, 2 and 5 per decade); a SelectionSlider keeps them
# exact, where a FloatLogSlider rounds 5e-3 to its grid (0.00501) in the browser and sends that back.
RATES = tuple(m * 10.0**e for e in range(-5, 0) for m in (1, 2, 5) if m * 10.0**e <= 0.1)


def _rates(extra: float) -> list[tuple[str, float]]:
    """The panel's rates as (label, value) options, with ``extra`` added if it is not one."""
    return [(f"{r:.0e}", r) for r in sorted({*RATES, extra})]


def _controls(s: Settings) -> dict:
    """One control per setting, showing the values of ``s`` (each range includes its value)."""
    import ipywidgets as w

    style = STYLE
    slim = w.Layout(width="17em")
    return {
        "target": w.Dropdown(options=list(TARGETS), value=s.target, description="target",
                             style=style, layout=slim),
        "loss": w.Dropdown(options=list(LOSSES), value=s.loss, description="loss",
                           style=style, layout=slim),
        "penalty": w.Dropdown(options=list(PENALTIES), value=s.penalty, description="penalty",
                              style=style, layout=slim),
        "d_steps": w.IntSlider(s.d_steps, 1, max(10, s.d_steps), description="k (D steps)", style=style),
        "lr_d": w.SelectionSlider(options=_rates(s.lr_d), value=s.lr_d, description="D's rate",
                                  style=style),
        "lr_g": w.SelectionSlider(options=_rates(s.lr_g), value=s.lr_g, description="G's rate",
                                  style=style),
        "noise_dim": w.IntSlider(s.noise_dim, 1, max(8, s.noise_dim), description="noise dim.",
                                 style=style),
        "width": w.Dropdown(options=sorted({16, 32, 64, 128, 256, s.width}), value=s.width,
                            description="width", style=style, layout=slim),
        "ema": w.Checkbox(s.ema, description="show the weight average of G", indent=False),
        "seed": w.BoundedIntText(s.seed, min=0, max=max(10**6, s.seed), description="seed",
                                 style=style, layout=slim),
    }


class Playground:
    """The live panel: controls for :class:`Settings`, buttons play / pause / step D / step G /
    reset, the view (:class:`View`, drawn to a PNG image widget) and a status line.

    Playing runs in the kernel's event loop (an ``asyncio`` task): between two frames the kernel
    handles the buttons, so pause and the others answer at once. Changing a setting starts a new
    run with it (the figure is always that of the settings shown). ``Playground().widget`` is the
    panel; a notebook shows it by ending a cell with the ``Playground`` object, with the current
    frame as a still image for pages without a kernel.
    """

    def __init__(self, settings: Settings | None = None, steps_per_frame: int = 5, dpi: int = 80):
        import ipywidgets as w

        self.dpi, self.playing, self.frames, self.fps = dpi, False, 0, 0.0
        self.points: data.GaussianMixture | None = None
        self._task = None
        self.controls = _controls(settings or Settings())
        self.speed = w.IntSlider(steps_per_frame, 1, 50, description="steps/frame", style=STYLE)
        self.upload = w.FileUpload(accept=".csv", multiple=False,
                                   description="your points (CSV)", layout=w.Layout(width="15em"))
        self.buttons = {name: w.Button(description=name, layout=w.Layout(width="6.5em"))
                        for name in ("play", "pause", "step D", "step G", "reset")}
        self.buttons["play"].button_style = "success"
        self.image = w.Image(format="png", layout=w.Layout(width=f"{10 * dpi}px"))
        self.status = w.HTML()
        self.message = w.HTML()
        actions = {"play": self.play, "pause": self.pause, "step D": self.step_discriminator,
                   "step G": self.step_generator, "reset": self.reset}
        for name, button in self.buttons.items():
            button.on_click(lambda _button, action=actions[name]: action())
        self._loading = False  # load() sets several controls, then starts one new run
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.upload.observe(self._on_upload, names="value")
        c = self.controls
        self.widget = w.VBox([
            w.HBox(list(self.buttons.values()) + [self.speed]),
            w.HBox([w.VBox([c["target"], c["loss"], c["penalty"], c["width"], c["seed"]]),
                    w.VBox([c["d_steps"], c["lr_d"], c["lr_g"], c["noise_dim"], c["ema"]]),
                    w.VBox([self.upload])]),
            self.status, self.message, self.image])
        self.reset()

    def _on_change(self, change) -> None:
        """A control moved: a new run, unless load() is setting several at once; the weight
        average's box only switches the samples shown (the average is always kept)."""
        if self._loading:
            return
        if change["owner"] is self.controls["ema"] and hasattr(self, "session"):
            self.session.settings = self.session.settings.replace(ema=change["new"])
            self.view = figure_for(curves=True, dpi=self.dpi)  # the samples' label changes
            self._render()
            return
        self.reset()

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The panel for JupyterLab, and the current frame as a PNG for where no kernel runs
        (a repository page, the decks, JupyterLab with the kernel gone): ipywidgets shows the
        next format of the bundle when a widget's model is missing."""
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        return {**bundle, "image/png": base64.b64encode(self.image.value).decode("ascii"),
                "text/plain": "GAN playground (run the notebook in JupyterLab to play)"}

    @property
    def settings(self) -> Settings:
        return Settings(**{name: c.value for name, c in self.controls.items()})

    def reset(self) -> None:
        """A new run of the settings shown (step 0)."""
        try:
            settings = self.settings
            self.session = Session(settings, self.points if settings.target == UPLOADED else None)
        except ValueError as error:
            self.pause()
            self.message.value = f"<b>Not started:</b> {error}"
            return
        self.message.value = ""
        self.view = figure_for(curves=True, dpi=self.dpi)
        self.frames, self.fps = 0, 0.0
        self._render()

    def _render(self, started: float | None = None) -> None:
        self.view.update(self.session)
        self.image.value = png(self.view.ax.figure)
        self.frames += 1
        if started is not None:  # frames per second, averaged over the last few frames
            rate = 1 / max(time.perf_counter() - started, 1e-6)
            self.fps = rate if self.fps == 0 else 0.8 * self.fps + 0.2 * rate
        self._show_status()

    def _show_status(self) -> None:
        u, covered = self.session.updates, self.session.coverage[-1][1]
        self.status.value = (
            f"<b>step {self.session.step}</b> &middot; D updates {u['discriminator']} &middot; "
            f"G updates {u['generator']} &middot; modes covered {covered} of "
            f"{len(self.session.target.means)} &middot; "
            f"{'playing' if self.playing else 'paused'}, {self.fps:.1f} frames/s")

    def _act(self, action) -> None:
        started = time.perf_counter()
        try:
            action()
        except TrainingDiverged as error:
            self.pause()
            self.message.value = f"<b>Stopped:</b> {error}"
        self._render(started)

    def step_discriminator(self) -> None:
        """One step of D alone (k updates)."""
        self._act(self.session.step_discriminator)

    def step_generator(self) -> None:
        """One update of G alone."""
        self._act(self.session.step_generator)

    async def _play(self) -> None:
        while self.playing:
            self._act(lambda: self.session.run(self.speed.value))
            await asyncio.sleep(0.001)  # let the kernel handle a click before the next frame

    def play(self) -> None:
        """Train and redraw, frame after frame, until :meth:`pause`."""
        if self.playing:
            return
        self.playing = True
        self._task = asyncio.get_event_loop().create_task(self._play())

    def pause(self) -> None:
        """Stop playing after the frame being drawn."""
        self.playing = False
        if hasattr(self, "session"):
            self._show_status()

    def _on_upload(self, change) -> None:
        files = change["new"]
        if not files:
            return
        try:
            self.points = read_points(bytes(files[0]["content"]).decode("utf-8", errors="replace"))
        except ValueError as error:
            self.message.value = f"<b>Could not use {files[0]['name']}:</b> {error}"
            return
        target = self.controls["target"]
        if UPLOADED not in target.options:
            target.options = [*TARGETS, UPLOADED]
        if target.value == UPLOADED:
            self.reset()
        target.value = UPLOADED

    def load(self, name: str, **changes) -> None:
        """Set the panel to the tour's experiment ``name`` (a key of :data:`TOUR`), with
        ``changes`` to its settings (``loss="non-saturating"``), and run its prelude; the
        experiment's advice goes to the message line."""
        if name not in TOUR:
            raise ValueError(f"unknown experiment {name!r}; the tour has: {', '.join(TOUR)}")
        experiment = TOUR[name]
        settings = experiment.settings.replace(**changes)
        self.pause()
        self._loading = True
        try:
            for key, value in dataclasses.asdict(settings).items():
                if key in self.controls:
                    self.controls[key].value = value
        finally:
            self._loading = False
        self.reset()
        if experiment.prelude_d:
            self._act(lambda: self.session.step_discriminator(experiment.prelude_d))
        self.message.value = (f"<b>{experiment.title}</b> (chapter {experiment.chapter}): "
                              f"{experiment.try_this}")


def frame_times(settings: Settings | None = None, frames: int = 20, steps_per_frame: int = 5,
                dpi: int = 80) -> np.ndarray:
    """Seconds per frame of the live panel (``steps_per_frame`` training steps, the view redrawn,
    the PNG made), measured with a :class:`Playground` exactly as playing does, without a browser."""
    panel = Playground(settings, steps_per_frame, dpi)
    times = []
    for _ in range(frames):
        started = time.perf_counter()
        panel._act(lambda: panel.session.run(steps_per_frame))
        times.append(time.perf_counter() - started)
    return np.asarray(times)
