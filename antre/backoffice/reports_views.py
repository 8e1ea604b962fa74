"""The back office's city dashboard and reports, with their CSV and XLSX
exports. Thin: parse the filter, call one reader of ``antre.reports``, render.

Every admin role may open them; what each sees is their scope
(``antre.accounts.scopes``): a city admin every site, a site admin their
site, an agency admin their agency's services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import formats

from antre.accounts.scopes import scope_for
from antre.backoffice.dashboard_titles import dashboard_title
from antre.backoffice.reports_forms import ReportFilterForm
from antre.core import clock
from antre.reports import exports, selectors
from antre.reports.definitions import Report, ReportKind, build_report
from antre.reports.tables import Cell, Column, ColumnKind, Table
from antre.reports.today import city_today, services_of

# How often the dashboard asks for fresh figures.
DASHBOARD_POLL_SECONDS = 10


@dataclass(frozen=True)
class ShownCell:
    text: str
    numeric: bool


@dataclass(frozen=True)
class ShownTable:
    """A table's cells as the page shows them, formatted in the request's language."""

    headers: list[ShownCell]
    rows: list[list[ShownCell]]


def show_cell(cell: Cell, column: Column) -> ShownCell:
    if cell is None:
        return ShownCell("–", column.is_numeric)
    if isinstance(cell, dt.date):
        return ShownCell(formats.date_format(cell, "D, d/m/Y"), False)
    if isinstance(cell, int | float) and column.kind != ColumnKind.TEXT:
        digits = 0 if column.kind == ColumnKind.COUNT else 1
        return ShownCell(formats.number_format(cell, decimal_pos=digits, use_l10n=True), True)
    # Figures a report formatted itself (a clock time, "ya") keep the column's alignment.
    return ShownCell(str(cell), column.is_numeric)


def show_table(table: Table) -> ShownTable:
    return ShownTable(
        headers=[ShownCell(str(column.label), column.is_numeric) for column in table.columns],
        rows=[
            [
                show_cell(cell, column)
                for cell, column in zip(table.cells(row), table.columns, strict=True)
            ]
            for row in table.rows
        ],
    )


def admin_context(request: HttpRequest, title: str, section: str) -> dict[str, Any]:
    """The admin's own context, the page title and which of the dashboard,
    reports and planner the page belongs to (for the navigation)."""
    return {**admin.site.each_context(request), "title": title, "section": section}


def dashboard(request: HttpRequest) -> HttpResponse:
    """Today at every site the person sees; the page asks for its state again
    every ``DASHBOARD_POLL_SECONDS`` and htmx swaps it in."""
    city = city_today(scope_for(request.user))
    context = {
        **admin_context(request, dashboard_title(scope_for(request.user)), "dashboard"),
        "city": city,
        "queues": city.queues(services_of(city))[:25],
        "poll_seconds": DASHBOARD_POLL_SECONDS,
    }
    template = "backoffice/reports/dashboard.html"
    if request.headers.get("HX-Request") == "true":
        template += "#state"
    return render(request, template, context)


def reports_index(request: HttpRequest) -> HttpResponse:
    return redirect("admin:report", kind=ReportKind.VISITS.value)


def report_view(request: HttpRequest, kind: str) -> HttpResponseBase:
    """A report's page, or with ``?format=csv`` / ``?format=xlsx`` its export."""
    try:
        report_kind = ReportKind(kind)
    except ValueError:
        raise Http404 from None
    scope = scope_for(request.user)
    form = ReportFilterForm(request.GET or None, scope=scope)
    context = {
        **admin_context(request, str(report_kind.label), "reports"),
        "kinds": list(ReportKind),
        "kind": report_kind,
        "form": form,
        "forecast": None,
    }
    if form.is_bound and not form.is_valid():
        return render(request, "backoffice/reports/report.html", context, status=400)
    if not form.is_bound:
        form = ReportFilterForm({}, scope=scope)
        form.is_valid()
    report_filter = form.report_filter()
    site = form.cleaned_data.get("site")
    report = build_report(report_kind, scope, report_filter, now=clock.now(), site=site)
    wanted = request.GET.get("format", "")
    if wanted in ("csv", "xlsx"):
        return export(report, wanted)
    query = request.GET.copy()
    query.pop("format", None)
    context |= {
        "report": report,
        "chart": report.chart.config(),
        "table": show_table(report.table),
        "query": query.urlencode(),
        "forecast": selectors.deadline_miss_forecast(scope, report_filter),
    }
    return render(request, "backoffice/reports/report.html", context)


def export(report: Report, wanted: str) -> HttpResponseBase:
    report_filter = report.filter
    name = exports.file_name(report.kind.value, report_filter.start, report_filter.end, wanted)
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if wanted == "csv":
        return StreamingHttpResponse(
            exports.csv_lines(report.export),
            content_type=exports.CSV_CONTENT_TYPE,
            headers=disposition,
        )
    title = f"{report.title} · {report_filter.start.isoformat()} – {report_filter.end.isoformat()}"
    return HttpResponse(
        exports.xlsx_bytes(report.export, title=title, sheet=report.kind.value),
        content_type=exports.XLSX_CONTENT_TYPE,
        headers=disposition,
    )
