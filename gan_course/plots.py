"""Figures the chapters share: image grids, training curves, 1-D and 2-D pictures, animations.

Every function draws on a Matplotlib ``Axes`` (a new figure when ``ax`` is None), labels its
axes and sets a title, and returns the ``Axes`` so a chapter can add to it.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import animation
from scipy.stats import gaussian_kde
from torchvision.utils import make_grid

from gan_course.data import GaussianMixture

# Figures are shown at 100 dpi with text that stays readable when a notebook or a slide shrinks
# them; one colour map for digits everywhere (white background, dark strokes, as on paper).
COURSE_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "image.cmap": "gray",  # white digits on black, as in show_images' grids (torchvision make_grid)
}


def use_course_style() -> None:
    """Apply :data:`COURSE_STYLE` to Matplotlib (the chapters' setup cell calls it)."""
    plt.rcParams.update(COURSE_STYLE)


def _axes(ax, figsize=(6, 4)):
    return plt.subplots(figsize=figsize)[1] if ax is None else ax


def image_grid(images: torch.Tensor, nrow: int = 8) -> np.ndarray:
    """Images in [-1, 1], shape (N, 1, H, W), tiled by torchvision's ``make_grid`` (H', W', 3)."""
    grid = make_grid(images.detach().cpu().clamp(-1, 1), nrow=nrow, padding=2,
                     normalize=True, value_range=(-1, 1), pad_value=1.0)
    return grid.permute(1, 2, 0).numpy()


def show_images(images: torch.Tensor, nrow: int = 8, title: str = "", ax=None):
    """Show a grid of images (pixels in [-1, 1]) without ticks."""
    ax = _axes(ax, (nrow * 0.6, np.ceil(len(images) / nrow) * 0.6 + 0.4))
    ax.imshow(image_grid(images, nrow), interpolation="nearest")
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def smooth(values, window: int = 50) -> np.ndarray:
    """Moving average over ``window`` steps (shorter at the start), for noisy training curves."""
    values = np.asarray(values, dtype=float)
    cumulative = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    return (cumulative[1:] - cumulative[np.arange(1, len(values) + 1) - counts]) / counts


def plot_history(history: dict, keys=("d_loss", "g_loss"), window: int = 50, title: str = "",
                 ylabel: str = "loss", ax=None):
    """Curves of ``history[key]`` against the generator step, smoothed over ``window`` steps."""
    ax = _axes(ax)
    for key in keys:
        ax.plot(history["step"], smooth(history[key], window), label=key)
    ax.set_xlabel("generator step")
    ax.set_ylabel(ylabel)
    ax.set_title(title or f"training curves ({window}-step moving average)")
    ax.legend()
    return ax


def plot_tracked(tracker, key: str, ylabel: str, title: str = "", log: bool = False, ax=None):
    """A score over training from a :class:`~gan_course.callbacks.ScoreTracker`: the weight
    average (EMA) and the raw generator, against the epoch."""
    ax = _axes(ax)
    names = {"ema": "weight average (EMA) of G", "raw": "raw generator G"}
    for kind, style in (("ema", "-o"), ("raw", "--s")):
        if kind in tracker.scores:
            ax.plot(tracker.epochs, tracker.curve(key, kind), style, ms=4, label=names[kind])
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    return ax


@torch.no_grad()
def scores_on(discriminator, points: torch.Tensor, probability: bool = True) -> np.ndarray:
    """The discriminator's output at ``points``: D(x) = sigmoid(logit) or, if not
    ``probability``, the raw critic score."""
    device = next(discriminator.parameters()).device
    scores = discriminator(points.to(device)).cpu()
    return (torch.sigmoid(scores) if probability else scores).numpy()


def plot_1d(target: GaussianMixture, samples=None, discriminator=None, x=None, title: str = "",
            ax=None):
    """Goodfellow et al. 2014, figure 1: the data density (black, dotted), the generator's
    density (green, a kernel density estimate of ``samples``) and D(x) (blue, dashed)."""
    ax = _axes(ax)
    x = np.linspace(-1, 7, 400) if x is None else np.asarray(x)
    ax.plot(x, target.pdf(x), "k:", lw=2, label=r"data $p_{\mathrm{data}}$")
    if samples is not None:
        values = torch.as_tensor(samples).detach().cpu().double().numpy().ravel()
        if values.std() > 1e-6:
            ax.plot(x, gaussian_kde(values)(x), "g-", lw=2, label=r"generator $p_g$")
        else:  # a collapsed generator: all samples at one point
            ax.axvline(values.mean(), color="g", lw=2, label=r"generator $p_g$ (a point)")
    if discriminator is not None:
        d = scores_on(discriminator, torch.tensor(x, dtype=torch.float32).unsqueeze(1))
        ax.plot(x, d, "b--", lw=2, label=r"discriminator $D(x)$")
    ax.axhline(0.5, color="grey", lw=0.5)
    ax.set_xlabel("$x$")
    ax.set_ylabel("density, or $D(x)$")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_2d(samples, target: GaussianMixture | None = None, discriminator=None, lim: float = 3.0,
            probability: bool = True, title: str = "", ax=None):
    """Samples over a heat map of the discriminator (or critic) on the square [-lim, lim]^2;
    the target's modes as red crosses."""
    ax = _axes(ax, (5, 5))
    if discriminator is not None:
        grid = np.linspace(-lim, lim, 120)
        xx, yy = np.meshgrid(grid, grid)
        points = torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=torch.float32)
        zz = scores_on(discriminator, points, probability).reshape(xx.shape)
        mesh = ax.pcolormesh(xx, yy, zz, cmap="coolwarm", shading="auto")
        plt.colorbar(mesh, ax=ax, label="$D(x)$" if probability else "critic $f(x)$")
    points = torch.as_tensor(samples).detach().cpu().numpy()
    ax.scatter(points[:, 0], points[:, 1], s=3, c="k", alpha=0.5, label="generated")
    if target is not None:
        modes = target.modes.numpy()
        ax.scatter(modes[:, 0], modes[:, 1], marker="x", c="r", s=40, label="modes")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    return ax


def animate(draw, n_frames: int, figsize=(6, 4), interval: int = 150, dpi: int = 60, still: int = -1):
    """An inline animation: ``draw(ax, i)`` draws frame ``i`` on a cleared ``Axes``.

    Returns HTML (JavaScript player, frames embedded as PNG) for the notebook to display; keep
    ``n_frames`` to a few dozen and ``dpi`` modest so the notebook stays small. It needs no
    network (the buttons are inline SVG), and where scripts do not run (an untrusted notebook, a
    repository's page) it shows frame ``still``, by default the last (`animation.offline_jshtml`).
    """
    from IPython.display import HTML

    from gan_course.animation import offline_jshtml

    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)

    def frame(i):
        ax.clear()
        draw(ax, i)

    movie = animation.FuncAnimation(fig, frame, frames=n_frames, interval=interval)
    player = movie.to_jshtml(fps=max(1, 1000 // interval), default_mode="once")
    html = HTML(offline_jshtml(player, still))
    plt.close(fig)
    return html
