"""Where mail goes: files in a directory (development) or an SMTP server."""

from __future__ import annotations

import os
import ssl
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import smtplib

    from pyramid_mailer.message import Message

SMTP_TIMEOUT = 10
"""Seconds to wait for the SMTP server: a hung server delays the outbox, never a request."""


class Transport(Protocol):
    def send(self, message: Message) -> None:
        """Deliver ``message`` or raise."""

    def check(self) -> None:
        """Get as far as a delivery would without delivering anything, or raise what it would."""


class FileTransport:
    """One RFC 822 file per message, written whole or not at all.

    Each file appears by an atomic rename, so a reader never sees half a
    message.
    """

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)

    def check(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=self.directory):
            pass

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
    """One SMTP session per message, closed whatever happens.

    ``smtplib`` directly rather than repoze.sendmail's mailer: that one leaves
    the connection open when the server refuses a message (a socket leaked
    at every retry of a long-running worker) and sends bare LF line ends,
    which servers hardened against SMTP smuggling reject. TLS checks the
    server's certificate: mails carry reset links.
    """

    def __init__(self, settings: dict[str, Any]) -> None:
        prefix = "backrest.mail.smtp."
        self.host: str = settings[prefix + "host"]
        self.port: int = settings[prefix + "port"]
        self.username: str = settings[prefix + "username"]
        self.password: str = settings[prefix + "password"]
        self.starttls: bool = settings[prefix + "tls"]
        self.ssl: bool = settings[prefix + "ssl"]

    def _connect(self) -> smtplib.SMTP:
        import smtplib  # noqa: PLC0415 - loaded by the first mail sent: most processes only queue mail

        if self.ssl:
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT, context=context)
        return smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT)

    def _session(self) -> smtplib.SMTP:
        """A connection, with TLS and logged in as the settings say."""
        connection = self._connect()
        try:
            if self.starttls and not self.ssl:
                connection.starttls(context=ssl.create_default_context())
            if self.username:
                connection.login(self.username, self.password)
        except BaseException:
            connection.close()
            raise
        return connection

    def check(self) -> None:
        with self._session() as connection:
            connection.noop()

    def send(self, message: Message) -> None:
        with self._session() as connection:
            connection.send_message(
                message.to_message(), from_addr=message.sender, to_addrs=sorted(message.send_to)
            )


def transport_from_settings(settings: dict[str, Any]) -> Transport:
    if settings["backrest.mail.transport"] == "smtp":
        return SMTPTransport(settings)
    return FileTransport(settings["backrest.mail.directory"])
