"""What a staff member may see and change: their roles turned into a scope.

A ``StaffScope`` is built once per request from the user's ``StaffRole`` rows
and answers two questions for any model, given the lookup paths from that
model to a site and to an agency:

* which rows may this person see (``filter_queryset``), and
* does this person's authority cover a row bound to this site and agency
  (``StaffScope.covers``).

The grants, from widest to narrowest:

* ``CITY``: a city admin (or a superuser) sees and covers everything;
* ``SITE``: a site admin, everything at their site, of every agency;
* ``AGENCY``: an agency admin without a site, their agency at every site;
* ``AGENCY_AT_SITE``: an agency admin whose role names a site, their agency
  at that site only.

Officers, kiosks and boards hold no grant: they have no back office. Several
roles add up (the union of what each grants). This module knows nothing of
HTTP or the admin, so that the API can scope its lists the same way.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet

from antre.accounts.models import ADMIN_ROLES, Role, StaffRole

# The attribute a computed scope is kept under on the user object. Django
# builds one user object per request, so the cache lives exactly as long as
# the request and a role change shows from the next request on.
_CACHE_ATTRIBUTE = "_antre_staff_scope"


class Grant(enum.Enum):
    CITY = "city"
    SITE = "site"
    AGENCY = "agency"
    AGENCY_AT_SITE = "agency_at_site"


ALL_GRANTS = frozenset(Grant)


@dataclass(frozen=True)
class StaffScope:
    """The back-office authority of one person.

    ``agency_site_ids`` holds ``(agency_id, site_id)`` pairs of agency admins
    limited to one site. An empty scope (the default) grants nothing.
    """

    is_city_admin: bool = False
    site_ids: frozenset[int] = field(default_factory=frozenset)
    agency_ids: frozenset[int] = field(default_factory=frozenset)
    agency_site_ids: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.is_city_admin or self.site_ids or self.agency_ids or self.agency_site_ids)

    @property
    def has_backoffice_access(self) -> bool:
        return not self.is_empty

    @property
    def grants(self) -> frozenset[Grant]:
        held = set()
        if self.is_city_admin:
            held.add(Grant.CITY)
        if self.site_ids:
            held.add(Grant.SITE)
        if self.agency_ids:
            held.add(Grant.AGENCY)
        if self.agency_site_ids:
            held.add(Grant.AGENCY_AT_SITE)
        return frozenset(held)

    def only(self, grants: Iterable[Grant]) -> StaffScope:
        """The part of this scope that the given kinds of grant make up; e.g.
        ``scope.only({Grant.CITY, Grant.SITE})`` for what only site-level
        admins may change."""
        kept = frozenset(grants)
        return replace(
            self,
            is_city_admin=self.is_city_admin and Grant.CITY in kept,
            site_ids=self.site_ids if Grant.SITE in kept else frozenset(),
            agency_ids=self.agency_ids if Grant.AGENCY in kept else frozenset(),
            agency_site_ids=(self.agency_site_ids if Grant.AGENCY_AT_SITE in kept else frozenset()),
        )

    def covers(self, *, site_id: int | None, agency_id: int | None) -> bool:
        """Whether this scope has authority over a row bound to ``site_id`` and
        ``agency_id``.

        ``None`` means the row is not bound to one site (it is agency-wide, or
        applies to every site) or not to one agency: only a grant that spans
        all of them covers it. So an agency admin limited to site S does not
        cover the agency's service definition (``site_id=None``), and a site
        admin does not cover a city-wide closure.
        """
        if self.is_city_admin:
            return True
        if site_id is not None and site_id in self.site_ids:
            return True
        if agency_id is not None and agency_id in self.agency_ids:
            return True
        return (
            agency_id is not None
            and site_id is not None
            and (agency_id, site_id) in self.agency_site_ids
        )


EMPTY_SCOPE = StaffScope()


def build_scope(roles: Iterable[tuple[str, int | None, int | None]]) -> StaffScope:
    """A scope from ``(role, site_id, agency_id)`` triples; non-admin roles add nothing."""
    is_city_admin = False
    site_ids: set[int] = set()
    agency_ids: set[int] = set()
    agency_site_ids: set[tuple[int, int]] = set()
    for role, site_id, agency_id in roles:
        if role == Role.CITY_ADMIN:
            is_city_admin = True
        elif role == Role.SITE_ADMIN and site_id is not None:
            site_ids.add(site_id)
        elif role == Role.AGENCY_ADMIN and agency_id is not None:
            if site_id is None:
                agency_ids.add(agency_id)
            else:
                agency_site_ids.add((agency_id, site_id))
    # A pair is redundant next to the same agency at every site.
    agency_site_ids = {pair for pair in agency_site_ids if pair[0] not in agency_ids}
    return StaffScope(
        is_city_admin=is_city_admin,
        site_ids=frozenset(site_ids),
        agency_ids=frozenset(agency_ids),
        agency_site_ids=frozenset(agency_site_ids),
    )


def scope_for(user: AbstractBaseUser | AnonymousUser | None) -> StaffScope:
    """The back-office scope of ``user``: empty for anonymous, inactive and
    non-staff users; a superuser counts as a city admin. One query, then cached
    on the user object (so for the rest of the request)."""
    if user is None or not user.is_authenticated or user.pk is None:
        return EMPTY_SCOPE
    cached = getattr(user, _CACHE_ATTRIBUTE, None)
    if isinstance(cached, StaffScope):
        return cached
    scope = _compute_scope(user)
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


def forget_scope(user: AbstractBaseUser | AnonymousUser) -> None:
    """Drop the cached scope, e.g. after changing the user's roles mid-request."""
    if hasattr(user, _CACHE_ATTRIBUTE):
        delattr(user, _CACHE_ATTRIBUTE)


def _compute_scope(user: AbstractBaseUser) -> StaffScope:
    if not user.is_active or not getattr(user, "is_staff", False):
        return EMPTY_SCOPE
    if getattr(user, "is_superuser", False):
        return StaffScope(is_city_admin=True)
    roles = StaffRole.objects.filter(user_id=user.pk, role__in=ADMIN_ROLES).values_list(
        "role", "site_id", "agency_id"
    )
    return build_scope(roles)


def filter_queryset[ModelT: Model](
    scope: StaffScope,
    queryset: QuerySet[ModelT],
    *,
    site_path: str | None,
    agency_path: str | None,
    shared_when_null: bool = False,
) -> QuerySet[ModelT]:
    """``queryset`` limited to the rows ``scope`` may see.

    ``site_path`` and ``agency_path`` are lookups from the model to the site's
    and the agency's primary key (``"site_service__site"``,
    ``"site_service__service__agency"``, ``"pk"`` for the Site model itself);
    ``None`` when the model has no such link. Then:

    * a site admin sees rows whose site is theirs (nothing without a site path);
    * an agency admin sees rows whose agency is theirs (nothing without an
      agency path); one limited to a site also needs the site to match,
      unless the model has no site path (agency-wide rows such as services);
    * with ``shared_when_null``, a null site or agency means "every site" or
      "every agency" (a city-wide closure) and matches every admin on that
      dimension.

    Paths may cross to-many relations (``"site_services__site"``); the rows
    are then matched through a subquery, so none comes back twice.
    """
    if scope.is_city_admin:
        return queryset
    model = queryset.model

    def on(path: str, values: Iterable[int]) -> Q:
        condition = Q(**{f"{path}__in": sorted(values)})
        if shared_when_null:
            condition |= Q(**{f"{path}__isnull": True})
        return condition

    def equals(path: str, value: int) -> Q:
        condition = Q(**{path: value})
        if shared_when_null:
            condition |= Q(**{f"{path}__isnull": True})
        return condition

    visible = Q(pk__in=[])
    if site_path is not None and scope.site_ids:
        visible |= on(site_path, scope.site_ids)
    if agency_path is not None:
        if scope.agency_ids:
            visible |= on(agency_path, scope.agency_ids)
        for agency_id, site_id in sorted(scope.agency_site_ids):
            if site_path is None:
                visible |= equals(agency_path, agency_id)
            else:
                visible |= equals(agency_path, agency_id) & equals(site_path, site_id)
    paths = [path for path in (site_path, agency_path) if path is not None]
    if any(_crosses_to_many(model, path) for path in paths):
        return queryset.filter(pk__in=model._base_manager.filter(visible).values("pk"))
    return queryset.filter(visible)


def _crosses_to_many(model: type[Model], path: str) -> bool:
    current: Any = model
    for part in path.split("__"):
        if part == "pk":
            return False
        model_field = current._meta.get_field(part)
        if model_field.one_to_many or model_field.many_to_many:
            return True
        if not model_field.is_relation:
            return False
        current = model_field.related_model
    return False


def follow_path(obj: Model, path: str | None) -> int | None:
    """The primary key at the end of a single-valued lookup ``path`` from
    ``obj`` (``"site_service__site"`` gives the site's id), or ``None`` when a
    link on the way is empty. Raises ``ValueError`` on a to-many path."""
    if path is None:
        return None
    current: Any = obj
    parts = path.split("__")
    for index, part in enumerate(parts):
        if part == "pk":
            return int(current.pk) if current.pk is not None else None
        model_field = current._meta.get_field(part)
        if not (model_field.many_to_one or model_field.one_to_one) or model_field.auto_created:
            raise ValueError(f"{path!r} is not a single-valued path from {type(obj).__name__}.")
        raw = getattr(current, model_field.attname)
        if raw is None:
            return None
        if index == len(parts) - 1:
            return int(raw)
        current = getattr(current, part)
    return None
