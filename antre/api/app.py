"""The REST API v1 (../shared/API.md): one NinjaAPI, problem details for every error."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="antre API",
    version="1",
    description="Antrean dan janji temu Mal Pelayanan Publik. Kontrak: API.md.",
    urls_namespace="api",
)
