import pytest

from antre.booking.models import BookingStatus
from antre.core.codes import format_code
from antre.onsite import errors
from antre.onsite.models import BoardEvent, Ticket, TicketKind, TicketStatus
from antre.onsite.services import check_in
from antre.testing import factories as f

pytestmark = pytest.mark.django_db


def test_check_in_turns_a_booking_into_a_numbered_ticket(hall):
    booking = hall.booking("2026-06-02T09:30+07:00")

    ticket = check_in(site=hall.site, code=format_code(booking.code).lower(), actor=None)

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    assert ticket.number == "A-001"
    assert ticket.kind == TicketKind.APPOINTMENT
    assert ticket.status == TicketStatus.WAITING
    assert ticket.booking == booking
    assert ticket.admitted_at is not None  # the room has places
    assert BoardEvent.objects.filter(site=hall.site, kind="board.updated").exists()


@pytest.mark.parametrize(
    ("start", "error"),
    [
        ("2026-06-02T09:36+07:00", errors.TooEarly),  # opens 30 min before: 09:06
        ("2026-06-02T09:35+07:00", None),
        ("2026-06-02T08:50+07:00", None),  # closes 15 min after: 09:05
        ("2026-06-02T08:49+07:00", errors.TooLate),
    ],
)
def test_the_check_in_window(hall, start, error):
    booking = hall.booking(start)
    if error is None:
        assert check_in(site=hall.site, code=booking.code, actor=None)
    else:
        with pytest.raises(error):
            check_in(site=hall.site, code=booking.code, actor=None)
        assert not Ticket.objects.exists()


def test_twice_is_already_checked_in(hall):
    booking = hall.booking("2026-06-02T09:30+07:00")
    check_in(site=hall.site, code=booking.code, actor=None)
    with pytest.raises(errors.AlreadyCheckedIn):
        check_in(site=hall.site, code=booking.code, actor=None)
    assert Ticket.objects.count() == 1


def test_a_cancelled_booking(hall):
    booking = hall.booking("2026-06-02T09:30+07:00")
    booking.status = BookingStatus.CANCELLED
    booking.save()
    with pytest.raises(errors.BookingCancelled):
        check_in(site=hall.site, code=booking.code, actor=None)


def test_another_sites_booking(hall):
    booking = hall.booking("2026-06-02T09:30+07:00")
    with pytest.raises(errors.WrongSite):
        check_in(site=f.SiteFactory(), code=booking.code, actor=None)


@pytest.mark.parametrize("code", ["", "nonsense", "AAAAAAAAA", "7K3M-9QXZ4"])
def test_unknown_codes(hall, code):
    with pytest.raises(errors.UnknownCode):
        check_in(site=hall.site, code=code, actor=None)


def test_numbers_run_per_service_and_day(hall, frozen_clock):
    a1 = check_in(site=hall.site, code=hall.booking("2026-06-02T09:30+07:00").code, actor=None)
    b1 = check_in(
        site=hall.site,
        code=hall.booking("2026-06-02T09:30+07:00", service=hall.service_b).code,
        actor=None,
    )
    a2 = check_in(site=hall.site, code=hall.booking("2026-06-02T09:30+07:00").code, actor=None)
    frozen_clock.move_to("2026-06-03T09:05+07:00")
    next_day = check_in(
        site=hall.site, code=hall.booking("2026-06-03T09:30+07:00").code, actor=None
    )
    assert [a1.number, b1.number, a2.number, next_day.number] == [
        "A-001",
        "B-001",
        "A-002",
        "A-001",
    ]
