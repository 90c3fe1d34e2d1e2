"""Where mail goes: files in a directory (development) or an SMTP server."""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pyramid_mailer.mailer import Mailer

if TYPE_CHECKING:
    from pyramid_mailer.message import Message


class Transport(Protocol):
    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise."""


class FileTransport:
    """One RFC 822 file per message, written whole or not at all.

    Each file appears by an atomic rename, so a reader never sees half a
    message.
    """

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)

    def send(self, message: Message) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        data = message.to_message().as_bytes()
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".tmp")
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{Path(temporary).stem.lstrip('.')}.eml"
        Path(temporary).replace(self.directory / name)


class SMTPTransport:
    def __init__(self, settings: dict[str, Any]) -> None:
        prefix = "backrest.mail.smtp."
        self.mailer = Mailer(
            host=settings[prefix + "host"],
            port=settings[prefix + "port"],
            username=settings[prefix + "username"] or None,
            password=settings[prefix + "password"] or None,
            tls=settings[prefix + "tls"],
            ssl=settings[prefix + "ssl"],
        )

    def send(self, message: Message) -> None:
        self.mailer.send_immediately(message, fail_silently=False)


def transport_from_settings(settings: dict[str, Any]) -> Transport:
    if settings["backrest.mail.transport"] == "smtp":
        return SMTPTransport(settings)
    return FileTransport(settings["backrest.mail.directory"])
