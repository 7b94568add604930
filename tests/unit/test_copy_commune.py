"""``xomantoan copy``: a commune's SQLite database (the known year of tests/stats_seed.py, an
anonymous reporter's sealed contact, an officer) moved into a province's PostgreSQL database
that holds another commune already, with a person who lives in both."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.cli import main
from bot.core.sealing import Sealer, encode_key, key_file_of
from bot.storage import areas, communes, members, pledge_campaigns, report_threads, roles
from bot.storage import copying as copying_module
from bot.storage.copy_tables import TABLES
from bot.storage.db import Database, DatabaseError
from tests.stats_seed import DONG_RESIDENT, seed_year

pytestmark = pytest.mark.postgresql_only(
    reason="copies a SQLite file into PostgreSQL (xomantoan copy targets PostgreSQL only)"
)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
SOURCE_KEY, PROVINCE_KEY = b"s" * 32, b"p" * 32
ADDRESS = "77001"  # the anonymous reporter's private chat
PERIOD = ["--from", "2026-01-01", "--to", "2026-12-31"]


async def make_source(path: Path) -> None:
    """The commune An Bình's own database, as its bot left it (its seal key file beside it)."""
    db = await Database.open_sqlite(path)
    await seed_year(db)
    async with db.unit() as conn:
        await conn.execute("UPDATE communes SET code = 'ANBINH', name = 'Xã An Bình'")
        fraud = await conn.execute_fetchall("SELECT id FROM reports WHERE anonymous = 1")
        await report_threads.keep_contact(
            conn, fraud[0][0], "telegram", Sealer(SOURCE_KEY).seal(ADDRESS), "vi"
        )
        officer = await members.ensure(conn, "telegram", "9001", NOW)
        await roles.grant(conn, officer.id, "officer", None, None, NOW)
        admin = await members.ensure(conn, "telegram", "9002", NOW)
        await roles.grant(conn, admin.id, "admin", None, None, NOW)
    await db.close()
    key_file_of(path).write_text(encode_key(SOURCE_KEY) + "\n")
    key_file_of(path).chmod(0o600)


async def make_province(url: str) -> None:
    """The province with its commune Bình Minh, a resident of it, and an officer of it who
    lives in An Bình (the resident 5001 of the source: one person in both)."""
    db = await Database.open(url)
    async with db.unit() as conn:
        commune = await communes.add(conn, "BINHMINH", "Xã Bình Minh", NOW)
        await areas.add(conn, "BAC", "Thôn Bắc", 50, NOW, commune.id)
        area = await areas.by_code(conn, "BAC")
        resident = await members.ensure(conn, "telegram", "6001", NOW)
        assert area is not None
        await members.complete_onboarding(
            conn, resident.id, display_name="Lê Văn Cường", area_id=area.id, language="vi",
            consent_version=1, now=NOW,
        )  # fmt: skip
        officer = await members.ensure(conn, "telegram", str(DONG_RESIDENT), NOW)
        await roles.grant(conn, officer.id, "officer", None, None, NOW, commune.id)
        # The province's campaign of the year: the commune's pledges join it.
        await pledge_campaigns.add_campaign(
            conn, "Cam kết 2026", date(2026, 1, 1), date(2026, 3, 31), None, NOW
        )
    await db.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out + out.err


def figures(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, text = run(capsys, "stats", "--json", *PERIOD, *argv)
    assert code == 0, text
    found: dict[str, Any] = json.loads(text)
    found.pop("generated_at")
    found.pop("scope")  # the whole commune's database, or one commune of the province
    return found


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            t.name: conn.execute(f"SELECT COUNT(*) FROM {t.name}").fetchone()[0]  # type: ignore[index]
            for t in TABLES
        }


def one(url: str, sql: str, *args: Any) -> Any:
    with psycopg.connect(url) as conn:
        return conn.execute(sql, args).fetchall()


@pytest.fixture
def setup(
    tmp_path: Path, pg_database: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str]:
    import asyncio

    source, url = tmp_path / "anbinh.sqlite3", pg_database()
    asyncio.run(make_source(source))
    asyncio.run(make_province(url))
    monkeypatch.setenv("XOMANTOAN_SEAL_KEY", encode_key(PROVINCE_KEY))
    return source, url


def test_a_commune_arrives_whole_with_its_figures_and_a_rerun_copies_nothing(
    setup: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, url = setup
    before = figures(capsys, "--database", str(source))
    neighbour = figures(capsys, "--database", url, "--commune-code", "BINHMINH")

    code, text = run(capsys, "copy", "--from", str(source), "--to", url, "--lang", "en")
    assert code == 0, text
    assert "Commune ANBINH (Xã An Bình) is in the province database." in text
    assert "people: 3 copied, 1 already in the province (the same one)" in text
    assert "Done: " in text and "checked row by row" in text
    assert "Traceback" not in text

    # The copied commune's figures are the source's; the other commune's did not change.
    assert figures(capsys, "--database", url, "--commune-code", "ANBINH") == before
    assert figures(capsys, "--database", url, "--commune-code", "BINHMINH") == neighbour
    # The officer of Bình Minh who lives in An Bình is one person: an officer of Bình Minh
    # still, now with the name and area the commune knew (the province knew neither).
    people = one(
        url,
        "SELECT m.id, m.display_name, a.code FROM members m LEFT JOIN areas a ON a.id = m.area_id"
        " WHERE m.platform = 'telegram' AND m.user_id = %s",
        str(DONG_RESIDENT),
    )
    assert [p[1:] for p in people] == [("Nguyễn Văn An", "DONG")]
    officer_of = one(url, "SELECT c.code FROM roles r JOIN communes c ON c.id = r.commune_id"
                     " WHERE r.member_id = %s", people[0][0])  # fmt: skip
    assert officer_of == [("BINHMINH",)]
    assert one(url, "SELECT COUNT(*) FROM pledge_campaigns") == [(1,)]
    # The officer of the whole commune is an officer of An Bình, not of the province; the
    # commune bot's admin is not made an admin of the province.
    officer = one(
        url,
        "SELECT c.code FROM roles r JOIN members m ON m.id = r.member_id"
        " LEFT JOIN communes c ON c.id = r.commune_id WHERE m.user_id = '9001'",
    )
    assert officer == [("ANBINH",)]
    assert one(url, "SELECT COUNT(*) FROM roles WHERE role = 'admin'") == [(0,)]
    # The anonymous reporter is reached with the province's key, and only with it.
    sealed = one(url, "SELECT sealed FROM report_contacts")
    assert len(sealed) == 1
    assert Sealer(PROVINCE_KEY).unseal(sealed[0][0]) == ADDRESS
    assert Sealer(SOURCE_KEY).unseal(sealed[0][0]) is None

    copied = counts(url)
    code, text = run(capsys, "copy", "--from", str(source), "--to", url, "--lang", "en")
    assert code == 0, text
    assert "Nothing new to copy: an earlier run copied all of it." in text
    assert counts(url) == copied


def test_an_interrupted_copy_leaves_nothing_and_the_next_run_completes(
    setup: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, url = setup
    before = counts(url)
    insert = copying_module._insert
    calls = 0

    async def failing(*args: Any, **kwargs: Any) -> int:
        nonlocal calls
        calls += 1
        if calls == 300:  # half-way: the pledges are in, the reports are not
            raise DatabaseError("the database did not answer: server closed the connection")
        return await insert(*args, **kwargs)

    monkeypatch.setattr(copying_module, "_insert", failing)
    code, text = run(capsys, "copy", "--from", str(source), "--to", url, "--lang", "en")
    assert code == 2
    assert "database error: the database did not answer" in text
    assert counts(url) == before  # nothing half-copied
    assert one(url, "SELECT COUNT(*) FROM copied_rows") == [(0,)]

    monkeypatch.setattr(copying_module, "_insert", insert)
    code, text = run(capsys, "copy", "--from", str(source), "--to", url, "--lang", "en")
    assert code == 0, text
    assert "checked row by row" in text
    assert figures(capsys, "--database", url, "--commune-code", "ANBINH") == figures(
        capsys, "--database", str(source)
    )


def test_a_missing_or_wrong_seal_key_is_refused_with_nothing_copied(
    setup: tuple[Path, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source, url = setup
    before = counts(url)
    monkeypatch.delenv("XOMANTOAN_SEAL_KEY")
    code, text = run(capsys, "copy", "--from", str(source), "--to", url, "--lang", "en")
    assert code == 2
    assert "set XOMANTOAN_SEAL_KEY to the province's seal key" in text
    assert "Nothing was copied." in text

    monkeypatch.setenv("XOMANTOAN_SEAL_KEY", encode_key(PROVINCE_KEY))
    wrong = source.parent / "other.seal-key"
    wrong.write_text(encode_key(b"w" * 32))
    code, text = run(
        capsys, "copy", "--from", str(source), "--to", url, "--seal-key-file", str(wrong)
    )
    assert code == 2
    # In the bot's language (Vietnamese) by default.
    assert "không mở được bằng khóa niêm phong" in text
    key_file_of(source).unlink()  # and the same key as the province's assumed: wrong too
    code, text = run(capsys, "copy", "--from", str(source), "--to", url, "--lang", "en")
    assert code == 2
    assert "cannot be opened with the seal key given" in text
    assert counts(url) == before


def test_a_commune_whose_code_the_province_has_is_refused_until_given_its_own(
    setup: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, url = setup
    args = ["copy", "--from", str(source), "--to", url, "--lang", "en"]
    code, text = run(capsys, *args, "--code", "BINHMINH")
    assert code == 2
    assert "The province already has a commune BINHMINH (Xã Bình Minh)" in text
    code, text = run(capsys, *args, "--code", "ANBINH2", "--name", "Xã An Bình Hai")
    assert code == 0, text
    assert "Commune ANBINH2 (Xã An Bình Hai) is in the province database." in text
