"""``antre serve``: the links antre writes follow the port it serves."""

from typing import Any

import pytest
from django.core.management import call_command


class FakeServer:
    started: list[dict[str, Any]] = []

    def __init__(self, target: str, **options: Any) -> None:
        self.options = {"target": target, **options}

    def serve(self) -> None:
        FakeServer.started.append(self.options)


@pytest.fixture
def fake_granian(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import granian.server

    from antre.core.management.commands import serve

    FakeServer.started = []
    monkeypatch.setattr(granian.server, "Server", FakeServer)
    # Not this test process's metrics files.
    monkeypatch.setattr(serve, "prepare_metrics_directory", lambda: None)
    monkeypatch.delenv("ANTRE_BASE_URL", raising=False)
    return FakeServer.started


def test_served_on_another_port_the_links_name_that_port(fake_granian, settings):
    settings.PORT, settings.BASE_URL = 8000, "http://127.0.0.1:8000"

    call_command("serve", "--port", "8123", "--interface", "wsgi", "--workers", "1")

    assert fake_granian[0]["port"] == 8123
    assert settings.BASE_URL == "http://127.0.0.1:8123"
    assert "http://127.0.0.1:8123" in settings.CSRF_TRUSTED_ORIGINS


def test_a_base_url_set_for_the_deployment_is_kept(fake_granian, settings, monkeypatch):
    monkeypatch.setenv("ANTRE_BASE_URL", "https://antre.kota.go.id")
    settings.PORT, settings.BASE_URL = 8000, "https://antre.kota.go.id"

    call_command("serve", "--port", "8123", "--workers", "1")

    assert settings.BASE_URL == "https://antre.kota.go.id"
