"""The playground's figure: :class:`View` draws a session (D's map, data, samples, arrows, the
noise grid mapped through G, the curves); :func:`side_by_side` and :func:`moments` make still
figures of several sessions, or of one run at several moments."""

import io

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from gan_course import data
from gan_course.playground.session import Session, Settings

HEAT_LABELS = {"probability": "$D(x)$, the probability of 'data'",
               "score": "$D(x)$, raw output", "critic": "critic $f(x)$ (colours rescaled each frame)"}


def _heat_range(session: Session, heat: np.ndarray) -> tuple[float, float]:
    """Colour limits: fixed for D's probabilities and for scores with targets, the 2nd to 98th
    percentile of the values for a critic (only its differences mean something)."""
    if session.output == "probability":
        return 0.0, 1.0
    if session.output == "score":
        return (-1.5, 1.5) if session.settings.loss == "hinge" else (-0.25, 1.25)
    low, high = np.percentile(heat, [2, 98])
    return (float(low), float(high)) if high > low else (float(low) - 1, float(low) + 1)


class View:
    """The playground's view of a session, drawn on ``ax`` (and the curves on ``ax_loss`` and
    ``ax_modes`` when given). The first :meth:`update` makes the artists; later ones change their
    data only, which keeps a frame cheap enough for several frames a second on 2 cores.

    Shown: D's heat map (or the critic's values), the data (black dots), the samples (orange),
    the arrows -dL_G/dx on some samples, the noise grid mapped through G (grey lines); the losses
    of D and G, and the modes covered, against the training step. ``arrow_scale``: plot units per
    unit of gradient (None: the longest arrow is 15 % of the view's width, each frame anew)."""

    def __init__(self, ax, ax_loss=None, ax_modes=None, arrow_scale: float | None = None,
                 legend: bool = True, colorbar: bool = True):
        self.ax, self.ax_loss, self.ax_modes = ax, ax_loss, ax_modes
        self.arrow_scale, self.legend, self.colorbar, self.artists = arrow_scale, legend, colorbar, None

    def _create(self, session: Session, v: dict) -> None:
        ax, lim = self.ax, v["lim"]
        low, high = _heat_range(session, v["heat"])
        a = {"heat": ax.imshow(v["heat"], extent=(-lim, lim, -lim, lim), origin="lower",
                               cmap="coolwarm_r", vmin=low, vmax=high, alpha=0.85,
                               interpolation="bilinear")}
        if self.colorbar:
            ax.figure.colorbar(a["heat"], ax=ax, shrink=0.8, label=HEAT_LABELS[session.output])
        a["manifold"] = ax.add_collection(LineCollection(
            v["manifold"], colors="0.3", linewidths=0.6, alpha=0.6, label="noise grid mapped by G"))
        a["data"] = ax.scatter(*v["data"][:512].T, s=3, c="k", alpha=0.5, label="data")
        a["samples"] = ax.scatter(*v["samples"].T, s=5, c="tab:orange", alpha=0.8, label=(
            "samples (weight average of G)" if session.settings.ema else "samples $G(z)$"))
        a["arrows"] = ax.quiver(*v["arrows_at"].T, *v["push"].T, angles="xy", scale_units="xy",
                                scale=1, color="darkgreen", width=0.004,
                                label=r"$-\partial L_G/\partial x$ on samples")
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_xlabel("$x_1$")
        ax.set_ylabel("$x_2$")
        if self.legend:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8,
                      markerscale=2, frameon=False)
        if self.ax_loss is not None:
            a["d_loss"], = self.ax_loss.plot([], [], lw=1, label="discriminator's loss $L_D$")
            a["g_loss"], = self.ax_loss.plot([], [], lw=1, label="generator's loss $L_G$")
            self.ax_loss.legend(fontsize=8, loc="upper right")
            self.ax_loss.set_ylim(0, 2)  # until the first steps (relim then fits the curves)
            self.ax_loss.set_xlabel("training step")
            self.ax_loss.set_ylabel("loss")
        if self.ax_modes is not None:
            a["modes"], = self.ax_modes.plot([], [], "o-", ms=2, lw=1, color="tab:purple")
            self.ax_modes.set_ylim(-0.5, v["n_modes"] + 0.5)
            self.ax_modes.set_xlabel("training step")
            self.ax_modes.set_ylabel(f"modes covered (of {v['n_modes']})")
        self.artists = a

    def update(self, session: Session, title: str = "") -> dict:
        """Redraw for the session's current state; returns the view's arrays (:meth:`Session.view`)."""
        v = session.view()
        if self.artists is None:
            self._create(session, v)
        a = self.artists
        a["heat"].set_data(v["heat"])
        if session.output == "critic":
            a["heat"].set_clim(*_heat_range(session, v["heat"]))
        a["manifold"].set_segments(v["manifold"])
        a["samples"].set_offsets(v["samples"])
        push, norms = v["push"], np.linalg.norm(v["push"], axis=1)
        scale = self.arrow_scale if self.arrow_scale is not None else (
            0.15 * 2 * v["lim"] / norms.max() if norms.max() > 0 else 1.0)
        a["arrows"].set_offsets(v["arrows_at"])
        a["arrows"].set_UVC(*(push * scale).T)
        u = v["updates"]
        self.ax.set_title(title or f"{session.settings.loss}: step {v['step']} (D updates "
                          f"{u['discriminator']}, G updates {u['generator']})\nmean arrow "
                          f"|dL_G/dx| = {norms.mean():.2g}", fontsize=9)
        history = v["history"]
        if self.ax_loss is not None and history.get("step"):
            a["d_loss"].set_data(history["step"], history["d_loss"])
            a["g_loss"].set_data(history["step"], history["g_loss"])
            self.ax_loss.relim()
            self.ax_loss.autoscale_view()
        if self.ax_modes is not None:
            coverage = np.asarray(v["coverage"])
            a["modes"].set_data(coverage[:, 0], coverage[:, 1])
            self.ax_modes.set_xlim(-0.5, max(1, coverage[-1, 0]) * 1.02)
        return v


def figure_for(curves: bool = True, dpi: int = 100, arrow_scale: float | None = None) -> View:
    """A new figure laid out for a :class:`View` (with the curves on the right, or without)."""
    if curves:
        figure = Figure(figsize=(10, 5), dpi=dpi)
        view = View(figure.add_axes((0.06, 0.2, 0.44, 0.72)), figure.add_axes((0.63, 0.6, 0.35, 0.33)),
                    figure.add_axes((0.63, 0.12, 0.35, 0.33)), arrow_scale)
    else:
        figure = Figure(figsize=(5, 5.4), dpi=dpi)
        view = View(figure.add_axes((0.12, 0.22, 0.72, 0.68)), arrow_scale=arrow_scale)
    return view


def draw(session: Session, curves: bool = True, dpi: int = 100, arrow_scale: float | None = None,
         title: str = "") -> Figure:
    """The playground's view of ``session`` as a new figure (see :class:`View`)."""
    view = figure_for(curves, dpi, arrow_scale)
    view.update(session, title)
    return view.ax.figure


def png(figure: Figure) -> bytes:
    """``figure`` as PNG bytes (matplotlib's Agg renderer, at the figure's dpi)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})  # fast, a bit larger
    return buffer.getvalue()


def _panels(n: int, columns: int | None, size: float, dpi: int) -> tuple[Figure, list]:
    columns = columns or n
    rows = -(-n // columns)
    figure = Figure(figsize=(size * columns + 0.8, size * rows + 0.6), dpi=dpi, layout="constrained")
    axes = list(figure.subplots(rows, columns, squeeze=False).ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return figure, axes[:n]


def _legend(figure: Figure, ax) -> None:
    """One legend for all panels, under them (the layers are the same in each)."""
    handles, labels = ax.get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=9, markerscale=2,
                  frameon=False)


def side_by_side(sessions, titles, arrow_scale: float | None = None, columns: int | None = None,
                 size: float = 4.2, dpi: int = 100) -> Figure:
    """The main view of each session (its current state), side by side, each with its colour
    bar; ``arrow_scale`` as in :class:`View` (one scale for all panels when given)."""
    figure, axes = _panels(len(sessions), columns, size, dpi)
    for ax, session, title in zip(axes, sessions, titles, strict=True):
        View(ax, arrow_scale=arrow_scale, legend=False).update(session, title)
    _legend(figure, axes[0])
    return figure


def moments(settings: Settings | None = None, at=(0, 100, 500, 2000), columns: int = 2,
            dpi: int = 100, target: data.GaussianMixture | None = None,
            arrow_scale: float | None = None) -> tuple[Figure, Session]:
    """The playground's main view at the steps ``at`` of one run of ``settings``, in a grid of
    ``columns``: what the live panel shows, for pages without a kernel. D's colour bar is drawn
    once when its scale is fixed (probabilities, scores), on each panel for a critic."""
    session = Session(settings or Settings(), target)
    figure, axes = _panels(len(at), columns, 4.2, dpi)
    for i, (ax, step) in enumerate(zip(axes, at, strict=True)):
        if step < session.step:
            raise ValueError(f"at must be increasing steps; got {list(at)}")
        session.run(step - session.step)
        colorbar = session.output == "critic" or i % columns == columns - 1 or i == len(at) - 1
        View(ax, arrow_scale=arrow_scale, legend=False, colorbar=colorbar).update(session, title=(
            f"step {step}: modes {session.coverage[-1][1]} of {len(session.target.means)}"))
    _legend(figure, axes[0])
    return figure, session
