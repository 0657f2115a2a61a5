"""Interactive panels that also work where nothing is live.

:func:`interactive_figure` draws the figure for the default values as an ordinary output, so it
appears in nbval, in an HTML page and in slides, and then shows ipywidgets controls. In a live
kernel, moving a control redraws that same output in place (IPython display updates), so the
figure is never shown twice.
"""

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import Markdown, display


def interactive_figure(draw, **controls: widgets.ValueWidget):
    """Show ``draw(**values)`` and redraw it whenever one of ``controls`` changes.

    ``draw`` returns ``(figure, text)``: the text (Markdown) is shown under the figure, for
    example the numbers the figure illustrates. Returns the box of controls.
    """

    def render():
        figure, text = draw(**{name: c.value for name, c in controls.items()})
        plt.close(figure)  # shown through the display handle only, not again by the backend
        return figure, Markdown(text)

    figure, text = render()
    figure_handle = display(figure, display_id=True)
    text_handle = display(text, display_id=True)

    def update(_change):
        new_figure, new_text = render()
        figure_handle.update(new_figure)
        text_handle.update(new_text)

    for control in controls.values():
        control.observe(update, names="value")
    box = widgets.HBox(list(controls.values()))
    display(box)
    return box
