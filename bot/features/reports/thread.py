"""Use cases of a report's thread: a handler writes to the reporter, the reporter writes back.

Every message is kept in the report's thread (:mod:`bot.storage.report_threads`) with who
wrote it as a role; a handler's member id is kept, a reporter's never. Messages to an
anonymous reporter go through the sealed relay (:mod:`bot.features.reports.reach`). A photo
passes through as a photo; a voice message as a voice message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.context import CoreConfig
from bot.core.events import Option, Reply
from bot.features.reports import reach
from bot.features.reports.actions import ANSWER, THREAD, TRIAGE, Answer, Thread, Triage
from bot.i18n import Translator, escape
from bot.storage import audit, report_threads
from bot.storage.db import Connection
from bot.storage.members import Member
from bot.storage.report_threads import HANDLER, REPORTER
from bot.storage.reports import Report

MAX_MESSAGE = 2000


@dataclass(frozen=True)
class Media:
    kind: str  # "photo" or "voice"
    file_id: str


def _media(items: list[Media]) -> list[dict[str, str]]:
    return [{"kind": m.kind, "file_id": m.file_id} for m in items]


def _photo(items: list[Media]) -> str | None:
    return next((m.file_id for m in items if m.kind == "photo"), None)


def _voice(items: list[Media]) -> str | None:
    return next((m.file_id for m in items if m.kind == "voice"), None)


async def reachable(conn: Connection, config: CoreConfig, report: Report) -> bool:
    """Can the reporter be written to? A named reporter still registered, or an anonymous one
    whose sealed contact is kept and opens with this deployment's key (one sealed with a key
    since lost would fail at delivery: the handler is told now instead)."""
    if report.reporter_member_id is not None:
        return True
    contact = await report_threads.contact(conn, report.id)
    return contact is not None and config.sealer.unseal(contact.sealed) is not None


async def handler_writes(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    author: Member,
    text: str,
    media: list[Media],
    now: datetime,
) -> int:
    """Keep the handler's message in the thread and relay it to the reporter; returns how many
    messages were queued (0 when the reporter cannot be reached any more)."""
    await report_threads.add_message(conn, report.id, now, HANDLER, author.id, text, _media(media))
    await audit.record(conn, now, author.id, "report.thread_message", "report", report.id)

    def build(t: Translator, staff: bool) -> Reply:
        head = (
            t._("💬 Message from the handler of report {code}:", code=report.code)
            if staff
            else t._("💬 The handler of your report {code} writes:", code=report.code)
        )
        body = head + ("\n" + escape(text) if text else "")
        ref = reach.ref_of(config, report)
        return Reply(body, [[Option(t.plain("↩️ Reply"), action=ANSWER(Answer.WRITE, ref))]])

    return await reach.reach_one(
        conn, config, report, build, now, photo=_photo(media), voice=_voice(media)
    )


async def reporter_writes(
    conn: Connection,
    config: CoreConfig,
    report: Report,
    text: str,
    media: list[Media],
    now: datetime,
) -> int:
    """Keep the reporter's message in the thread, with no trace of who they are, and relay it
    to the report's handlers. Returns how many messages were queued."""
    from bot.features.reports.service import handlers_of

    await report_threads.add_message(conn, report.id, now, REPORTER, None, text, _media(media))
    await audit.record(conn, now, None, "report.thread_message", "report", report.id, by="reporter")
    queued = 0
    for handler in await handlers_of(conn, report):

        def build(t: Translator) -> Reply:
            head = t._(
                "💬 The reporter writes about report #{number} · {code}:",
                number=str(report.id),
                code=report.code,
            )
            body = head + ("\n" + escape(text) if text else "")
            return Reply(
                body,
                [
                    [
                        Option(
                            t.plain("✉️ Write to the reporter"),
                            action=THREAD(Thread.WRITE, report.id),
                        ),
                        Option(t.plain("🗂 Open the report"), action=TRIAGE(Triage.VIEW, report.id)),
                    ]
                ],
            )

        queued += await reach.to_member(
            conn, config, handler, build, now, photo=_photo(media), voice=_voice(media)
        )
    return queued
