"""The account pages under /akun/: register, verify, log in and out, reset a
password, the profile. Bad input is answered in Indonesian and changes nothing."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.test import Client

from antre.accounts.models import User
from antre.accounts.passwords import password_reset_link
from antre.accounts.verification import make_verification_token
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.testing.personas import City

pytestmark = pytest.mark.django_db

NIK = "3275010101900007"
GOOD = {
    "full_name": "Budi Santoso",
    "nik": NIK,
    "email": "budi@contoh.id",
    "phone": "0812 3456 7890",
    "password": "rahasia-Kuat-123",
    "password_confirmation": "rahasia-Kuat-123",
}


def without_tokens(html: str) -> str:
    return re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]*"', "", re.sub(r'"X-CSRFToken": "[^"]*"', "", html)
    )


def test_the_register_page_explains_why_the_nik_is_needed(client: Client) -> None:
    html = client.get("/akun/daftar/").content.decode()

    assert "<h1>Daftar akun</h1>" in html
    assert "NIK (Nomor Induk Kependudukan)" in html
    assert "mencocokkan pemesanan dengan data kependudukan Anda" in html
    assert 'aria-describedby="id_nik_helptext"' in html
    assert 'autocomplete="new-password"' in html
    assert "csrfmiddlewaretoken" in html


def test_registering_creates_an_unverified_account_and_says_check_your_email(
    client: Client,
) -> None:
    response = client.post("/akun/daftar/", GOOD)

    assert response.status_code == 302
    assert response["Location"] == "/akun/daftar/selesai/"
    user = User.objects.get(email="budi@contoh.id")
    assert user.full_name == "Budi Santoso"
    assert user.nik_masked == "327501********07"
    assert str(user.phone) == "+6281234567890"
    assert not user.email_verified
    assert OutboxMessage.objects.filter(kind="account_verify_email").count() == 1

    html = client.get(response["Location"]).content.decode()
    assert "Periksa e-mail Anda" in html
    assert "<strong>budi@contoh.id</strong>" in html


def test_the_check_your_email_page_needs_a_registration(client: Client) -> None:
    response = client.get("/akun/daftar/selesai/")

    assert response.status_code == 302
    assert response["Location"] == "/akun/daftar/"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nik", "1234", "NIK harus tepat 16 angka."),
        ("email", "budi@", "Masukkan alamat e-mail yang valid"),
        ("phone", "12", "Masukkan nomor telepon Indonesia yang valid"),
        ("full_name", "1234", "Masukkan nama lengkap Anda"),
        ("password", "12345678", "Kata sandi ini terlalu umum."),
        ("password_confirmation", "lain-sekali-999", "Kedua kata sandi tidak sama."),
        ("full_name", "", "Bidang ini tidak boleh kosong."),
    ],
)
def test_bad_input_is_answered_on_its_field_and_registers_nobody(
    client: Client, field: str, value: str, message: str
) -> None:
    data = {**GOOD, field: value}
    if field == "password":
        data["password_confirmation"] = value

    response = client.post("/akun/daftar/", data)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert re.search(rf'<input[^>]*aria-invalid="true"[^>]*id="id_{field}"', html) or re.search(
        rf'<input[^>]*id="id_{field}"[^>]*aria-invalid="true"', html
    )
    assert f"id_{field}_error" in re.search(rf'<input[^>]*id="id_{field}"[^>]*>', html).group(0)
    assert "Periksa lagi isian Anda" in html
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()
    # What was typed stays, except the passwords.
    if field != "email":
        assert 'value="budi@contoh.id"' in html
    assert "rahasia-Kuat-123" not in html


def invalid_fields(html: str) -> set[str]:
    return {
        match.group(1)
        for match in re.finditer(r'<input[^>]*id="id_(\w+)"[^>]*>', html)
        if 'aria-invalid="true"' in match.group(0)
    }


def test_every_problem_is_shown_in_one_round(client: Client) -> None:
    data = {**GOOD, "nik": "1234", "password": "12345678", "password_confirmation": "12345678"}

    html = client.post("/akun/daftar/", data).content.decode()

    assert "NIK harus tepat 16 angka." in html
    assert "Kata sandi ini terlalu umum." in html
    assert invalid_fields(html) == {"nik", "password"}
    assert not User.objects.exists()


def test_the_account_rules_are_checked_even_when_a_field_is_left_empty(client: Client) -> None:
    data = {**GOOD, "full_name": "", "nik": "1234", "password_confirmation": "lain-sekali-999"}

    html = client.post("/akun/daftar/", data).content.decode()

    assert invalid_fields(html) == {"full_name", "nik", "password_confirmation"}
    # The empty field says it is empty, not also that the name is not valid.
    assert "Bidang ini tidak boleh kosong." in html
    assert "Masukkan nama lengkap Anda" not in html
    assert "NIK harus tepat 16 angka." in html
    assert "Kedua kata sandi tidak sama." in html
    assert not User.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_the_emptied_password_fields_say_to_type_them_again(client: Client) -> None:
    fresh = client.get("/akun/daftar/").content.decode()
    html = client.post("/akun/daftar/", {**GOOD, "nik": "1234"}).content.decode()

    retype = "Ketik lagi: kata sandi dikosongkan demi keamanan"
    assert retype not in fresh
    assert html.count(retype) == 2
    for field in ("password", "password_confirmation"):
        tag = re.search(rf'<input[^>]*id="id_{field}"[^>]*>', html).group(0)
        assert f'aria-describedby="id_{field}_helptext"' in tag
        assert 'value="' not in tag
    assert f'<small class="field__help" id="id_password_confirmation_helptext">{retype}' in html


def test_a_password_like_the_name_is_refused(client: Client) -> None:
    data = {
        **GOOD,
        "full_name": "Siti Nurhaliza Rahmawati",
        "email": "siti.audit@contoh.id",
        "password": "sitinurhaliza",
        "password_confirmation": "sitinurhaliza",
    }

    html = client.post("/akun/daftar/", data).content.decode()

    assert "Kata sandi terlalu mirip dengan nama lengkap." in html
    assert invalid_fields(html) == {"password"}
    assert not User.objects.exists()


def test_a_taken_email_or_nik_is_said_plainly(client: Client, city: City) -> None:
    taken = {**GOOD, "email": city.citizen_a.email.upper()}

    html = client.post("/akun/daftar/", taken).content.decode()

    assert "Alamat e-mail ini sudah terdaftar." in html
    html = client.post("/akun/daftar/", {**GOOD, "nik": city.citizen_a.nik}).content.decode()
    assert "NIK ini sudah dipakai oleh akun lain." in html
    assert User.objects.filter(email="budi@contoh.id").count() == 0


def test_the_verification_link_shows_a_button_and_verifies_nothing_on_get(
    client: Client,
) -> None:
    user = f.CitizenFactory(email_verified_at=None)
    token = make_verification_token(user)

    response = client.get("/akun/verifikasi/", {"token": token})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Verifikasi e-mail saya" in html
    assert f'name="token" value="{token}"' in html
    user.refresh_from_db()
    assert not user.email_verified


def test_the_button_verifies_and_leads_to_the_login(client: Client) -> None:
    user = f.CitizenFactory(email_verified_at=None)

    response = client.post(
        "/akun/verifikasi/", {"token": make_verification_token(user)}, follow=True
    )

    user.refresh_from_db()
    assert user.email_verified
    assert response.redirect_chain == [("/akun/masuk/", 302)]
    html = response.content.decode()
    assert "alamat e-mail Anda sudah terverifikasi" in html
    assert "Silakan masuk untuk memesan slot layanan." in html


def test_a_bad_token_is_refused_in_indonesian(client: Client) -> None:
    response = client.post("/akun/verifikasi/", {"token": "palsu.123"})

    assert response.status_code == 400
    assert "Tautan ini tidak sah atau sudah kedaluwarsa." in response.content.decode()


def test_an_expired_token_says_so_and_a_logged_in_citizen_can_ask_again(
    client: Client, frozen_clock
) -> None:
    user = f.CitizenFactory(email_verified_at=None)
    token = make_verification_token(user)
    frozen_clock.advance(days=4)
    client.force_login(user)

    response = client.post("/akun/verifikasi/", {"token": token})

    html = response.content.decode()
    assert "Tautan verifikasi ini sudah kedaluwarsa." in html
    assert 'action="/akun/verifikasi/kirim-ulang/"' in html
    user.refresh_from_db()
    assert not user.email_verified


def test_resending_the_verification_email(client: Client) -> None:
    user = f.CitizenFactory(email_verified_at=None)
    client.force_login(user)

    response = client.post("/akun/verifikasi/kirim-ulang/", follow=True)

    assert response.redirect_chain == [("/akun/profil/", 302)]
    assert f"tautan verifikasi baru ke {user.email}" in response.content.decode()
    assert OutboxMessage.objects.filter(kind="account_verify_email").count() == 1


def test_resending_goes_back_to_a_safe_next_only(client: Client) -> None:
    user = f.CitizenFactory(email_verified_at=None)
    client.force_login(user)

    back = client.post("/akun/verifikasi/kirim-ulang/", {"next": "/gerai/gerai-s/layanan/a/"})
    away = client.post("/akun/verifikasi/kirim-ulang/", {"next": "https://jahat.example/"})

    assert back["Location"] == "/gerai/gerai-s/layanan/a/"
    assert away["Location"] == "/akun/profil/"


def test_resending_for_a_verified_address_sends_nothing(client: Client, city: City) -> None:
    client.force_login(city.citizen_a)

    response = client.post("/akun/verifikasi/kirim-ulang/", follow=True)

    assert "sudah terverifikasi" in response.content.decode()
    assert not OutboxMessage.objects.exists()


def test_resending_needs_a_post(client: Client, city: City) -> None:
    client.force_login(city.citizen_a)

    assert client.get("/akun/verifikasi/kirim-ulang/").status_code == 405


def test_an_unverified_citizen_is_told_on_landing_after_login(client: Client) -> None:
    user = f.CitizenFactory(email_verified_at=None)

    response = client.post(
        "/akun/masuk/", {"email": user.email, "password": "rahasia-Kuat-123"}, follow=True
    )

    assert response.redirect_chain == [("/pemesanan/", 302)]
    html = response.content.decode()
    assert "Alamat e-mail Anda belum diverifikasi" in html
    assert user.email in html
    assert 'action="/akun/verifikasi/kirim-ulang/"' in html
    assert 'name="next" value="/pemesanan/"' in html
    # The address cannot be changed by the citizen: delete and register again.
    assert "Alamat e-mail salah ketik?" in html
    assert 'href="/akun/data/"' in html


def test_the_unverified_notice_resends_and_comes_back(client: Client) -> None:
    user = f.CitizenFactory(email_verified_at=None)
    client.force_login(user)

    response = client.post(
        "/akun/verifikasi/kirim-ulang/", {"next": "/daftar-tunggu/"}, follow=True
    )

    assert response.redirect_chain == [("/daftar-tunggu/", 302)]
    assert f"tautan verifikasi baru ke {user.email}" in response.content.decode()
    assert OutboxMessage.objects.filter(kind="account_verify_email").count() == 1


@pytest.mark.parametrize("path", ["/", "/pemesanan/", "/daftar-tunggu/", "/akun/data/"])
def test_the_unverified_notice_is_on_the_citizens_pages(client: Client, path: str) -> None:
    client.force_login(f.CitizenFactory(email_verified_at=None))

    html = client.get(path).content.decode()

    assert html.count("Alamat e-mail Anda belum diverifikasi") == 1


def test_a_verified_citizen_and_staff_see_no_unverified_notice(client: Client, city: City) -> None:
    client.force_login(city.citizen_a)
    assert "belum diverifikasi" not in client.get("/pemesanan/").content.decode()
    client.force_login(f.StaffFactory())
    assert "belum diverifikasi" not in client.get("/").content.decode()


def test_the_profile_explains_in_place_without_a_second_notice(client: Client) -> None:
    client.force_login(f.CitizenFactory(email_verified_at=None))

    html = client.get("/akun/profil/").content.decode()

    assert "Alamat e-mail Anda belum diverifikasi" not in html
    assert html.count('action="/akun/verifikasi/kirim-ulang/"') == 1
    assert "Alamat e-mail salah ketik?" in html


def test_logging_in_goes_to_a_safe_next(client: Client, city: City) -> None:
    response = client.post(
        "/akun/masuk/?next=/gerai/gerai-s/layanan/layanan-a/",
        {"email": city.citizen_a.email.upper(), "password": "rahasia-Kuat-123"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/gerai/gerai-s/layanan/layanan-a/"
    assert client.session["_auth_user_id"] == str(city.citizen_a.pk)


@pytest.mark.parametrize("next_url", ["https://jahat.example/", "//jahat.example/", ""])
def test_logging_in_never_leaves_the_site(client: Client, city: City, next_url: str) -> None:
    response = client.post(
        "/akun/masuk/",
        {"email": city.citizen_a.email, "password": "rahasia-Kuat-123", "next": next_url},
    )

    assert response["Location"] == "/pemesanan/"


def test_a_wrong_password_is_refused_in_indonesian(client: Client, city: City) -> None:
    response = client.post(
        "/akun/masuk/", {"email": city.citizen_a.email, "password": "salah-sekali"}
    )

    assert response.status_code == 200
    assert "E-mail atau kata sandi salah." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_cannot_log_in_as_citizens(client: Client, city: City) -> None:
    response = client.post(
        "/akun/masuk/", {"email": city.city_admin.email, "password": "rahasia-Kuat-123"}
    )

    assert "E-mail atau kata sandi salah." in response.content.decode()


def test_the_login_page_keeps_next(client: Client) -> None:
    html = client.get("/akun/masuk/?next=/pemesanan/").content.decode()

    assert 'name="next" value="/pemesanan/"' in html
    assert "Masuk dulu untuk melanjutkan pemesanan." in html


def test_the_header_shows_the_account(client: Client, city: City) -> None:
    anonymous = client.get("/").content.decode()
    client.force_login(city.citizen_a)
    logged_in = client.get("/").content.decode()

    assert 'href="/akun/masuk/"' in anonymous
    assert 'href="/akun/daftar/"' in anonymous
    assert "Pemesanan saya" not in anonymous
    assert "Warga A" in logged_in
    assert 'href="/pemesanan/"' in logged_in
    assert 'action="/akun/keluar/" method="post"' in logged_in


def test_logging_out_is_a_post(client: Client, city: City) -> None:
    client.force_login(city.citizen_a)

    page = client.get("/akun/keluar/")

    # A GET (an old tab, a bookmark) logs nobody out: it offers the button.
    assert page.status_code == 200
    assert client.session["_auth_user_id"] == str(city.citizen_a.pk)
    html = page.content.decode()
    assert "Keluar dari antre?" in html
    form = html[html.index('<form method="post" action="/akun/keluar/">') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]
    response = client.post("/akun/keluar/", follow=True)

    assert "_auth_user_id" not in client.session
    assert "Anda sudah keluar." in response.content.decode()


def test_the_logout_url_sends_a_visitor_already_out_home(client: Client) -> None:
    response = client.get("/akun/keluar/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_asking_for_a_reset_link_answers_the_same_for_any_address(
    client: Client, city: City
) -> None:
    known = client.post("/akun/sandi/lupa/", {"email": city.citizen_a.email}, follow=True)
    unknown = client.post("/akun/sandi/lupa/", {"email": "siapa@contoh.id"}, follow=True)

    assert known.redirect_chain == unknown.redirect_chain == [("/akun/sandi/lupa/terkirim/", 302)]
    assert without_tokens(known.content.decode()) == without_tokens(unknown.content.decode())
    assert "Jika alamat itu terdaftar" in known.content.decode()
    assert OutboxMessage.objects.filter(kind="account_password_reset").count() == 1


@pytest.mark.parametrize("typed", ["bukan-email", "budi@", "budi contoh.id"])
def test_asking_for_a_reset_link_with_no_email_address_is_answered_on_the_field(
    client: Client, typed: str
) -> None:
    response = client.post("/akun/sandi/lupa/", {"email": typed})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Masukkan alamat e-mail yang valid, mis. nama@contoh.id." in html
    assert 'aria-invalid="true"' in html
    assert f'value="{typed}"' in html
    assert not OutboxMessage.objects.exists()


def test_setting_a_new_password_through_the_link(client: Client, city: City) -> None:
    path = password_reset_link(city.citizen_a).split("127.0.0.1:8000", 1)[1]

    assert "Buat kata sandi baru" in client.get(path).content.decode()
    response = client.post(
        path, {"password": "baru-Sekali-456", "password_confirmation": "baru-Sekali-456"}
    )

    assert response["Location"] == "/akun/masuk/"
    city.citizen_a.refresh_from_db()
    assert check_password("baru-Sekali-456", city.citizen_a.password)
    # The link worked once.
    again = client.get(path)
    assert again.status_code == 400
    assert "Tautan ini tidak sah atau sudah kedaluwarsa." in again.content.decode()


def test_a_weak_new_password_is_refused_and_changes_nothing(client: Client, city: City) -> None:
    path = password_reset_link(city.citizen_a).split("127.0.0.1:8000", 1)[1]
    before = city.citizen_a.password

    response = client.post(path, {"password": "12345678", "password_confirmation": "12345678"})

    assert response.status_code == 200
    assert "Kata sandi ini terlalu umum." in response.content.decode()
    city.citizen_a.refresh_from_db()
    assert city.citizen_a.password == before


def test_a_tampered_reset_link_offers_a_new_one(client: Client, city: City) -> None:
    response = client.get("/akun/sandi/atur/MQ/salah-token/")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Minta tautan baru" in html
    assert "<form" not in html.split("<main", 1)[1]


def test_the_profile_needs_a_login(client: Client) -> None:
    response = client.get("/akun/profil/")

    assert response.status_code == 302
    assert response["Location"] == "/akun/masuk/?next=/akun/profil/"


def test_the_profile_shows_email_and_the_masked_nik_only(client: Client, city: City) -> None:
    client.force_login(city.citizen_a)

    html = client.get("/akun/profil/").content.decode()

    assert city.citizen_a.email in html
    assert city.citizen_a.nik_masked in html
    assert city.citizen_a.nik not in html
    assert "terverifikasi" in html
    assert 'value="0812-3456-7890"' in html
    assert "kirim-ulang" not in html


def test_an_unverified_profile_offers_to_resend(client: Client) -> None:
    client.force_login(f.CitizenFactory(email_verified_at=None))

    html = client.get("/akun/profil/").content.decode()

    assert "belum diverifikasi" in html
    assert 'action="/akun/verifikasi/kirim-ulang/"' in html


def test_updating_the_profile(client: Client, city: City) -> None:
    client.force_login(city.citizen_a)

    response = client.post(
        "/akun/profil/", {"full_name": "  Warga   Baru ", "phone": "0813 1111 2222"}, follow=True
    )

    city.citizen_a.refresh_from_db()
    assert city.citizen_a.full_name == "Warga Baru"
    assert str(city.citizen_a.phone) == "+6281311112222"
    assert "Profil Anda sudah disimpan." in response.content.decode()


def test_a_bad_phone_changes_nothing(client: Client, city: City) -> None:
    client.force_login(city.citizen_a)

    response = client.post("/akun/profil/", {"full_name": "Nama Lain", "phone": "123"})

    assert "Masukkan nomor telepon Indonesia yang valid" in response.content.decode()
    city.citizen_a.refresh_from_db()
    assert city.citizen_a.full_name == "Warga A"


@pytest.mark.parametrize("name", ["", "12345"])
def test_every_wrong_field_of_the_profile_shows_at_once(
    client: Client, city: City, name: str
) -> None:
    client.force_login(city.citizen_a)

    html = client.post("/akun/profil/", {"full_name": name, "phone": "12"}).content.decode()

    assert "Masukkan nomor telepon Indonesia yang valid" in html
    assert html.count('class="field__error"') == 2, html
    city.citizen_a.refresh_from_db()
    assert city.citizen_a.full_name == "Warga A"


def test_no_email_is_sent_while_registering_fails(client: Client) -> None:
    client.post("/akun/daftar/", {**GOOD, "nik": "1"})

    assert mail.outbox == []
