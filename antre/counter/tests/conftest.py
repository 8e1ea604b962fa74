"""The on-site hall of antre/onsite/tests (two services, two counters, a room
for three) with the people who use the counter pages."""

from __future__ import annotations

import pytest
from django.test import Client

from antre.accounts.models import Role, User
from antre.onsite.services import issue_walk_in
from antre.onsite.tests import conftest as onsite_conftest
from antre.onsite.tests.conftest import Hall
from antre.testing import factories as f

PASSWORD = "rahasia-Kuat-123"

hall = onsite_conftest.hall  # the fixture, shared with the on-site tests


@pytest.fixture
def officer(hall: Hall) -> User:
    return f.StaffFactory(username="petugas-mpp", role=Role.OFFICER, role__site=hall.site)


@pytest.fixture
def officer_client(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


def walk_in(hall: Hall, service=None, priority: str = ""):
    return issue_walk_in(
        site=hall.site, service=service or hall.service_a, actor=None, priority=priority
    )
