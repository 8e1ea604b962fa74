from email import message_from_bytes, policy

from django.core.mail import EmailMessage

from antre.notifications.mailers import EmlFileBackend


def test_messages_become_eml_files_and_are_echoed(tmp_path, capsys):
    backend = EmlFileBackend(file_path=str(tmp_path), alias="default")
    message = EmailMessage(
        "Kode pemesanan", "Kode Anda: 7K3M-9QXZ4", "antre@localhost", ["warga@example.test"]
    )
    assert backend.send_messages([message]) == 1

    [saved] = list(tmp_path.glob("*.eml"))
    parsed = message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert parsed["To"] == "warga@example.test"
    assert "7K3M-9QXZ4" in parsed.get_content()
    out = capsys.readouterr().out
    # The console is a log too: the address masked, the code readable.
    assert "warga@example.test" not in out
    assert "w***@example.test" in out
    assert "7K3M-9QXZ4" in out
