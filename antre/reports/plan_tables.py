"""A simulated day as the planner page shows it: scenarios side by side in
charts (waiting time by arrival time, the queue, people inside against the
room cap) and one table row per scenario."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from antre.core.formatting import clock_time_of_minute
from antre.reports.planner import Plan, ScenarioResult
from antre.reports.tables import (
    Cell,
    Chart,
    Column,
    ColumnKind,
    Label,
    Palette,
    Series,
    Table,
    rounded,
)

SCENARIO_COLOURS = (Palette.BLUE, Palette.VERMILION, Palette.GREEN)


@dataclass(frozen=True)
class TitledChart:
    title: Label
    chart: Chart


def clock_label(minute: int) -> str:
    """08.30 (in Indonesian), like every clock time shown to people."""
    return clock_time_of_minute(minute)


def plan_charts(plan: Plan) -> list[TitledChart]:
    labels = [clock_label(start) for start in plan.bucket_starts()]
    results = plan.results
    colours = SCENARIO_COLOURS
    waiting = [
        Series(
            str(result.scenario.name),
            [rounded(value) for value in result.p90_by_bucket],
            colour,
            kind="line",
        )
        for result, colour in zip(results, colours, strict=False)
    ]
    if plan.recommendation is not None:
        waiting.append(
            Series(
                _("Target P90"),
                [plan.recommendation.target_p90] * len(labels),
                Palette.BLACK,
                kind="line",
                dashed=True,
            )
        )
    queue = [
        Series(
            str(result.scenario.name),
            [rounded(value) for value in result.queue_by_bucket],
            colour,
            kind="line",
        )
        for result, colour in zip(results, colours, strict=False)
    ]
    inside = [
        Series(
            str(result.scenario.name),
            [rounded(value) for value in result.inside_by_bucket],
            colour,
            kind="line",
        )
        for result, colour in zip(results, colours, strict=False)
    ]
    caps = sorted({result.scenario.room_cap for result in results if result.scenario.room_cap})
    for cap in caps:
        inside.append(
            Series(
                _("Kapasitas ruang %(cap)d") % {"cap": cap},
                [cap] * len(labels),
                Palette.BLACK if len(caps) == 1 else Palette.GREY,
                kind="line",
                dashed=True,
            )
        )
    return [
        TitledChart(
            _("P90 waktu tunggu menurut jam kedatangan (menit)"),
            Chart(labels=labels, series=waiting, y_title=_("menit"), x_title=_("jam kedatangan")),
        ),
        TitledChart(
            _("Orang menunggu loket (rata-rata per 15 menit)"),
            Chart(labels=labels, series=queue, y_title=_("orang")),
        ),
        TitledChart(
            _("Orang di dalam ruang (rata-rata per 15 menit)"),
            Chart(labels=labels, series=inside, y_title=_("orang")),
        ),
    ]


def _number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return formats.number_format(value, decimal_pos=digits, use_l10n=True)


# What the table compares, one row each, the scenarios side by side.
MEASURES: tuple[tuple[Label, Callable[[ScenarioResult, int, float | None], str]], ...] = (
    (_("Loket"), lambda result, opens, target: str(result.scenario.counters)),
    (
        _("Kapasitas ruang"),
        lambda result, opens, target: _number(result.scenario.room_cap, 0),
    ),
    (_("Pengunjung"), lambda result, opens, target: _number(result.visitors, 0)),
    (_("Median tunggu (menit)"), lambda result, opens, target: _number(result.waits.median)),
    (_("P90 tunggu (menit)"), lambda result, opens, target: _number(result.waits.p90)),
    (_("Rata-rata tunggu (menit)"), lambda result, opens, target: _number(result.waits.mean)),
    (
        _("Harus menunggu (%)"),
        lambda result, opens, target: _number(result.waited_share * 100, 0),
    ),
    (_("Antrean terpanjang"), lambda result, opens, target: _number(result.peak_queue)),
    (_("Terbanyak di dalam ruang"), lambda result, opens, target: _number(result.peak_inside)),
    (_("Terbanyak menunggu di luar"), lambda result, opens, target: _number(result.peak_outside)),
    (
        _("Pengunjung terakhir selesai"),
        lambda result, opens, target: clock_label(opens + round(result.last_departure)),
    ),
    (
        _("Memenuhi target P90"),
        lambda result, opens, target: (
            "–"
            if target is None
            else str(
                pgettext("meets the target", "ya")
                if result.meets(target)
                else pgettext("meets the target", "tidak")
            )
        ),
    ),
)


def plan_table(plan: Plan) -> Table:
    """One row per measure, one column per scenario."""
    target = plan.recommendation.target_p90 if plan.recommendation is not None else None
    columns = (
        Column("measure", _("Ukuran")),
        *(
            Column(f"scenario_{number}", result.scenario.name, ColumnKind.NUMBER)
            for number, result in enumerate(plan.results)
        ),
    )
    rows: list[dict[str, Cell]] = [
        {
            "measure": str(label),
            **{
                f"scenario_{number}": value(result, plan.demand.opens, target)
                for number, result in enumerate(plan.results)
            },
        }
        for label, value in MEASURES
    ]
    return Table(columns=columns, rows=rows)
