"""Who may operate what at a site: kiosks, boards and counters.

The back-office scopes (``antre.accounts.scopes``) answer "which records may an
admin see"; this module answers "may this account run this kiosk, show this
board, work this counter". One place, used by the kiosk, board and counter
pages and by the on-site API.

- A kiosk device (role ``kiosk``) operates the kiosk of its site; site admins
  of the site and city admins may too (to set a kiosk up or stand in).
- A board device (role ``board``) shows its site's board; so may any staff
  role at the site (officers, site admins) and city admins.
- An officer works the counters of their site; an officer scoped to an agency
  only counters serving at least one of that agency's services. Site admins
  of the site and city admins may work any counter there.
- Tickets follow the same lines: an officer scoped to an agency acts on that
  agency's tickets, and on any ticket called to a counter they work.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from antre.accounts.models import Role, StaffRole
from antre.catalog.models import Counter, Site

if TYPE_CHECKING:
    from antre.onsite.models import Ticket

type Account = AbstractBaseUser | AnonymousUser | None


def _roles(user: Account) -> list[tuple[str, int | None, int | None]]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached: list[tuple[str, int | None, int | None]] | None = getattr(
        user, "_antre_site_roles", None
    )
    if cached is None:
        cached = list(
            StaffRole.objects.filter(user_id=user.pk).values_list("role", "site_id", "agency_id")
        )
        user._antre_site_roles = cached  # type: ignore[attr-defined]
    return cached


def _holds(user: Account, roles: set[str], site: Site) -> bool:
    return any(
        role == Role.CITY_ADMIN or (role in roles and site_id == site.pk)
        for role, site_id, _agency_id in _roles(user)
    )


def can_use_kiosk(user: Account, site: Site) -> bool:
    return _holds(user, {Role.KIOSK, Role.SITE_ADMIN}, site)


def can_show_board(user: Account, site: Site) -> bool:
    return _holds(user, {Role.BOARD, Role.OFFICER, Role.SITE_ADMIN, Role.KIOSK}, site)


def is_counter_staff(user: Account) -> bool:
    """Whether the account holds a role of those who work counters (officer,
    site admin, city admin), whether or not any counter is set up yet."""
    counter_roles = {Role.OFFICER, Role.SITE_ADMIN, Role.CITY_ADMIN}
    return any(role in counter_roles for role, _site_id, _agency_id in _roles(user))


def workable_counters(user: Account) -> QuerySet[Counter]:
    """The counters this account may work, at any site."""
    condition = Q(pk__in=[])
    for role, site_id, agency_id in _roles(user):
        if role == Role.CITY_ADMIN:
            return Counter.objects.filter(is_active=True)
        if role == Role.SITE_ADMIN or (role == Role.OFFICER and agency_id is None):
            condition |= Q(site_id=site_id)
        elif role == Role.OFFICER:
            condition |= Q(site_id=site_id, site_services__service__agency_id=agency_id)
    return Counter.objects.filter(condition, is_active=True).distinct()


def can_work_counter(user: Account, counter: Counter) -> bool:
    return workable_counters(user).filter(pk=counter.pk).exists()


def can_operate_ticket(user: Account, ticket: Ticket) -> bool:
    """Whether this account may act on ``ticket`` (recall, start, finish,
    no-show, transfer): city admins; the site admins and officers of its site,
    but an officer scoped to an agency only for that agency's tickets, or for
    one called to a counter they work (a counter shared by agencies calls the
    others' tickets too). Agency staff see nothing of another agency's
    citizens, and a ticket carries its booking's code."""
    for role, site_id, agency_id in _roles(user):
        if role == Role.CITY_ADMIN:
            return True
        if site_id != ticket.site_id:
            continue
        if role == Role.SITE_ADMIN:
            return True
        if role == Role.OFFICER and agency_id in (None, ticket.service.agency_id):
            return True
    return (
        ticket.counter_id is not None
        and workable_counters(user).filter(pk=ticket.counter_id).exists()
    )
