"""Accounts, staff roles and API tokens: the city admin's alone.

Roles (``StaffRole``) are what give access; Django's groups and per-model
permissions are not used and not shown. A citizen's NIK and phone appear here
masked; the full values only through the audited reveal page (docs/privacy.md).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from antre.accounts.models import ApiToken, StaffRole, User
from antre.accounts.privacy import mask_phone
from antre.accounts.scopes import forget_scope
from antre.accounts.tokens import create_api_token, revoke_api_token
from antre.backoffice.admin.base import (
    CITY_ONLY,
    ParentScopedInline,
    ScopedAdminMixin,
    acting_user,
    staff_scope,
)
from antre.core.audit import record_event

if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class StaffRoleInline(ParentScopedInline[StaffRole, User]):
    model = StaffRole
    extra = 0
    fields = ("role", "site", "agency")


def _is_city_admin(request: HttpRequest) -> bool:
    return staff_scope(request).is_city_admin


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            _("Data diri"),
            {
                "fields": (
                    "full_name",
                    "email",
                    "phone_masked",
                    "nik_masked",
                    "personal_data",
                    "email_verified_at",
                )
            },
        ),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser", "is_test_account")}),
        (_("Waktu"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "email",
                    "is_staff",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    list_display = ("username", "full_name", "email", "is_staff", "is_active", "roles_shown")
    list_filter = ("is_staff", "is_active", "roles__role", "is_test_account")
    search_fields = ("username", "full_name", "email")
    filter_horizontal = ()
    inlines = (StaffRoleInline,)

    @admin.display(description=_("nomor telepon"))
    def phone_masked(self, obj: User) -> str:
        return mask_phone(obj.phone) or "-"

    @admin.display(description=_("data lengkap"))
    def personal_data(self, obj: User) -> str:
        # Full phone and NIK only behind an explicit, audited reveal (docs/privacy.md).
        if obj.pk is None or not obj.is_citizen:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:citizen-personal-data", args=[obj.pk]),
            _("Buka telepon atau NIK lengkap (tercatat)"),
        )

    @admin.display(description=_("peran"))
    def roles_shown(self, obj: User) -> str:
        return ", ".join(str(role) for role in obj.roles.all()) or "-"

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("roles__site", "roles__agency")

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        readonly = ("phone_masked", "nik_masked", "personal_data", "last_login", "date_joined")
        # Superuser status bypasses roles; only a superuser hands it out.
        if not request.user.is_superuser:
            return (*readonly, "is_superuser")
        return readonly

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_city_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return _is_city_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return _is_city_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_city_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return _is_city_admin(request)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: Any) -> None:
        super().save_model(request, obj, form, change)
        record_event(
            action="accounts.user.changed" if change else "accounts.user.created",
            actor=acting_user(request),
            target=obj,
            data={"via": "backoffice", "fields": sorted(form.changed_data)},
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: Any) -> None:
        super().save_formset(request, form, formset, change)
        for role in [*formset.new_objects, *(item for item, _fields in formset.changed_objects)]:
            record_event(
                action="accounts.staffrole.saved",
                actor=acting_user(request),
                target=role,
                site_id=role.site_id,
                agency_id=role.agency_id,
                data={"via": "backoffice", "user": form.instance.username, "role": role.role},
            )
        for role in formset.deleted_objects:
            record_event(
                action="accounts.staffrole.deleted",
                actor=acting_user(request),
                target=role,
                site_id=role.site_id,
                agency_id=role.agency_id,
                data={"via": "backoffice", "user": form.instance.username, "role": role.role},
            )
        # The editor may have changed their own roles.
        forget_scope(request.user)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        record_event(
            action="accounts.user.deleted",
            actor=acting_user(request),
            target=obj,
            data={"via": "backoffice", "username": obj.username},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for obj in queryset:
            record_event(
                action="accounts.user.deleted",
                actor=acting_user(request),
                target=obj,
                data={"via": "backoffice", "username": obj.username},
            )
        super().delete_queryset(request, queryset)


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdminMixin[ApiToken]):
    """Tokens for integrators and devices. Adding one shows the token once, in
    a message; only its digest is kept."""

    view_grants = CITY_ONLY
    write_grants = CITY_ONLY
    list_display = (
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    list_select_related = ("user",)
    actions = ("revoke_tokens",)

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "name", "expires_at")
        return (
            "user",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            # Set after creation: an integrator's own quota (antre.core.ratelimits).
            "rate_limit",
            "last_used_at",
            "revoked_at",
        )

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiToken | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        return ("user", "prefix", "created_at", "last_used_at", "revoked_at")

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: Any) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = create_api_token(
            user=form.cleaned_data["user"],
            name=form.cleaned_data.get("name") or "",
            expires_at=form.cleaned_data.get("expires_at"),
        )
        # The admin goes on with ``obj`` (its log entry, the redirect): make it the row.
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        obj._state.db = token._state.db
        self.record_change(request, obj, verb="created", data={"prefix": token.prefix})
        messages.warning(
            request,
            _(
                "Token baru untuk %(user)s: %(token)s — salin sekarang; "
                "token ini tidak akan ditampilkan lagi."
            )
            % {"user": token.user, "token": raw},
        )

    @admin.action(description=_("Cabut token terpilih"))
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        revoked = 0
        for token in queryset:
            if revoke_api_token(token=token):
                revoked += 1
                self.record_change(request, token, verb="revoked")
        messages.success(request, _("%(count)d token dicabut.") % {"count": revoked})
