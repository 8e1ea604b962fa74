import datetime as dt

import pytest

from antre.booking.models import Booking, BookingStatus, CancelReason, Slot
from antre.booking.schedule import materialise_slots
from antre.booking.services import create_booking
from antre.catalog.models import Closure
from antre.catalog.periodic_jobs import import_holidays_ahead
from antre.catalog.services import import_national_holidays
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing import factories as f
from antre.waitlist.models import WaitlistEntry

pytestmark = pytest.mark.django_db

Source = Closure.Source


def nationwide(day: dt.date) -> dict[str, str]:
    return {
        closure.source: closure.reason
        for closure in Closure.objects.filter(
            site__isnull=True, service__isnull=True, start_date=day, end_date=day
        )
    }


def test_national_holidays_and_cuti_bersama_close_every_site():
    created = import_national_holidays(years=[2026])

    # 2026 as the package has it: 17 national holidays and 8 cuti bersama days.
    assert created == 25
    assert Closure.objects.filter(source=Source.NATIONAL_HOLIDAY).count() == 17
    assert Closure.objects.filter(source=Source.JOINT_LEAVE).count() == 8
    assert not Closure.objects.exclude(site__isnull=True, service__isnull=True).exists()
    assert nationwide(dt.date(2026, 8, 17)) == {
        Source.NATIONAL_HOLIDAY: "Hari Kemerdekaan Republik Indonesia"
    }
    assert nationwide(dt.date(2026, 6, 16)) == {Source.NATIONAL_HOLIDAY: "Tahun Baru Islam"}
    assert nationwide(dt.date(2026, 3, 20)) == {
        Source.JOINT_LEAVE: "Cuti Bersama Hari Raya Idul Fitri"
    }


def test_every_joint_leave_day_is_named_cuti_bersama():
    import_national_holidays(years=[2026, 2027])

    reasons = Closure.objects.filter(source=Source.JOINT_LEAVE).values_list("reason", flat=True)
    assert reasons
    assert all(reason.startswith("Cuti Bersama") for reason in reasons)
    assert not Closure.objects.filter(
        source=Source.NATIONAL_HOLIDAY, reason__startswith="Cuti Bersama"
    ).exists()


def test_import_is_idempotent():
    first = import_national_holidays(years=[2026, 2027])
    rows = list(Closure.objects.order_by("pk").values_list("pk", "start_date", "reason"))

    second = import_national_holidays(years=[2027, 2026, 2026])

    assert first > 0
    assert second == 0
    assert list(Closure.objects.order_by("pk").values_list("pk", "start_date", "reason")) == rows


def test_a_range_an_admin_entered_counts_as_covered_and_keeps_its_reason():
    Closure.objects.create(
        site=None,
        start_date=dt.date(2026, 3, 20),
        end_date=dt.date(2026, 3, 24),
        reason="Cuti bersama Lebaran (SKB 3 Menteri)",
        source=Source.JOINT_LEAVE,
    )

    import_national_holidays(years=[2026])

    lebaran = Closure.objects.filter(
        source=Source.JOINT_LEAVE,
        start_date__lte=dt.date(2026, 3, 24),
        end_date__gte=dt.date(2026, 3, 20),
    )
    assert list(lebaran.values_list("reason", flat=True)) == [
        "Cuti bersama Lebaran (SKB 3 Menteri)"
    ]
    # The holiday inside the range has the other source, so it is still added.
    assert nationwide(dt.date(2026, 3, 21)) == {Source.NATIONAL_HOLIDAY: "Hari Raya Idul Fitri"}


def test_a_closure_of_one_site_does_not_stand_for_the_whole_city():
    site = f.SiteFactory()
    f.ClosureFactory(
        site=site,
        start_date=dt.date(2026, 8, 17),
        reason="Upacara",
        source=Source.NATIONAL_HOLIDAY,
    )

    import_national_holidays(years=[2026])

    assert Source.NATIONAL_HOLIDAY in nationwide(dt.date(2026, 8, 17))
    assert Closure.objects.filter(start_date=dt.date(2026, 8, 17)).count() == 2


def test_no_years_imports_nothing():
    assert import_national_holidays(years=[]) == 0
    assert not Closure.objects.exists()


def test_a_holiday_declared_after_bookings_cancels_them_with_an_apology():
    """The government declares a day after citizens booked it (the frozen
    clock stands at Tuesday 2 June 2026; Tahun Baru Islam falls on Tuesday
    16 June): those bookings are cancelled through the schedule-change path,
    the citizens are told and put on the waiting list, and nothing is
    cancelled twice when the job runs again."""
    site_service = f.SiteServiceFactory()
    f.ScheduleRuleFactory(site_service=site_service)
    materialise_slots(site_service=site_service)
    holiday = Slot.objects.filter(start__date=dt.date(2026, 6, 16)).order_by("start").first()
    ordinary = Slot.objects.filter(start__date=dt.date(2026, 6, 17)).order_by("start").first()
    assert holiday is not None
    assert ordinary is not None
    stranded = create_booking(citizen=f.CitizenFactory(), slot_id=holiday.pk)
    kept = create_booking(citizen=f.CitizenFactory(), slot_id=ordinary.pk)

    import_holidays_ahead()
    import_holidays_ahead()

    stranded.refresh_from_db()
    kept.refresh_from_db()
    assert stranded.status == BookingStatus.CANCELLED
    assert stranded.cancel_reason == CancelReason.SCHEDULE_CHANGE
    assert kept.status == BookingStatus.CONFIRMED
    assert not Slot.objects.filter(start__date=dt.date(2026, 6, 16), is_open=True).exists()
    apology = OutboxMessage.objects.get(kind="booking_schedule_change")
    assert apology.recipient == stranded.citizen.email
    entry = WaitlistEntry.objects.get(citizen=stranded.citizen)
    assert entry.latest == dt.date(2026, 6, 16)
    event = AuditEvent.objects.get(action="schedule.holidays_applied")
    assert event.data["cancelled"] == [stranded.display_code]
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 1
