"""The schedule page of a site service: its rules and coming slots, and the
forms that change them, each through a preview of what the change does
(``antre.booking.schedule_changes``) before it is applied.

Who: the city admin, the site's admin, and the admin of the service's
agency (at every site or at this one); anyone else gets a 404, so that the
page does not reveal what exists outside their authority. Thin: parse,
call one service or selector, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from antre.accounts.models import User
from antre.accounts.scopes import StaffScope, filter_queryset, scope_for
from antre.backoffice.schedule_forms import (
    ApplyForm,
    CapacityForm,
    ChangeForm,
    ClosureForm,
    DeleteRuleForm,
    RuleForm,
    SessionForm,
)
from antre.booking.schedule_changes import (
    ConfirmationRequired,
    DayClosure,
    InvalidScheduleChange,
    RuleNotFound,
    SchedulePlan,
    StalePlan,
    apply_change,
    may_change,
    may_manage,
    plan_change,
)
from antre.booking.schedule_overview import schedule_overview
from antre.catalog.models import ScheduleRule, SiteService, Weekday
from antre.core import clock

CHANGE_KINDS = ("aturan", "hapus-aturan", "sesi", "kapasitas", "tutup")


def visible_site_services(scope: StaffScope) -> QuerySet[SiteService]:
    return filter_queryset(
        scope,
        SiteService.objects.select_related("site", "service__agency"),
        site_path="site",
        agency_path="service__agency",
    )


def managed_site_service(request: HttpRequest, site_service_id: int) -> SiteService:
    site_service = visible_site_services(scope_for(request.user)).filter(pk=site_service_id).first()
    if site_service is None or not may_manage(scope_for(request.user), site_service):
        raise Http404
    return site_service


def page_context(request: HttpRequest, title: str) -> dict[str, Any]:
    return {**admin.site.each_context(request), "title": title}


def schedule_index(request: HttpRequest) -> HttpResponse:
    """Every site service the person may schedule, by site."""
    site_services = [
        item
        for item in visible_site_services(scope_for(request.user)).order_by(
            "site__name", "service__name"
        )
        if may_manage(scope_for(request.user), item)
    ]
    return render(
        request,
        "backoffice/schedule/index.html",
        {**page_context(request, _("Jadwal layanan")), "site_services": site_services},
    )


def schedule_page(request: HttpRequest, site_service_id: int) -> HttpResponse:
    site_service = managed_site_service(request, site_service_id)
    overview = schedule_overview(site_service=site_service)
    labels = dict(Weekday.choices)
    rules = [
        (rule, ", ".join(str(labels[day]) for day in sorted(rule.weekdays) if day in labels))
        for rule in overview.rules
    ]
    return render(
        request,
        "backoffice/schedule/page.html",
        {
            **page_context(
                request,
                _("Jadwal: %(service)s · %(site)s")
                % {"service": site_service.service.name, "site": site_service.site.name},
            ),
            "site_service": site_service,
            "overview": overview,
            "rules": rules,
        },
    )


def build_form(
    kind: str,
    request: HttpRequest,
    site_service: SiteService,
    rule: ScheduleRule | None,
    data: Any,
) -> ChangeForm:
    today = clock.today(site_service.site.timezone)
    if kind == "aturan":
        return RuleForm(data, rule=rule)
    if kind == "hapus-aturan":
        assert rule is not None
        return DeleteRuleForm(data, rule=rule)
    if kind == "sesi":
        return SessionForm(data, today=today)
    if kind == "kapasitas":
        initial = {key: request.GET[key] for key in ("day", "starts_at") if key in request.GET}
        return CapacityForm(data, today=today, initial=initial)
    probe = DayClosure(start_date=today, end_date=today, reason="", whole_site=True)
    may_close_site = may_change(scope_for(request.user), site_service, probe)
    return ClosureForm(data, today=today, may_close_site=may_close_site)


def schedule_change(
    request: HttpRequest, site_service_id: int, kind: str, rule_id: int | None = None
) -> HttpResponse:
    """One change: the form (GET), its preview (POST ``step=preview``), and
    applying it (POST ``step=apply``)."""
    if kind not in CHANGE_KINDS or (kind == "hapus-aturan" and rule_id is None):
        raise Http404
    site_service = managed_site_service(request, site_service_id)
    rule = None
    if rule_id is not None:
        rule = ScheduleRule.objects.filter(pk=rule_id, site_service=site_service).first()
        if rule is None:
            raise Http404
    posted = request.POST if request.method == "POST" else None
    form = build_form(kind, request, site_service, rule, posted)
    context: dict[str, Any] = {
        **page_context(request, str(form.title)),
        "site_service": site_service,
        "form": form,
        "kind": kind,
        "rule": rule,
        "back": reverse("admin:schedule", args=[site_service.pk]),
    }
    if posted is None:
        return render(request, "backoffice/schedule/change.html", context)
    if not form.is_valid():
        return render(request, "backoffice/schedule/change.html", context, status=400)
    change = form.change()
    scope = scope_for(request.user)
    if not may_change(scope, site_service, change):
        raise PermissionDenied(_("Anda tidak berwenang mengubah jadwal ini."))
    step = posted.get("step", "preview")
    apply_form = ApplyForm(posted if step == "apply" else None)
    try:
        if step != "apply":
            plan = plan_change(site_service=site_service, change=change)
            apply_form = ApplyForm(
                initial={"change_key": ApplyForm.new_key(), "fingerprint": plan.fingerprint}
            )
            return render_preview(request, context, plan, apply_form)
        if not apply_form.is_valid():
            plan = plan_change(site_service=site_service, change=change)
            return render_preview(request, context, plan, apply_form, status=400)
        data = apply_form.cleaned_data
        actor = request.user if isinstance(request.user, User) else None
        applied = apply_change(
            site_service=site_service,
            change=change,
            change_key=data["change_key"],
            fingerprint=data["fingerprint"],
            actor=actor,
            confirmed=data["confirm"],
            reason=data["reason"],
            join_waitlist=data["join_waitlist"],
        )
    except (InvalidScheduleChange, RuleNotFound) as error:
        form.add_error(None, str(error.detail))
        return render(request, "backoffice/schedule/change.html", context, status=400)
    except StalePlan as stale:
        fresh = ApplyForm(
            initial={
                "change_key": apply_form.cleaned_data["change_key"],
                "fingerprint": stale.plan.fingerprint,
                "reason": apply_form.cleaned_data.get("reason", ""),
                "join_waitlist": apply_form.cleaned_data.get("join_waitlist", True),
            }
        )
        context["problem"] = str(stale.detail)
        return render_preview(request, context, stale.plan, fresh, status=409)
    except ConfirmationRequired as error:
        plan = plan_change(site_service=site_service, change=change)
        apply_form.add_error(None, str(error.detail))
        return render_preview(request, context, plan, apply_form, status=400)
    if applied.already_applied:
        messages.info(
            request, _("Perubahan ini sudah diterapkan sebelumnya; tidak ada yang diubah lagi.")
        )
    else:
        report_applied(
            request,
            applied.slots.created,
            len(applied.plan.removed) if applied.plan else 0,
            applied.cancelled,
            applied.waitlisted,
            applied.offered,
        )
    return redirect("admin:schedule", site_service.pk)


def render_preview(
    request: HttpRequest,
    context: dict[str, Any],
    plan: SchedulePlan,
    apply_form: ApplyForm,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        **context,
        "title": _("Pratinjau: %(title)s") % {"title": context["title"]},
        "plan": plan,
        "apply_form": apply_form,
        "is_closure": context["kind"] == "tutup",
        "many_services": len(plan.diffs) > 1,
        # Names are the city admin's to see; agency and site admins get the
        # booking code and the masked NIK (docs/privacy.md).
        "shows_names": scope_for(request.user).is_city_admin,
    }
    return render(request, "backoffice/schedule/preview.html", context, status=status)


def report_applied(
    request: HttpRequest, created: int, closed: int, cancelled: int, waitlisted: int, offered: int
) -> None:
    messages.success(
        request,
        _("Jadwal diubah: %(created)d slot dibuat, %(closed)d slot ditutup.")
        % {"created": created, "closed": closed},
    )
    if cancelled:
        messages.warning(
            request,
            ngettext(
                "%(count)d pemesanan dibatalkan dan warganya diberi tahu lewat e-mail "
                "(%(waitlisted)d masuk daftar tunggu).",
                "%(count)d pemesanan dibatalkan dan warganya diberi tahu lewat e-mail "
                "(%(waitlisted)d masuk daftar tunggu).",
                cancelled,
            )
            % {"count": cancelled, "waitlisted": waitlisted},
        )
    if offered:
        messages.info(
            request,
            ngettext(
                "%(count)d kursi baru ditawarkan lebih dulu kepada daftar tunggu.",
                "%(count)d kursi baru ditawarkan lebih dulu kepada daftar tunggu.",
                offered,
            )
            % {"count": offered},
        )
