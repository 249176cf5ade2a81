"""A horizontal bar chart as plain geometry, drawn as SVG by ``templates/thematic/_chart.html``.

No JavaScript and no chart library: the server computes where each bar goes, the template writes
``<rect>`` and ``<text>`` elements. The chart is a picture of the table beside it (which holds
the same numbers for screen readers and for copying). Colours are the design tokens' (CSS classes
in app.css); the ``fill`` attributes repeat the tokens' values for an SVG seen without the stylesheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 760
LABEL_WIDTH = 300  # room for "samenwerking in de keten op lange termijn" at the chart's font size
VALUE_ROOM = 64  # after the longest bar, for its number
BAR_HEIGHT = 14
BAR_GAP = 3
GROUP_GAP = 12
TOP = 36  # the legend
MAX_LABEL_CHARS = 44


@dataclass(frozen=True)
class Series:
    name: str  # a CSS modifier: lmi-chart__bar--<name>
    fill: str  # the token's value, for an SVG without the stylesheet
    stroke: str


LESSONS = Series("lessons", fill="#00568b", stroke="#00568b")  # --basis-color-info-color-default
FINDINGS = Series("findings", fill="#f3eeff", stroke="#5115ef")  # --basis-color-accent-1-bg/-color-default


@dataclass(frozen=True)
class Bar:
    series: Series
    value: int
    x: int
    y: int
    width: int
    height: int
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Group:
    label: str
    short_label: str
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class LegendItem:
    series: Series
    label: str
    x: int
    text_x: int


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str
    width: int
    height: int
    label_x: int
    axis_x: int
    groups: list[Group]
    legend: list[LegendItem]


def _shorten(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[:MAX_LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(*, title: str, description: str, categories: Sequence[tuple[str, Sequence[int]]],
              series: Sequence[tuple[Series, str]]) -> BarChart:
    """``categories``: (label, one value per series); ``series``: (style, label in the current language)."""
    largest = max((value for _label, values in categories for value in values), default=0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / largest if largest else 0
    group_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    groups = []
    for index, (label, values) in enumerate(categories):
        top = TOP + index * (group_height + GROUP_GAP)
        bars = []
        for position, ((style, _name), value) in enumerate(zip(series, values, strict=True)):
            y = top + position * (BAR_HEIGHT + BAR_GAP)
            width = round(value * scale)
            bars.append(Bar(series=style, value=value, x=LABEL_WIDTH, y=y, width=width, height=BAR_HEIGHT,
                            text_x=LABEL_WIDTH + width + 6, text_y=y + BAR_HEIGHT - 3))
        groups.append(Group(label=label, short_label=_shorten(label), label_y=top + group_height // 2 + 5,
                            bars=bars))
    legend = [LegendItem(series=style, label=name, x=LABEL_WIDTH + index * 160,
                         text_x=LABEL_WIDTH + index * 160 + BAR_HEIGHT + 6)
              for index, (style, name) in enumerate(series)]
    height = TOP + max(len(categories), 1) * (group_height + GROUP_GAP)
    return BarChart(title=title, description=description, width=WIDTH, height=height, label_x=LABEL_WIDTH - 8,
                    axis_x=LABEL_WIDTH, groups=groups, legend=legend)
