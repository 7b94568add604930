"""Wiping anonymous reporters' sealed contacts: when their reopening window has passed (a
timer), and at /forgetme (their own chat opens their seals: every sealed contact, queued
message and menu that opens to that chat is deleted, so even the key cannot link them to a
report afterwards)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.context import Context, CoreConfig
from bot.features.reports.model import CLOSED_STATUSES
from bot.storage import report_threads
from bot.storage.db import Database
from bot.storage.members import Member

log = logging.getLogger(__name__)


async def wipe_ended(db: Database, config: CoreConfig, now: datetime) -> int:
    """The timer: forget how to reach the reporters of reports closed for longer than the
    reopening window. Queues nothing (returns 0)."""
    async with db.unit() as conn:
        await report_threads.wipe_ended_contacts(
            conn, now - timedelta(days=config.reopen_days), frozenset(CLOSED_STATUSES)
        )
        kept = await report_threads.all_contacts(conn)
    lost = sum(1 for c in kept if config.sealer.unseal(c.sealed) is None)
    if lost:
        log.warning(
            "%d anonymous reporters cannot be reached: their sealed addresses do not open with "
            "this seal key (XOMANTOAN_SEAL_KEY or the key file was changed or lost; restore it)",
            lost,
        )
    return 0


async def forget_sealed(ctx: Context, member: Member) -> None:
    """/forgetme: the seals that open to this person's own chat go (contacts, queued
    messages, menus); the reports stay, unreachable."""
    sealer = ctx.config.sealer
    mine = member.user_id  # a person's private chat with the bot has their id
    for contact in await report_threads.contacts_on(ctx.conn, member.platform):
        if sealer.names(contact.sealed, mine):
            await report_threads.wipe_contact(ctx.conn, contact.report_id)
    for table, rowid, sealed in await report_threads.sealed_rows(ctx.conn, member.platform):
        if sealer.names(sealed, mine):
            await report_threads.delete_sealed_row(ctx.conn, table, rowid)
