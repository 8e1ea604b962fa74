from django.urls import path

from antre.kiosk import views

app_name = "kiosk"
urlpatterns = [
    # The home screen; the staff login sends a kiosk device here by this name.
    path("<slug:site>/", views.home, name="kiosk"),
    path("<slug:site>/check-in/", views.check_in, name="check_in"),
    path("<slug:site>/tanpa-janji/<slug:service>/", views.walk_in, name="walk_in"),
    path("<slug:site>/tiket/<str:public_id>/", views.ticket, name="ticket"),
    path("<slug:site>/tiket/<str:public_id>/cetak/", views.ticket_print, name="print"),
]
