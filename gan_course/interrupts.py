"""Ctrl-C that never leaves a run half-way through a step.

During :meth:`Trainer.fit <gan_course.train.Trainer.fit>` a first Ctrl-C (SIGINT, which is also
what JupyterLab's "interrupt kernel" sends) is held until the current training step is complete;
the trainer then saves its checkpoint and raises :class:`TrainingInterrupted`. A second Ctrl-C
stops at once, as usual. Outside the main thread signals cannot be caught, and Ctrl-C behaves as
it always does.
"""

import signal
import threading
from contextlib import contextmanager


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on Ctrl-C after a completed step; the message says how to resume."""


class _Request:
    requested = False


@contextmanager
def deferred_interrupt():
    """Within the block, the first SIGINT sets ``.requested`` instead of raising."""
    request = _Request()
    if threading.current_thread() is not threading.main_thread():
        yield request
        return
    previous = signal.getsignal(signal.SIGINT)

    def hold(signum, frame):
        if request.requested:  # the second Ctrl-C: stop now
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        request.requested = True
        print("\nCtrl-C: stopping after this step (press again to stop at once).", flush=True)

    signal.signal(signal.SIGINT, hold)
    try:
        yield request
    finally:
        signal.signal(signal.SIGINT, previous)
