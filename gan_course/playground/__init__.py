"""The 2-D GAN playground: the game of chapters 01-07 watched step by step (GAN Lab, Kahng et
al. 2018, with the course's own models, losses and trainer).

- :class:`Settings`: a 2-D target, a loss and a penalty, k, learning rates, noise dimension, width;
- :class:`Session`: one run of those settings, trained by :class:`gan_course.train.Trainer`
  (``step``: k discriminator steps and one generator step; ``step_discriminator`` and
  ``step_generator``: one player only), and what the view shows (:meth:`Session.view`);
- :func:`draw`: that view as a figure: the data, the samples, D's heat map (or the critic's
  values), the generator's gradient arrows, the noise grid mapped through G, and the curves of
  the losses and of the modes covered;
- :func:`moments`: the figure at a few moments of one run (what a page without a kernel shows);
- :data:`TOUR`: five experiments that replay the lessons of chapters 01-05;
- :class:`Playground`: the ipywidgets panel (play, pause, step D, step G, reset).
"""

from gan_course.playground.panel import RATES, STRONG_D, TOUR, Experiment, Playground, frame_times
from gan_course.playground.session import LOSSES, PENALTIES, Session, Settings
from gan_course.playground.targets import TARGETS, UPLOADED, points_target, read_points, spiral, two_moons
from gan_course.playground.view import View, draw, figure_for, moments, png, side_by_side

__all__ = ["Experiment", "LOSSES", "PENALTIES", "Playground", "RATES", "STRONG_D", "Session",
           "Settings", "TARGETS", "TOUR", "UPLOADED", "View", "draw", "figure_for", "frame_times",
           "moments", "png", "points_target", "read_points", "side_by_side", "spiral", "two_moons"]
