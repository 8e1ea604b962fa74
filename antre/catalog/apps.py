from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "antre.catalog"
    label = "catalog"
    verbose_name = _("Katalog layanan")

    def ready(self) -> None:
        from antre.catalog import cache
        from antre.catalog.models import Agency, Service, Site, SiteService

        # Everything antre.catalog.cache hands out (a site service with its
        # site, service and agency) goes stale when one of these changes.
        for model in (Site, Agency, Service, SiteService):
            for signal in (post_save, post_delete):
                signal.connect(cache.clear_on_change, sender=model, dispatch_uid="catalog-cache")
