from django.urls import path

from antre.board import views

app_name = "board"
urlpatterns = [
    path("papan/<slug:site>/", views.board, name="board"),
    path("papan/<slug:site>/keadaan.json", views.board_state_json, name="state"),
    # The live ticket page: its path is printed (as a QR) on every ticket.
    path("antrean/<str:public_id>/", views.ticket_live, name="ticket"),
    path("antrean/<str:public_id>/keadaan/", views.ticket_status, name="ticket_status"),
]
