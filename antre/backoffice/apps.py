from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    name = "antre.backoffice"
    label = "backoffice"
    verbose_name = _("Back office")


class BackofficeAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with the back office's site as ``admin.site``.

    Listed in INSTALLED_APPS in place of ``django.contrib.admin``, so that every
    registration (ours and third-party apps') lands on the role-checking site.
    ``default = False`` keeps ``antre.backoffice`` itself on ``BackofficeConfig``.
    """

    default = False
    default_site = "antre.backoffice.sites.BackofficeSite"
