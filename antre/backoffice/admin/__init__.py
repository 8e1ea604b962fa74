"""The back office's model admins, registered on ``admin.site`` (a
``BackofficeSite``) when the admin app autodiscovers ``antre.backoffice.admin``."""

from antre.backoffice.admin import accounts, activity, audit, booking, catalog, kiosk, release

__all__ = ["accounts", "activity", "audit", "booking", "catalog", "kiosk", "release"]
