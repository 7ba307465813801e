"""The mail settings' addresses, checked when casework starts (issue 25).

`CASEWORK_MAIL_FROM` may carry a display name, in Vietnamese as agencies write it
(`"Thanh tra tỉnh Nghệ An" <thanhtra@nghean.gov.vn>`). Put into a header as typed, a name with
diacritics reached Postfix garbled and split into two addresses, and the Message-ID took the
display name's `>` along (`…@domain>>`). Here the setting is parsed once as one RFC 5322
address: the address part names the Message-ID's domain and the envelope sender, and the
header is written with the name encoded per RFC 2047.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import formataddr, getaddresses
from functools import lru_cache

_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$")
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


@dataclass(frozen=True)
class MailAddress:
    """One address with an optional display name."""

    name: str
    address: str

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    def header(self) -> str:
        """For a From: or Reply-To: header: the name encoded per RFC 2047 when it is not
        plain ASCII, quoted when it holds specials."""
        return formataddr((self.name, self.address), charset="utf-8")


@lru_cache(maxsize=64)  # the sweep names thousands of Message-IDs after one setting
def parse_address(value: str, setting: str) -> MailAddress:
    """`value` as one address (`name <local@domain>` or `local@domain`), or ValueError saying
    what is wrong and what the setting takes."""
    example = f'{setting}="Thanh tra tỉnh <thanhtra@nghean.gov.vn>" or thanhtra@nghean.gov.vn'
    if any(ch in value for ch in "\r\n"):
        raise ValueError(f"{setting} holds a line break; give one address, e.g. {example}")
    found = getaddresses([value])
    if len(found) != 1 or not found[0][1]:
        raise ValueError(f"{setting}={value!r} is not one address; give e.g. {example}")
    name, address = found[0]
    local, at, domain = address.rpartition("@")
    if not at or not _LOCAL.match(local) or ".." in local or not _DOMAIN.match(domain):
        raise ValueError(
            f"{setting}={value!r}: {address!r} is not an address local@domain with an ASCII "
            f"domain (write an internationalised domain in its xn-- form); e.g. {example}"
        )
    Address(display_name=name, addr_spec=address)  # the standard library agrees
    return MailAddress(name.strip(), address)


_HOSTNAME = re.compile(
    r"^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


def check_helo_name(value: str) -> str:
    """The name casework gives in HELO/EHLO: a host name, or an address in brackets."""
    if not value or _HOSTNAME.match(value) or re.fullmatch(r"\[[0-9A-Fa-f:.]+\]", value):
        return value
    raise ValueError(
        f"CASEWORK_SMTP_HELO={value!r} is not a host name; give this machine's name as the "
        "mail server knows it, e.g. casework.nghean.gov.vn (or [192.0.2.10])"
    )


_TOKEN = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def verp_address(bounce_address: str, message_id: str) -> str:
    """The envelope sender of one notice: `local+<token>@domain`, the token being the
    Message-ID's left part (a name-based UUID), so that a bounce, sent back to it, names the
    notice it returns (VERP) even when the mail server quotes nothing of it."""
    token = message_id.strip().strip("<>").partition("@")[0]
    if not _TOKEN.match(token):
        return bounce_address  # not one of ours: no token, the bounce is matched by its text
    local, _, domain = bounce_address.rpartition("@")
    return f"{local}+{token}@{domain}"


def verp_token(recipient: str, bounce_address: str) -> str | None:
    """The token in `recipient` if it is `bounce_address` with one (`local+token@domain`,
    compared without case), else None."""
    local, _, domain = bounce_address.rpartition("@")
    got_local, _, got_domain = recipient.strip().strip("<>").rpartition("@")
    base, plus, token = got_local.partition("+")
    if (
        not plus
        or base.casefold() != local.casefold()
        or got_domain.casefold() != domain.casefold()
    ):
        return None
    return token if _TOKEN.match(token) else None
