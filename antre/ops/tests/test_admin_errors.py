"""A server error reaches the admins by e-mail through the outbox, once, without personal data."""

import pytest
from django.core import mail
from django.test import Client

from antre.notifications.models import OutboxMessage

pytestmark = pytest.mark.urls("antre.ops.tests.urls")

ADMINS = ["Tim Operasi <ops@kota.go.id>", "oncall@kota.go.id"]


@pytest.fixture
def admins(settings):
    settings.ADMINS = ADMINS
    # The throttle remembers in the cache: a private, empty one per test.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "admin-error-tests",
        }
    }
    from django.core.cache import cache

    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_a_500_is_mailed_to_each_admin_through_the_outbox(admins):
    client = Client(raise_request_exception=False)
    response = client.post("/broken/", {"nik": "3275010101900001", "name": "Siti Aminah"})
    assert response.status_code == 500
    messages = list(OutboxMessage.objects.filter(kind="admin_error").order_by("recipient"))
    assert sorted(message.recipient for message in messages) == sorted(ADMINS)
    message = messages[0]
    assert message.subject.startswith("[antre] ERROR")
    assert "RuntimeError" in message.body_text
    assert response["X-Request-ID"]
    # Neither the form's values nor the NIK in the error leave the server.
    assert "3275010101900001" not in message.body_text + message.subject
    assert "327501********01" in message.body_text
    assert "Siti Aminah" not in message.body_text
    assert message.body_html == ""


@pytest.mark.django_db(transaction=True)
def test_the_same_error_again_is_not_mailed_again_within_the_interval(admins):
    client = Client(raise_request_exception=False)
    client.get("/broken/")
    client.get("/broken/")
    client.get("/broken/")
    assert OutboxMessage.objects.filter(kind="admin_error").count() == len(ADMINS)


@pytest.mark.django_db
def test_inside_a_transaction_the_report_goes_straight_to_the_mailer(admins):
    # The test's own transaction stands for a caller's that may roll back.
    mail.outbox.clear()
    Client(raise_request_exception=False).get("/broken/")
    assert not OutboxMessage.objects.filter(kind="admin_error").exists()
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == sorted(ADMINS)
    assert "3275010101900001" not in mail.outbox[0].body


@pytest.mark.django_db
def test_without_admins_nothing_is_sent(settings):
    settings.ADMINS = []
    mail.outbox.clear()
    Client(raise_request_exception=False).get("/broken/")
    assert mail.outbox == []
    assert not OutboxMessage.objects.filter(kind="admin_error").exists()
