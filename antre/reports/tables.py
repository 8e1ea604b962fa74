"""What a report shows: a table (for the page, the CSV and the XLSX) and a
chart (for chart.js), as plain data. No ORM, no HTTP.

Column labels may be lazy translations: they are rendered in the language of
the request that shows or exports them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

Label = str | Promise
Cell = str | int | float | dt.date | None


class ColumnKind(enum.StrEnum):
    TEXT = "text"
    DATE = "date"
    COUNT = "count"
    MINUTES = "minutes"
    HOURS = "hours"
    PERCENT = "percent"
    NUMBER = "number"


@dataclass(frozen=True)
class Column:
    key: str
    label: Label
    kind: ColumnKind = ColumnKind.TEXT

    @property
    def is_numeric(self) -> bool:
        return self.kind not in (ColumnKind.TEXT, ColumnKind.DATE)


@dataclass(frozen=True)
class Table:
    """Rows of cells by column key. ``None`` is an empty cell (no data)."""

    columns: tuple[Column, ...]
    rows: list[dict[str, Cell]]

    def cells(self, row: dict[str, Cell]) -> list[Cell]:
        return [row.get(column.key) for column in self.columns]


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


class Palette(enum.StrEnum):
    """Colours of chart series: distinguishable for the common colour-vision
    deficiencies (Okabe-Ito), each with a contrast of at least 3:1 against the
    white chart background (WCAG 1.4.11 for graphical objects)."""

    BLUE = "#0072B2"
    VERMILION = "#D55E00"
    GREEN = "#009E73"
    PURPLE = "#CC79A7"
    ORANGE = "#E69F00"
    SKY = "#56B4E9"
    GREY = "#595959"
    BLACK = "#1A1A1A"


@dataclass(frozen=True)
class Series:
    label: Label
    values: Sequence[float | int | None]
    colour: Palette
    kind: str = "bar"  # "bar" or "line"
    stack: str | None = None
    dashed: bool = False
    fill: bool = False
    # "y2": measured on a second value axis on the right (small counts next
    # to large ones).
    axis: str = "y"


@dataclass(frozen=True)
class Chart:
    """A chart.js chart: bars and/or lines over ``labels``. ``horizontal``
    lays bars along the x axis (one bar per counter, say)."""

    labels: Sequence[str]
    series: Sequence[Series]
    y_title: Label = ""
    x_title: Label = ""
    stacked: bool = False
    horizontal: bool = False
    y_max: float | None = None
    y2_title: Label = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def config(self) -> dict[str, Any]:
        """The chart.js configuration, JSON-serialisable (labels as strings)."""
        datasets = []
        for series in self.series:
            dataset: dict[str, Any] = {
                "type": series.kind,
                "label": str(series.label),
                "data": list(series.values),
                "borderColor": series.colour.value,
                "backgroundColor": series.colour.value
                if series.kind == "bar"
                else series.colour.value + "33",
                "borderWidth": 2 if series.kind == "line" else 0,
                "fill": series.fill,
                # A day without figures is a gap, not a line drawn across it.
                "spanGaps": False,
                "pointRadius": 2 if series.kind == "line" else 0,
                "tension": 0,
            }
            if series.axis != "y":
                dataset["yAxisID"] = series.axis
            if series.stack is not None:
                dataset["stack"] = series.stack
            if series.dashed:
                dataset["borderDash"] = [6, 4]
                dataset["pointRadius"] = 0
            datasets.append(dataset)
        value_axis: dict[str, Any] = {
            "beginAtZero": True,
            "stacked": self.stacked,
            "title": {"display": bool(str(self.y_title)), "text": str(self.y_title)},
        }
        if self.y_max is not None:
            value_axis["max"] = self.y_max
        category_axis: dict[str, Any] = {
            "stacked": self.stacked,
            "title": {"display": bool(str(self.x_title)), "text": str(self.x_title)},
        }
        scales = (
            {"x": value_axis, "y": category_axis}
            if self.horizontal
            else {"x": category_axis, "y": value_axis}
        )
        if any(series.axis == "y2" for series in self.series):
            scales["y2"] = {
                "position": "right",
                "beginAtZero": True,
                "grid": {"drawOnChartArea": False},
                "title": {"display": bool(str(self.y2_title)), "text": str(self.y2_title)},
            }
        return {
            "type": "bar",
            "data": {"labels": [str(label) for label in self.labels], "datasets": datasets},
            "options": {
                "indexAxis": "y" if self.horizontal else "x",
                "responsive": True,
                "maintainAspectRatio": False,
                "animation": False,
                "interaction": {"mode": "index", "intersect": False},
                "plugins": {"legend": {"position": "bottom"}},
                "scales": scales,
                **self.extra,
            },
        }
