"""Reports for staff (city, site and agency admins): daily figures per site
and service, from the recorded ticket events and bookings.

Thin: parse, resolve the slugs within the caller's scope, call
``antre.reports.selectors.daily_rows``, render as JSON or CSV.

Scoping: the caller sees what their roles let them see in the back office
(``antre.accounts.scopes``). Without filters an agency admin of A gets A's
rows only (an empty list, not an error, when A had nothing); a site, agency or
service the caller may not see is 404 ``not_found``, exactly like one that
does not exist, so a slug's existence is never confirmed to an outsider.
Anyone signed in without an admin role (citizens, officers, devices) is 403
``forbidden``.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.errors import HttpError

from antre.accounts.models import User
from antre.accounts.scopes import StaffScope, scope_for
from antre.api.auth import bearer_auth
from antre.api.directory import InvalidRange, RangeTooLong
from antre.api.problems import problems
from antre.api.schemas.common import PageQuery
from antre.api.schemas.reports import DailyItem, DailyReport, DailyReportQuery
from antre.core import clock
from antre.core.errors import NotFound
from antre.reports import exports
from antre.reports.selectors import (
    MAX_REPORT_DAYS,
    DailyRow,
    ReportFilter,
    daily_rows,
    visible_agencies,
    visible_services,
    visible_sites,
)
from antre.reports.tables import Column, ColumnKind, Table, rounded

router = Router(tags=["Reports"])

DEFAULT_DAYS = 7

CSV_COLUMNS = tuple(
    Column(name, name, kind)
    for name, kind in (
        ("date", ColumnKind.DATE),
        ("site", ColumnKind.TEXT),
        ("agency", ColumnKind.TEXT),
        ("service", ColumnKind.TEXT),
        ("bookings", ColumnKind.COUNT),
        ("cancellations", ColumnKind.COUNT),
        ("no_shows", ColumnKind.COUNT),
        ("walk_ins", ColumnKind.COUNT),
        ("tickets", ColumnKind.COUNT),
        ("waiting_median_min", ColumnKind.MINUTES),
        ("waiting_p90_min", ColumnKind.MINUTES),
        ("service_median_min", ColumnKind.MINUTES),
        ("service_p90_min", ColumnKind.MINUTES),
    )
)


def reader_scope(request: HttpRequest) -> StaffScope:
    user = request.auth  # type: ignore[attr-defined]
    scope = scope_for(user if isinstance(user, User) else None)
    if scope.is_empty:
        raise HttpError(403, "forbidden")
    return scope


NOT_VISIBLE = {
    "site": _("Gerai ini tidak ada atau bukan wewenang Anda."),
    "agency": _("Instansi ini tidak ada atau bukan wewenang Anda."),
    "service": _("Layanan ini tidak ada atau bukan wewenang Anda."),
}


def find_visible[ModelT: Model](
    queryset: QuerySet[ModelT], slug: str | None, what: str
) -> ModelT | None:
    """The row of ``slug`` among those the caller may see; 404 ``not_found``
    for one that does not exist and for one outside the scope alike."""
    if slug is None:
        return None
    # No slug holds NUL, and PostgreSQL refuses to compare text with one.
    found = queryset.filter(slug=slug).first() if "\x00" not in slug else None
    if found is None:
        raise NotFound(NOT_VISIBLE[what])
    return found


def report_days(first: dt.date | None, last: dt.date | None) -> tuple[dt.date, dt.date]:
    end = last if last is not None else clock.today(settings.TIME_ZONE)
    start = first if first is not None else end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise InvalidRange()
    if (end - start).days + 1 > MAX_REPORT_DAYS:
        raise RangeTooLong(
            _("Rentang tanggal paling panjang %(days)d hari (from sampai to, inklusif).")
            % {"days": MAX_REPORT_DAYS}
        )
    return start, end


def daily_item(row: DailyRow) -> DailyItem:
    tally = row.tally
    waiting, service = tally.waiting, tally.service
    return DailyItem(
        date=row.date,
        site=row.site.slug,
        agency=row.service.agency.slug,
        service=row.service.slug,
        bookings=tally.bookings,
        cancellations=tally.cancellations,
        no_shows=tally.no_shows,
        walk_ins=tally.walk_ins,
        tickets=tally.tickets,
        waiting_median_min=rounded(waiting.median),
        waiting_p90_min=rounded(waiting.p90),
        service_median_min=rounded(service.median),
        service_p90_min=rounded(service.p90),
    )


@router.get(
    "/daily",
    response={200: DailyReport, **problems(401, 403, 404, 422)},
    auth=bearer_auth,
    summary="Daily figures per site and service",
    description=(
        "One item per local date, site and service with any booking or ticket in the range, "
        "ordered by date, site and service name: bookings, cancellations, no-shows, walk-ins, "
        "tickets, and the median and 90th percentile of the waiting time (issued to first "
        "call) and the service time (started to finished), in minutes rounded to one decimal "
        "(null when nothing was measured). Computed from the recorded ticket events and "
        "bookings.\n\n"
        "For city, site and agency admins, **scoped by role**: a site admin sees their site, "
        "an agency admin their agency's services (at every site, or at one if the role names "
        "one). An agency admin of A asking without filters gets A's rows only; a `site`, "
        "`agency` or `service` outside the caller's scope is 404 `not_found`, like one that "
        "does not exist. Signed in without an admin role: 403 `forbidden`.\n\n"
        "`from` defaults to `to` - 6 days and `to` to today (city time zone); at most 92 "
        "days inclusive (422 `range_too_long`); `to` before `from` is 422 `invalid_range`. "
        "Paginated with `limit` (1-200, default 50) and `offset`; `format=csv` answers every "
        "row as `text/csv` instead, one column per item member, no personal data."
    ),
    operation_id="get_daily_report",
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    "text/csv": {
                        "schema": {"type": "string"},
                        "example": "date,site,agency,service,bookings,cancellations,no_shows,"
                        "walk_ins,tickets,waiting_median_min,waiting_p90_min,"
                        "service_median_min,service_p90_min\r\n",
                    }
                }
            }
        }
    },
)
def get_daily_report(
    request: HttpRequest, query: Query[DailyReportQuery], page: Query[PageQuery]
) -> DailyReport | StreamingHttpResponse:
    scope = reader_scope(request)
    site = find_visible(visible_sites(scope), query.site, "site")
    agency = find_visible(visible_agencies(scope), query.agency, "agency")
    service = find_visible(visible_services(scope), query.service, "service")
    start, end = report_days(query.from_date, query.to_date)
    rows = daily_rows(
        scope,
        ReportFilter(
            start=start,
            end=end,
            site_id=site.pk if site is not None else None,
            agency_id=agency.pk if agency is not None else None,
            service_id=service.pk if service is not None else None,
        ),
        now=clock.now(),
    )
    if query.format == "csv":
        table = Table(
            columns=CSV_COLUMNS, rows=[dict(daily_item(row).model_dump()) for row in rows]
        )
        name = exports.file_name("daily", start, end, "csv")
        return StreamingHttpResponse(
            exports.csv_lines(table),
            content_type=exports.CSV_CONTENT_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    selected = rows[page.offset : page.offset + page.limit]
    return DailyReport(items=[daily_item(row) for row in selected], count=len(rows))
