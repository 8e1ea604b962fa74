import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from antre.accounts import loadtest
from antre.accounts import nik as nik_module
from antre.accounts.loadtest import NIK_CAPACITY, loadtest_nik
from antre.accounts.models import ApiToken, User
from antre.accounts.services import authenticate_citizen
from antre.accounts.tokens import authenticate_token
from antre.core.models import AuditEvent
from antre.testing import factories as f

pytestmark = pytest.mark.django_db

COMMAND = "loadtest-citizens"


def run(out, *arguments):
    stdout = StringIO()
    call_command(COMMAND, "--out", str(out), *arguments, stdout=stdout)
    return stdout.getvalue()


def read(out):
    with out.open(newline="") as handle:
        return list(csv.reader(handle))


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    # Several batches without thousands of rows.
    monkeypatch.setattr(loadtest, "BATCH_SIZE", 10)


@pytest.fixture(autouse=True)
def debug_mode(settings):
    # The command runs anywhere in debug; CI also runs these tests on PostgreSQL.
    settings.DEBUG = True


def test_creates_verified_test_citizens_and_a_file_of_their_tokens(tmp_path):
    out = tmp_path / "citizens.csv"

    printed = run(out, "--count", "25")

    rows = read(out)
    assert rows[0] == ["email", "token"]
    assert [email for email, _token in rows[1:]] == [
        f"loadtest-{number:06d}@loadtest.antre.test" for number in range(1, 26)
    ]
    citizens = User.objects.filter(is_test_account=True)
    assert citizens.count() == 25
    assert all(citizen.is_citizen and citizen.email_verified for citizen in citizens)
    assert ApiToken.objects.count() == 25
    for email, token in rows[1:]:
        assert authenticate_token(token).email == email
    assert authenticate_citizen(email=rows[7][0], password="Uji-Beban-Antre-2026")
    assert "Created 25 test citizens" in printed
    assert AuditEvent.objects.filter(action="account.loadtest_created").count() == 1


def test_their_niks_are_valid_distinct_and_stored_like_registered_ones(tmp_path):
    run(tmp_path / "out.csv", "--count", "25")

    citizens = list(User.objects.filter(is_test_account=True))
    niks = [citizen.nik for citizen in citizens]
    assert len(set(niks)) == 25
    assert all(nik_module.validate(nik) == nik for nik in niks)
    assert all(citizen.nik_digest == nik_module.digest(citizen.nik) for citizen in citizens)
    assert all(citizen.nik_masked == nik_module.mask(citizen.nik) for citizen in citizens)


def test_the_shared_password_can_be_chosen(tmp_path):
    out = tmp_path / "out.csv"
    run(out, "--count", "1", "--password", "Sandi-Uji-Lain-1")

    assert authenticate_citizen(email=read(out)[1][0], password="Sandi-Uji-Lain-1")


def test_running_again_numbers_on(tmp_path):
    run(tmp_path / "first.csv", "--count", "12")
    run(tmp_path / "second.csv", "--count", "5")

    second = read(tmp_path / "second.csv")
    assert second[1][0] == "loadtest-000013@loadtest.antre.test"
    assert len(second) == 6
    assert User.objects.filter(is_test_account=True).count() == 17
    assert len(set(User.objects.values_list("nik_digest", flat=True))) == 17


def test_a_nik_held_by_a_real_citizen_is_skipped(tmp_path):
    real = f.CitizenFactory(nik=loadtest_nik(3))

    run(tmp_path / "out.csv", "--count", "20")

    assert User.objects.filter(nik_digest=real.nik_digest).get() == real
    assert User.objects.filter(is_test_account=True).count() == 20


def test_refuses_a_production_looking_database_without_force(tmp_path, settings):
    settings.DEBUG = False
    settings.DATABASE_IS_SQLITE = False
    out = tmp_path / "out.csv"

    with pytest.raises(CommandError, match="--force"):
        run(out, "--count", "3")
    assert not User.objects.exists()
    assert not out.exists()

    run(out, "--count", "3", "--force")
    assert User.objects.filter(is_test_account=True).count() == 3


def test_runs_on_postgresql_in_debug(tmp_path, settings):
    settings.DEBUG = True
    settings.DATABASE_IS_SQLITE = False

    run(tmp_path / "out.csv", "--count", "2")

    assert User.objects.count() == 2


@pytest.mark.parametrize("count", ["0", "-1", "1000001"])
def test_refuses_a_silly_count(tmp_path, count):
    with pytest.raises(CommandError, match="--count"):
        run(tmp_path / "out.csv", "--count", count)


def test_an_unwritable_file_fails_before_anything_is_created(tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        run(tmp_path / "no-such-dir" / "out.csv", "--count", "3")

    assert not User.objects.exists()


def test_test_niks_are_distinct_and_valid_across_every_digit():
    indexes = [0, 1, 9998, 9999, 10_000, 9999 * 28, 9999 * 28 * 12, 9999 * 28 * 12 * 30]
    indexes += [NIK_CAPACITY - 1, 123_456_789]
    niks = [loadtest_nik(index) for index in indexes]

    assert len(set(niks)) == len(niks)
    assert all(nik_module.validate(nik) == nik for nik in niks)
    assert loadtest_nik(0) == "3275010101700001"
    assert loadtest_nik(NIK_CAPACITY - 1) == "3275122812999999"
    with pytest.raises(ValueError, match="No test NIK"):
        loadtest_nik(NIK_CAPACITY)


def test_the_first_twenty_thousand_test_niks_are_distinct_and_valid():
    niks = {loadtest_nik(index) for index in range(20_000)}

    assert len(niks) == 20_000
    assert all(nik_module.validate(nik) == nik for nik in niks)
