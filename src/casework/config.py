"""Settings, read lazily from `CASEWORK_*` environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from casework.environment import ENV_PREFIX, LEGAL_TIMEZONE
from casework.mail_addresses import MailAddress, check_helo_name, parse_address

__all__ = ["LEGAL_TIMEZONE", "Settings", "load_settings"]


class Settings(BaseSettings):
    """Configuration of one casework installation."""

    # names in any case (pydantic-settings' default); environment.py reads its few alike
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    home: Path = Field(
        default=Path("var"), description="folder for the embedded database and local output"
    )
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty means SQLite in <home>/casework.db"
    )
    postgres_synchronous_commit: Literal["on", "off", "local", "remote_write", "remote_apply"] = (
        Field(
            default="on",
            description="PostgreSQL's synchronous_commit for casework's sessions. 'on': an "
            "action is reported done once it is on disk. 'off': several times more actions "
            "per second on a slow disk, but a server crash may lose the last fraction of a "
            "second of actions (whole transactions; nothing half-written)",
        )
    )
    calendar_file: Path | None = Field(
        default=None, description="agency calendar YAML with extra closures and working days"
    )
    definitions_dir: Path | None = Field(
        default=None, description="folder of lifecycle definitions; default: the shipped ones"
    )
    allow_late_extension: bool = Field(
        default=False,
        description="accept an extension decided after the period expired (the law is read to want it before)",
    )
    policy_lengths: dict[str, int] = Field(
        default_factory=dict,
        description='agency lengths for policy clocks, e.g. {"denunciation.referral": 1}',
    )

    session_idle_minutes: int = Field(
        default=30,
        ge=1,
        le=24 * 60,
        description="a web session unused this many minutes ends; sign in again",
    )
    session_max_hours: int = Field(
        default=10,
        ge=1,
        le=7 * 24,
        description="a web session ends this many hours after sign-in, however busy",
    )
    max_request_bytes: int = Field(
        default=1_000_000,
        ge=1_000,
        description="the largest request body the web UI and the API accept (413 beyond)",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="base URL of the web UI, for links in emails"
    )
    mail_from: str = Field(
        default="casework@localhost",
        description="From: of every notice: an address, with a display name if you like "
        '("Thanh tra tỉnh <thanhtra@nghean.gov.vn>"); its domain names the Message-IDs',
    )
    mail_reply_to: str = Field(
        default="", description="Reply-To: of every notice (an address); empty: none"
    )
    mail_folder: Path | None = Field(
        default=None, description="where notices go as .eml files when no SMTP host is set"
    )
    letters_folder: Path | None = Field(
        default=None,
        description="where notices to parties without an email address are written as "
        "printable letters (HTML and text) for the agency to sign and post",
    )
    smtp_host: str = Field(default="", description="SMTP server; empty = write .eml files")
    smtp_port: int = Field(default=587)
    smtp_security: str = Field(default="starttls", description="none | starttls | tls")
    smtp_username: str = Field(default="")
    smtp_password: str = Field(default="")
    smtp_timeout: float = Field(default=30.0)
    smtp_helo: str = Field(
        default="", description="the name casework gives in EHLO; empty: this machine's name"
    )
    smtp_ca_file: Path | None = Field(
        default=None,
        description="CA certificates (PEM) to trust for the mail server, e.g. an agency's own CA",
    )
    smtp_verify: bool = Field(
        default=True,
        description="check the mail server's certificate (turn off only for a test server)",
    )
    bounce_address: str = Field(
        default="",
        description="envelope sender (MAIL FROM) for bounces, e.g. bounces@nghean.gov.vn: "
        "each notice goes out as bounces+<its id>@… (VERP) so a bounce names its notice; "
        "empty: the sender's address, and bounces are not read",
    )
    bounce_maildir: Path | None = Field(
        default=None,
        description="the Maildir the bounce address is delivered to, read by `casework "
        "outbox bounces` and the read-bounces flow",
    )
    delivery_batch: int = Field(default=200, description="messages per delivery run")
    delivery_max_age_hours: float = Field(
        default=48,
        gt=0,
        description="a notice still undelivered this long after it was queued is given up "
        "(dead); until then it is retried, slower each time",
    )
    delivery_backoff_seconds: int = Field(default=60, description="first retry delay; doubles")
    notice_language: str = Field(default="vi", description="vi or en")
    secret_key: str = Field(
        default="",
        description="signs web session cookies; empty: one is made in <home>/secret_key",
    )
    keys_folder: Path | None = Field(
        default=None,
        description="folder of the installation and repeat keys (made 0700, files 0600); "
        "empty: <home>/keys. Keep it out of the database's backups",
    )
    installation_key: SecretStr = Field(
        default=SecretStr(""),
        description="the installation key (base64 of 32 bytes) instead of the keys folder",
    )
    previous_installation_keys: SecretStr = Field(
        default=SecretStr(""),
        description="earlier installation keys (base64, comma-separated) kept while "
        "`casework keys rotate` moves the vault to the current one",
    )
    repeat_key: SecretStr = Field(
        default=SecretStr(""),
        description="the repeat key (base64 of 32 bytes) instead of the keys folder",
    )
    key_hook: str = Field(
        default="",
        description="module:function returning the keys (a KMS); see the README, section Keys",
    )
    cookie_secure: bool = Field(
        default=False, description="send the session cookie over HTTPS only (set in production)"
    )

    @field_validator(
        "calendar_file",
        "definitions_dir",
        "mail_folder",
        "letters_folder",
        "keys_folder",
        "smtp_ca_file",
        "bounce_maildir",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """An optional path set to nothing means none, not the current folder."""
        return None if isinstance(value, str) and not value.strip() else value

    def resolved_secret_key(self) -> str:
        """The configured key, or one made once and kept in <home>/secret_key (mode 0600).
        A key shorter than 32 characters is refused: it would let anyone forge a session."""
        key = self.secret_key or self._stored_secret_key()
        if len(key) < 32:
            from casework.domain.errors import SettingsInvalid

            raise SettingsInvalid(
                "CASEWORK_SECRET_KEY (or <home>/secret_key) must be at least 32 random "
                "characters; leave the setting empty to have one made"
            )
        return key

    def _stored_secret_key(self) -> str:
        import os
        import secrets

        from casework.private_files import private_folder

        path = self.home / "secret_key"
        if not path.exists():
            private_folder(self.home)
            draft = path.with_name(f"secret_key.{os.getpid()}")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(48))
                handle.flush()
                os.fsync(handle.fileno())
            try:  # written whole, then put in place: no reader ever sees an empty key
                os.link(draft, path)
            except FileExistsError:
                pass  # another process made it first: use theirs
            finally:
                draft.unlink()
        return path.read_text(encoding="ascii").strip()

    def resolved_mail_folder(self) -> Path:
        return self.mail_folder or self.home / "mail"

    @field_validator("mail_from")
    @classmethod
    def _one_sender(cls, value: str) -> str:
        parse_address(value, "CASEWORK_MAIL_FROM")
        return value

    @field_validator("mail_reply_to")
    @classmethod
    def _one_reply_to(cls, value: str) -> str:
        if value.strip():
            parse_address(value, "CASEWORK_MAIL_REPLY_TO")
        return value

    @field_validator("bounce_address")
    @classmethod
    def _bare_bounce_address(cls, value: str) -> str:
        value = value.strip()
        if not value:
            return value
        found = parse_address(value, "CASEWORK_BOUNCE_ADDRESS")
        if found.name or found.address != value or "+" in found.address.partition("@")[0]:
            raise ValueError(
                f"CASEWORK_BOUNCE_ADDRESS={value!r}: give a bare address without a display "
                "name or a '+' (casework adds +<notice id> itself), e.g. bounces@nghean.gov.vn"
            )
        return value

    @field_validator("smtp_helo")
    @classmethod
    def _helo_name(cls, value: str) -> str:
        return check_helo_name(value.strip())

    @field_validator("smtp_ca_file")
    @classmethod
    def _readable_ca_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(
                f"CASEWORK_SMTP_CA_FILE={str(value)!r} is not a file; give the PEM file of the "
                "CA that signed the mail server's certificate"
            )
        return value

    def envelope_sender(self) -> str:
        """MAIL FROM without a notice's token: the bounce address, else the sender's."""
        return self.bounce_address or self.sender().address

    def sender(self) -> MailAddress:
        """The From: address, parsed (checked when the settings were read)."""
        return parse_address(self.mail_from, "CASEWORK_MAIL_FROM")

    def reply_to(self) -> MailAddress | None:
        return (
            parse_address(self.mail_reply_to, "CASEWORK_MAIL_REPLY_TO")
            if self.mail_reply_to.strip()
            else None
        )

    def resolved_keys_folder(self) -> Path:
        return self.keys_folder or self.home / "keys"

    def resolved_letters_folder(self) -> Path:
        return self.letters_folder or self.home / "letters"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'casework.db').resolve()}"


def load_settings() -> Settings:
    """The settings from the environment, or SettingsInvalid naming each wrong variable, its
    value and what it takes."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    try:
        return Settings()
    except SettingsError as unreadable:  # e.g. a mapping setting that is not JSON
        from casework.domain.errors import SettingsInvalid

        raise SettingsInvalid(
            f"invalid setting: {str(unreadable).split(' from source')[0]}; a mapping such as "
            'CASEWORK_POLICY_LENGTHS is JSON, e.g. {"denunciation.referral": 1} (see README, '
            "Configuration)"
        ) from None
    except ValidationError as invalid:
        from casework.domain.errors import SettingsInvalid

        problems = []
        for error in invalid.errors():
            name = "CASEWORK_" + "_".join(str(part) for part in error["loc"][:1]).upper()
            value = error.get("input")
            secret = any(word in name for word in ("PASSWORD", "SECRET", "KEY", "URL"))
            shown = f"={value!r}" if isinstance(value, str | int | float) and not secret else ""
            message = str(error["msg"])
            if message.startswith("Value error, CASEWORK_"):  # ours: names itself, as written
                problems.append(message.removeprefix("Value error, "))
                continue
            problems.append(f"{name}{shown}: {message.lower()}")
        raise SettingsInvalid(
            "invalid setting: " + "; ".join(problems) + " (see README, Configuration)"
        ) from None
