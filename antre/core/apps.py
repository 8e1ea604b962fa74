from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "antre.core"
    label = "core"
    # The back office shows it as the section of the audit log.
    verbose_name = _("Sistem")
