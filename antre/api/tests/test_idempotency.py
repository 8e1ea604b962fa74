import json
import threading

import pytest
from django.db import connections
from django.test import Client

from antre.accounts.tokens import create_api_token
from antre.core.jobs import prune_idempotency_records
from antre.core.models import AuditEvent, IdempotencyRecord
from antre.testing import factories as f

pytestmark = pytest.mark.urls("antre.api.tests.urls")


@pytest.fixture
def token(db):
    return create_api_token(user=f.CitizenFactory(), name="test")[1]


def post(client, token, text, key=None, **headers):
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post(
        "/api/v1/notes",
        json.dumps({"text": text}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def notes():
    return AuditEvent.objects.filter(action="test.note").count()


def test_a_repeated_key_replays_the_first_answer_and_creates_nothing(client, token):
    first = post(client, token, "hello", key="k-1")
    again = post(client, token, "hello", key="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert notes() == 1


def test_without_a_key_every_post_creates(client, token):
    post(client, token, "hello")
    post(client, token, "hello")
    assert notes() == 2


def test_keys_are_per_caller(client, token):
    other = create_api_token(user=f.CitizenFactory(), name="other")[1]
    post(client, token, "hello", key="shared")
    post(client, other, "hello", key="shared")
    assert notes() == 2


def test_a_key_reused_for_another_request_is_refused(client, token):
    post(client, token, "hello", key="k-2")
    reused = post(client, token, "something else", key="k-2")

    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert notes() == 1


def test_a_4xx_answer_is_the_answer(client, token):
    first = post(client, token, "conflict", key="k-3")
    again = post(client, token, "conflict", key="k-3")
    assert first.status_code == again.status_code == 409
    assert again.json()["code"] == "slot_full"


def test_a_5xx_answer_is_not_recorded_and_undoes_its_writes(token):
    client = Client(raise_request_exception=False)
    assert post(client, token, "boom", key="k-4").status_code == 500
    assert not IdempotencyRecord.objects.exists()


def test_keys_expire_after_24_hours(client, token, frozen_clock):
    post(client, token, "hello", key="k-5")
    frozen_clock.advance(hours=24, seconds=1)
    again = post(client, token, "hello", key="k-5")
    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert notes() == 2


def test_expired_answers_are_pruned_by_the_hourly_job(client, token, frozen_clock):
    post(client, token, "old", key="k-6")
    frozen_clock.advance(hours=12)
    post(client, token, "recent", key="k-7")
    frozen_clock.advance(hours=12, seconds=1)

    assert prune_idempotency_records() == 1

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-7"]
    replayed = post(client, token, "recent", key="k-7")
    assert replayed["Idempotent-Replayed"] == "true"


def test_an_absurd_key_is_refused(client, token):
    response = post(client, token, "hello", key="x" * 201)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_idempotency_key"
    assert notes() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_once():
    token = create_api_token(user=f.CitizenFactory(), name="race")[1]
    barrier = threading.Barrier(8)
    answers = []

    def send():
        try:
            barrier.wait(timeout=30)
            answers.append(post(Client(), token, "race", key="same").json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(answers) == 8
    assert notes() == 1
    assert len({answer["id"] for answer in answers}) == 1
