"""Settings, read lazily from `CASEWORK_*` environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LEGAL_TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class Settings(BaseSettings):
    """Configuration of one casework installation."""

    model_config = SettingsConfigDict(env_prefix="CASEWORK_", extra="ignore")

    home: Path = Field(
        default=Path("var"), description="folder for the embedded database and local output"
    )
    database_url: str = Field(
        default="", description="SQLAlchemy URL; empty means SQLite in <home>/casework.db"
    )
    calendar_file: Path | None = Field(
        default=None, description="agency calendar YAML with extra closures and working days"
    )
    definitions_dir: Path | None = Field(
        default=None, description="folder of lifecycle definitions; default: the shipped ones"
    )
    allow_late_extension: bool = Field(
        default=False,
        description="accept an extension decided after the period expired (PROCEDURES §1.8 [U])",
    )
    policy_lengths: dict[str, int] = Field(
        default_factory=dict,
        description='agency lengths for policy clocks, e.g. {"denunciation.referral": 1}',
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'casework.db').resolve()}"


def load_settings() -> Settings:
    return Settings()
