"""``python -m bench.prepare TOKENS.csv PLAN.json``: read what a run needs from
a seeded antre database and write it as one JSON plan.

Runs inside antre's own settings (the runner sets DATABASE_URL, ANTRE_CLOCK
and the rest), after ``seed_demo`` and ``loadtest-citizens``. It makes bearer
tokens for the devices and officers that the on-site phase plays (the kiosks,
boards and officers of the demo city), lifts the walk-in quotas of the sites
it uses so that the phase measures the queue rather than the quota, and lists
the slots of the hot service day by day. Nothing else is changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    tokens_path, plan_path = Path(argv[0]), Path(argv[1])
    onsite_sites = (argv[2] if len(argv) > 2 else "mpp-kota-bekasi,gerai-atrium-pondok-gede").split(
        ","
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    plan = build_plan(tokens_path, onsite_sites)
    plan_path.write_text(json.dumps(plan))
    print(
        f"plan: {len(plan['citizens'])} citizens, {len(plan['rush']['days'])} rush days, "
        f"{len(plan['onsite']['counters'])} counters, {len(plan['onsite']['kiosks'])} kiosks"
    )
    return 0


def build_plan(tokens_path: Path, onsite_sites: list[str]) -> dict[str, Any]:
    from antre.accounts.models import User
    from antre.catalog.models import Service, Site, SiteService
    from antre.core import clock

    hot_site = os.environ["BENCH_HOT_SITE"]
    hot_service = os.environ["BENCH_HOT_SERVICE"]
    sellout_service = os.environ["BENCH_SELLOUT_SERVICE"]

    with tokens_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ids = dict(
        User.objects.filter(email__in=[row["email"] for row in rows]).values_list("email", "pk")
    )
    citizens = [[ids[row["email"]], row["token"]] for row in rows]
    citizen_ids = sorted(pk for pk, _token in citizens)
    contiguous = bool(citizen_ids) and citizen_ids[-1] - citizen_ids[0] + 1 == len(citizen_ids)

    site = Site.objects.get(slug=hot_site)
    tz = site.tzinfo
    today = clock.today(tz)
    rush = slot_days(hot_site, hot_service, first=today + dt.timedelta(days=1))
    sellout = slot_days(hot_site, sellout_service, first=today + dt.timedelta(days=1))
    hot = SiteService.objects.get(site__slug=hot_site, service__slug=hot_service)
    first_day = dt.date.fromisoformat(rush["days"][0][0])
    sites = list(Site.objects.filter(is_active=True).order_by("pk").values_list("slug", flat=True))
    onsite = onsite_plan(onsite_sites)
    return {
        "clock": clock.now().isoformat(),
        "today": today.isoformat(),
        "citizens": citizens,
        "citizen_range": [citizen_ids[0], citizen_ids[-1]] if contiguous else None,
        "services": list(Service.objects.order_by("pk").values_list("pk", flat=True)),
        "rush": rush,
        "sellout": {**sellout, "days": sellout["days"][:1]},
        "hot": {"site_service": hot.pk, "site": hot.site_id, "service": hot.service_id},
        "reads": {
            "availability_1d": [
                f"/api/v1/availability?site={hot_site}&service={hot_service}"
                f"&from={first_day}&to={first_day}"
            ],
            "availability_31d": [
                f"/api/v1/availability?site={hot_site}&service={hot_service}"
                f"&from={today}&to={today + dt.timedelta(days=30)}"
            ],
            "directory": ["/api/v1/sites"] + [f"/api/v1/sites/{slug}/services" for slug in sites],
            "bare_1d": [
                f"/bare/slots?site_service={hot.pk}&from={first_day}&to={first_day}",
            ],
            "board": [
                [f"/api/v1/sites/{board['site']}/board", board["token"]]
                for board in onsite["boards"]
            ],
            "bare_31d": [
                f"/bare/slots?site_service={hot.pk}&from={today}"
                f"&to={today + dt.timedelta(days=30)}",
            ],
        },
        "onsite": onsite,
    }


def slot_days(site_slug: str, service_slug: str, *, first: dt.date) -> dict[str, Any]:
    """The open slots of a site service from local day ``first`` to the end of
    its booking window, grouped by local day (days without slots left out)."""
    from antre.booking.models import Slot
    from antre.catalog.models import SiteService
    from antre.core import clock

    site_service = SiteService.objects.select_related("site", "service").get(
        site__slug=site_slug, service__slug=service_slug
    )
    site, service = site_service.site, site_service.service
    tz = site.tzinfo
    last = clock.today(tz) + dt.timedelta(days=service.booking_opens_days)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    days: dict[str, list[int]] = {}
    for pk, slot_start in (
        Slot.objects.filter(
            site_service=site_service, is_open=True, start__gte=start, start__lt=end
        )
        .order_by("start")
        .values_list("pk", "start")
    ):
        days.setdefault(slot_start.astimezone(tz).date().isoformat(), []).append(pk)
    return {
        "site_service": site_service.pk,
        "site": site.pk,
        "service": service.pk,
        "site_slug": site.slug,
        "service_slug": service.slug,
        "days": sorted(days.items()),
    }


def onsite_plan(site_slugs: list[str]) -> dict[str, Any]:
    """Kiosk and board tokens of each site, the walk-in services there (their
    quotas lifted), and each counter serving one of them with a token of its
    officer."""
    from antre.accounts.models import User
    from antre.accounts.tokens import create_api_token
    from antre.catalog.models import Counter, Site, SiteService

    kiosks, boards, counters = [], [], []
    for slug in site_slugs:
        site = Site.objects.get(slug=slug)
        walk_ins = [
            site_service
            for site_service in SiteService.objects.select_related("service").filter(
                site=site, is_active=True, service__is_active=True, service__walk_in_allowed=True
            )
            if site_service.effective_walk_in_quota > 0
        ]
        SiteService.objects.filter(pk__in=[row.pk for row in walk_ins]).update(
            walk_in_daily_quota=1_000_000
        )
        services = sorted(row.service.slug for row in walk_ins)
        kiosk_user = User.objects.get(username=f"kiosk-{slug}")
        board_user = User.objects.get(username=f"board-{slug}")
        kiosks.append(
            {
                "site": slug,
                "services": services,
                "token": create_api_token(user=kiosk_user, name="bench")[1],
            }
        )
        boards.append({"site": slug, "token": create_api_token(user=board_user, name="bench")[1]})
        walk_in_ids = {row.pk for row in walk_ins}
        for counter in Counter.objects.filter(site=site, is_active=True).order_by("number"):
            served = set(counter.site_services.values_list("pk", flat=True))
            if not served & walk_in_ids:
                continue
            officer = User.objects.get(username=f"officer-{slug}-{counter.number}")
            counters.append(
                {
                    "id": counter.pk,
                    "site": slug,
                    "token": create_api_token(user=officer, name="bench")[1],
                }
            )
    return {"kiosks": kiosks, "boards": boards, "counters": counters}


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
