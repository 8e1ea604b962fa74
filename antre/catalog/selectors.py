"""Reads of the catalog: what the public directory shows."""

from __future__ import annotations

from django.db.models import QuerySet

from antre.catalog.models import Site


def public_sites() -> QuerySet[Site]:
    return Site.objects.filter(is_active=True).order_by("name")
