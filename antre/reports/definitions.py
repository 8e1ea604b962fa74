"""The reports of the back office, each a chart, the table the chart shows
(its accessible twin) and the detailed table its CSV and XLSX exports hold.

Built from ``antre.reports.selectors`` and ``antre.reports.usage`` within the
reader's scope. Exports carry sites, agencies, services, counters, dates and
figures: never a citizen's name, NIK or contact.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from antre.accounts.scopes import StaffScope
from antre.catalog.models import Counter, Site
from antre.core.formatting import clock_time
from antre.reports import selectors, usage
from antre.reports.columns import (
    AGENCY,
    BOOKINGS,
    BUSY_HOURS,
    CALLS,
    CANCELLATIONS,
    CAP,
    COUNTER,
    DATE,
    DEMAND,
    FILL,
    HOURS,
    MEAN_PEAK,
    NO_SHOWS,
    OPEN_HOURS,
    PEAK,
    SEATS,
    SERVED,
    SERVICE,
    SERVICE_MEDIAN,
    SERVICE_P90,
    SITE,
    TICKETS,
    TIME,
    UTILISATION,
    WAIT_MEDIAN,
    WAIT_P90,
    WAITED,
    WAITLIST,
    WALK_INS,
    daily_export,
    day_label,
    demand_cells,
    number,
    percent,
    share,
    tally_cells,
    where,
)
from antre.reports.selectors import ReportFilter, Tally
from antre.reports.stats import describe
from antre.reports.tables import Cell, Chart, Label, Palette, Series, Table, rounded


class ReportKind(enum.StrEnum):
    VISITS = "kunjungan"
    TIMES = "waktu"
    COUNTERS = "loket"
    DEMAND = "permintaan"
    ROOM = "ruang"

    @property
    def label(self) -> Label:
        return REPORT_TITLES[self]

    @property
    def summary(self) -> Label:
        return REPORT_DESCRIPTIONS[self]


REPORT_TITLES: dict[ReportKind, Label] = {
    ReportKind.VISITS: _("Kunjungan"),
    ReportKind.TIMES: _("Waktu tunggu dan layanan"),
    ReportKind.COUNTERS: _("Pemakaian loket"),
    ReportKind.DEMAND: _("Permintaan dan kapasitas"),
    ReportKind.ROOM: _("Orang di dalam ruang"),
}
REPORT_DESCRIPTIONS: dict[ReportKind, Label] = {
    ReportKind.VISITS: _(
        "Pemesanan, pembatalan, ketidakhadiran dan pengunjung tanpa janji per hari."
    ),
    ReportKind.TIMES: _(
        "Median dan persentil ke-90 waktu tunggu (nomor diambil sampai dipanggil) dan "
        "waktu layanan (mulai sampai selesai dilayani) per hari."
    ),
    ReportKind.COUNTERS: _(
        "Bagian waktu buka loket yang terpakai untuk melayani (dipanggil sampai selesai)."
    ),
    ReportKind.DEMAND: _(
        "Pemesanan dan daftar tunggu yang bertenggat hari itu, dibandingkan kursi slot yang dibuka."
    ),
    ReportKind.ROOM: _(
        "Jumlah orang terbanyak di dalam ruang per 15 menit, dibandingkan kapasitas ruang."
    ),
}


@dataclass(frozen=True)
class Figure:
    """A key figure above the chart: a label and its formatted value."""

    label: Label
    value: str


@dataclass(frozen=True)
class Report:
    kind: ReportKind
    filter: ReportFilter
    chart: Chart
    chart_title: Label
    table: Table
    export: Table
    figures: list[Figure] = field(default_factory=list)
    site: Site | None = None
    note: Label = ""

    @property
    def title(self) -> Label:
        return self.kind.label

    @property
    def chart_height(self) -> int:
        """Pixels for the canvas: one bar per counter needs room per counter."""
        if self.chart.horizontal:
            return max(240, 26 * len(self.chart.labels) + 90)
        return 340


def open_days(totals: dict[dt.date, Tally]) -> dict[dt.date, Tally]:
    """The days with any booking or ticket: a closed day (a weekend, a
    holiday) would only draw zeros."""
    return {day: tally for day, tally in totals.items() if tally.bookings or tally.tickets}


def visits_report(scope: StaffScope, report: ReportFilter, *, now: dt.datetime) -> Report:
    rows = selectors.daily_rows(scope, report, now=now)
    totals = open_days(selectors.totals_by_day(rows, report.days))
    labels = [day_label(day) for day in totals]
    days = list(totals.values())
    all_days = Tally()
    for tally in days:
        all_days.bookings += tally.bookings
        all_days.cancellations += tally.cancellations
        all_days.no_shows += tally.no_shows
        all_days.walk_ins += tally.walk_ins
        all_days.tickets += tally.tickets
    return Report(
        kind=ReportKind.VISITS,
        filter=report,
        chart_title=_("Kunjungan per hari"),
        chart=Chart(
            labels=labels,
            series=[
                Series(BOOKINGS.label, [tally.bookings for tally in days], Palette.BLUE),
                Series(WALK_INS.label, [tally.walk_ins for tally in days], Palette.ORANGE),
                Series(
                    NO_SHOWS.label,
                    [tally.no_shows for tally in days],
                    Palette.VERMILION,
                    kind="line",
                    axis="y2",
                ),
                Series(
                    CANCELLATIONS.label,
                    [tally.cancellations for tally in days],
                    Palette.BLACK,
                    kind="line",
                    dashed=True,
                    axis="y2",
                ),
            ],
            y_title=_("pemesanan, tanpa janji"),
            y2_title=_("tidak hadir, pembatalan"),
        ),
        table=Table(
            columns=(DATE, BOOKINGS, CANCELLATIONS, NO_SHOWS, WALK_INS, TICKETS),
            rows=[{"date": day, **tally_cells(tally)} for day, tally in totals.items()],
        ),
        export=daily_export(rows),
        figures=[
            Figure(BOOKINGS.label, number(all_days.bookings, 0)),
            Figure(
                CANCELLATIONS.label,
                f"{number(all_days.cancellations, 0)} "
                f"({percent(share(all_days.cancellations, all_days.bookings))})",
            ),
            Figure(NO_SHOWS.label, number(all_days.no_shows, 0)),
            Figure(WALK_INS.label, number(all_days.walk_ins, 0)),
            Figure(TICKETS.label, number(all_days.tickets, 0)),
        ],
    )


def times_report(scope: StaffScope, report: ReportFilter, *, now: dt.datetime) -> Report:
    rows = selectors.daily_rows(scope, report, now=now)
    totals = open_days(selectors.totals_by_day(rows, report.days))
    waiting = {day: tally.waiting for day, tally in totals.items()}
    service = {day: tally.service for day, tally in totals.items()}
    pooled_waits = describe([wait for tally in totals.values() for wait in tally.waits])
    pooled_services = describe([value for tally in totals.values() for value in tally.services])
    return Report(
        kind=ReportKind.TIMES,
        filter=report,
        chart_title=_("Waktu tunggu dan layanan per hari (menit)"),
        chart=Chart(
            labels=[day_label(day) for day in totals],
            series=[
                Series(
                    WAIT_MEDIAN.label,
                    [rounded(value.median) for value in waiting.values()],
                    Palette.BLUE,
                    kind="line",
                ),
                Series(
                    WAIT_P90.label,
                    [rounded(value.p90) for value in waiting.values()],
                    Palette.BLUE,
                    kind="line",
                    dashed=True,
                ),
                Series(
                    SERVICE_MEDIAN.label,
                    [rounded(value.median) for value in service.values()],
                    Palette.VERMILION,
                    kind="line",
                ),
                Series(
                    SERVICE_P90.label,
                    [rounded(value.p90) for value in service.values()],
                    Palette.VERMILION,
                    kind="line",
                    dashed=True,
                ),
            ],
            y_title=_("menit"),
        ),
        table=Table(
            columns=(DATE, WAITED, WAIT_MEDIAN, WAIT_P90, SERVED, SERVICE_MEDIAN, SERVICE_P90),
            rows=[{"date": day, **tally_cells(tally)} for day, tally in totals.items()],
        ),
        export=Table(
            columns=(
                DATE,
                SITE,
                AGENCY,
                SERVICE,
                WAITED,
                WAIT_MEDIAN,
                WAIT_P90,
                SERVED,
                SERVICE_MEDIAN,
                SERVICE_P90,
            ),
            rows=[{**where(row), **tally_cells(row.tally)} for row in rows],
        ),
        figures=[
            Figure(_("Median tunggu"), f"{number(pooled_waits.median)} {_('menit')}"),
            Figure(_("P90 tunggu"), f"{number(pooled_waits.p90)} {_('menit')}"),
            Figure(_("Median layanan"), f"{number(pooled_services.median)} {_('menit')}"),
            Figure(_("P90 layanan"), f"{number(pooled_services.p90)} {_('menit')}"),
            Figure(WAITED.label, number(pooled_waits.count, 0)),
        ],
    )


def counter_label(counter: Counter, *, with_site: bool) -> str:
    name = f" {counter.name}" if counter.name else ""
    label = _("Loket %(number)s") % {"number": counter.number} + name
    return f"{counter.site.name} · {label}" if with_site else label


def counters_report(scope: StaffScope, report: ReportFilter, *, now: dt.datetime) -> Report:
    usages = usage.counter_usage(scope, report, now=now)
    several_sites = len({item.counter.site_id for item in usages}) > 1
    open_total = sum(item.open_seconds for item in usages)
    busy_total = sum(item.busy_seconds for item in usages)

    def pct(value: float | None) -> float | None:
        return rounded(value * 100 if value is not None else None)

    return Report(
        kind=ReportKind.COUNTERS,
        filter=report,
        chart_title=_("Pemakaian tiap loket (% dari waktu buka)"),
        chart=Chart(
            labels=[counter_label(item.counter, with_site=several_sites) for item in usages],
            series=[
                Series(
                    UTILISATION.label,
                    [pct(item.utilisation) for item in usages],
                    Palette.BLUE,
                ),
            ],
            y_title=_("% waktu buka"),
            horizontal=True,
            y_max=100,
        ),
        table=Table(
            columns=(SITE, COUNTER, OPEN_HOURS, BUSY_HOURS, UTILISATION, CALLS),
            rows=[
                {
                    "site": item.counter.site.name,
                    "counter": f"{item.counter.number} {item.counter.name}".strip(),
                    "open_hours": rounded(item.open_seconds / HOURS),
                    "busy_hours": rounded(item.busy_seconds / HOURS),
                    "utilisation_pct": pct(item.utilisation),
                    "calls": item.calls,
                }
                for item in usages
            ],
        ),
        export=Table(
            columns=(DATE, SITE, COUNTER, OPEN_HOURS, BUSY_HOURS, UTILISATION, CALLS),
            rows=[
                {
                    "date": day.date,
                    "site": item.counter.site.name,
                    "counter": f"{item.counter.number} {item.counter.name}".strip(),
                    "open_hours": rounded(day.open_seconds / HOURS, 2),
                    "busy_hours": rounded(day.busy_seconds / HOURS, 2),
                    "utilisation_pct": pct(day.utilisation),
                    "calls": day.calls,
                }
                for item in usages
                for day in item.days
            ],
        ),
        figures=[
            Figure(
                _("Pemakaian rata-rata"), percent(busy_total / open_total if open_total else None)
            ),
            Figure(_("Loket yang buka"), number(len(usages), 0)),
            Figure(OPEN_HOURS.label, number(open_total / HOURS)),
            Figure(BUSY_HOURS.label, number(busy_total / HOURS)),
        ],
    )


def demand_report(scope: StaffScope, report: ReportFilter, *, now: dt.datetime) -> Report:
    result = usage.demand_against_capacity(scope, report, now=now)
    # Closed days have neither seats nor demand: leave them out.
    by_day = {day: demand for day, demand in result.by_day.items() if demand.seats or demand.demand}
    days = list(by_day.values())
    seats = sum(day.seats for day in days)
    wanted = sum(day.demand for day in days)
    return Report(
        kind=ReportKind.DEMAND,
        filter=report,
        chart_title=_("Permintaan dan kursi per hari"),
        chart=Chart(
            labels=[day_label(day) for day in by_day],
            series=[
                Series(BOOKINGS.label, [day.bookings for day in days], Palette.BLUE, stack="d"),
                Series(WAITLIST.label, [day.waiting for day in days], Palette.ORANGE, stack="d"),
                Series(
                    SEATS.label,
                    [day.seats for day in days],
                    Palette.BLACK,
                    kind="line",
                    dashed=True,
                ),
            ],
            y_title=_("orang / kursi"),
            stacked=True,
        ),
        table=Table(
            columns=(DATE, SEATS, BOOKINGS, WAITLIST, DEMAND, FILL),
            rows=[{"date": day, **demand_cells(demand)} for day, demand in by_day.items()],
        ),
        export=Table(
            columns=(DATE, SITE, AGENCY, SERVICE, SEATS, BOOKINGS, WAITLIST, DEMAND, FILL),
            rows=[
                {
                    "date": row.date,
                    "site": row.site.name,
                    "agency": str(row.service.agency),
                    "service": row.service.name,
                    **demand_cells(row.demand),
                }
                for row in result.rows
            ],
        ),
        figures=[
            Figure(SEATS.label, number(seats, 0)),
            Figure(DEMAND.label, number(wanted, 0)),
            Figure(FILL.label, percent(share(wanted, seats))),
            Figure(
                _("Hari melebihi kursi"),
                number(sum(1 for day in days if day.demand > day.seats), 0),
            ),
        ],
    )


def room_report(
    scope: StaffScope, report: ReportFilter, *, now: dt.datetime, site: Site | None
) -> Report:
    """People inside one site; without a site, the first the scope sees."""
    if site is None:
        site = selectors.visible_sites(scope).first()
    note: Label = ""
    if site is None:
        return empty_report(ReportKind.ROOM, report, note=_("Tidak ada gerai dalam wewenang Anda."))
    if report.site_id is None:
        note = _("Laporan ini untuk satu gerai; pilih gerai di penyaring untuk gerai lain.")
    result = usage.occupancy(scope, report, site=site, now=now)
    labels = [clock_time(moment) for moment in result.times]
    rows: list[dict[str, Cell]] = [
        {
            "site": site.name,
            "time": label,
            "peak": peak,
            "mean_peak": rounded(mean),
            "room_capacity": result.room_capacity,
        }
        for label, peak, mean in zip(labels, result.peak, result.mean_peak, strict=True)
    ]
    return Report(
        kind=ReportKind.ROOM,
        filter=report,
        site=site,
        note=note,
        chart_title=_("Orang di dalam ruang %(site)s per 15 menit") % {"site": site.name},
        chart=Chart(
            labels=labels,
            series=[
                Series(PEAK.label, result.peak, Palette.VERMILION, kind="line"),
                Series(
                    MEAN_PEAK.label,
                    [rounded(mean) for mean in result.mean_peak],
                    Palette.BLUE,
                    kind="line",
                ),
                Series(
                    CAP.label,
                    [result.room_capacity] * len(labels),
                    Palette.BLACK,
                    kind="line",
                    dashed=True,
                ),
            ],
            y_title=_("orang"),
        ),
        table=Table(columns=(TIME, PEAK, MEAN_PEAK, CAP), rows=rows),
        export=Table(columns=(SITE, TIME, PEAK, MEAN_PEAK, CAP), rows=rows),
        figures=[
            Figure(_("Terbanyak di dalam"), number(result.highest, 0)),
            Figure(CAP.label, number(result.room_capacity, 0)),
            Figure(_("Seperempat jam di atas kapasitas"), number(result.quarters_over_cap, 0)),
            Figure(_("Hari dengan pengunjung"), number(result.days_with_tickets, 0)),
        ],
    )


def empty_report(kind: ReportKind, report: ReportFilter, *, note: Label) -> Report:
    return Report(
        kind=kind,
        filter=report,
        chart_title="",
        chart=Chart(labels=[], series=[]),
        table=Table(columns=(), rows=[]),
        export=Table(columns=(), rows=[]),
        note=note,
    )


Builder = Callable[[StaffScope, ReportFilter, dt.datetime, Site | None], Report]

BUILDERS: dict[ReportKind, Builder] = {
    ReportKind.VISITS: lambda scope, report, now, site: visits_report(scope, report, now=now),
    ReportKind.TIMES: lambda scope, report, now, site: times_report(scope, report, now=now),
    ReportKind.COUNTERS: lambda scope, report, now, site: counters_report(scope, report, now=now),
    ReportKind.DEMAND: lambda scope, report, now, site: demand_report(scope, report, now=now),
    ReportKind.ROOM: lambda scope, report, now, site: room_report(
        scope, report, now=now, site=site
    ),
}


def build_report(
    kind: ReportKind,
    scope: StaffScope,
    report: ReportFilter,
    *,
    now: dt.datetime,
    site: Site | None = None,
) -> Report:
    """The report of ``kind`` over ``report`` as ``scope`` sees it."""
    return BUILDERS[kind](scope, report, now, site)
