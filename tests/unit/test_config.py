"""A wrong setting stops start-up with one clear line naming it; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, check_database_path, load_settings


def test_defaults_without_environment() -> None:
    settings = load_settings()
    assert settings.token is None
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.timezone == "Asia/Ho_Chi_Minh"


def test_reads_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "XOMANTOAN_ADMINS=1, 2,zalo:e4ea2cd5189df1c3a88c\nXOMANTOAN_DATABASE=x.sqlite3\n"
    )
    monkeypatch.setenv("XOMANTOAN_TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    settings = load_settings()
    assert settings.admins == [
        ("telegram", "1"),
        ("telegram", "2"),
        ("zalo", "e4ea2cd5189df1c3a88c"),
    ]
    assert settings.database == Path("x.sqlite3")
    assert settings.telegram_api_url == "http://127.0.0.1:8081"


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("XOMANTOAN_TELEGRAM_TOKEN", "not-a-token", "BotFather"),
        ("XOMANTOAN_TIMEZONE", "Mars/Olympus", "unknown time zone"),
        ("XOMANTOAN_ADMINS", "12,abc", "'abc' is not a Telegram user id"),
        ("XOMANTOAN_ADMINS", "12,zalo:", "nor a Zalo id (zalo:ID)"),
        ("XOMANTOAN_ADMINS", "viber:123", "'viber:123' is not a Telegram user id"),
        ("XOMANTOAN_TELEGRAM_API_URL", "ftp://x", "http"),
    ],
)
def test_wrong_setting_names_itself(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, words: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith(f"Setting {name}:")
    assert words in str(error.value)


def test_unwritable_database_path(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"XOMANTOAN_DATABASE: folder .* does not exist"):
        check_database_path(tmp_path / "missing" / "db.sqlite3")
    with pytest.raises(SettingsError, match="is a folder"):
        check_database_path(tmp_path)


def test_cli_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("XOMANTOAN_")}
    env["XOMANTOAN_TELEGRAM_TOKEN"] = "123:short"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "XOMANTOAN_TELEGRAM_TOKEN" in lines[0]
    assert "Traceback" not in result.stderr and "123:short" not in result.stderr


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"XOMANTOAN_ZALO_TOKEN": "not a token"}, "Zalo bot token"),
        ({"XOMANTOAN_ZALO_WEBHOOK_URL": "http://bot.example.vn/zalo"}, "https://"),
        (
            {"XOMANTOAN_ZALO_WEBHOOK_URL": "https://bot.example.vn/zalo"},
            "ZALO_WEBHOOK_SECRET: is needed",
        ),
        (
            {
                "XOMANTOAN_ZALO_WEBHOOK_URL": "https://bot.example.vn/zalo",
                "XOMANTOAN_ZALO_WEBHOOK_SECRET": "short",
            },
            "8 to 256",
        ),
    ],
)
def test_zalo_settings_are_checked(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], words: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith("Setting XOMANTOAN_ZALO_")
    assert words in str(error.value)


def test_zalo_settings_read(monkeypatch: pytest.MonkeyPatch) -> None:
    token = "1459232241454765289:abcDEF123_-xyz"
    monkeypatch.setenv("XOMANTOAN_ZALO_TOKEN", token)
    monkeypatch.setenv("XOMANTOAN_ZALO_WEBHOOK_URL", "https://bot.example.vn/zalo/webhook")
    monkeypatch.setenv("XOMANTOAN_ZALO_WEBHOOK_SECRET", "s3cret-s3cret")
    settings = load_settings()
    assert settings.zalo == token and settings.token is None
    assert settings.zalo_api_url == "https://bot-api.zaloplatforms.com"
    assert settings.download_root == "https://bot.example.vn"
    assert token not in repr(settings) and "s3cret-s3cret" not in repr(settings)
    assert set(settings.secrets) == {token, "s3cret-s3cret"}


def test_the_zalo_token_and_webhook_secret_never_reach_the_logs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.logging_setup import RedactSecrets

    token = "1459232241454765289:abcDEF123_-xyz"
    monkeypatch.setenv("XOMANTOAN_ZALO_TOKEN", token)
    monkeypatch.setenv("XOMANTOAN_ZALO_WEBHOOK_URL", "https://bot.example.vn/zalo/webhook")
    monkeypatch.setenv("XOMANTOAN_ZALO_WEBHOOK_SECRET", "s3cret-s3cret")
    redact = RedactSecrets(load_settings().secrets).redact
    line = f"POST https://bot-api.zaloplatforms.com/bot{token}/sendMessage s3cret-s3cret"
    assert token not in redact(line) and "s3cret-s3cret" not in redact(line)


TG_TOKEN = "123456789:TEST-token_abcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"XOMANTOAN_TELEGRAM_WEBHOOK_URL": "http://bot.example.vn/t"}, "TELEGRAM_WEBHOOK_URL"),
        ({"XOMANTOAN_TELEGRAM_WEBHOOK_SECRET": "short"}, "16 to 256"),
        ({"XOMANTOAN_TELEGRAM_WEBHOOK_SECRET": "has spaces in it, sixteen+"}, "16 to 256"),
        (
            {
                "XOMANTOAN_TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/hook",
                "XOMANTOAN_ZALO_TOKEN": "1459232241454765289:abcDEF123_-xyz",
                "XOMANTOAN_ZALO_WEBHOOK_URL": "https://bot.example.vn/hook",
                "XOMANTOAN_ZALO_WEBHOOK_SECRET": "s3cret-s3cret",
            },
            "must differ from ZALO_WEBHOOK_URL",
        ),
        ({"XOMANTOAN_TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/health"}, "bot's own"),
    ],
)
def test_telegram_webhook_settings_are_checked(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], words: str
) -> None:
    monkeypatch.setenv("XOMANTOAN_TELEGRAM_TOKEN", TG_TOKEN)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert str(error.value).startswith("Setting XOMANTOAN_TELEGRAM_WEBHOOK_")
    assert words in str(error.value)


def test_a_telegram_webhook_needs_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XOMANTOAN_TELEGRAM_WEBHOOK_URL", "https://bot.example.vn/t")
    with pytest.raises(SettingsError, match="TELEGRAM_WEBHOOK_URL: is set, but TELEGRAM_TOKEN"):
        load_settings()


def test_the_telegram_webhook_secret_is_derived_from_the_token_and_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.logging_setup import RedactSecrets

    monkeypatch.setenv("XOMANTOAN_TELEGRAM_TOKEN", TG_TOKEN)
    monkeypatch.setenv("XOMANTOAN_TELEGRAM_WEBHOOK_URL", "https://bot.example.vn/tg/updates/")
    settings = load_settings()
    assert settings.telegram_webhook_path == "/tg/updates"
    derived = settings.telegram_secret
    assert derived is not None and len(derived) >= 32 and derived.isascii()
    assert all(ch.isalnum() or ch in "_-" for ch in derived)  # what Telegram allows
    assert derived == load_settings().telegram_secret  # the same in every process
    other = load_settings(telegram_token="123456789:another-token_abcdefghijklmnopqrstu")
    assert other.telegram_secret != derived  # a new token, a new secret
    assert derived not in RedactSecrets(settings.secrets).redact(f"secret_token={derived}")
    monkeypatch.setenv("XOMANTOAN_TELEGRAM_WEBHOOK_SECRET", "my-own-secret_0123456789")
    assert load_settings().telegram_secret == "my-own-secret_0123456789"
