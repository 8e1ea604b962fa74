from django.urls import path

from bench.bare import views

urlpatterns = [
    path("bare/bookings", views.book),
    path("bare/slots", views.slots),
]
