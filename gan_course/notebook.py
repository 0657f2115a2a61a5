"""The first cell of every chapter: seed, figure style, and what kind of run this is.

    from gan_course.notebook import setup
    clock = setup()          # prints "full run on cpu" (or "fast mode ...")
    ...
    print(f"notebook ran in {clock.minutes():.1f} minutes")
"""

import inspect
import textwrap
import time

from gan_course import plots
from gan_course.runtime import FAST, device, seed_everything


class Clock:
    """Wall time since the chapter started."""

    def __init__(self):
        self.start = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.start

    def minutes(self) -> float:
        return self.seconds() / 60


def _png_figures() -> None:
    """Inline figures as PNG only (one copy per figure in the saved notebook)."""
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("png")


def setup(seed: int = 0) -> Clock:
    """Seed everything, apply the course's figure style, say whether this is a full run."""
    seed_everything(seed)
    plots.use_course_style()
    _png_figures()
    print(f"fast mode: short runs (GAN_COURSE_FAST=1) on {device()}" if FAST
          else f"full run on {device()}")
    return Clock()


def show_source(*objects) -> None:
    """Display the package's own code for ``objects`` (functions, methods, classes) as
    highlighted Python: the code a chapter shows is the code that runs."""
    from IPython.display import Markdown, display

    text = "\n\n".join(textwrap.dedent(inspect.getsource(o)).rstrip() for o in objects)
    display(Markdown(f"```python\n{text}\n```"))
