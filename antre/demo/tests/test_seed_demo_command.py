"""``antre seed_demo``, as ``antre run`` calls it on every start."""

from io import StringIO

import pytest
from django.core.management import call_command

from antre.catalog.models import Agency, Site
from antre.demo.seed import DEMO_PASSWORD, demo_logins
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


def run_seed_demo(**options: object) -> str:
    output = StringIO()
    call_command("seed_demo", stdout=output, **options)
    return output.getvalue()


def test_only_if_empty_seeds_an_empty_database_and_prints_the_logins():
    assert demo_logins() == {}

    output = run_seed_demo(only_if_empty=True)

    assert Site.objects.count() >= 5
    assert f"password: {DEMO_PASSWORD}" in output
    for login in ("admin", "admin-disdukcapil", "kiosk-mpp-kota-bekasi", "warga@antre.test"):
        assert login in output
    assert "officer-mpp-kota-bekasi-1…" in output
    assert demo_logins()["city admin"] == ["admin"]


def test_only_if_empty_leaves_a_database_with_sites_alone():
    f.SiteFactory(slug="gerai-lain")

    output = run_seed_demo(only_if_empty=True)

    assert "not loaded" in output
    assert list(Site.objects.values_list("slug", flat=True)) == ["gerai-lain"]
    assert not Agency.objects.exists()
    assert demo_logins() == {}
