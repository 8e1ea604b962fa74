from django.urls import path

from antre.citizen import views

app_name = "citizen"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
]
