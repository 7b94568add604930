"""Settings from the environment (prefix ``XOMANTOAN_``) and an optional ``.env`` file.

A wrong setting must stop start-up with one clear line naming the setting and the reason;
:func:`load_settings` turns pydantic's errors into :class:`SettingsError` with that line.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.core.sealing import Sealer, decode_key, key_file_of, load_or_create_key
from bot.transports.platforms import admin_person

TOKEN_PATTERN = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,64}$")
# A Zalo bot token from Zalo Bot Creator: the bot's id (digits), a colon, the access key.
ZALO_TOKEN_PATTERN = re.compile(r"^\d{3,25}:[A-Za-z0-9_-]{8,256}$")
# Zalo sends the webhook secret back in a header: 8 to 256 visible ASCII characters.
WEBHOOK_SECRET_PATTERN = re.compile(r"^[\x21-\x7e]{8,256}$")
# Telegram's secret_token allows 1 to 256 of these; a short one is guessed, so 16 at least.
TELEGRAM_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
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
    # A SQLite file (or sqlite:FILE), or a PostgreSQL server: postgresql://user@host/name.
    database: Path | str = Path("xomantoan.sqlite3")
    # Telegram user ids, and Zalo ids written zalo:ID: (platform, id) once read.
    admins: Annotated[list[tuple[str, str]], NoDecode] = Field(default_factory=list)
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
    # Telegram by webhook instead (several bot processes behind one https:// address): the
    # address Telegram posts to (the bot's HTTP server serves its path, behind the reverse
    # proxy), and the secret Telegram sends back with each update (by default one derived
    # from the token). Without the address, the bot polls (one process).
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    # Several processes on one PostgreSQL database: only one may long-poll Telegram; with
    # false this process does not receive (it sends the outbox and runs the timers).
    telegram_polling: bool = True
    # A process silent for longer than this is taken for dead (what it held is taken back).
    process_lease_seconds: float = Field(default=30.0, ge=1, le=600)
    # Telegram's limits (about 30 messages a second overall, one a second in one chat); a
    # bot with paid broadcasts may send faster overall.
    telegram_messages_per_second: float = Field(default=30.0, gt=0, le=1000)
    telegram_chat_interval_seconds: float = Field(default=1.0, ge=0, le=60)
    # Zalo Bot Platform: the token from Zalo Bot Creator, the API root (requests go to
    # <root>/bot<token>/<method>), and an optional webhook (else long polling).
    zalo_token: SecretStr | None = None
    zalo_api_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    # Zalo's quotas are not published: a safe pace by default.
    zalo_messages_per_second: float = Field(default=5.0, gt=0, le=100)
    zalo_chat_interval_seconds: float = Field(default=1.0, ge=0, le=60)
    # The bot's own small HTTP server: the Zalo webhook, a health check and download links.
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=1, le=65535)
    # The public https:// root where that server is reached (for download links); by default
    # the webhook's https://host.
    public_url: str | None = None
    download_link_hours: int = Field(default=6, ge=1, le=72)
    # Delivered messages and idle strangers' chats are purged after this many days (the
    # awareness figures keep their counts).
    retention_days: int = Field(default=180, ge=30, le=3650)
    # The key that seals anonymous reporters' chat addresses (URL-safe base64 of 32 bytes);
    # without it, a key file is made beside the database on the first run (mode 0600).
    seal_key: SecretStr | None = None
    # How long after a report is resolved its reporter may reopen it (once).
    reopen_days: int = Field(default=7, ge=1, le=90)

    @field_validator("database", mode="before")
    @classmethod
    def _database(cls, value: object) -> object:
        return database_setting(value) if isinstance(value, str | Path) else value

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

    @field_validator("zalo_token", mode="before")
    @classmethod
    def _zalo_token_shape(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not ZALO_TOKEN_PATTERN.match(value.strip()):
            raise ValueError(
                "does not look like a Zalo bot token from Zalo Bot Creator (the bot's id in"
                " digits, a colon, then letters)"
            )
        return value.strip()

    @field_validator("zalo_webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not WEBHOOK_SECRET_PATTERN.match(value.strip()):
            raise ValueError(
                "must be 8 to 256 characters without spaces (letters, digits, punctuation)"
            )
        return value.strip()

    @field_validator("telegram_webhook_secret", mode="before")
    @classmethod
    def _telegram_secret(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not TELEGRAM_SECRET_PATTERN.match(value.strip()):
            raise ValueError(
                "must be 16 to 256 characters of letters A-Z a-z, digits, _ and - (what"
                " Telegram allows)"
            )
        return value.strip()

    @field_validator("zalo_webhook_url", "telegram_webhook_url", "public_url", mode="before")
    @classmethod
    def _https_url(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or not re.match(r"^https://[^\s/]+(/\S*)?$", value.strip()):
            raise ValueError("must be an https:// address such as https://bot.example.vn/zalo")
        return value.strip().rstrip("/")

    @field_validator("seal_key", mode="before")
    @classmethod
    def _seal_key(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise ValueError("must be text")
        decode_key(value)  # ValueError with the reason
        return value.strip()

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.zalo_webhook_url and self.zalo_webhook_secret is None:
            raise ValueError(
                "ZALO_WEBHOOK_SECRET: is needed with ZALO_WEBHOOK_URL (8 to 256 characters;"
                " Zalo sends it back with every update)"
            )
        if self.telegram_webhook_url:
            if self.telegram_token is None:
                raise ValueError("TELEGRAM_WEBHOOK_URL: is set, but TELEGRAM_TOKEN is not")
            path = _path_of(self.telegram_webhook_url)
            if self.zalo_webhook_url and path == _path_of(self.zalo_webhook_url):
                raise ValueError(
                    "TELEGRAM_WEBHOOK_URL: its path must differ from ZALO_WEBHOOK_URL's (both"
                    " are served by the bot's one HTTP server)"
                )
            if path in ("/health",) or path.startswith(("/files/", "/media/")):
                raise ValueError(f"TELEGRAM_WEBHOOK_URL: the path {path} is the bot's own")
        return self

    @field_validator("commune_name", mode="before")
    @classmethod
    def _commune_name(cls, value: object) -> object:
        if isinstance(value, str):
            return " ".join(value.split()) or None
        return value

    @field_validator("telegram_api_url", "zalo_api_url")
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
            return [admin_person(p) for p in value.split(",") if p.strip()]
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

    @property
    def zalo(self) -> str | None:
        """The Zalo token, or None."""
        return self.zalo_token.get_secret_value() if self.zalo_token else None

    @property
    def webhook_secret(self) -> str | None:
        return self.zalo_webhook_secret.get_secret_value() if self.zalo_webhook_secret else None

    @property
    def telegram_webhook_path(self) -> str | None:
        """Where the bot's HTTP server takes Telegram's updates (webhook mode), else None."""
        return _path_of(self.telegram_webhook_url) if self.telegram_webhook_url else None

    @property
    def telegram_secret(self) -> str | None:
        """The secret Telegram sends with each webhook call: the setting, else one derived
        from the token (the same in every process; a new token gives a new one)."""
        if self.telegram_webhook_secret is not None:
            return self.telegram_webhook_secret.get_secret_value()
        if self.token is None:
            return None
        digest = hmac.new(self.token.encode(), b"xomantoan telegram webhook", hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")

    @property
    def download_root(self) -> str | None:
        """Where download links point: the public URL, else the webhook's scheme and host."""
        if self.public_url:
            return self.public_url
        if self.zalo_webhook_url:
            match = re.match(r"^https://[^/]+", self.zalo_webhook_url)
            return match.group(0) if match else None
        return None

    @property
    def secrets(self) -> list[str]:
        """What the logs must never show."""
        seal = self.seal_key.get_secret_value() if self.seal_key else None
        telegram = self.telegram_secret
        return [s for s in (self.token, self.zalo, self.webhook_secret, telegram, seal) if s]

    def sealer(self) -> Sealer:
        """The sealer of reporters' addresses: the set key, else the key file beside the
        SQLite database (made on the first run); on PostgreSQL the key must be set."""
        if self.seal_key is not None:
            return Sealer(decode_key(self.seal_key.get_secret_value()))
        if not isinstance(self.database, Path):  # a server: no file to keep the key beside
            raise SettingsError(
                f"Setting {ENV_PREFIX}SEAL_KEY: is needed with a PostgreSQL database (the same"
                " key for every bot process; URL-safe base64 of 32 bytes)"
            )
        path = key_file_of(self.database.expanduser())
        try:
            return Sealer(load_or_create_key(path))
        except ValueError as exc:
            raise SettingsError(
                f"the seal key file {path} {exc}: restore it from a backup, or set "
                "XOMANTOAN_SEAL_KEY"
            ) from None
        except OSError as exc:
            raise SettingsError(
                f"the seal key file {path} cannot be read or made ({exc.strerror})"
            ) from None


def _path_of(url: str) -> str:
    return urlsplit(url).path or "/"


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise :class:`SettingsError` with one line on the first wrong one."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        reason = str(error["msg"]).removeprefix("Value error, ")
        if not error["loc"]:  # a rule across settings: the reason names the setting
            raise SettingsError(f"Setting {ENV_PREFIX}{reason}") from None
        field = str(error["loc"][0])
        raise SettingsError(f"Setting {ENV_PREFIX}{field.upper()}: {reason}") from None
    return settings


def database_setting(value: str | Path) -> Path | str:
    """A database setting as the storage takes it: a PostgreSQL connection string as it is
    (a path would fold its "//"), else the SQLite file (``sqlite:FILE`` or ``FILE``)."""
    text = str(value).strip()
    if text.startswith(("postgresql://", "postgres://")):
        return text
    if isinstance(value, Path):
        return value
    return Path(text.removeprefix("sqlite://").removeprefix("sqlite:"))


def check_database_path(path: Path | str) -> None:
    """Fail early, with a clear line, when the database file cannot be created or written
    (a PostgreSQL server says so itself when the bot connects)."""
    if not isinstance(path, Path):
        return
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
