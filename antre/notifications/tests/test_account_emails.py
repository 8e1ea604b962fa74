"""Account e-mails: rendered when queued, with their one link, in both languages."""

import pytest

from antre.notifications.delivery import deliver_message
from antre.notifications.models import OutboxMessage
from antre.notifications.services import notify_account
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

LINK = "http://127.0.0.1:8000/akun/verifikasi/abc123/"


def test_the_verification_mail_carries_its_link_in_both_languages(mailoutbox):
    user = f.CitizenFactory(full_name="Budi Santoso", email_verified_at=None)

    message = notify_account(user=user, event="verify_email", link=LINK)

    assert message.kind == "account_verify_email"
    assert message.rendered_at is not None
    assert message.subject == "Verifikasi alamat e-mail Anda · Verify your e-mail address"
    assert message.body_text.count(LINK) == 2
    assert "Yth. Budi Santoso," in message.body_text
    assert "Dear Budi Santoso," in message.body_text
    assert f'href="{LINK}"' in message.body_html
    assert user.nik not in message.body_text + message.body_html

    assert deliver_message(message.pk)
    [mail] = mailoutbox
    assert mail.to == [user.email]
    assert mail.subject == message.subject


@pytest.mark.parametrize(
    ("event", "indonesian", "english"),
    [
        ("password_reset", "Buat kata sandi baru", "Make a new password"),
        ("email_verified", "sudah terverifikasi", "is verified"),
    ],
)
def test_the_other_account_mails(event, indonesian, english):
    user = f.CitizenFactory()

    message = notify_account(
        user=user, event=event, link=LINK if event == "password_reset" else None
    )

    assert indonesian in message.body_html
    assert english in message.body_html
    assert OutboxMessage.objects.get().kind == f"account_{event}"
