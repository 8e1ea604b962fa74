"""The signed proof of a timely request (issue #5, item 9): the PDF states the
facts, its QR code leads to the public verification page, the page accepts
only what antre signed, and nobody downloads someone else's proof."""

import datetime as dt
import io

import pytest
import zxingcpp
from django.core import signing
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from antre.testing import factories as f
from antre.waitlist import proof
from antre.waitlist.services import join_waitlist

pytestmark = pytest.mark.django_db

WIB = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture
def entry():
    citizen = f.CitizenFactory(full_name="Budi Santoso")
    site_service = f.SiteServiceFactory(service__name="Perpanjangan SIM A")
    return join_waitlist(
        citizen=citizen,
        service=site_service.service,
        sites=[site_service.site],
        earliest=dt.date(2026, 6, 2),
        latest=dt.date(2026, 6, 6),
    )


def decode_qr(image: Image.Image) -> str:
    results = zxingcpp.read_barcodes(image.convert("L"))
    assert len(results) == 1
    return results[0].text


def pdf_of(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def test_the_waitlist_proof_states_the_facts(client, entry):
    citizen = entry.citizen
    client.force_login(citizen)
    reader = pdf_of(client, reverse("citizen:waitlist_proof", args=[entry.pk]))

    text = reader.pages[0].extract_text()
    facts = proof.entry_facts(entry, citizen)
    assert "Bukti permintaan layanan" in text
    assert "Budi Santoso" in text
    assert citizen.nik_masked in text
    assert citizen.nik not in text
    assert "Perpanjangan SIM A" in text
    assert entry.sites.get().name in text
    assert "6 Juni 2026" in text  # the deadline
    assert "2 Juni 2026 09:05" in text  # when they asked
    assert facts.proof_id in text
    assert "sebelum tenggatnya" in text


def test_the_qr_in_the_pdf_leads_to_the_verification_page(client, entry):
    client.force_login(entry.citizen)
    reader = pdf_of(client, reverse("citizen:waitlist_proof", args=[entry.pk]))

    images = reader.pages[0].images
    assert len(images) == 1
    url = decode_qr(images[0].image)
    path = url.removeprefix("http://testserver")
    assert url.startswith("http")
    assert "/bukti/" in path
    token = path.split("/bukti/")[1].rstrip("/")
    assert reverse("citizen:proof_verify", args=[token]) == "/bukti/" + token + "/"
    client.logout()  # the officer at the counter, not the citizen
    page = client.get("/bukti/" + token + "/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "SAH" in content
    assert "TIDAK SAH" not in content
    assert "Bu** Sa*****" in content
    assert entry.citizen.nik_masked in content
    assert "Budi Santoso" not in content  # a public page: masked only


def test_the_qr_png_decodes_to_the_url_it_was_made_for():
    url = "https://antre.example/bukti/abc:def/"
    assert decode_qr(Image.open(io.BytesIO(proof.qr_png(url)))) == url


def test_a_tampered_or_forged_token_is_not_valid(client, entry):
    token = proof.sign(proof.entry_facts(entry, entry.citizen))
    assert proof.verify(token) is not None

    payload, _, signature = token.rpartition(":")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    forged_other_salt = signing.dumps({"i": "W-0000000000"}, salt="something else")
    unsigned = signing.dumps({"i": "W-0000000000"}, salt=proof.SALT, key="not-our-key")
    for bad in [f"{flipped}:{signature}", forged_other_salt, unsigned, "garbage", token[:-2]]:
        assert proof.verify(bad) is None
        response = client.get(f"/bukti/{bad}/")
        assert response.status_code == 400
        assert "TIDAK SAH" in response.content.decode()


def test_another_citizen_cannot_download_my_proofs(client, entry):
    slot = f.SlotFactory(start=dt.datetime(2026, 6, 10, 9, tzinfo=WIB))
    booking = f.BookingFactory(slot=slot)
    client.force_login(f.CitizenFactory())

    assert client.get(reverse("citizen:waitlist_proof", args=[entry.pk])).status_code == 404
    assert client.get(reverse("citizen:booking_proof", args=[booking.code])).status_code == 404


def test_a_proof_needs_a_signed_in_citizen(client, entry):
    response = client.get(reverse("citizen:waitlist_proof", args=[entry.pk]))
    assert response.status_code == 302


def test_the_booking_proof_carries_the_deadline_of_the_list_it_came_from(client, entry):
    from antre.booking.services import create_booking

    site_service = entry.service.site_services.get()
    slot = f.SlotFactory(
        site_service=site_service,
        start=dt.datetime(2026, 6, 5, 9, tzinfo=WIB),
        end=dt.datetime(2026, 6, 5, 9, 30, tzinfo=WIB),
    )
    booking = create_booking(citizen=entry.citizen, slot_id=slot.pk)
    client.force_login(entry.citizen)

    reader = pdf_of(client, reverse("citizen:booking_proof", args=[booking.code]))

    text = reader.pages[0].extract_text()
    assert "6 Juni 2026" in text  # the deadline from the waiting list
    assert "5 Juni 2026 09:00" in text  # the appointment
    assert decode_qr(reader.pages[0].images[0].image).count("/bukti/") == 1


def test_the_proof_renders_in_english():
    facts = proof.ProofFacts(
        proof_id="W-ABCDEF1234",
        kind="waitlist",
        name="Siti Ñurhaliza",
        nik="327501********01",
        service="KTP-el",
        agency="Dukcapil",
        sites=("MPP Bekasi",),
        requested_at=dt.datetime(2026, 6, 2, 2, 5, tzinfo=dt.UTC),
        deadline=dt.date(2026, 6, 6),
        appointment=None,
        issued_at=dt.datetime(2026, 6, 2, 2, 5, tzinfo=dt.UTC),
        timezone="Asia/Jakarta",
    )
    text = PdfReader(io.BytesIO(proof.render_pdf(facts, url="https://x/bukti/t/", language="en")))
    assert "W-ABCDEF1234" in text.pages[0].extract_text()
    assert "June" in text.pages[0].extract_text()
