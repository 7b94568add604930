"""Reaching a report's reporter, named or anonymous, and those who follow the report because
theirs was merged into it.

A named reporter is a member: messages go to them as to anyone (``notify_member``). An
anonymous reporter is reached only through the sealed contact kept with the report
(:mod:`bot.storage.report_threads`): the message is queued with the sealed address as its chat,
and only the delivery worker opens it, for the request that sends it. So no outbox row, no menu
and no log line names the chat, and nothing here ever opens the seal.

Buttons for the reporter carry a sealed reference to the report (:func:`ref_of`), never its
number, so the menus kept in the reporter's chat do not tell which report they are about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.context import CoreConfig
from bot.core.events import Reply
from bot.core.menus import resolve_buttons
from bot.i18n import Translator
from bot.storage import members as members_repo
from bot.storage import outbox, report_threads
from bot.storage import roles as roles_repo
from bot.storage.db import Connection
from bot.storage.members import Member
from bot.storage.reports import Report

# build(translator, staff): staff is True when the reporter is a leader or an officer (a staff
# screen, without a resident's address).
Build = Callable[[Translator, bool], Reply]


def ref_of(config: CoreConfig, report: Report) -> str:
    """A sealed reference to the report, for the reporter's buttons and conversation."""
    return config.sealer.seal(str(report.id))


def report_id_of(config: CoreConfig, ref: str) -> int | None:
    opened = config.sealer.unseal(ref)
    return int(opened) if opened is not None and opened.isdigit() else None


def reporter_config(config: CoreConfig) -> CoreConfig:
    """The reporter's buttons (reply, rate, reopen) stay usable for the reopening window."""
    return replace(config, menu_ttl=max(config.menu_ttl, timedelta(days=config.reopen_days)))


async def _queue(
    conn: Connection,
    config: CoreConfig,
    platform: str,
    chat_id: str,
    user_id: str | None,
    reply: Reply,
    now: datetime,
    photo: str | None,
    voice: str | None = None,
) -> None:
    buttons = await resolve_buttons(
        conn,
        platform,
        chat_id,
        user_id,
        reply.options,
        token=None,
        now=now,
        ttl=config.menu_ttl,
    )
    await outbox.enqueue(
        conn,
        platform,
        chat_id,
        reply.text,
        [[b.__dict__ for b in row] for row in buttons],
        now,
        photo=photo,
        voice=voice,
    )


async def to_member(
    conn: Connection,
    config: CoreConfig,
    member: Member,
    build: Callable[[Translator], Reply],
    now: datetime,
    *,
    photo: str | None = None,
    voice: str | None = None,
) -> int:
    """Queue a message to a member in their language, with a photo or a voice message."""
    t = Translator(member.language or config.default_language, config.tz)
    await _queue(
        conn, config, member.platform, member.user_id, member.user_id, build(t), now, photo, voice
    )
    return 1


async def reach_one(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    build: Build,
    now: datetime,
    *,
    photo: str | None = None,
    voice: str | None = None,
) -> int:
    """Queue a message to the reporter of ``report`` (1), or 0 when they cannot be reached
    (they left, or the sealed contact was wiped)."""
    config = reporter_config(config)
    if report.reporter_member_id is not None:
        member = await members_repo.get(conn, report.reporter_member_id)
        if member is None:
            return 0
        staff = any(
            g.role in ("leader", "officer") for g in await roles_repo.of_member(conn, member.id)
        )
        t = Translator(member.language or config.default_language, config.tz)
        await _queue(
            conn,
            config,
            member.platform,
            member.user_id,
            member.user_id,
            build(t, staff),
            now,
            photo,
            voice,
        )
        return 1
    contact = await report_threads.contact(conn, report.id)
    if contact is None:
        return 0
    t = Translator(contact.language or config.default_language, config.tz)
    # The menu is bound to the sealed chat: the dispatcher opens the seal to match a press.
    await _queue(
        conn, config, contact.platform, contact.sealed, None, build(t, False), now, photo, voice
    )
    return 1


async def followers(conn: Connection, report: Report) -> list[Report]:
    """The reports merged into ``report``: their reporters follow it."""
    async with conn.execute(
        "SELECT id FROM reports WHERE duplicate_of = ? AND status = 'duplicate' ORDER BY id",
        (report.id,),
    ) as cur:
        ids = [int(r[0]) for r in await cur.fetchall()]
    from bot.storage import reports as repo

    found = [await repo.get(conn, i) for i in ids]
    return [r for r in found if r is not None]


async def reach_all(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    build: Callable[[Translator, bool, Report], Reply],
    now: datetime,
    *,
    photo: str | None = None,
) -> int:
    """The reporter of ``report`` and the reporters of the reports merged into it; ``build``
    gets the report each one sent (for their own code and buttons)."""
    queued = 0
    for own in [report, *await followers(conn, report)]:
        queued += await reach_one(conn, config, own, _for(build, own), now, photo=photo)
    return queued


def _for(build: Callable[[Translator, bool, Report], Reply], own: Report) -> Build:
    def one(t: Translator, staff: bool) -> Reply:
        return build(t, staff, own)

    return one
