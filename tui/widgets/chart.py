"""The app's chart widget: a line chart drawn by plotext, or bars drawn by `plots.Bars` (one row each,
exact to an eighth of a cell). Its own module because textual-plotext (and plotext) take ~15 ms to
import: the app loads them once a chart is due (the Overview's second step, a chart tab's first
visit), not before the first screen."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from .. import plots


class Chart(PlotextPlot):
    """A chart that redraws itself (render) at its size from the last data it was given."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self._draw = None
        self._bars: plots.Bars | None = None

    def show(self, chart, rows, title: str | None = None) -> None:
        """A registry chart (`spec.Chart`) of a report's rows: bars for bars and columns, else a line."""
        if chart.kind == "line":
            self.draw(lambda plt: plots.line(plt, rows, chart, title))
        else:
            self.draw_bars(plots.bars_of(chart, rows, title))

    def draw(self, fn) -> None:
        """A plotext drawing: fn(plt)."""
        self._bars = None
        self.remove_class("bars")
        self._draw = fn
        self.plt.clear_data()
        self.plt.clear_figure()
        fn(self.plt)
        self.refresh(layout=True)

    def draw_bars(self, bars: plots.Bars) -> None:
        self._draw, self._bars = None, bars
        self.add_class("bars")   # sized to its bars (app.tcss), not a fixed share of the pane
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        if self._bars is not None:
            return self._bars.height()
        return super().get_content_height(container, viewport, width)

    def render(self):
        if self._bars is not None:
            return self._bars.render(self.size.width, self.size.height,
                                     style=self.app.theme_variables.get("primary", ""))
        if self._draw is not None:
            self.plt.clear_figure()
            self._draw(self.plt)
        return super().render()
