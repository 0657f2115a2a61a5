"""The playground's 2-D targets: chapter 05's ring, chapter 07's grid, two moons, a spiral, and
points of your own (a CSV file), all mixtures of small Gaussians (:class:`data.GaussianMixture`),
so that sampling, densities and the modes covered work the same for each."""

import csv
import io
import math

import numpy as np

from gan_course import data
from gan_course.data import GaussianMixture


def two_moons(n_means: int = 24, radius: float = 1.5, std: float = 0.08) -> GaussianMixture:
    """Two interleaved half circles (scikit-learn's ``make_moons`` shape), each drawn as
    ``n_means // 2`` small Gaussians evenly spaced along it, so that they blend into a curve;
    the playground's coverage counts those Gaussians as the regions to cover."""
    half = n_means // 2
    angles = [math.pi * i / (half - 1) for i in range(half)]
    upper = [(radius * math.cos(a) - radius / 2, radius * math.sin(a) - radius / 4) for a in angles]
    lower = [(radius / 2 - radius * math.cos(a), radius / 4 - radius * math.sin(a)) for a in angles]
    return GaussianMixture(tuple(upper + lower), std, name="two moons")


def spiral(n_means: int = 32, turns: float = 1.5, radius: float = 2.5, std: float = 0.08) -> GaussianMixture:
    """An Archimedean spiral r = radius * t / turns (t in turns), drawn as ``n_means`` small
    Gaussians equally spaced along its length (the arc length grows as t^2, so t = sqrt(s))."""
    means = []
    for i in range(n_means):
        t = turns * math.sqrt(0.04 + 0.96 * i / (n_means - 1))  # from near the centre outwards
        r, angle = radius * t / turns, 2 * math.pi * t
        means.append((r * math.cos(angle), r * math.sin(angle)))
    return GaussianMixture(tuple(means), std, name="spiral")


def points_target(points, std: float | None = None, max_points: int = 200) -> GaussianMixture:
    """A 2-D target made of the given points (an (n, 2) array, e.g. read from a CSV file): one
    small Gaussian at each, of ``std`` (default: 2 % of the points' spread)."""
    array = np.asarray(points, dtype=float)
    if array.ndim != 2 or array.shape[1] != 2 or not 2 <= len(array) <= max_points:
        raise ValueError(f"points must be 2 to {max_points} rows of two coordinates (x, y); got an "
                         f"array of shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError("points must be finite numbers: remove empty or non-numeric cells")
    spread = float(np.ptp(array, axis=0).max())
    if spread == 0:
        raise ValueError("points are all the same point: give at least two different ones")
    return GaussianMixture(tuple(map(tuple, array.tolist())), std or 0.02 * spread, name="your points")


def _two_numbers(cells: list[str]) -> list[float] | None:
    """The first two cells of a CSV line as numbers, or None if they are not two numbers."""
    try:
        row = [float(cell) for cell in cells[:2]]
    except ValueError:
        return None
    return row if len(row) == 2 else None


def read_points(text: str) -> GaussianMixture:
    """A target from CSV text of x,y rows (a header line is allowed), moved and scaled so that
    the points fill the view, [-2.5, 2.5]^2, as the built-in targets do."""
    rows, first = [], True
    for number, line in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not "".join(line).strip():
            continue
        row = _two_numbers(line)
        if row is not None:
            rows.append(row)
        elif not first:  # only the first line that is not blank may be a header
            raise ValueError(f"line {number} of the CSV is not two numbers: {','.join(line)!r}")
        first = False
    points = np.asarray(rows, dtype=float).reshape(-1, 2) if rows else np.zeros((0, 2))
    if len(points) >= 2:
        centre = (points.max(0) + points.min(0)) / 2
        spread = np.ptp(points, axis=0).max()
        points = (points - centre) / (spread / 4.5 if spread > 0 else 1.0)
    return points_target(points)


TARGETS = {  # the 2-D targets: a name and the function that makes it (all Gaussian mixtures)
    "ring of 8": data.ring_of_gaussians,
    "5x5 grid": data.grid_of_gaussians,
    "two moons": two_moons,
    "spiral": spiral,
}
UPLOADED = "your points"  # the target made from an uploaded CSV file (read_points)
