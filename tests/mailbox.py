"""Reading the mail the application delivered as files."""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.message import EmailMessage

    from backrest.mail.outbox import OutboxWorker

LINK = re.compile(r"https?://\S+")


@dataclass
class Mail:
    to: str
    subject: str
    body: str

    @property
    def links(self) -> list[str]:
        return LINK.findall(self.body)

    @property
    def token(self) -> str:
        """The token at the end of the mail's first link (``/confirm#token=...`` or ``/confirm/...``)."""
        return re.split(r"[/#=]", self.links[0].rstrip("/"))[-1]


def parse(path: Path) -> Mail:
    message: EmailMessage = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return Mail(message["To"], message["Subject"], message.get_content())


class Mailbox:
    """The messages delivered to a directory, delivered on demand by the outbox worker."""

    def __init__(self, directory: Path, worker: OutboxWorker) -> None:
        self.directory = directory
        self.worker = worker
        self.seen: set[str] = set()

    def all(self) -> list[Mail]:
        self.worker.deliver_due()
        return [parse(path) for path in sorted(self.directory.glob("*.eml"))]

    def new(self) -> list[Mail]:
        """The messages delivered since the last call."""
        self.worker.deliver_due()
        paths = [path for path in sorted(self.directory.glob("*.eml")) if path.name not in self.seen]
        self.seen.update(path.name for path in paths)
        return [parse(path) for path in paths]

    def last_to(self, address: str) -> Mail:
        mails = [mail for mail in self.all() if address.lower() in mail.to.lower()]
        assert mails, f"no mail to {address}"
        return mails[-1]
