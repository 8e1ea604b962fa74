from django.urls import path, re_path

from antre.kiosk import views

app_name = "kiosk"
urlpatterns = [
    # The home screen; the staff login sends a kiosk device here by this name.
    path("<slug:site>/", views.home, name="kiosk"),
    path("<slug:site>/check-in/", views.check_in, name="check_in"),
    path("<slug:site>/tanpa-janji/<slug:service>/", views.walk_in, name="walk_in"),
    path("<slug:site>/tiket/<str:public_id>/", views.ticket, name="ticket"),
    path("<slug:site>/tiket/<str:public_id>/cetak/", views.ticket_print, name="print"),
    # Anything else under a kiosk's address is the kiosk's own 404. Only paths
    # ending in a slash, so that Django's APPEND_SLASH still redirects
    # /kiosk/<site>/tiket/<id> to the page it meant.
    re_path(r"^(?P<site>[-\w]+)/(?P<rest>.+/)$", views.unknown_page, name="unknown"),
]
