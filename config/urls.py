from django.contrib import admin
from django.urls import include, path

from antre.api.urls import api

# A database outage answers 503 (problem or Indonesian page), other errors 500.
handler500 = "antre.ops.outage.server_error"

urlpatterns = [
    path("api/v1/", api.urls),
    # /healthz, /readyz, /metrics (antre.ops)
    path("", include("antre.ops.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("backoffice/", admin.site.urls),
    path("kiosk/", include("antre.kiosk.urls")),
    path("", include("antre.counter.urls")),
    path("", include("antre.board.urls")),
    path("", include("antre.citizen.urls")),
]
