import hashlib
import json
import threading

import pytest
from django.db import connections
from django.test import Client, RequestFactory

from antre.accounts.tokens import create_api_token
from antre.api import idempotency
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


def test_a_body_sent_as_another_media_type_is_refused_and_its_key_stays_free(client, token):
    refused = client.post(
        "/api/v1/notes",
        json.dumps({"text": "hello"}),
        content_type="text/plain",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY="k-media",
    )
    assert refused.status_code == 415
    assert notes() == 0

    # The same JSON sent right is the request, not a replay of the refusal.
    sent = post(client, token, "hello", key="k-media")
    assert sent.status_code == 201
    assert "Idempotent-Replayed" not in sent
    assert notes() == 1


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


# --- the same JSON, however it is written ----------------------------------------


def post_raw(client, token, body: bytes | str, key: str, content_type="application/json"):
    return client.post(
        "/api/v1/notes",
        body,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@pytest.mark.parametrize(
    "retry",
    [
        '{"text":"hello","tag":1}',
        '{ "tag" : 1 ,\n  "text" : "hello" }',
        '{"tag": 1, "text": "h\\u0065llo"}',
    ],
)
def test_the_same_json_written_otherwise_replays(client, token, retry):
    first = post_raw(client, token, '{"text": "hello", "tag": 1}', "k-json")
    again = post_raw(client, token, retry, "k-json")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert notes() == 1


@pytest.mark.parametrize(
    "other", ['{"text": "hello", "tag": 2}', '{"text": "hello", "tag": 1.0}', '{"text": "hello"}']
)
def test_other_json_is_another_request(client, token, other):
    post_raw(client, token, '{"text": "hello", "tag": 1}', "k-json")

    reused = post_raw(client, token, other, "k-json")

    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert notes() == 1


def raw_digest(body: bytes) -> str:
    """The fingerprint of a POST /api/v1/notes as it was before JSON bodies
    were taken in their canonical form: of the body's bytes."""
    return hashlib.sha256(b"POST\x00/api/v1/notes\x00" + body + b"\x00").hexdigest()


def test_a_body_that_is_not_json_is_fingerprinted_by_its_bytes():
    spaced = RequestFactory().post("/api/v1/notes", b"text = hello", content_type="text/plain")
    tight = RequestFactory().post("/api/v1/notes", b"text=hello", content_type="text/plain")

    assert idempotency.fingerprint(spaced) == raw_digest(b"text = hello")
    assert idempotency.fingerprint(tight) == raw_digest(b"text=hello")


def test_a_json_body_is_fingerprinted_in_canonical_form():
    request = RequestFactory().post(
        "/api/v1/notes", b'{"text": "hello", "tag": 1}', content_type="application/json"
    )

    assert idempotency.fingerprint(request) == raw_digest(b'{"tag":1,"text":"hello"}')


def test_a_record_of_the_raw_bytes_written_before_still_replays(client, token):
    """Records written before the canonical fingerprint (kept up to 24 h)
    hold the digest of the raw body: the same bytes still replay."""
    body = b'{"text": "hello", "tag": 1}'
    first = post_raw(client, token, body, "k-old")
    IdempotencyRecord.objects.filter(key="k-old").update(fingerprint=raw_digest(body))

    again = post_raw(client, token, body, "k-old")
    other = post_raw(client, token, b'{"text": "bye"}', "k-old")

    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert other.json()["code"] == "idempotency_key_reused"
    assert notes() == 1


def test_the_body_is_parsed_once(client, token, monkeypatch):
    body = b'{"text": "parsed once"}'
    parsed = []
    original = json.loads

    def counting(text, *args, **kwargs):
        if text == body:
            parsed.append(text)
        return original(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting)

    assert post_raw(client, token, body, "k-once").status_code == 201
    assert len(parsed) == 1
