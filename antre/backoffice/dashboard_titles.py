"""What the dashboard is called for each admin: the city for a city admin,
else the one site or agency their roles cover ("Dasbor MPP Kota Bekasi",
"Dasbor Kepolisian Resor Metro Bekasi Kota"), as its figures are scoped
(``antre.reports.today.city_today`` reads through the same scope)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from antre.accounts.scopes import StaffScope
from antre.catalog.models import Agency, Site


def scope_names(scope: StaffScope) -> list[str]:
    """A name for each site, agency and agency at a site the scope holds
    (empty for a city admin: the whole city). At most three queries."""
    if scope.is_city_admin:
        return []
    names = list(Site.objects.filter(pk__in=scope.site_ids).values_list("name", flat=True))
    names += Agency.objects.filter(pk__in=scope.agency_ids).values_list("name", flat=True)
    if scope.agency_site_ids:
        agencies = Agency.objects.in_bulk({agency for agency, _site in scope.agency_site_ids})
        sites = Site.objects.in_bulk({site for _agency, site in scope.agency_site_ids})
        names += [
            _("%(agency)s di %(site)s")
            % {"agency": agencies[agency].name, "site": sites[site].name}
            for agency, site in sorted(scope.agency_site_ids)
            if agency in agencies and site in sites
        ]
    return sorted(names)


def dashboard_title(scope: StaffScope) -> str:
    if scope.is_city_admin:
        return _("Dasbor kota")
    names = scope_names(scope)
    if len(names) == 1:
        return _("Dasbor %(scope)s") % {"scope": names[0]}
    # Several roles (two sites, an agency and a site): what they add up to.
    return _("Dasbor wewenang Anda")
