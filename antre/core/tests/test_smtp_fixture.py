"""The SMTP test server: Django's mail reaches it over real SMTP, and it can be
taken down and brought back on the same port."""

from __future__ import annotations

import smtplib

import pytest
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.core.mail import send_mail

from antre.testing.smtp import SMTPTestServer


def test_send_mail_arrives_at_the_smtp_server(smtp_server: SMTPTestServer) -> None:
    sent = send_mail(
        "Kode pemesanan Anda",
        "Kode: ABCD-1234",
        "antre <antre@example.test>",
        ["warga@example.test"],
    )

    assert sent == 1
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Kode pemesanan Anda"
    assert message["To"] == "warga@example.test"
    assert message.get_content().strip() == "Kode: ABCD-1234"
    [received] = smtp_server.received
    assert received.mail_from == "antre@example.test"
    assert received.rcpt_tos == ("warga@example.test",)


def test_non_ascii_and_attachments_survive_the_wire(smtp_server: SMTPTestServer) -> None:
    mail = DjangoEmailMessage(
        subject="Pemesanan dikonfirmasi – Dukcapil",
        body="Selamat datang, Siti Nurhaliza. Jam: 09.30 WIB.",
        to=["siti@example.test"],
    )
    mail.attach("qr.png", b"\x89PNG\r\n\x1a\nfake", "image/png")
    mail.send()

    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "Pemesanan dikonfirmasi – Dukcapil"
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "Siti Nurhaliza" in body.get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "qr.png"
    assert attachment.get_content() == b"\x89PNG\r\n\x1a\nfake"


def test_server_can_go_down_and_come_back_on_the_same_port(
    smtp_server: SMTPTestServer,
) -> None:
    port = smtp_server.port
    smtp_server.stop()

    assert not smtp_server.is_running
    with pytest.raises(ConnectionRefusedError):
        send_mail("Hilang", "Server mati.", None, ["warga@example.test"])

    smtp_server.start()
    send_mail("Kembali", "Server hidup lagi.", None, ["warga@example.test"])

    assert smtp_server.port == port
    assert [message["Subject"] for message in smtp_server.wait_for(1)] == ["Kembali"]


def test_messages_are_kept_across_a_restart_until_cleared() -> None:
    with SMTPTestServer() as server:
        with smtplib.SMTP(server.host, server.port, timeout=5) as client:
            client.sendmail("a@example.test", ["b@example.test"], b"Subject: satu\r\n\r\nisi\r\n")
        server.stop()
        server.start()
        assert [message["Subject"] for message in server.messages] == ["satu"]
        server.clear()
        assert server.messages == []
    assert not server.is_running


def test_wait_for_times_out_with_a_clear_message() -> None:
    with SMTPTestServer() as server, pytest.raises(TimeoutError, match="0 of 1 expected"):
        server.wait_for(1, timeout=0.1)


def test_starting_twice_is_an_error() -> None:
    with SMTPTestServer() as server, pytest.raises(RuntimeError, match="already running"):
        server.start()
