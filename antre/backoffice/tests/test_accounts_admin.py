"""Accounts, roles and API tokens in the back office (city admin only), and
the back office's language."""

from __future__ import annotations

import hashlib

from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from antre.accounts.models import ApiToken, Role, StaffRole, User
from antre.accounts.tokens import authenticate_token
from antre.backoffice.tests.conftest import World, changelist, login
from antre.core.models import AuditEvent
from antre.testing.personas import City


def test_adding_a_token_shows_it_once_and_keeps_only_its_digest(client: Client, city: City) -> None:
    login(client, city.city_admin)

    response = client.post(
        reverse("admin:accounts_apitoken_add"),
        {
            "user": city.kiosk_s.pk,
            "name": "kiosk pintu utara",
            "expires_at_0": "",
            "expires_at_1": "",
        },
        follow=True,
    )

    assert response.status_code == 200
    token = ApiToken.objects.get()
    shown = [str(message) for message in response.context["messages"]]
    raw = next(
        word for message in shown for word in message.split() if word.startswith(token.prefix)
    )
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert authenticate_token(raw) == city.kiosk_s
    assert (token.user, token.name) == (city.kiosk_s, "kiosk pintu utara")
    # Never again: not on the token's page, not in the audit log.
    page = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert raw not in page.content.decode()
    event = AuditEvent.objects.get(action="accounts.apitoken.created")
    assert raw not in str(event.data)


def test_revoking_tokens_from_the_list(client: Client, city: City) -> None:
    from antre.accounts.tokens import create_api_token

    token, raw = create_api_token(user=city.board_s, name="papan")
    login(client, city.city_admin)

    response = client.post(
        changelist("accounts_apitoken"),
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )

    assert response.status_code == 302
    assert authenticate_token(raw) is None
    assert [str(message) for message in get_messages(response.wsgi_request)] == ["1 token dicabut."]


def test_only_the_city_admin_makes_tokens(client: Client, city: City) -> None:
    login(client, city.site_admin_s)

    response = client.post(
        reverse("admin:accounts_apitoken_add"), {"user": city.kiosk_s.pk, "name": "x"}
    )

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_city_admin_gives_a_role_to_a_staff_account(client: Client, city: City) -> None:
    login(client, city.city_admin)
    user = city.officer_s_a
    roles = list(user.roles.all())
    data: dict[str, object] = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": "",
        "email_verified_at_0": "",
        "email_verified_at_1": "",
        "is_active": "on",
        "is_staff": "on",
        "roles-TOTAL_FORMS": len(roles) + 1,
        "roles-INITIAL_FORMS": len(roles),
    }
    for index, role in enumerate(roles):
        data |= {
            f"roles-{index}-id": role.pk,
            f"roles-{index}-user": user.pk,
            f"roles-{index}-role": role.role,
            f"roles-{index}-site": role.site_id or "",
            f"roles-{index}-agency": role.agency_id or "",
        }
    data |= {
        f"roles-{len(roles)}-user": user.pk,
        f"roles-{len(roles)}-role": Role.SITE_ADMIN,
        f"roles-{len(roles)}-site": city.site_t.pk,
        f"roles-{len(roles)}-agency": "",
    }

    response = client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)

    assert response.status_code == 302
    assert StaffRole.objects.filter(user=user, role=Role.SITE_ADMIN, site=city.site_t).exists()
    event = AuditEvent.objects.get(action="accounts.staffrole.saved")
    assert event.site_id == city.site_t.pk
    # ... and with it, the back office of site T.
    client.force_login(User.objects.get(pk=user.pk))
    assert client.get(changelist("catalog_siteservice")).status_code == 200


def test_the_user_form_never_shows_a_full_nik(client: Client, city: City) -> None:
    login(client, city.city_admin)

    content = client.get(
        reverse("admin:accounts_user_change", args=[city.citizen_a.pk])
    ).content.decode()

    assert city.citizen_a.nik not in content
    assert city.citizen_a.nik_masked in content
    assert 'name="is_superuser"' not in content  # only a superuser hands that out


def test_the_back_office_speaks_indonesian_by_default(client: Client, world: World) -> None:
    login(client, world.city.site_admin_s)

    content = client.get(reverse("admin:index")).content.decode()

    assert '<html lang="id"' in content
    assert "Back office antre" in content
    assert "Pengaturan layanan" in content
    assert 'action="/i18n/setlang/"' in content


def test_the_back_office_switches_to_english(client: Client, world: World) -> None:
    login(client, world.city.site_admin_s)

    client.post(reverse("set_language"), {"language": "en", "next": reverse("admin:index")})
    content = client.get(reverse("admin:index")).content.decode()

    assert '<html lang="en"' in content
    assert "Log out" in content


def test_the_login_page_offers_the_language_switch(client: Client, db: None) -> None:
    content = client.get(reverse("admin:login")).content.decode()

    assert 'action="/i18n/setlang/"' in content
    assert '<html lang="id"' in content
