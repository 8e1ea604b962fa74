"""The cast of STYLE.md rule 9: one small city where every role has someone.

Two sites (S and T) and two agencies (A and B), each agency offering one
service at both sites. Scoping tests ask each persona what it may see and do:
an agency admin of B must see nothing of A.
"""

from __future__ import annotations

from dataclasses import dataclass

from antre.accounts.models import Role, StaffRole, User
from antre.catalog.models import Agency, Service, Site, SiteService
from antre.testing import factories as f


@dataclass
class City:
    site_s: Site
    site_t: Site
    agency_a: Agency
    agency_b: Agency
    service_a: Service
    service_b: Service
    site_services: dict[tuple[str, str], SiteService]
    anonymous: None
    citizen_a: User
    citizen_b: User
    officer_s_a: User
    agency_admin_a: User
    agency_admin_b: User
    site_admin_s: User
    city_admin: User
    kiosk_s: User
    board_s: User

    def site_service(self, site: Site, service: Service) -> SiteService:
        return self.site_services[(site.slug, service.slug)]


def staff(username: str, role: Role, **scope: object) -> User:
    user = f.UserFactory.create(
        username=username,
        email=f"{username}@antre.test",
        is_staff=role in {Role.CITY_ADMIN, Role.SITE_ADMIN, Role.AGENCY_ADMIN},
    )
    StaffRole.objects.create(user=user, role=role, **scope)
    return user


def build_city() -> City:
    site_s = f.SiteFactory.create(slug="gerai-s", name="Gerai S")
    site_t = f.SiteFactory.create(slug="gerai-t", name="Gerai T")
    agency_a = f.AgencyFactory.create(slug="instansi-a", name="Instansi A", short_name="A")
    agency_b = f.AgencyFactory.create(slug="instansi-b", name="Instansi B", short_name="B")
    service_a = f.ServiceFactory.create(
        agency=agency_a, slug="layanan-a", name="Layanan A", ticket_prefix="A"
    )
    service_b = f.ServiceFactory.create(
        agency=agency_b, slug="layanan-b", name="Layanan B", ticket_prefix="B"
    )
    site_services = {
        (site.slug, service.slug): f.SiteServiceFactory.create(site=site, service=service)
        for site in (site_s, site_t)
        for service in (service_a, service_b)
    }
    return City(
        site_s=site_s,
        site_t=site_t,
        agency_a=agency_a,
        agency_b=agency_b,
        service_a=service_a,
        service_b=service_b,
        site_services=site_services,
        anonymous=None,
        citizen_a=f.CitizenFactory.create(full_name="Warga A"),
        citizen_b=f.CitizenFactory.create(full_name="Warga B"),
        officer_s_a=staff("petugas-s-a", Role.OFFICER, site=site_s, agency=agency_a),
        agency_admin_a=staff("admin-a", Role.AGENCY_ADMIN, agency=agency_a),
        agency_admin_b=staff("admin-b", Role.AGENCY_ADMIN, agency=agency_b),
        site_admin_s=staff("admin-s", Role.SITE_ADMIN, site=site_s),
        city_admin=staff("admin-kota", Role.CITY_ADMIN),
        kiosk_s=staff("kiosk-s", Role.KIOSK, site=site_s),
        board_s=staff("board-s", Role.BOARD, site=site_s),
    )
