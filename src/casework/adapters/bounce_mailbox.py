"""The bounce mailbox: delivery status notifications (RFC 3464) in a Maildir, read and
understood. A bounce names the notice it returns by the token in the address it was sent
to (VERP, mail_addresses.verp_address), or failing that by the Message-ID of the returned
message's headers."""

from __future__ import annotations

import contextlib
import email
import email.policy
import email.utils
import mailbox
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path

from casework.domain.errors import ConfigurationError
from casework.mail_addresses import verp_token

_RECIPIENT_HEADERS = ("X-Original-To", "Delivered-To", "To")


@dataclass(frozen=True)
class Failure:
    """One recipient a delivery status notification reports on."""

    recipient: str  # Final-Recipient, without its type ("rfc822;")
    original: str  # Original-Recipient, if the server gave it ("" otherwise)
    action: str  # failed | delayed | delivered | relayed | expanded
    status: str  # e.g. 5.1.1
    diagnostic: str  # the remote server's words, as reported

    def describe(self) -> str:
        words = f": {self.diagnostic}" if self.diagnostic else ""
        return f"{self.status or 'no status'} for {self.recipient or 'the recipient'}{words}"


@dataclass
class Bounce:
    """One message of the bounce mailbox, as far as it could be understood."""

    key: str
    tokens: list[str] = field(default_factory=list)
    message_ids: list[str] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    is_report: bool = False  # a multipart/report with a delivery-status part

    @property
    def failed(self) -> list[Failure]:
        return [f for f in self.failures if f.action.casefold() == "failed"]


class BounceMailbox:
    """A Maildir of bounces. Messages are read once: an understood bounce is removed after
    its notice is recorded (it quotes the notice, which may name a denouncer); anything else
    is marked seen and left for a person to read."""

    def __init__(self, folder: Path) -> None:
        """ConfigurationError if `folder` exists and is not a Maildir; a folder not there
        yet is an empty mailbox (Postfix makes the Maildir with its first message)."""
        self.folder = folder
        self.box: mailbox.Maildir | None = None
        if not folder.exists():
            if not folder.parent.is_dir():
                raise ConfigurationError(
                    f"CASEWORK_BOUNCE_MAILDIR={str(folder)!r}: neither it nor the folder it "
                    "would be made in exists; give the Maildir the bounce address is "
                    "delivered to"
                )
            return  # the mail server makes it with the first bounce
        if not all((folder / sub).is_dir() for sub in ("new", "cur", "tmp")):
            raise ConfigurationError(
                f"CASEWORK_BOUNCE_MAILDIR={str(folder)!r} is not a Maildir (it needs new/, "
                "cur/ and tmp/): give the Maildir the bounce address is delivered to"
            )
        self.box = mailbox.Maildir(folder, factory=None, create=False)

    def unread(self, bounce_address: str, limit: int) -> Iterator[Bounce]:
        """Up to `limit` messages not yet marked seen, understood."""
        if self.box is None:
            return
        count = 0
        for key in sorted(self.box.keys()):
            if count >= limit:
                return
            if "S" in self.box.get_message(key).get_flags():
                continue
            count += 1
            parsed = email.message_from_bytes(self.box.get_bytes(key), policy=email.policy.compat32)
            yield understood(key, parsed, bounce_address)

    def remove(self, key: str) -> None:
        """Delete a bounce whose notice is recorded."""
        if self.box is None:
            return
        with contextlib.suppress(KeyError):  # removed meanwhile by another run
            self.box.remove(key)

    def mark_seen(self, key: str) -> None:
        """Keep a message nobody understood, out of the next runs' way."""
        if self.box is None:
            return
        try:
            message = self.box.get_message(key)
        except KeyError:
            return
        message.set_subdir("cur")
        message.add_flag("S")
        self.box[key] = message


def understood(key: str, message: Message, bounce_address: str) -> Bounce:
    """What `message` says: its VERP tokens, the returned message's Message-ID, and the
    per-recipient reports of its delivery-status part."""
    bounce = Bounce(key)
    if bounce_address:
        for header in _RECIPIENT_HEADERS:
            for value in message.get_all(header, []):
                for one in str(value).split(","):
                    token = verp_token(email.utils.parseaddr(one)[1], bounce_address)
                    if token and token not in bounce.tokens:
                        bounce.tokens.append(token)
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            bounce.is_report = True
            bounce.failures.extend(_failures(part))
        elif content_type in ("text/rfc822-headers", "message/rfc822"):
            returned = _returned_headers(part)
            if returned is not None and returned.get("Message-ID"):
                bounce.message_ids.append(str(returned["Message-ID"]).strip())
    return bounce


def _failures(part: Message) -> list[Failure]:
    """The per-recipient blocks of a message/delivery-status part (the first block is the
    per-message one, without a Final-Recipient)."""
    blocks = part.get_payload()
    if not isinstance(blocks, list):  # unparsed: parse its text as header blocks
        text = str(blocks)
        blocks = [email.message_from_string(b) for b in text.split("\n\n") if b.strip()]
    found = []
    for block in blocks:
        if not isinstance(block, Message) or not block.get("Final-Recipient"):
            continue
        recipient = str(block["Final-Recipient"]).partition(";")[2].strip()
        original = str(block.get("Original-Recipient", "")).partition(";")[2].strip()
        found.append(
            Failure(
                recipient=recipient,
                original=original,
                action=str(block.get("Action", "")).strip(),
                status=str(block.get("Status", "")).strip(),
                diagnostic=" ".join(str(block.get("Diagnostic-Code", "")).split()),
            )
        )
    return found


def _returned_headers(part: Message) -> Message | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    if isinstance(payload, str):
        return email.message_from_string(payload)
    return None
