"""The columns of the reports' tables and the formatting of their figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from antre.reports import usage
from antre.reports.selectors import DailyRow, Tally
from antre.reports.tables import Cell, Column, ColumnKind, Table, rounded

HOURS = 3600.0


def day_label(day: dt.date) -> str:
    return formats.date_format(day, "D d/m")


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return formats.number_format(value, decimal_pos=digits, use_l10n=True)


def percent(part: float | None) -> str:
    return "–" if part is None else f"{number(part * 100, 0)}%"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# Columns shared by the detailed exports.
DATE = Column("date", _("Tanggal"), ColumnKind.DATE)
SITE = Column("site", _("Gerai"))
AGENCY = Column("agency", _("Instansi"))
SERVICE = Column("service", _("Layanan"))
BOOKINGS = Column("bookings", _("Pemesanan"), ColumnKind.COUNT)
CANCELLATIONS = Column("cancellations", _("Pembatalan"), ColumnKind.COUNT)
NO_SHOWS = Column("no_shows", _("Tidak hadir"), ColumnKind.COUNT)
WALK_INS = Column("walk_ins", _("Tanpa janji"), ColumnKind.COUNT)
TICKETS = Column("tickets", _("Nomor antrean"), ColumnKind.COUNT)
WAITED = Column("waited", _("Dipanggil"), ColumnKind.COUNT)
WAIT_MEDIAN = Column("waiting_median_min", _("Median tunggu (menit)"), ColumnKind.MINUTES)
WAIT_P90 = Column("waiting_p90_min", _("P90 tunggu (menit)"), ColumnKind.MINUTES)
SERVED = Column("served", _("Dilayani"), ColumnKind.COUNT)
SERVICE_MEDIAN = Column("service_median_min", _("Median layanan (menit)"), ColumnKind.MINUTES)
SERVICE_P90 = Column("service_p90_min", _("P90 layanan (menit)"), ColumnKind.MINUTES)


def where(row: DailyRow) -> dict[str, Cell]:
    return {
        "date": row.date,
        "site": row.site.name,
        "agency": str(row.service.agency),
        "service": row.service.name,
    }


def tally_cells(tally: Tally) -> dict[str, Cell]:
    waiting = tally.waiting
    service = tally.service
    return {
        "bookings": tally.bookings,
        "cancellations": tally.cancellations,
        "no_shows": tally.no_shows,
        "walk_ins": tally.walk_ins,
        "tickets": tally.tickets,
        "waited": waiting.count,
        "waiting_median_min": rounded(waiting.median),
        "waiting_p90_min": rounded(waiting.p90),
        "served": service.count,
        "service_median_min": rounded(service.median),
        "service_p90_min": rounded(service.p90),
    }


def daily_export(rows: Iterable[DailyRow]) -> Table:
    """Per day, site and service: the rows of GET /api/v1/reports/daily."""
    return Table(
        columns=(
            DATE,
            SITE,
            AGENCY,
            SERVICE,
            BOOKINGS,
            CANCELLATIONS,
            NO_SHOWS,
            WALK_INS,
            TICKETS,
            WAIT_MEDIAN,
            WAIT_P90,
            SERVICE_MEDIAN,
            SERVICE_P90,
        ),
        rows=[{**where(row), **tally_cells(row.tally)} for row in rows],
    )


COUNTER = Column("counter", _("Loket"))
OPEN_HOURS = Column("open_hours", _("Jam buka"), ColumnKind.HOURS)
BUSY_HOURS = Column("busy_hours", _("Jam sibuk"), ColumnKind.HOURS)
UTILISATION = Column("utilisation_pct", _("Pemakaian (%)"), ColumnKind.PERCENT)
CALLS = Column("calls", _("Panggilan"), ColumnKind.COUNT)


SEATS = Column("seats", _("Kursi"), ColumnKind.COUNT)
WAITLIST = Column("waitlist", _("Daftar tunggu"), ColumnKind.COUNT)
DEMAND = Column("demand", _("Permintaan"), ColumnKind.COUNT)
FILL = Column("demand_pct", _("Permintaan/kursi (%)"), ColumnKind.PERCENT)


def demand_cells(demand: usage.Demand) -> dict[str, Cell]:
    fill = share(demand.demand, demand.seats)
    return {
        "seats": demand.seats,
        "bookings": demand.bookings,
        "waitlist": demand.waiting,
        "demand": demand.demand,
        "demand_pct": rounded(fill * 100 if fill is not None else None),
    }


TIME = Column("time", _("Pukul"))
PEAK = Column("peak", _("Terbanyak dalam rentang"), ColumnKind.COUNT)
MEAN_PEAK = Column("mean_peak", _("Rata-rata hari buka"), ColumnKind.NUMBER)
CAP = Column("room_capacity", _("Kapasitas ruang"), ColumnKind.COUNT)
