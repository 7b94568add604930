"""Settings from the environment (prefix ``XOMANTOAN_``) and an optional ``.env`` file.

A wrong setting must stop start-up with one clear line naming the setting and the reason;
:func:`load_settings` turns pydantic's errors into :class:`SettingsError` with that line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TOKEN_PATTERN = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,64}$")
ENV_PREFIX = "XOMANTOAN_"


# The console demo's database (``make run`` without a token), relative to the working folder.
DEMO_DATABASE = Path(".demo") / "xomantoan-demo.sqlite3"


class SettingsError(Exception):
    """A setting is wrong; the message is one line meant for the person installing the bot."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    database: Path = Path("xomantoan.sqlite3")
    admins: Annotated[list[int], NoDecode] = Field(default_factory=list)
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: str = "vi"
    log_level: str = "INFO"
    # The commune's name as it appears on the draft summary report ("Xã An Bình").
    commune_name: str | None = Field(default=None, max_length=80)
    # How long a menu that belongs to no conversation stays usable, and a conversation lives.
    menu_ttl_hours: int = Field(default=48, ge=1, le=24 * 30)
    conversation_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    # Long polling
    poll_timeout_seconds: int = Field(default=30, ge=0, le=50)
    # Delivered messages and idle strangers' chats are purged after this many days (the
    # awareness figures keep their counts).
    retention_days: int = Field(default=180, ge=30, le=3650)

    @field_validator("telegram_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not TOKEN_PATTERN.match(value.strip()):
            raise ValueError(
                "does not look like a bot token from @BotFather (digits, a colon, then letters)"
            )
        return value.strip()

    @field_validator("commune_name", mode="before")
    @classmethod
    def _commune_name(cls, value: object) -> object:
        if isinstance(value, str):
            return " ".join(value.split()) or None
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(
                "must be an http:// or https:// address such as https://api.telegram.org"
            )
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _admins(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            for part in parts:
                if not re.fullmatch(r"-?\d{1,20}", part):
                    raise ValueError(f"'{part}' is not a Telegram user id (a whole number)")
            return [int(p) for p in parts]
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone '{value}' (for example Asia/Ho_Chi_Minh)"
            ) from None
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("must be vi or en")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token(self) -> str | None:
        return self.telegram_token.get_secret_value() if self.telegram_token else None


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise :class:`SettingsError` with one line on the first wrong one."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else "?"
        reason = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Setting {ENV_PREFIX}{field.upper()}: {reason}") from None
    return settings


def check_database_path(path: Path) -> None:
    """Fail early, with a clear line, when the database file cannot be created or written."""
    target = path.expanduser()
    parent = target.parent if str(target.parent) else Path(".")
    if target.exists():
        if target.is_dir():
            raise SettingsError(f"Setting {ENV_PREFIX}DATABASE: {target} is a folder, not a file")
        if not os.access(target, os.W_OK):
            raise SettingsError(f"Setting {ENV_PREFIX}DATABASE: {target} is not writable")
        return
    if not parent.exists():
        raise SettingsError(f"Setting {ENV_PREFIX}DATABASE: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise SettingsError(
            f"Setting {ENV_PREFIX}DATABASE: cannot create a file in {parent} (no write permission)"
        )
