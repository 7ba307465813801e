"""Send notices: over SMTP with aiosmtplib (production), or as .eml files in a folder (the
embedded default, so a new user can read what casework would have sent)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Protocol

import aiosmtplib

from casework.mail_addresses import verp_address
from casework.private_files import private_folder, write_private


@dataclass(frozen=True)
class SendResult:
    """What happened to one message of a batch: None means delivered."""

    message_id: str
    error: str | None = None
    permanent: bool = False  # the server refused it for good (a 5xx reply): retrying won't help


class Mailer(Protocol):
    """Delivers a batch of messages; one failure does not stop the others."""

    def send_batch(self, messages: Sequence[Message]) -> list[SendResult]: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # none | starttls | tls
    username: str = ""
    password: str = ""
    timeout: float = 30.0
    helo: str = ""  # the name given in EHLO ("": this machine's)
    ca_file: str = ""  # CA certificates to trust (an agency's own CA)
    verify: bool = True  # check the server's certificate
    envelope_sender: str = ""  # MAIL FROM: the sender's address, never its display name
    verp: bool = False  # MAIL FROM is envelope_sender+<the notice's token> (bounces are read)


class SmtpMailer:
    """One SMTP connection per batch (STARTTLS or implicit TLS), credentials from settings."""

    def __init__(self, settings: SmtpSettings) -> None:
        if settings.security not in ("none", "starttls", "tls"):
            raise ValueError(
                f"smtp security {settings.security!r} is not one of none, starttls, tls"
            )
        self.settings = settings

    def describe(self) -> str:
        s = self.settings
        return f"smtp://{s.host}:{s.port} ({s.security})"

    def send_batch(self, messages: Sequence[Message]) -> list[SendResult]:
        return asyncio.run(self._send(messages))

    def _client(self) -> aiosmtplib.SMTP:
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.host,
            port=s.port,
            use_tls=s.security == "tls",
            start_tls=s.security == "starttls",
            timeout=s.timeout,
            local_hostname=s.helo or None,
            cert_bundle=s.ca_file or None,
            validate_certs=s.verify,
        )

    def _envelope(self, message: Message) -> str | None:
        """MAIL FROM for `message`: with its token when bounces are read (VERP)."""
        s = self.settings
        if s.verp and s.envelope_sender:
            return verp_address(s.envelope_sender, str(message["Message-ID"]))
        return s.envelope_sender or None

    async def _connected(self) -> aiosmtplib.SMTP:
        client = self._client()
        await client.connect()
        if self.settings.username:
            await client.login(self.settings.username, self.settings.password)
        return client

    async def _send(self, messages: Sequence[Message]) -> list[SendResult]:
        try:
            client = await self._connected()
        except (aiosmtplib.SMTPException, OSError) as exc:
            reason = f"cannot reach {self.describe()}: {exc}"
            return [SendResult(str(m["Message-ID"]), reason) for m in messages]
        results: list[SendResult] = []
        try:
            for index, message in enumerate(messages):
                try:
                    await client.send_message(message, sender=self._envelope(message))
                    results.append(SendResult(str(message["Message-ID"])))
                except Exception as exc:  # one message's failure never stops the batch
                    results.append(
                        SendResult(str(message["Message-ID"]), reply_of(exc), _is_permanent(exc))
                    )
                    if _slow_down(exc):
                        # a rate limit: the rest wait for a later run (their backoff) rather
                        # than each meet the same refusal now
                        reason = f"not tried: the server asked to slow down ({reply_of(exc)})"
                        results.extend(
                            SendResult(str(m["Message-ID"]), reason) for m in messages[index + 1 :]
                        )
                        return results
                    if _sender_refused(exc):
                        # our own address refused: no recipient is at fault, and every other
                        # message would meet the same answer. All wait (deferred), so no
                        # party's notice turns into a letter for it and the run fails loudly
                        reason = (
                            "the server refused the envelope sender "
                            f"{self.settings.envelope_sender or '(none)'} "
                            f"({reply_of(exc)}): check CASEWORK_MAIL_FROM, "
                            "CASEWORK_BOUNCE_ADDRESS and what the relay lets this host send as"
                        )
                        results[-1] = SendResult(str(message["Message-ID"]), reason)
                        results.extend(
                            SendResult(str(m["Message-ID"]), reason) for m in messages[index + 1 :]
                        )
                        return results
                    if not _lost_connection(exc):
                        continue
                    # the connection went (a timeout, a drop): this message is tried again
                    # in a later run, never twice in this one; the rest go on a new connection
                    with contextlib.suppress(Exception):
                        client.close()
                    try:
                        client = await self._connected()
                    except (aiosmtplib.SMTPException, OSError) as again:
                        reason = f"cannot reach {self.describe()} again: {again}"
                        results.extend(
                            SendResult(str(m["Message-ID"]), reason) for m in messages[index + 1 :]
                        )
                        return results
        finally:
            # the batch is done; a failed goodbye changes nothing
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.quit()
        return results


_THROTTLED = ("rate limit", "too many", "too much", "slow down", "throttl")


def _sender_refused(exc: Exception) -> bool:
    """Whether the server refused MAIL FROM for good because of the address itself (not the
    message's size, 552, which is that message's own failure)."""
    return (
        isinstance(exc, aiosmtplib.SMTPSenderRefused)
        and 500 <= exc.code < 600
        and exc.code != 552
        and "size" not in exc.message.lower()
    )


def _slow_down(exc: Exception) -> bool:
    """Whether the server refused for now because of how fast or how much we send: 421 (it
    is closing the channel), or a 4xx reply that says so (Postfix's anvil, a relay's quota)."""
    codes: list[tuple[int, str]] = []
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [(r.code, r.message) for r in exc.recipients]
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        codes = [(exc.code, exc.message)]
    return any(
        code == 421 or (400 <= code < 500 and any(w in text.lower() for w in _THROTTLED))
        for code, text in codes
    )


def _lost_connection(exc: Exception) -> bool:
    """Whether `exc` left the connection unusable (the server went away, or did not answer
    in time), so the next message needs a new one."""
    return isinstance(
        exc, aiosmtplib.SMTPServerDisconnected | aiosmtplib.SMTPTimeoutError | OSError
    )


def reply_of(exc: Exception) -> str:
    """What the server said, as its reply reads (`550 5.1.1 <a@b>: User unknown`), rather
    than the Python representation of the exception; the exception's words otherwise."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return "; ".join(f"{r.code} {r.message}" for r in exc.recipients) or str(exc)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}"
    return str(exc) or type(exc).__name__


def _is_permanent(exc: Exception) -> bool:
    """A 5xx reply (e.g. 550 no such mailbox) for the message or all its recipients."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        codes = [exc.code]
    else:
        return False
    return bool(codes) and all(500 <= code < 600 for code in codes)


class FolderMailer:
    """Writes each message to `<folder>/<Message-ID>.eml`; the same message twice is one file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def describe(self) -> str:
        return f"folder {self.folder}"

    def send_batch(self, messages: Sequence[Message]) -> list[SendResult]:
        private_folder(self.folder)  # the notices to a denouncer carry his name and address
        results = []
        for message in messages:
            message_id = str(message["Message-ID"])
            name = re.sub(r"[^A-Za-z0-9._-]", "_", message_id.strip("<>")) + ".eml"
            try:
                temporary = self.folder / f".{name}.tmp"
                write_private(temporary, message.as_bytes())
                temporary.replace(self.folder / name)  # atomic: a reader never sees half a file
                results.append(SendResult(message_id))
            except Exception as exc:  # one message's failure never stops the batch
                results.append(SendResult(message_id, f"cannot write {name}: {exc}"))
        return results
