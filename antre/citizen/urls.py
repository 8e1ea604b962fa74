from django.urls import path

from antre.citizen.views import accounts, attendance, booking, home, privacy, waitlist
from antre.citizen.views import proof as proof_views
from antre.citizen.views import release as release_views

app_name = "citizen"
urlpatterns = [
    path("", home.home, name="home"),
    path("favicon.ico", home.favicon, name="favicon"),
    # Accounts
    path("akun/daftar/", accounts.register, name="register"),
    path("akun/daftar/selesai/", accounts.register_done, name="register_done"),
    path("akun/verifikasi/", accounts.verify, name="verify"),
    path("akun/verifikasi/kirim-ulang/", accounts.resend_verification, name="resend_verification"),
    path("akun/masuk/", accounts.login_view, name="login"),
    path("akun/keluar/", accounts.logout_view, name="logout"),
    path("akun/sandi/lupa/", accounts.password_reset, name="password_reset"),
    path("akun/sandi/lupa/terkirim/", accounts.password_reset_sent, name="password_reset_sent"),
    path("akun/sandi/atur/<str:uidb64>/<str:token>/", accounts.password_set, name="password_set"),
    path("akun/profil/", accounts.profile, name="profile"),
    path("akun/data/", privacy.account_data, name="account_data"),
    path("akun/data/unduh/", privacy.account_export, name="account_export"),
    path("akun/hapus/", privacy.account_delete, name="account_delete"),
    path("akun/hapus/selesai/", privacy.account_deleted, name="account_deleted"),
    # Finding a slot and booking it
    path("gerai/<slug:site>/layanan/<slug:service>/", booking.service_page, name="service"),
    path(
        "gerai/<slug:site>/layanan/<slug:service>/slot/<int:slot_id>/",
        booking.book,
        name="book",
    ),
    # The waiting list; /daftar-tunggu/ is linked from the offer e-mails.
    path(
        "gerai/<slug:site>/layanan/<slug:service>/daftar-tunggu/",
        waitlist.waitlist_join,
        name="waitlist_join",
    ),
    path("daftar-tunggu/", waitlist.waitlist_list, name="waitlist"),
    # Fair release of high-demand days, and the signed proof of a timely request.
    path(
        "gerai/<slug:site>/layanan/<slug:service>/minta-kursi/<str:day>/",
        release_views.release_request,
        name="release_request",
    ),
    path(
        "daftar-tunggu/permintaan/<int:request_id>/tarik/",
        release_views.release_withdraw,
        name="release_withdraw",
    ),
    path(
        "daftar-tunggu/<int:entry_id>/bukti.pdf",
        proof_views.waitlist_proof,
        name="waitlist_proof",
    ),
    path("pemesanan/<str:code>/bukti.pdf", proof_views.booking_proof, name="booking_proof"),
    # The public verification page behind a proof's QR code (printed on
    # proofs already issued: must not change).
    path("bukti/<str:token>/", proof_views.verify_proof, name="proof_verify"),
    path(
        "daftar-tunggu/<int:entry_id>/terima/<int:offer_id>/",
        waitlist.waitlist_accept,
        name="waitlist_accept",
    ),
    path(
        "daftar-tunggu/<int:entry_id>/keluar/", waitlist.waitlist_withdraw, name="waitlist_withdraw"
    ),
    # The citizen's bookings; these paths are also in e-mails already sent
    # (antre.booking.documents.booking_links): they must not change.
    path("pemesanan/", booking.booking_list, name="bookings"),
    path("pemesanan/<str:code>/", booking.booking_detail, name="booking"),
    path("pemesanan/<str:code>/kalender.ics", booking.booking_calendar, name="booking_calendar"),
    path("pemesanan/<str:code>/batal/", booking.booking_cancel, name="booking_cancel"),
    path("pemesanan/<str:code>/ubah/", booking.booking_reschedule, name="booking_reschedule"),
    path("pemesanan/<str:code>/ubah/<int:slot_id>/", booking.booking_move, name="booking_move"),
    # Confirm or release, from the e-mail (antre.booking.confirmation.attendance_links).
    path("kehadiran/<str:token>/", attendance.attendance, name="attendance"),
]
