from django.urls import path

from antre.counter.views import console, staff

app_name = "counter"
urlpatterns = [
    # The staff login, shared by officers and the kiosk and board devices.
    path("petugas/", staff.staff_home, name="staff_home"),
    path("petugas/masuk/", staff.StaffLoginView.as_view(), name="staff_login"),
    path("petugas/keluar/", staff.StaffLogoutView.as_view(), name="staff_logout"),
    # The officer's console.
    path("loket/", console.pick, name="pick"),
    path("loket/<int:counter_id>/", console.console, name="console"),
    path("loket/<int:counter_id>/panel/", console.panel, name="panel"),
    path("loket/<int:counter_id>/warga/", console.citizen_data, name="citizen_data"),
    path("loket/<int:counter_id>/<slug:name>/", console.action, name="action"),
]
