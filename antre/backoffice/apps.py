from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


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


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks-db (the job queue's results) under an Indonesian name.

    Listed in INSTALLED_APPS in place of ``django_tasks_db``: its own
    ``verbose_name`` is a plain English string ("Tasks Database Backend") that
    the back office index would show as is. Same ``name`` and ``label``, so its
    models, tables and migrations are untouched; its model's English name is
    replaced in the back office's app list (``BackofficeSite``).
    """

    default = False
    # Lazy, like every AppConfig's verbose_name; the package types it as str.
    verbose_name = _("Tugas latar belakang")  # type: ignore[assignment]
