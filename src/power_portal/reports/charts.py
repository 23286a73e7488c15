"""Vector charts of the site report (reportlab.graphics drawings, no raster images).

Pure functions from report data to a ``Drawing`` (a platypus flowable):

- ``daily_chart``: the cost of each day, or its energy when the report has no cost;
- ``period_chart``: energy by time-of-use period (season and period), horizontal bars;
- ``comparison_chart``: this period's energy import against the comparisons' (those with data).

Colours and fonts come in a ``ChartStyle``; numbers are written by the functions the caller
passes (the PDF's own ``format_*``), so a chart shows figures exactly as its tables do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.graphics.charts.barcharts import BarChart, HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.colors import Color

from power_portal.reports.schemas import Comparison, PeriodEnergy, ReportDay

Formatter = Callable[[float], str]
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
AXIS_COLOR = colors.HexColor("#8c8c8c")
TEXT_COLOR = colors.HexColor("#434343")
LABEL_SIZE = 7


@dataclass(frozen=True)
class ChartStyle:
    """The brand's colours (already checked) and the registered font of the document."""

    primary: Color
    secondary: Color
    font: str


@dataclass(frozen=True)
class Bars:
    """What one bar chart shows: a label, a value and a colour for each bar."""

    labels: list[str]
    values: list[float]
    colors: list[Color]


def value_range(values: Sequence[float]) -> tuple[float, float]:
    """The value axis: from 0 (or below, for negatives) to a little above the largest bar."""
    low = min(0.0, *values) if values else 0.0
    high = max(0.0, *values) if values else 0.0
    if high == low:
        return low, low + 1.0
    return low, high + (high - low) * 0.08


def day_label(day: date, many: bool) -> str:
    """``14`` in a month's chart; ``Mon 9`` in a week's (few bars, room for the weekday)."""
    return str(day.day) if many else f"{WEEKDAYS[day.weekday()]} {day.day}"


def period_name(season: str | None, period: str | None) -> str:
    """``High · Peak``; the part that is missing is left out (``All`` when both are)."""
    parts = [part for part in (season, period) if part]
    return " · ".join(parts) if parts else "All"


def canvas(width: float, height: float, style: ChartStyle) -> Drawing:
    """An empty drawing whose starting font is the document's (ReportLab's default,
    Helvetica, is not embedded and would otherwise be selected though never used)."""
    drawing = Drawing(width, height)
    drawing.initialFontName = style.font  # type: ignore[attr-defined]  # in _attrMap, not stubs
    drawing.initialFontSize = LABEL_SIZE  # type: ignore[attr-defined]
    return drawing


def _message(width: float, height: float, text: str, style: ChartStyle) -> Drawing:
    drawing = canvas(width, height, style)
    drawing.add(
        String(
            width / 2,
            height / 2,
            text,
            fontName=style.font,
            fontSize=9,
            fillColor=TEXT_COLOR,
            textAnchor="middle",
        )
    )
    return drawing


def _style_axes(chart: BarChart, bars: Bars, style: ChartStyle, ticks: Formatter) -> None:
    chart.data = [bars.values]
    chart.categoryAxis.categoryNames = bars.labels
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = value_range(bars.values)
    chart.valueAxis.labelTextFormat = ticks
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e8e8e8")
    chart.valueAxis.gridStrokeWidth = 0.5
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.strokeColor = AXIS_COLOR
        axis.strokeWidth = 0.5
        axis.labels.fontName = style.font
        axis.labels.fontSize = LABEL_SIZE
        axis.labels.fillColor = TEXT_COLOR
    chart.bars.strokeColor = None
    for index, color in enumerate(bars.colors):
        chart.bars[(0, index)].fillColor = color


def _bar_labels(chart: BarChart, style: ChartStyle, labels: Formatter) -> None:
    chart.barLabelFormat = labels
    chart.barLabels.fontName = style.font
    chart.barLabels.fontSize = LABEL_SIZE
    chart.barLabels.fillColor = TEXT_COLOR


def vertical_bars(
    bars: Bars,
    *,
    style: ChartStyle,
    width: float,
    height: float,
    ticks: Formatter,
    labels: Formatter | None = None,
) -> Drawing:
    """Bars standing on the category axis; ``labels``: write each value above its bar."""
    if not bars.values:
        return _message(width, height, "No data", style)
    drawing = canvas(width, height, style)
    chart = VerticalBarChart()
    chart.x, chart.y = 48, 22
    chart.width, chart.height = round(width - 56), round(height - 34)
    _style_axes(chart, bars, style, ticks)
    chart.groupSpacing = 3 if len(bars.values) > 12 else 10
    chart.categoryAxis.labels.dy = -2
    if labels is not None:
        _bar_labels(chart, style, labels)
        chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def horizontal_bars(
    bars: Bars,
    *,
    style: ChartStyle,
    width: float,
    ticks: Formatter,
    labels: Formatter | None = None,
    bar_height: float = 16,
) -> Drawing:
    """Bars growing to the right, the first at the top; the height follows the bar count."""
    height = 30 + bar_height * max(len(bars.values), 1)
    if not bars.values:
        return _message(width, height, "No data", style)
    drawing = canvas(width, height, style)
    chart = HorizontalBarChart()
    chart.x, chart.y = 110, 18
    chart.width, chart.height = round(width - 160), round(height - 26)
    _style_axes(chart, bars, style, ticks)
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.labels.textAnchor = "end"
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.groupSpacing = 4
    if labels is not None:
        _bar_labels(chart, style, labels)
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.nudge = 4
    drawing.add(chart)
    return drawing


def shows_cost(days: Sequence[ReportDay]) -> bool:
    """Whether the daily chart shows cost: every day has one (there is a tariff)."""
    return bool(days) and all(day.cost is not None for day in days)


def daily_bars(days: Sequence[ReportDay], style: ChartStyle) -> Bars:
    """Each day's cost, or each day's energy when any day has no cost (no tariff)."""
    with_cost = shows_cost(days)
    many = len(days) > 10
    return Bars(
        labels=[day_label(day.date, many) for day in days],
        values=[(day.cost or 0.0) if with_cost else day.energy_kwh for day in days],
        colors=[style.primary] * len(days),
    )


def daily_chart(
    days: Sequence[ReportDay],
    *,
    style: ChartStyle,
    width: float,
    ticks: Formatter,
    height: float = 150,
) -> Drawing:
    """Cost per day (energy per day without a tariff), see ``daily_bars``."""
    return vertical_bars(
        daily_bars(days, style), style=style, width=width, height=height, ticks=ticks
    )


def period_chart(
    by_period: Sequence[PeriodEnergy],
    *,
    style: ChartStyle,
    width: float,
    ticks: Formatter,
    labels: Formatter,
) -> Drawing:
    """Energy of each time-of-use period, in the bill's order, primary and secondary in turn."""
    bars = Bars(
        labels=[period_name(row.season, row.period) for row in by_period],
        values=[row.energy_kwh for row in by_period],
        colors=[style.primary if i % 2 == 0 else style.secondary for i in range(len(by_period))],
    )
    return horizontal_bars(bars, style=style, width=width, ticks=ticks, labels=labels)


def comparison_bars(
    this_label: str, this_energy: float, comparisons: Sequence[Comparison], style: ChartStyle
) -> Bars:
    """This period (primary) then each comparison that has data (secondary)."""
    shown = [row for row in comparisons if row.energy_import_kwh is not None]
    return Bars(
        labels=[this_label, *(row.label for row in shown)],
        values=[this_energy, *(row.energy_import_kwh or 0.0 for row in shown)],
        colors=[style.primary, *(style.secondary for _ in shown)],
    )


def comparison_chart(
    this_label: str,
    this_energy: float,
    comparisons: Sequence[Comparison],
    *,
    style: ChartStyle,
    width: float,
    ticks: Formatter,
    labels: Formatter,
    height: float = 140,
) -> Drawing:
    """Energy import of this period against the comparisons, each bar labelled with its value."""
    bars = comparison_bars(this_label, this_energy, comparisons, style)
    return vertical_bars(bars, style=style, width=width, height=height, ticks=ticks, labels=labels)
