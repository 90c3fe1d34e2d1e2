from email import message_from_bytes, policy

from pyramid_mailer.message import Message

from backrest.mail.transports import FileTransport, SMTPTransport, transport_from_settings
from backrest.settings import resolve


def settings(**overrides: str) -> dict:
    return resolve({"sqlalchemy.url": "sqlite://", **overrides}, {})


def message(subject: str = "Hello") -> Message:
    return Message(subject=subject, sender="noreply@localhost", recipients=["ada@example.com"], body="Hi")


def test_file_transport_writes_one_whole_message_per_file(tmp_path):
    directory = tmp_path / "not" / "there" / "yet"
    transport = FileTransport(str(directory))
    transport.send(message("one"))
    transport.send(message("two"))
    paths = sorted(directory.iterdir())
    assert [path.suffix for path in paths] == [".eml", ".eml"]
    subjects = [message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"] for p in paths]
    assert subjects == ["one", "two"]


def test_file_transport_leaves_no_temporary_files(tmp_path):
    FileTransport(str(tmp_path)).send(message())
    assert [path.name for path in tmp_path.iterdir() if not path.name.endswith(".eml")] == []


def test_file_names_sort_in_delivery_order(tmp_path):
    transport = FileTransport(str(tmp_path))
    for number in range(20):
        transport.send(message(str(number)))
    subjects = [
        message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"]
        for path in sorted(tmp_path.glob("*.eml"))
    ]
    assert subjects == [str(number) for number in range(20)]


def test_file_is_the_default_transport(tmp_path):
    transport = transport_from_settings(settings(**{"backrest.mail.directory": str(tmp_path)}))
    assert isinstance(transport, FileTransport)
    assert transport.directory == tmp_path


def test_smtp_transport_from_settings():
    transport = transport_from_settings(
        settings(
            **{
                "backrest.mail.transport": "smtp",
                "backrest.mail.smtp.host": "mail.example",
                "backrest.mail.smtp.port": "587",
                "backrest.mail.smtp.username": "backrest",
                "backrest.mail.smtp.password": "s3cret",
                "backrest.mail.smtp.tls": "true",
            }
        )
    )
    assert isinstance(transport, SMTPTransport)
    assert (transport.host, transport.port) == ("mail.example", 587)
    assert (transport.username, transport.password) == ("backrest", "s3cret")
    assert transport.starttls is True
    assert transport.ssl is False


def test_smtp_defaults_are_plain_port_25_without_login():
    transport = transport_from_settings(settings(**{"backrest.mail.transport": "smtp"}))
    assert (transport.host, transport.port) == ("localhost", 25)
    assert transport.username == ""
    assert transport.starttls is False
