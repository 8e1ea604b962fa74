"""What every back-office model admin shares: role scoping, the audit trail,
and slot regeneration after a change.

Permissions come from the person's roles (``antre.accounts.scopes``), never
from Django's per-model permission table, so a staff account with a role and
no permission rows works. Each admin says, with class attributes, how its model
reaches a site and an agency and which kinds of admin may change it; the mixin
does the rest:

* ``get_queryset`` shows only the rows the roles see;
* ``has_view/change/add/delete_permission`` answer from the roles, per object;
* foreign-key and many-to-many choices offer only what the person may attach
  things to, and a form whose result falls outside their authority (say, a
  closure of every site saved by a site admin) is refused with an error;
* each save and delete is recorded as an ``AuditEvent`` in the same
  transaction, and ``after_save``/``after_delete`` let an admin regenerate
  slots there too; when that would strand a citizen's booking
  (``WouldStrandBookings``) the whole save is undone and the person is sent
  to the schedule page, which previews such a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.db import router, transaction
from django.db.models import ForeignKey, ManyToManyField, Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from antre.accounts.models import User
from antre.accounts.scopes import (
    ALL_GRANTS,
    Grant,
    StaffScope,
    filter_queryset,
    follow_path,
    scope_for,
)
from antre.booking.schedule import SlotChanges
from antre.booking.schedule_changes import WouldStrandBookings
from antre.catalog.models import Agency, Service, Site, SiteService
from antre.core.audit import record_event

Paths = tuple[str | None, str | None]

# How each model that others point at reaches a site and an agency, for
# limiting the choices of a foreign key to it: a site admin may attach things
# to their site and to the services offered there, an agency admin to their
# agency, its services and the sites that offer them.
CHOICE_PATHS: dict[type[Model], Paths] = {
    Site: ("pk", "site_services__service__agency"),
    Agency: ("services__site_services__site", "pk"),
    Service: ("site_services__site", "agency"),
    SiteService: ("site", "service__agency"),
}

NO_GRANTS: frozenset[Grant] = frozenset()
CITY_ONLY: frozenset[Grant] = frozenset({Grant.CITY})
SITE_LEVEL: frozenset[Grant] = frozenset({Grant.CITY, Grant.SITE})
AGENCY_WIDE: frozenset[Grant] = frozenset({Grant.CITY, Grant.AGENCY})

OUT_OF_SCOPE = _(
    "Anda tidak berwenang menyimpan data untuk gerai atau instansi ini. "
    "Pilih gerai dan layanan dalam wewenang Anda."
)


def staff_scope(request: HttpRequest) -> StaffScope:
    return scope_for(request.user)


def acting_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) else None


def report_slot_changes(request: HttpRequest, changes: SlotChanges) -> None:
    messages.info(
        request,
        _(
            "Slot diperbarui: %(created)d dibuat, %(updated)d diubah, "
            "%(closed)d ditutup, %(deleted)d dihapus."
        )
        % {
            "created": changes.created,
            "updated": changes.updated,
            "closed": changes.closed,
            "deleted": changes.deleted,
        },
    )


def refuse_stranding(request: HttpRequest, refusal: WouldStrandBookings) -> HttpResponse:
    """Back to the page the person came from, with what was refused and the
    way to do it safely."""
    ids = refusal.site_service_ids
    target = (
        reverse("admin:schedule", args=[ids[0]])
        if len(ids) == 1
        else reverse("admin:schedule-index")
    )
    count = len(refusal.plan.stranded)
    messages.error(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            ngettext(
                "Tidak disimpan: perubahan ini akan membatalkan %(count)d pemesanan warga "
                "tanpa memberi tahu mereka.",
                "Tidak disimpan: perubahan ini akan membatalkan %(count)d pemesanan warga "
                "tanpa memberi tahu mereka.",
                count,
            )
            % {"count": count},
            target,
            _("Ubah lewat halaman Jadwal: pratinjau, konfirmasi, dan pemberitahuan ke warga."),
        ),
    )
    back = request.get_full_path() if request.method == "POST" else reverse("admin:index")
    return HttpResponseRedirect(back)


class ScopedAdminMixin[ModelT: Model](admin.ModelAdmin[ModelT]):
    """A model admin scoped by the person's roles.

    ``site_path``/``agency_path``: lookups from the model to its site and
    agency (see ``antre.accounts.scopes.filter_queryset``); ``shared_when_null``:
    a null site or agency means "all of them" (city-wide closures).
    ``view_grants``: the kinds of admin who see the model at all.
    ``write_grants``: who may change rows within their scope; ``add_grants``
    defaults to ``write_grants`` and ``delete_grants`` to ``add_grants``.
    ``choice_paths``: per foreign-key field, paths that override
    ``CHOICE_PATHS`` for its choices (``None``: every row may be chosen).
    """

    site_path: ClassVar[str | None] = None
    agency_path: ClassVar[str | None] = None
    shared_when_null: ClassVar[bool] = False
    view_grants: ClassVar[frozenset[Grant]] = ALL_GRANTS
    write_grants: ClassVar[frozenset[Grant]] = NO_GRANTS
    add_grants: ClassVar[frozenset[Grant] | None] = None
    delete_grants: ClassVar[frozenset[Grant] | None] = None
    choice_paths: ClassVar[dict[str, Paths | None]] = {}

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except WouldStrandBookings as refusal:
            return refuse_stranding(request, refusal)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except WouldStrandBookings as refusal:
            return refuse_stranding(request, refusal)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except WouldStrandBookings as refusal:
            return refuse_stranding(request, refusal)

    def read_scope(self, request: HttpRequest) -> StaffScope:
        return staff_scope(request).only(self.view_grants)

    def write_scope(self, request: HttpRequest) -> StaffScope:
        return staff_scope(request).only(self.write_grants)

    def add_scope(self, request: HttpRequest) -> StaffScope:
        grants = self.write_grants if self.add_grants is None else self.add_grants
        return staff_scope(request).only(grants)

    def delete_scope(self, request: HttpRequest) -> StaffScope:
        if self.delete_grants is not None:
            grants = self.delete_grants
        elif self.add_grants is not None:
            grants = self.add_grants
        else:
            grants = self.write_grants
        return staff_scope(request).only(grants)

    def scope_ids(self, obj: ModelT) -> tuple[int | None, int | None]:
        """The site and agency ``obj`` is bound to, for the write checks;
        ``None`` where the path is missing, empty or to-many."""
        return self._follow(obj, self.site_path), self._follow(obj, self.agency_path)

    @staticmethod
    def _follow(obj: Model, path: str | None) -> int | None:
        try:
            return follow_path(obj, path)
        except ValueError:
            return None

    def is_visible(self, request: HttpRequest, obj: ModelT) -> bool:
        scope = self.read_scope(request)
        if scope.is_city_admin:
            return True
        if scope.is_empty or obj.pk is None:
            return False
        rows = self.model._default_manager.filter(pk=obj.pk)
        return self.scope_queryset(scope, rows).exists()

    def scope_queryset(self, scope: StaffScope, queryset: QuerySet[ModelT]) -> QuerySet[ModelT]:
        return filter_queryset(
            scope,
            queryset,
            site_path=self.site_path,
            agency_path=self.agency_path,
            shared_when_null=self.shared_when_null,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ModelT]:
        return self.scope_queryset(self.read_scope(request), super().get_queryset(request))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return not self.read_scope(request).is_empty

    def has_view_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        if self.read_scope(request).is_empty:
            return False
        return obj is None or self.is_visible(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        scope = self.write_scope(request)
        if scope.is_empty:
            return False
        if obj is None:
            return True
        site_id, agency_id = self.scope_ids(obj)
        return scope.covers(site_id=site_id, agency_id=agency_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not self.add_scope(request).is_empty

    def has_delete_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        scope = self.delete_scope(request)
        if scope.is_empty:
            return False
        if obj is None:
            return True
        site_id, agency_id = self.scope_ids(obj)
        return scope.covers(site_id=site_id, agency_id=agency_id)

    def choice_scope(self, request: HttpRequest) -> StaffScope:
        """Whose choices a form offers: the person as adder or changer."""
        add_grants = self.write_grants if self.add_grants is None else self.add_grants
        return staff_scope(request).only(self.write_grants | add_grants)

    def limit_choices(
        self, request: HttpRequest, field_name: str, related: type[Model], queryset: QuerySet[Any]
    ) -> QuerySet[Any]:
        if field_name in self.choice_paths:
            paths = self.choice_paths[field_name]
        else:
            paths = CHOICE_PATHS.get(related)
        if paths is None:
            return queryset
        site_path, agency_path = paths
        return filter_queryset(
            self.choice_scope(request), queryset, site_path=site_path, agency_path=agency_path
        )

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField[Any] | None:
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and formfield.queryset is not None:
            related = db_field.remote_field.model
            assert isinstance(related, type)
            formfield.queryset = self.limit_choices(
                request, db_field.name, related, formfield.queryset
            )
        return formfield

    def formfield_for_manytomany(
        self, db_field: ManyToManyField[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelMultipleChoiceField[Any] | None:
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and formfield.queryset is not None:
            related = db_field.remote_field.model
            assert isinstance(related, type)
            formfield.queryset = self.limit_choices(
                request, db_field.name, related, formfield.queryset
            )
        return formfield

    def get_form(
        self, request: HttpRequest, obj: ModelT | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[ModelT]]:
        form_class = super().get_form(request, obj, change, **kwargs)
        scope = self.write_scope(request) if obj is not None else self.add_scope(request)
        model_admin = self

        class ScopedForm(form_class):  # type: ignore[valid-type,misc]
            """Refuses a result outside the person's authority, whatever was posted."""

            def _post_clean(self) -> None:
                super()._post_clean()
                site_id, agency_id = model_admin.scope_ids(self.instance)
                if not scope.covers(site_id=site_id, agency_id=agency_id):
                    self.add_error(None, OUT_OF_SCOPE)

        ScopedForm.__name__ = form_class.__name__
        return ScopedForm

    def record_change(
        self, request: HttpRequest, obj: ModelT, *, verb: str, data: dict[str, Any] | None = None
    ) -> None:
        site_id, agency_id = self.scope_ids(obj)
        opts = self.model._meta
        record_event(
            action=f"{opts.app_label}.{opts.model_name}.{verb}",
            actor=acting_user(request),
            target=obj,
            site_id=site_id,
            agency_id=agency_id,
            data={"via": "backoffice", "object": str(obj), **(data or {})},
        )

    def save_model(self, request: HttpRequest, obj: ModelT, form: Any, change: Any) -> None:
        super().save_model(request, obj, form, change)
        self.record_change(
            request,
            obj,
            verb="changed" if change else "created",
            data={"fields": sorted(form.changed_data)},
        )

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: Any) -> None:
        super().save_formset(request, form, formset, change)
        if formset.new_objects or formset.changed_objects or formset.deleted_objects:
            self.record_change(
                request,
                form.instance,
                verb=f"{formset.model._meta.model_name}_changed",
                data={
                    "created": len(formset.new_objects),
                    "changed": len(formset.changed_objects),
                    "deleted": len(formset.deleted_objects),
                },
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        super().save_related(request, form, formsets, change)
        self.after_save(request, form.instance, form, list(formsets), bool(change))

    def delete_model(self, request: HttpRequest, obj: ModelT) -> None:
        self.record_change(request, obj, verb="deleted")
        super().delete_model(request, obj)
        self.after_delete(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # The bulk action runs outside the admin's per-object transaction.
        with transaction.atomic(using=router.db_for_write(self.model)):
            objects = list(queryset)
            for obj in objects:
                self.record_change(request, obj, verb="deleted")
            super().delete_queryset(request, queryset)
            self.after_delete(request, objects)

    def after_save(
        self,
        request: HttpRequest,
        obj: ModelT,
        form: ModelForm[ModelT],
        formsets: Sequence[Any],
        change: bool,
    ) -> None:
        """Called once the object and its inlines are saved, in the same transaction."""

    def after_delete(self, request: HttpRequest, objects: Iterable[ModelT]) -> None:
        """Called after the objects are deleted, in the same transaction."""


class ParentScopedInline[ChildT: Model, ParentT: Model](admin.TabularInline[ChildT, ParentT]):
    """An inline that may be seen and edited exactly when its parent may."""

    def _parent_admin(self) -> admin.ModelAdmin[Any]:
        return self.admin_site.get_model_admin(self.parent_model)

    def has_view_permission(self, request: HttpRequest, obj: ParentT | None = None) -> bool:
        return self._parent_admin().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: ParentT | None = None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: ParentT | None) -> bool:  # type: ignore[override]
        return self._parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ParentT | None = None) -> bool:
        return self._parent_admin().has_change_permission(request, obj)
