"""The app's chart widget. Its own module because textual-plotext (and plotext) take ~15 ms to
import: the app loads them once a chart is due (the Overview's second step, a chart tab's first
visit), not before the first screen."""

from __future__ import annotations

from textual_plotext import PlotextPlot


class Chart(PlotextPlot):
    """A plotext chart that redraws itself (render) from the last data it was given."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self._draw = None

    def draw(self, fn) -> None:
        self._draw = fn
        self.plt.clear_data()
        self.plt.clear_figure()
        fn(self.plt)
        self.refresh()

    def render(self):
        if self._draw is not None:
            self.plt.clear_figure()
            # the drawing functions size labels to the room they have
            self.plt.si_width, self.plt.si_height = self.size.width, self.size.height
            self._draw(self.plt)
        return super().render()
