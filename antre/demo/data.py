"""The demo city, as plain data: a Bekasi-like city with its MPP in the Bekasi
Trade Center, the licensing office, two mall outlets, a kecamatan and a
kelurahan office; which agency's service is offered where, on which schedule,
at which counter; and the staff accounts that run it all. The agencies and
their services are in ``antre.demo.catalogue``.

No ORM here: ``antre.demo.seed`` writes this into the database, and the tests
check the data's own consistency without one. Names and addresses are data in
Indonesian, not interface text, so they do not go through gettext.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from antre.demo.catalogue import AGENCIES, SERVICES
from antre.demo.records import (
    WORKING_DAYS,
    AccountData,
    AgencyData,
    CounterData,
    HoursData,
    OfferingData,
    RuleData,
    ServiceData,
    SiteData,
)

MPP = "mpp-kota-bekasi"
DPMPTSP_OFFICE = "kantor-dpmptsp-kota-bekasi"
PONDOK_GEDE = "gerai-atrium-pondok-gede"
CIBUBUR = "gerai-plasa-cibubur"
KECAMATAN = "kantor-kecamatan-bekasi-timur"
KELURAHAN = "kantor-kelurahan-margahayu"

NINE, THREE_PM = dt.time(9), dt.time(15)


def _weekdays(opens: dt.time, closes: dt.time) -> tuple[HoursData, ...]:
    return tuple(HoursData(day, opens, closes) for day in WORKING_DAYS)


def _office_hours() -> tuple[HoursData, ...]:
    # Government offices open at 08:00 and break on Friday for the midday
    # (Jumat) prayer; the MPP and the mall outlets keep 09:00-15:00 straight.
    hours = [HoursData(day, dt.time(8), THREE_PM) for day in WORKING_DAYS[:4]]
    hours += [HoursData(4, dt.time(8), dt.time(11, 30)), HoursData(4, dt.time(13), THREE_PM)]
    return tuple(hours)


SITES: Final = (
    SiteData(
        slug=MPP,
        name="MPP Kota Bekasi",
        address=(
            "Bekasi Trade Center (BTC) Lantai 2, Jl. HM. Joyo Martono No. 42, Margahayu, "
            "Kec. Bekasi Timur, Kota Bekasi, Jawa Barat 17113"
        ),
        room_capacity=60,
        hours=_weekdays(NINE, THREE_PM),
        default_session=(NINE, THREE_PM),
    ),
    SiteData(
        slug=DPMPTSP_OFFICE,
        name="Kantor DPMPTSP Kota Bekasi",
        address=(
            "Kompleks Pemerintah Kota Bekasi, Jl. Jend. Ahmad Yani No. 1, Marga Jaya, "
            "Kec. Bekasi Selatan, Kota Bekasi, Jawa Barat 17141"
        ),
        room_capacity=30,
        hours=_office_hours(),
        default_session=(dt.time(8), THREE_PM),
    ),
    SiteData(
        slug=PONDOK_GEDE,
        name="Gerai Atrium Pondok Gede",
        address=(
            "Pondok Gede Plaza, Atrium Lantai Dasar, Jl. Raya Jatiwaringin, Jaticempaka, "
            "Kec. Pondok Gede, Kota Bekasi, Jawa Barat 17411"
        ),
        room_capacity=20,
        hours=_weekdays(NINE, THREE_PM),
        default_session=(NINE, THREE_PM),
    ),
    SiteData(
        slug=CIBUBUR,
        name="Gerai Plasa Cibubur",
        address=(
            "Plaza Cibubur Lantai 1, Jl. Alternatif Cibubur, Jatikarya, Kec. Jatisampurna, "
            "Kota Bekasi, Jawa Barat 17435"
        ),
        room_capacity=15,
        hours=_weekdays(NINE, THREE_PM),
        default_session=(NINE, THREE_PM),
    ),
    SiteData(
        slug=KECAMATAN,
        name="Kantor Kecamatan Bekasi Timur",
        address=(
            "Jl. Pahlawan No. 2, Duren Jaya, Kec. Bekasi Timur, Kota Bekasi, Jawa Barat 17111"
        ),
        room_capacity=20,
        hours=_office_hours(),
        default_session=(dt.time(8), THREE_PM),
    ),
    SiteData(
        slug=KELURAHAN,
        name="Kantor Kelurahan Margahayu",
        address=(
            "Jl. Mayor Madmuin Hasibuan No. 5, Margahayu, Kec. Bekasi Timur, Kota Bekasi, "
            "Jawa Barat 17113"
        ),
        room_capacity=12,
        hours=_office_hours(),
        default_session=(dt.time(8), THREE_PM),
    ),
)

_DEFAULT_SESSIONS = {site.slug: site.default_session for site in SITES}


def _offer(
    site: str,
    service: str,
    capacity: int,
    *,
    slot_minutes: int = 30,
    sessions: tuple[tuple[dt.time, dt.time], ...] | None = None,
    ticket_prefix: str = "",
    walk_in_daily_quota: int | None = None,
) -> OfferingData:
    rules = tuple(
        RuleData(starts_at=start, ends_at=end, slot_minutes=slot_minutes, capacity=capacity)
        for start, end in (sessions or (_DEFAULT_SESSIONS[site],))
    )
    return OfferingData(site, service, rules, ticket_prefix, walk_in_daily_quota)


# SIM renewal is the service the city never has enough of: a few seats a
# slot, and the officer takes a lunch break the schedule honours.
_SIM_SESSIONS = ((NINE, dt.time(12)), (dt.time(13), THREE_PM))

OFFERINGS: Final = (
    # The MPP hall: nearly every agency.
    _offer(MPP, "perekaman-ktp-el", 8),
    _offer(MPP, "pencetakan-ktp-el", 6),
    _offer(MPP, "kartu-keluarga", 6),
    _offer(MPP, "akta-kelahiran", 4),
    _offer(MPP, "akta-kematian", 2),
    _offer(MPP, "kartu-identitas-anak", 4, slot_minutes=15),
    _offer(MPP, "surat-pindah", 3),
    _offer(MPP, "skck-baru", 6),
    _offer(MPP, "perpanjangan-skck", 4),
    _offer(MPP, "perpanjangan-sim", 3, sessions=_SIM_SESSIONS),
    _offer(MPP, "pajak-kendaraan-tahunan", 6, slot_minutes=15),
    _offer(MPP, "stnk-lima-tahunan", 3),
    _offer(MPP, "balik-nama-kendaraan", 2),
    _offer(MPP, "pendaftaran-jkn", 4),
    _offer(MPP, "perubahan-data-jkn", 3, slot_minutes=15),
    _offer(MPP, "klaim-jht", 4),
    _offer(MPP, "pendaftaran-bpu", 2, slot_minutes=15),
    _offer(MPP, "paspor-baru", 4),
    _offer(MPP, "penggantian-paspor", 4),
    _offer(MPP, "aktivasi-npwp", 3),
    _offer(MPP, "bantuan-spt-tahunan", 2),
    _offer(MPP, "pelayanan-pbb", 4),
    _offer(MPP, "validasi-bphtb", 2),
    _offer(MPP, "nib-oss", 3),
    _offer(MPP, "persetujuan-bangunan-gedung", 2),
    _offer(MPP, "konsultasi-perizinan", 3),
    _offer(MPP, "sambungan-baru-air", 3),
    _offer(MPP, "pengaduan-pelanggan-air", 3),
    _offer(MPP, "pendaftaran-haji", 2),
    _offer(MPP, "legalisasi-buku-nikah", 3),
    _offer(MPP, "kartu-pencari-kerja", 6),
    _offer(MPP, "rekomendasi-izin-praktik", 2),
    _offer(MPP, "uji-berkala-kendaraan", 3),
    _offer(MPP, "pengecekan-sertipikat", 3),
    _offer(MPP, "peralihan-hak-tanah", 2),
    _offer(MPP, "informasi-perkara", 2),
    _offer(MPP, "pengambilan-tilang", 4, slot_minutes=15),
    _offer(MPP, "pasang-baru-listrik", 3),
    _offer(MPP, "rekening-bjb", 3),
    _offer(MPP, "klaim-taspen", 2),
    _offer(MPP, "pengiriman-dokumen", 3, slot_minutes=15),
    _offer(MPP, "skhpn", 4),
    _offer(MPP, "usulan-dtsen", 3),
    _offer(MPP, "pendampingan-halal", 2),
    # The licensing office: DPMPTSP and the permits that need a technical agency.
    _offer(DPMPTSP_OFFICE, "nib-oss", 6),
    _offer(DPMPTSP_OFFICE, "persetujuan-bangunan-gedung", 4),
    _offer(DPMPTSP_OFFICE, "izin-reklame", 3),
    _offer(DPMPTSP_OFFICE, "konsultasi-perizinan", 4),
    _offer(DPMPTSP_OFFICE, "rekomendasi-izin-praktik", 3),
    _offer(DPMPTSP_OFFICE, "sertifikat-laik-higiene", 2),
    _offer(DPMPTSP_OFFICE, "pendampingan-halal", 3),
    # Mall outlets: the errands people run on a shopping trip.
    _offer(PONDOK_GEDE, "perekaman-ktp-el", 4, walk_in_daily_quota=15),
    _offer(PONDOK_GEDE, "pencetakan-ktp-el", 4, walk_in_daily_quota=15),
    _offer(PONDOK_GEDE, "kartu-keluarga", 3),
    _offer(PONDOK_GEDE, "akta-kelahiran", 2),
    _offer(PONDOK_GEDE, "kartu-identitas-anak", 3, slot_minutes=15),
    _offer(PONDOK_GEDE, "perpanjangan-sim", 2, sessions=_SIM_SESSIONS, walk_in_daily_quota=5),
    _offer(PONDOK_GEDE, "pajak-kendaraan-tahunan", 4, slot_minutes=15, walk_in_daily_quota=25),
    _offer(PONDOK_GEDE, "pendaftaran-jkn", 2),
    _offer(PONDOK_GEDE, "perubahan-data-jkn", 2, slot_minutes=15),
    _offer(PONDOK_GEDE, "klaim-jht", 2),
    _offer(CIBUBUR, "perekaman-ktp-el", 3, walk_in_daily_quota=10),
    _offer(CIBUBUR, "pencetakan-ktp-el", 3, walk_in_daily_quota=10),
    _offer(CIBUBUR, "kartu-keluarga", 2),
    _offer(CIBUBUR, "akta-kelahiran", 2),
    _offer(CIBUBUR, "perpanjangan-sim", 2, sessions=_SIM_SESSIONS, walk_in_daily_quota=5),
    _offer(CIBUBUR, "pajak-kendaraan-tahunan", 4, slot_minutes=15, walk_in_daily_quota=20),
    _offer(CIBUBUR, "perubahan-data-jkn", 2, slot_minutes=15),
    _offer(CIBUBUR, "pendaftaran-jkn", 2),
    # The kecamatan: Dukcapil basics close to home, plus social data and PBB.
    _offer(KECAMATAN, "perekaman-ktp-el", 4),
    _offer(KECAMATAN, "pencetakan-ktp-el", 3),
    _offer(KECAMATAN, "kartu-keluarga", 4),
    _offer(KECAMATAN, "akta-kelahiran", 3),
    _offer(KECAMATAN, "akta-kematian", 2),
    _offer(KECAMATAN, "kartu-identitas-anak", 3, slot_minutes=15),
    _offer(KECAMATAN, "surat-pindah", 2),
    # "S" for Sosial: SIM renewal, which owns S city-wide, is not offered here.
    _offer(KECAMATAN, "usulan-dtsen", 3, ticket_prefix="S"),
    _offer(KECAMATAN, "pelayanan-pbb", 3),
    # The kelurahan: a front desk for the family card and the child's card.
    _offer(KELURAHAN, "kartu-keluarga", 2, walk_in_daily_quota=10),
    _offer(KELURAHAN, "kartu-identitas-anak", 2, slot_minutes=15, walk_in_daily_quota=10),
    _offer(KELURAHAN, "usulan-dtsen", 2, walk_in_daily_quota=10),
)


def _counters(site: str, *groups: tuple[str, tuple[str, ...]]) -> tuple[CounterData, ...]:
    return tuple(
        CounterData(site, number, name, services)
        for number, (name, services) in enumerate(groups, start=1)
    )


_DUKCAPIL_KTP = ("perekaman-ktp-el", "pencetakan-ktp-el", "kartu-identitas-anak")

COUNTERS: Final = (
    *_counters(
        MPP,
        ("Disdukcapil 1", ("perekaman-ktp-el", "pencetakan-ktp-el")),
        ("Disdukcapil 2", ("perekaman-ktp-el", "kartu-identitas-anak")),
        ("Disdukcapil 3", ("kartu-keluarga", "surat-pindah", "pencetakan-ktp-el")),
        ("Disdukcapil 4", ("akta-kelahiran", "akta-kematian", "kartu-keluarga")),
        ("SKCK", ("skck-baru", "perpanjangan-skck")),
        ("SIM", ("perpanjangan-sim",)),
        ("Samsat 1", ("pajak-kendaraan-tahunan", "stnk-lima-tahunan")),
        ("Samsat 2", ("pajak-kendaraan-tahunan", "balik-nama-kendaraan")),
        ("BPJS Kesehatan", ("pendaftaran-jkn", "perubahan-data-jkn")),
        ("BPJS Ketenagakerjaan", ("klaim-jht", "pendaftaran-bpu")),
        ("Imigrasi", ("paspor-baru", "penggantian-paspor")),
        ("Pajak", ("aktivasi-npwp", "bantuan-spt-tahunan")),
        ("Bapenda", ("pelayanan-pbb", "validasi-bphtb")),
        ("DPMPTSP 1", ("nib-oss", "konsultasi-perizinan")),
        ("DPMPTSP 2", ("persetujuan-bangunan-gedung", "konsultasi-perizinan")),
        ("PDAM Tirta Patriot", ("sambungan-baru-air", "pengaduan-pelanggan-air")),
        ("Kemenag", ("pendaftaran-haji", "legalisasi-buku-nikah")),
        ("Disnaker", ("kartu-pencari-kerja",)),
        ("Dinkes", ("rekomendasi-izin-praktik",)),
        ("Dishub", ("uji-berkala-kendaraan",)),
        ("BPN", ("pengecekan-sertipikat", "peralihan-hak-tanah")),
        ("Pengadilan Agama", ("informasi-perkara",)),
        ("Kejari", ("pengambilan-tilang",)),
        ("PLN", ("pasang-baru-listrik",)),
        ("bank bjb", ("rekening-bjb",)),
        ("Taspen", ("klaim-taspen",)),
        ("Pos Indonesia", ("pengiriman-dokumen",)),
        ("BNN", ("skhpn",)),
        ("Dinsos", ("usulan-dtsen",)),
        ("Diskop UKM", ("pendampingan-halal",)),
    ),
    *_counters(
        DPMPTSP_OFFICE,
        ("Perizinan 1", ("nib-oss", "konsultasi-perizinan")),
        ("Perizinan 2", ("nib-oss", "izin-reklame")),
        ("Bangunan Gedung", ("persetujuan-bangunan-gedung", "konsultasi-perizinan")),
        ("Dinkes", ("rekomendasi-izin-praktik", "sertifikat-laik-higiene")),
        ("Diskop UKM", ("pendampingan-halal",)),
    ),
    *_counters(
        PONDOK_GEDE,
        ("Disdukcapil 1", _DUKCAPIL_KTP),
        ("Disdukcapil 2", ("kartu-keluarga", "akta-kelahiran", "pencetakan-ktp-el")),
        ("SIM", ("perpanjangan-sim",)),
        ("Samsat", ("pajak-kendaraan-tahunan",)),
        ("BPJS Kesehatan", ("pendaftaran-jkn", "perubahan-data-jkn")),
        ("BPJS Ketenagakerjaan", ("klaim-jht",)),
    ),
    *_counters(
        CIBUBUR,
        ("Disdukcapil 1", ("perekaman-ktp-el", "pencetakan-ktp-el")),
        ("Disdukcapil 2", ("kartu-keluarga", "akta-kelahiran")),
        ("SIM", ("perpanjangan-sim",)),
        ("Samsat", ("pajak-kendaraan-tahunan",)),
        ("BPJS Kesehatan", ("pendaftaran-jkn", "perubahan-data-jkn")),
    ),
    *_counters(
        KECAMATAN,
        ("Disdukcapil 1", _DUKCAPIL_KTP),
        ("Disdukcapil 2", ("kartu-keluarga", "akta-kelahiran", "akta-kematian", "surat-pindah")),
        # A kecamatan front desk serves two agencies at one counter.
        ("Sosial dan PBB", ("usulan-dtsen", "pelayanan-pbb")),
    ),
    *_counters(
        KELURAHAN,
        ("Disdukcapil", ("kartu-keluarga", "kartu-identitas-anak")),
        ("Dinsos", ("usulan-dtsen",)),
    ),
)

CITY_ADMIN_USERNAME: Final = "admin"
CITIZEN_EMAIL: Final = "warga@antre.test"
# Agencies with their own back-office admin; the rest are run by the city.
ADMIN_AGENCIES: Final = ("disdukcapil", "polres", "samsat", "bpjs-kesehatan", "dpmptsp")

# A demo citizen of Bekasi Timur (32 75 01): a woman (day 14 + 40) born on
# 14 August 1991, serial 0007.
CITIZEN_NIK: Final = "3275015408910007"
CITIZEN_PHONE: Final = "+6281280001234"

# 9 given and 8 family names (coprime counts) make 72 distinct pairs.
_GIVEN_NAMES = ("Agus", "Budi", "Citra", "Dewi", "Eko", "Fitri", "Gilang", "Hendra", "Indah")
_FAMILY_NAMES = ("Santoso", "Hidayat", "Siregar", "Lubis", "Wibowo", "Putra", "Sari", "Halim")


def _person(index: int) -> str:
    given = _GIVEN_NAMES[index % len(_GIVEN_NAMES)]
    family = _FAMILY_NAMES[index % len(_FAMILY_NAMES)]
    return f"{given} {family}"


def _email(username: str) -> str:
    return f"{username}@antre.test"


def demo_accounts() -> tuple[AccountData, ...]:
    """Every demo login: the city admin, per site its admin, kiosk, board and
    one officer per counter, the admins of ``ADMIN_AGENCIES``, and the citizen.

    An officer is scoped to the agency of the counter's services when they
    all belong to one agency, as they do at agency desks; at a shared desk
    the officer serves the whole site."""
    agency_of = {service.slug: service.agency for service in SERVICES}
    agency_names = {agency.slug: agency.short_name for agency in AGENCIES}
    accounts = [
        AccountData(
            CITY_ADMIN_USERNAME,
            "city_admin",
            "Admin Kota Bekasi",
            email=_email(CITY_ADMIN_USERNAME),
            is_staff=True,
            is_superuser=True,
        )
    ]
    for site in SITES:
        username = f"admin-{site.slug}"
        accounts += [
            AccountData(
                username,
                "site_admin",
                f"Admin {site.name}",
                email=_email(username),
                site=site.slug,
                is_staff=True,
            ),
            AccountData(f"kiosk-{site.slug}", "kiosk", f"Kiosk {site.name}", site=site.slug),
            AccountData(
                f"board-{site.slug}", "board", f"Papan Tampilan {site.name}", site=site.slug
            ),
        ]
    for agency_slug in ADMIN_AGENCIES:
        username = f"admin-{agency_slug}"
        accounts.append(
            AccountData(
                username,
                "agency_admin",
                f"Admin {agency_names[agency_slug]}",
                email=_email(username),
                agency=agency_slug,
                is_staff=True,
            )
        )
    for index, counter in enumerate(COUNTERS):
        agencies = {agency_of[service] for service in counter.services}
        username = f"officer-{counter.site}-{counter.number}"
        accounts.append(
            AccountData(
                username,
                "officer",
                _person(index),
                email=_email(username),
                site=counter.site,
                agency=agencies.pop() if len(agencies) == 1 else None,
                note=f"Loket {counter.number} {counter.name}",
            )
        )
    accounts.append(AccountData(CITIZEN_EMAIL, "citizen", "Rina Marlina Sari", email=CITIZEN_EMAIL))
    return tuple(accounts)


__all__ = [
    "ADMIN_AGENCIES",
    "AGENCIES",
    "CIBUBUR",
    "CITIZEN_EMAIL",
    "CITIZEN_NIK",
    "CITIZEN_PHONE",
    "CITY_ADMIN_USERNAME",
    "COUNTERS",
    "DPMPTSP_OFFICE",
    "KECAMATAN",
    "KELURAHAN",
    "MPP",
    "OFFERINGS",
    "PONDOK_GEDE",
    "SERVICES",
    "SITES",
    "AccountData",
    "AgencyData",
    "CounterData",
    "HoursData",
    "OfferingData",
    "RuleData",
    "ServiceData",
    "SiteData",
    "demo_accounts",
]
