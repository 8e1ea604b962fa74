"""The authorisation matrix of every page (issue #9): the citizens' pages,
the kiosk, the counter console, the board, the health and metrics probes and
the whole back office (every model admin's changelist, add, change, history
and delete views, the reports and their CSV exports, the planner) against
every persona (``antre.testing.personas.PERSONAS``), each signed in as it
really is, with a session; anonymous has none.

Each ``Probe`` names the personas that succeed and those to whom the object
does not exist; everyone else is refused (403, 401, or the way to a login
page). In the back office "does not exist" is Django admin's redirect to its
index, for an object outside the person's scope exactly as for a missing one;
in a report's filter it is the form's 400 for a site or agency outside the
scope, exactly as for an unknown one. ``test_every_route_is_in_the_matrix``
fails for any route outside /api/v1 that no probe requests (the API has its
own matrix: antre/api/tests/test_authorization_matrix.py). The run's summary
line gives the count of cells (requests x personas) checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client

from antre.accounts.models import ApiToken
from antre.accounts.passwords import password_reset_link
from antre.core.codes import new_code
from antre.core.models import AuditEvent
from antre.notifications.models import OutboxMessage
from antre.testing.matrix import (
    EVERYONE,
    SIGNED_IN,
    Probe,
    World,
    all_routes,
    classify,
    drain,
    module_world,
    rolled_back,
    route_of,
    summary,
)
from antre.testing.personas import PERSONAS

ADMINS = frozenset({"agency_admin_a", "agency_admin_b", "site_admin_s", "city_admin"})
AA, AB, SS, CA = "agency_admin_a", "agency_admin_b", "site_admin_s", "city_admin"
KIOSK_S = {"kiosk_s", SS, CA}
BOARD_S = {"board_s", "kiosk_s", "officer_s_a", SS, CA}
COUNTER_S_A = {"officer_s_a", SS, CA}
CITIZENS = frozenset({"citizen_a", "citizen_b"})
REPORT_FORM_REFUSAL = 400


def at(template: str, **attributes: str) -> Callable[[World], str]:
    """A path filled in from the world: ``at("/loket/{id}/", id="own.counter_s_a.pk")``."""

    def path(world: World) -> str:
        values = {}
        for key, dotted in attributes.items():
            value: Any = world
            for part in dotted.split("."):
                value = getattr(value, part)
            values[key] = value
        return template.format(**values)

    path.__name__ = template
    return path


def reset_link(world: World) -> str:
    return password_reset_link(world.city.citizen_a).removeprefix(settings.BASE_URL)


reset_link.__name__ = "/akun/sandi/atur/{uid}/{token}/"


def proof_page(world: World) -> str:
    from antre.waitlist import proof

    facts = proof.booking_facts(world.own.booking_a, world.city.citizen_a)
    return f"/bukti/{proof.sign(facts)}/"


proof_page.__name__ = "/bukti/{token}/"


def attendance_page(world: World) -> str:
    from antre.booking.confirmation import attendance_token

    return f"/kehadiran/{attendance_token(world.own.booking_a, 'confirm')}/"


attendance_page.__name__ = "/kehadiran/{token}/"


def owner_only(owner: str) -> dict[str, Any]:
    """The page of a citizen's own thing: theirs; to every other signed-in
    persona it does not exist."""
    return {"allow": {owner}, "hide": SIGNED_IN - {owner}}


# --- the citizens' pages ---------------------------------------------------------

CITIZEN_PROBES = [
    Probe("GET", "/", EVERYONE),
    Probe("GET", "/favicon.ico", EVERYONE),
    Probe("GET", "/akun/daftar/", EVERYONE),
    Probe("GET", "/akun/daftar/selesai/", EVERYONE),
    Probe("GET", "/akun/verifikasi/", EVERYONE),
    Probe("POST", "/akun/verifikasi/kirim-ulang/", SIGNED_IN),
    Probe("GET", "/akun/masuk/", EVERYONE),
    Probe("POST", "/akun/keluar/", EVERYONE, login_is_target=True),
    Probe("GET", "/akun/sandi/lupa/", EVERYONE),
    Probe("GET", "/akun/sandi/lupa/terkirim/", EVERYONE),
    Probe("GET", reset_link, EVERYONE),
    # A link that is no link: the same page for everyone, the form refused.
    Probe(
        "GET",
        "/akun/sandi/atur/MQ/bukan-token/",
        EVERYONE,
        ok_statuses=frozenset({400}),
        label="/akun/sandi/atur/{bad}/",
    ),
    Probe("GET", "/akun/profil/", SIGNED_IN),
    Probe("GET", "/gerai/gerai-s/layanan/layanan-a/", EVERYONE),
    Probe("GET", "/gerai/gerai-x/layanan/layanan-a/", (), hide=EVERYONE, label="/gerai/{unknown}"),
    Probe(
        "GET", at("/gerai/gerai-s/layanan/layanan-a/slot/{id}/", id="own.free_slot_a.pk"), SIGNED_IN
    ),
    Probe("GET", "/gerai/gerai-s/layanan/layanan-a2/daftar-tunggu/", SIGNED_IN),
    Probe("GET", "/daftar-tunggu/", SIGNED_IN),
    Probe(
        "POST",
        at(
            "/daftar-tunggu/{entry}/terima/{offer}/",
            entry="own.waitlist_a.pk",
            offer="own.offer_a.pk",
        ),
        **owner_only("citizen_a"),
    ),
    Probe(
        "POST", at("/daftar-tunggu/{id}/keluar/", id="own.waitlist_a.pk"), **owner_only("citizen_a")
    ),
    Probe("GET", "/pemesanan/", SIGNED_IN),
    Probe("GET", at("/pemesanan/{code}/", code="own.booking_a.code"), **owner_only("citizen_a")),
    Probe("GET", at("/pemesanan/{code}/", code="own.booking_b.code"), **owner_only("citizen_b")),
    # A code never issued: the same 404 as someone else's booking.
    Probe(
        "GET",
        lambda world: f"/pemesanan/{new_code()}/",
        (),
        hide=SIGNED_IN,
        label="/pemesanan/{new}/",
    ),
    Probe(
        "GET",
        at("/pemesanan/{code}/kalender.ics", code="own.booking_a.code"),
        **owner_only("citizen_a"),
    ),
    Probe(
        "GET", at("/pemesanan/{code}/batal/", code="own.booking_a.code"), **owner_only("citizen_a")
    ),
    Probe(
        "POST", at("/pemesanan/{code}/batal/", code="own.booking_a.code"), **owner_only("citizen_a")
    ),
    Probe(
        "GET", at("/pemesanan/{code}/ubah/", code="own.booking_a.code"), **owner_only("citizen_a")
    ),
    Probe(
        "POST",
        at("/pemesanan/{code}/ubah/{slot}/", code="own.booking_a.code", slot="own.free_slot_a.pk"),
        **owner_only("citizen_a"),
    ),
    Probe("POST", "/i18n/setlang/", EVERYONE, body={"language": "en", "next": "/"}),
    # A citizen's own data: staff and device accounts hold none (404).
    Probe("GET", "/akun/data/", CITIZENS, hide=SIGNED_IN - CITIZENS),
    Probe("POST", "/akun/data/unduh/", CITIZENS, hide=SIGNED_IN - CITIZENS),
    Probe("GET", "/akun/hapus/", CITIZENS, hide=SIGNED_IN - CITIZENS),
    Probe("GET", "/akun/hapus/selesai/", EVERYONE),
    Probe(
        "GET",
        at("/pemesanan/{code}/bukti.pdf", code="own.booking_a.code"),
        **owner_only("citizen_a"),
    ),
    Probe(
        "GET",
        at("/daftar-tunggu/{id}/bukti.pdf", id="own.waitlist_a.pk"),
        **owner_only("citizen_a"),
    ),
    # The verification page behind a proof's QR code: the signed token is the key.
    Probe("GET", proof_page, EVERYONE),
    Probe(
        "GET",
        "/gerai/gerai-s/layanan/layanan-a/minta-kursi/2026-06-20/",
        SIGNED_IN,
        label="/gerai/gerai-s/layanan/layanan-a/minta-kursi/{day}/",
    ),
    Probe(
        "POST",
        "/daftar-tunggu/permintaan/999999/tarik/",
        (),
        hide=SIGNED_IN,
        label="/daftar-tunggu/permintaan/{missing}/tarik/",
    ),
    # Confirm or release from the e-mail: the signed token is the key.
    Probe("GET", attendance_page, EVERYONE),
    Probe("GET", "/kehadiran/bukan-token/", (), hide=EVERYONE, label="/kehadiran/{bad}/"),
]

# --- the floor: kiosk, counters, board, the live ticket ----------------------------

FLOOR_PROBES = [
    Probe("GET", "/kiosk/gerai-s/", KIOSK_S),
    # Site T's kiosk is not site S's (nor its site admin's).
    Probe("GET", "/kiosk/gerai-t/", {CA}),
    Probe(
        "POST",
        "/kiosk/gerai-s/check-in/",
        KIOSK_S,
        body=lambda world: {"code": world.own.arriving_b.code},
    ),
    Probe("POST", "/kiosk/gerai-s/tanpa-janji/layanan-a/", KIOSK_S, body={}),
    Probe("GET", at("/kiosk/gerai-s/tiket/{id}/", id="own.ticket_s_a.public_id"), KIOSK_S),
    # A ticket of site T is no ticket at site S's kiosk.
    Probe(
        "GET",
        at("/kiosk/gerai-s/tiket/{id}/", id="own.ticket_t_b.public_id"),
        (),
        hide=KIOSK_S,
        label="/kiosk/gerai-s/tiket/{ticket of T}/",
    ),
    Probe("POST", at("/kiosk/gerai-s/tiket/{id}/cetak/", id="own.ticket_s_a.public_id"), KIOSK_S),
    # Any other address under the kiosk: its own 404, once the device is known.
    Probe("GET", "/kiosk/gerai-s/tidak-ada/", (), hide=KIOSK_S, label="/kiosk/gerai-s/{unknown}/"),
    # Where a staff login lands: the counters, the device's page, or the back
    # office; a citizen is no staff.
    Probe("GET", "/petugas/", SIGNED_IN - {"citizen_a", "citizen_b"}),
    Probe("GET", "/petugas/masuk/", EVERYONE),
    Probe("POST", "/petugas/keluar/", EVERYONE, login_is_target=True),
    Probe("GET", "/loket/", {"officer_s_a", SS, CA}),
    Probe("GET", at("/loket/{id}/", id="own.counter_s_a.pk"), COUNTER_S_A),
    # Counter 2 of S serves only agency B; counter 1 of T is at another site.
    Probe("GET", at("/loket/{id}/", id="own.counter_s_b.pk"), {SS, CA}),
    Probe("GET", at("/loket/{id}/", id="own.counter_t.pk"), {CA}),
    Probe("GET", at("/loket/{id}/panel/", id="own.counter_s_a.pk"), COUNTER_S_A),
    Probe("GET", at("/loket/{id}/panel/", id="own.counter_t.pk"), {CA}),
    Probe(
        "POST",
        at("/loket/{id}/panggil-ulang/", id="own.counter_s_a.pk"),
        COUNTER_S_A,
        body=lambda world: {"ticket": world.own.ticket_s_a.pk},
    ),
    Probe(
        "POST",
        at("/loket/{id}/panggil-ulang/", id="own.counter_t.pk"),
        {CA},
        body=lambda world: {"ticket": world.own.ticket_t_b.pk},
    ),
    # The citizen's data at the counter their ticket is called to; ticket 1 of
    # S is a walk-in, so there is nothing to open, but the page answers.
    Probe(
        "POST",
        at("/loket/{id}/warga/", id="own.counter_s_a.pk"),
        COUNTER_S_A,
        body=lambda world: {"ticket": world.own.ticket_s_a.pk, "what": "phone"},
    ),
    Probe(
        "POST",
        at("/loket/{id}/warga/", id="own.counter_t.pk"),
        {CA},
        body=lambda world: {"ticket": world.own.ticket_t_b.pk, "what": "phone"},
    ),
    Probe("GET", "/papan/gerai-s/", BOARD_S),
    Probe("GET", "/papan/gerai-t/", {CA}),
    Probe("GET", "/papan/gerai-s/keadaan.json", BOARD_S),
    Probe("GET", "/papan/gerai-t/keadaan.json", {CA}),
    # The long random id behind the ticket's QR is the key; nothing else is.
    Probe("GET", at("/antrean/{id}/", id="own.ticket_own.public_id"), EVERYONE),
    Probe("GET", at("/antrean/{id}/keadaan/", id="own.ticket_own.public_id"), EVERYONE),
    Probe(
        "GET",
        lambda world: f"/antrean/{world.own.ticket_own.public_id[:-2]}xx/",
        (),
        hide=EVERYONE,
        label="/antrean/{unknown}/",
    ),
    # --- health and metrics -------------------------------------------------------
    Probe("GET", "/healthz", EVERYONE),
    # No worker runs in the tests: "not ready" (503) is the answer, to everyone.
    Probe("GET", "/readyz", EVERYONE, ok_statuses=frozenset({503})),
    Probe("GET", "/metrics", EVERYONE, label="/metrics from this machine"),
    Probe(
        "GET",
        "/metrics",
        (),
        extra={"REMOTE_ADDR": "203.0.113.7"},
        label="/metrics from elsewhere",
    ),
]

# --- the back office: its own pages --------------------------------------------------


def report(kind: str, **query: str) -> Callable[[World], str]:
    def path(world: World) -> str:
        values = {
            "site": str(world.city.site_t.pk),
            "agency_a": str(world.city.agency_a.pk),
            "agency_b": str(world.city.agency_b.pk),
        }
        filled = "&".join(f"{key}={values.get(value, value)}" for key, value in query.items())
        return f"/backoffice/laporan/{kind}/" + (f"?{filled}" if filled else "")

    path.__name__ = f"/backoffice/laporan/{kind}/?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def schedule(pair: tuple[str, str], suffix: str) -> Callable[[World], str]:
    site, agency = pair

    def path(world: World) -> str:
        site_service = world.city.site_service(
            getattr(world.city, f"site_{site}"), getattr(world.city, f"service_{agency}")
        )
        rule = getattr(world.own, f"rule_{site}_{agency}")
        return f"/backoffice/jadwal/{site_service.pk}/" + suffix.format(rule=rule.pk)

    path.__name__ = f"/backoffice/jadwal/{{{agency.upper()} at {site.upper()}}}/{suffix}"
    return path


BACKOFFICE_PROBES = [
    Probe("GET", "/backoffice/", ADMINS),
    Probe("GET", "/backoffice/login/", EVERYONE),
    Probe("POST", "/backoffice/logout/", EVERYONE, login_is_target=True),
    Probe("GET", "/backoffice/password_change/", ADMINS),
    Probe("GET", "/backoffice/password_change/done/", ADMINS),
    Probe("GET", "/backoffice/jsi18n/", ADMINS),
    # Answers from the target model's admin, so within the scope of its list
    # (test_autocomplete_offers_only_what_the_list_shows).
    Probe(
        "GET",
        "/backoffice/autocomplete/?app_label=catalog&model_name=counter&field_name=site",
        ADMINS,
    ),
    # No model has a public URL: "view on site" finds nothing for anyone.
    Probe(
        "GET",
        lambda world: (
            f"/backoffice/r/{ContentType.objects.get_for_model(world.own.booking_a).pk}/"
            f"{world.own.booking_a.pk}/"
        ),
        (),
        hide=ADMINS,
        label="/backoffice/r/{booking}/{id}/",
    ),
    Probe("GET", "/backoffice/catalog/", ADMINS),
    # Only the city admin holds anything of the accounts app.
    Probe("GET", "/backoffice/accounts/", {CA}, hide=ADMINS - {CA}),
    Probe("GET", "/backoffice/tidak-ada/", (), hide=ADMINS, label="/backoffice/{unknown}/"),
    Probe("GET", "/backoffice/dasbor/", ADMINS),
    Probe("GET", "/backoffice/laporan/", ADMINS),
    Probe(
        "GET",
        "/backoffice/laporan/tidak-ada/",
        (),
        hide=ADMINS,
        label="/backoffice/laporan/{unknown}/",
    ),
    *(
        Probe("GET", report(kind), ADMINS)
        for kind in ("kunjungan", "waktu", "loket", "permintaan", "ruang")
    ),
    Probe("GET", report("kunjungan", format="csv"), ADMINS),
    Probe("GET", report("kunjungan", format="xlsx"), ADMINS),
    # Another site or agency in the filter: the refusal of an unknown one.
    Probe(
        "GET",
        report("kunjungan", site="site", format="csv"),
        {AA, AB, CA},
        hide={SS},
        hidden_status=REPORT_FORM_REFUSAL,
    ),
    Probe(
        "GET",
        report("waktu", agency="agency_b", format="csv"),
        {AB, SS, CA},
        hide={AA},
        hidden_status=REPORT_FORM_REFUSAL,
    ),
    Probe(
        "GET",
        report("loket", agency="agency_a"),
        {AA, SS, CA},
        hide={AB},
        hidden_status=REPORT_FORM_REFUSAL,
    ),
    Probe("GET", "/backoffice/perencana/", {SS, CA}),
    # A citizen's full phone and NIK: the city admin's, audited.
    Probe(
        "GET",
        at("/backoffice/warga/{id}/data-pribadi/", id="city.citizen_a.pk"),
        {CA},
        label="/backoffice/warga/{citizen A}/data-pribadi/",
    ),
    Probe("GET", "/backoffice/core/auditevent/ekspor.csv", {CA}),
    # Schedules: of the site services the admin manages; others do not exist.
    Probe("GET", "/backoffice/jadwal/", ADMINS),
    *(
        Probe("GET", schedule(pair, suffix), allowed, hide=ADMINS - allowed)
        for pair, allowed in (
            (("s", "a"), frozenset({AA, SS, CA})),
            (("t", "b"), frozenset({AB, CA})),
        )
        for suffix in ("", "aturan/", "kapasitas/", "tutup/", "sesi/", "aturan/{rule}/")
    ),
]


# --- the back office: every model admin ------------------------------------------------


@dataclass(frozen=True)
class Held:
    """One object of a model admin and who may see, change and delete it.
    ``change`` and ``delete`` are within ``see``; admins who see the model
    but not this object are told it does not exist."""

    get: Callable[[World], Model]
    see: frozenset[str]
    change: frozenset[str] = frozenset()
    delete: frozenset[str] = frozenset()
    name: str = ""


@dataclass(frozen=True)
class ModelRows:
    """A model admin, as /backoffice/<url>/, and who holds which permission
    on the model as a whole: ``readers`` may open its list, ``changers`` post
    its change form, ``deleters`` open its delete page, ``adders`` its add
    form. Django's admin asks for the permission on the model before it looks
    for the object (on the delete page; on the change page for viewing or
    changing), so an admin without it is refused (403) where one with it, who
    does not see the object, is told it does not exist. ``scoped``: the admin's
    list holds only what the person may see (the history page then hides
    what is outside it, from every admin)."""

    url: str
    readers: frozenset[str]
    adders: frozenset[str]
    objects: tuple[Held, ...]
    changers: frozenset[str] = frozenset()
    deleters: frozenset[str] = frozenset()
    scoped: bool = True

    def probes(self) -> list[Probe]:
        base = f"/backoffice/{self.url}"
        probes = [
            Probe("GET", f"{base}/", self.readers),
            Probe("GET", f"{base}/add/", self.adders),
        ]
        index = "/backoffice/"
        for held in self.objects:

            def page(suffix: str, held: Held = held) -> Callable[[World], str]:
                def path(world: World) -> str:
                    return f"{base}/{held.get(world).pk}/{suffix}"

                path.__name__ = f"{base}/{{{held.name}}}/{suffix}"
                return path

            unseen = ADMINS - held.see
            probes += [
                Probe(
                    "GET",
                    page("change/"),
                    held.see,
                    hide=(self.readers | self.changers) & unseen,
                    hidden_redirect=index,
                ),
                # An empty form: those who may change get it back with errors (200).
                Probe(
                    "POST",
                    page("change/"),
                    held.change,
                    hide=(self.readers | self.changers) & unseen,
                    body={},
                    hidden_redirect=index,
                ),
                Probe(
                    "GET",
                    page("history/"),
                    held.see,
                    hide=unseen if self.scoped else (),
                    hidden_redirect=index,
                ),
                Probe(
                    "GET",
                    page("delete/"),
                    held.delete,
                    hide=self.deleters & unseen,
                    hidden_redirect=index,
                ),
            ]
        # The old URL of an object only redirects to its change page.
        probes.append(Probe("GET", f"{base}/1/", ADMINS, label=f"{base}/{{id}}/"))
        return probes


@dataclass(frozen=True)
class Nothing:
    pk: int = 999999


# An object that does not exist: to every admin who may see the model, the
# same "no such object" as one outside their scope.
MISSING = Held(lambda world: Nothing(), frozenset(), name="missing")  # type: ignore[arg-type,return-value]


def first[ModelT: Model](model: type[ModelT], **lookup: Any) -> Callable[[World], ModelT]:
    def get(world: World) -> ModelT:
        found = model.objects.filter(**lookup).order_by("pk").first()  # type: ignore[attr-defined]
        assert found is not None, (model, lookup)
        return found  # type: ignore[no-any-return]

    return get


def own(attribute: str) -> Callable[[World], Model]:
    def get(world: World) -> Model:
        value: Any = world
        for part in attribute.split("."):
            value = getattr(value, part)
        return value  # type: ignore[no-any-return]

    return get


def _set(*personas: str) -> frozenset[str]:
    return frozenset(personas)


MODELS = [
    ModelRows(
        "catalog/site",
        ADMINS,
        _set(CA),
        (
            Held(own("city.site_s"), ADMINS, _set(SS, CA), _set(CA), "site S"),
            Held(own("city.site_t"), _set(AA, AB, CA), _set(CA), _set(CA), "site T"),
        ),
        changers=_set(SS, CA),
        deleters=_set(CA),
    ),
    ModelRows(
        "catalog/agency",
        ADMINS,
        _set(CA),
        (
            Held(own("city.agency_a"), _set(AA, SS, CA), _set(CA), _set(CA), "agency A"),
            Held(own("city.agency_b"), _set(AB, SS, CA), _set(CA), _set(CA), "agency B"),
        ),
        changers=_set(CA),
        deleters=_set(CA),
    ),
    ModelRows(
        "catalog/service",
        ADMINS,
        _set(AA, AB, CA),
        (
            Held(own("city.service_a"), _set(AA, SS, CA), _set(AA, CA), _set(AA, CA), "service A"),
            Held(own("city.service_b"), _set(AB, SS, CA), _set(AB, CA), _set(AB, CA), "service B"),
        ),
        changers=_set(AA, AB, CA),
        deleters=_set(AA, AB, CA),
    ),
    ModelRows(
        "catalog/siteservice",
        ADMINS,
        _set(SS, CA),
        (
            Held(
                lambda world: world.city.site_service(world.city.site_s, world.city.service_a),
                _set(AA, SS, CA),
                _set(SS, CA),
                _set(SS, CA),
                "A at S",
            ),
            Held(
                lambda world: world.city.site_service(world.city.site_t, world.city.service_b),
                _set(AB, CA),
                _set(CA),
                _set(CA),
                "B at T",
            ),
        ),
        changers=_set(SS, CA),
        deleters=_set(SS, CA),
    ),
    ModelRows(
        "catalog/counter",
        ADMINS,
        _set(SS, CA),
        (
            Held(
                own("own.counter_s_a"),
                _set(AA, SS, CA),
                _set(SS, CA),
                _set(SS, CA),
                "counter of A at S",
            ),
            Held(
                own("own.counter_s_b"),
                _set(AB, SS, CA),
                _set(SS, CA),
                _set(SS, CA),
                "counter of B at S",
            ),
            Held(own("own.counter_t"), _set(AA, AB, CA), _set(CA), _set(CA), "counter at T"),
        ),
        changers=_set(SS, CA),
        deleters=_set(SS, CA),
    ),
    ModelRows(
        "catalog/closure",
        ADMINS,
        ADMINS,
        (
            Held(
                own("own.closure_s_a"),
                _set(AA, SS, CA),
                _set(AA, SS, CA),
                _set(AA, SS, CA),
                "A at S",
            ),
            Held(own("own.closure_t_b"), _set(AB, CA), _set(AB, CA), _set(AB, CA), "B at T"),
        ),
        changers=ADMINS,
        deleters=ADMINS,
    ),
    ModelRows(
        "catalog/schedulerule",
        ADMINS,
        ADMINS,
        (
            Held(
                own("own.rule_s_a"), _set(AA, SS, CA), _set(AA, SS, CA), _set(AA, SS, CA), "A at S"
            ),
            Held(own("own.rule_t_b"), _set(AB, CA), _set(AB, CA), _set(AB, CA), "B at T"),
        ),
        changers=ADMINS,
        deleters=ADMINS,
    ),
    ModelRows(
        "onsite/kiosk",
        _set(SS, CA),
        _set(SS, CA),
        (
            Held(own("own.kiosk_device_s"), _set(SS, CA), _set(SS, CA), _set(SS, CA), "kiosk S"),
            Held(own("own.kiosk_device_t"), _set(CA), _set(CA), _set(CA), "kiosk T"),
        ),
        changers=_set(SS, CA),
        deleters=_set(SS, CA),
    ),
    ModelRows(
        "booking/slot",
        ADMINS,
        frozenset(),
        (
            Held(
                own("own.booking_a.slot"), _set(AA, SS, CA), _set(AA, SS, CA), frozenset(), "A at S"
            ),
            Held(own("own.booking_b.slot"), _set(AB, CA), _set(AB, CA), frozenset(), "B at T"),
        ),
        changers=ADMINS,
    ),
    ModelRows(
        "booking/booking",
        ADMINS,
        frozenset(),
        (
            Held(own("own.booking_a"), _set(AA, SS, CA), name="citizen A's, A at S"),
            Held(own("own.booking_b"), _set(AB, CA), name="citizen B's, B at T"),
        ),
    ),
    ModelRows(
        "onsite/ticket",
        ADMINS,
        frozenset(),
        (
            Held(own("own.ticket_s_a"), _set(AA, SS, CA), name="A at S"),
            Held(own("own.ticket_t_b"), _set(AB, CA), name="B at T"),
        ),
    ),
    ModelRows(
        "waitlist/waitlistentry",
        ADMINS,
        frozenset(),
        (Held(own("own.waitlist_a"), _set(AA, SS, CA), name="citizen A's, A2 at S"),),
    ),
    ModelRows(
        "notifications/outboxmessage",
        _set(CA),
        frozenset(),
        (Held(first(OutboxMessage), _set(CA), name="an e-mail"),),
    ),
    ModelRows(
        "core/auditevent",
        ADMINS,
        frozenset(),
        (
            Held(
                lambda world: first(AuditEvent, site=world.city.site_s, agency=world.city.agency_a)(
                    world
                ),
                _set(AA, SS, CA),
                name="A at S",
            ),
            Held(
                lambda world: first(AuditEvent, site=world.city.site_t, agency=world.city.agency_b)(
                    world
                ),
                _set(AB, CA),
                name="B at T",
            ),
        ),
    ),
    ModelRows("waitlist/releaseround", ADMINS, frozenset(), (MISSING,)),
    ModelRows(
        "accounts/user",
        _set(CA),
        _set(CA),
        (Held(own("city.citizen_a"), _set(CA), _set(CA), _set(CA), "citizen A"),),
        changers=_set(CA),
        deleters=_set(CA),
        scoped=False,
    ),
    ModelRows(
        "accounts/apitoken",
        _set(CA),
        _set(CA),
        (Held(first(ApiToken), _set(CA), _set(CA), _set(CA), "a token"),),
        changers=_set(CA),
        deleters=_set(CA),
    ),
]

MODEL_PROBES = [probe for rows in MODELS for probe in rows.probes()]

EXTRA_ADMIN_PROBES = [
    Probe(
        "GET",
        at("/backoffice/accounts/user/{id}/password/", id="city.citizen_a.pk"),
        {CA},
        label="/backoffice/accounts/user/{citizen A}/password/",
    ),
    # The task results of the worker: superusers' only (Django's own
    # permissions, which no role grants).
    *(
        Probe("GET", f"/backoffice/django_tasks_database/dbtaskresult/{suffix}", ())
        for suffix in (
            "",
            "add/",
            "00000000-0000-0000-0000-000000000000/change/",
            "00000000-0000-0000-0000-000000000000/delete/",
        )
    ),
    # Django's admin looks for the object before it asks about the history.
    Probe(
        "GET",
        "/backoffice/django_tasks_database/dbtaskresult/00000000-0000-0000-0000-000000000000/history/",
        (),
        hide=ADMINS,
        hidden_redirect="/backoffice/",
    ),
    Probe(
        "GET",
        "/backoffice/django_tasks_database/dbtaskresult/00000000-0000-0000-0000-000000000000/",
        ADMINS,
        label="/backoffice/django_tasks_database/dbtaskresult/{id}/",
    ),
]

PROBES = CITIZEN_PROBES + FLOOR_PROBES + BACKOFFICE_PROBES + MODEL_PROBES + EXTRA_ADMIN_PROBES


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with module_world(django_db_blocker) as built:
        yield built


@pytest.fixture(scope="module")
def client() -> Client:
    """One client for the module: each new one loads the middleware again,
    and WhiteNoise's scan of the static files is most of a request's cost."""
    return Client()


@pytest.fixture(autouse=True)
def no_rate_limits(settings: Any) -> None:
    # The matrix sends hundreds of requests from one address; limits have their own tests.
    settings.ANTRE_RATE_LIMITS_ENABLED = False


def send(client: Client, world: World, probe: Probe, persona: str) -> Any:
    client.cookies.clear()
    if persona in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
    path = probe.concrete_path(world)
    extra = dict(probe.extra)
    if probe.method == "GET":
        return client.get(path, **extra)
    return client.post(path, probe.concrete_body(world) or {}, **extra)


def check(client: Client, world: World, probe: Probe, persona: str) -> str | None:
    with rolled_back():
        if probe.prepare is not None:
            probe.prepare(world)
        response = send(client, world, probe, persona)
        drain(response)
    wanted = probe.expected(persona)
    got = classify(response, probe)
    if got is wanted:
        return None
    where = response.get("Location", "")
    body = b"" if response.streaming else response.content[:200]
    return f"{persona}: wanted {wanted.value}, got {response.status_code} {where} {body!r}"


@pytest.mark.parametrize("probe", PROBES, ids=[probe.name() for probe in PROBES])
def test_who_may_open_what(client: Client, world: World, db: None, probe: Probe) -> None:
    problems = [
        problem
        for persona in PERSONAS
        if persona not in probe.skip
        if (problem := check(client, world, probe, persona)) is not None
    ]
    assert not problems, "\n".join(problems)


def page_routes() -> set[str]:
    return {route for route in all_routes() if not route.startswith("api/v1/")}


def probed_routes(world: World) -> set[str]:
    return {route_of(probe.concrete_path(world)) for probe in PROBES}


def test_every_route_is_in_the_matrix(world: World, db: None) -> None:
    missing = page_routes() - probed_routes(world)
    assert not missing, f"pages without a row in the matrix: {sorted(missing)}"


def test_summary(world: World, db: None, capsys: pytest.CaptureFixture[str]) -> None:
    skipped = sum(len(probe.skip) for probe in PROBES)
    cells = len(PROBES) * len(PERSONAS) - skipped
    line = summary("Pages", PROBES, len(page_routes()), cells, skipped)
    with capsys.disabled():
        print("\n" + line)
    assert page_routes() <= probed_routes(world)


def test_autocomplete_offers_only_what_the_list_shows(
    client: Client, world: World, db: None
) -> None:
    """The admin's autocomplete answers from the target model's list, so the
    agency admin of A is offered none of B's services and the reverse."""
    query = "/backoffice/autocomplete/?app_label=catalog&model_name=closure&field_name=service"
    offered = {}
    for persona in ("agency_admin_a", "agency_admin_b"):
        client.cookies.clear()
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
        response = client.get(query)
        assert response.status_code == 200
        offered[persona] = {item["text"] for item in response.json()["results"]}
    assert "Layanan B" not in offered["agency_admin_a"]
    assert "Layanan A" in offered["agency_admin_a"]
    assert offered["agency_admin_b"] == {"Layanan B"}


def read(response: Any) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return str(content.decode())


@pytest.mark.parametrize("kind", ["kunjungan", "waktu", "permintaan"])
def test_report_exports_hold_only_the_admins_scope(
    client: Client, world: World, db: None, kind: str
) -> None:
    """The rows of each admin's CSV export: the city admin's hold both
    agencies and both sites (so the test can fail), the others only theirs."""
    rows = {}
    for persona in ADMINS:
        client.cookies.clear()
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[persona]
        response = client.get(f"/backoffice/laporan/{kind}/?format=csv")
        assert response.status_code == 200
        rows[persona] = read(response).splitlines()[1:]
    assert any(",B,Layanan B" in row for row in rows[CA])
    assert any(",A,Layanan A" in row for row in rows[CA])
    assert rows[AA]
    assert not any("Layanan B" in row for row in rows[AA])
    assert rows[AB]
    assert not any("Layanan A" in row for row in rows[AB])
    assert rows[SS]
    assert not any("Gerai T" in row for row in rows[SS])
