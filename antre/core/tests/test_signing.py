"""Signed tokens carry the antre clock's time, not the machine's."""

from __future__ import annotations

from django.core import signing as django_signing

from antre.core import clock, signing


def test_a_token_is_stamped_by_the_clock_and_reads_with_django() -> None:
    with clock.freeze("2026-06-02T09:05:00+07:00"):
        first = signing.dumps({"a": 1}, salt="s")
        again = signing.dumps({"a": 1}, salt="s")

    assert first == again
    assert django_signing.loads(first, salt="s") == {"a": 1}
    stamp = first.rsplit(":", 2)[1]
    assert django_signing.b62_decode(stamp) == 1780365900  # 2026-06-02 02:05 UTC


def test_a_compressed_token_reads_back() -> None:
    with clock.freeze("2026-06-02T09:05:00+07:00"):
        token = signing.dumps({"text": "x" * 500}, salt="s", compress=True)
    assert django_signing.loads(token, salt="s") == {"text": "x" * 500}
