"""What the report card shows beyond the report itself: the button to write to the reporter,
and a report already open that this one may repeat, with the button to merge it. Used by the
card on screen (screens_card.py) and the card sent to handlers (service.send_card)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.events import Option
from bot.features.reports import duplicates
from bot.features.reports.actions import THREAD, Thread
from bot.i18n import Translator
from bot.storage.db import Connection
from bot.storage.reports import Report

SHOWN_CANDIDATES = 2


@dataclass(frozen=True)
class Extras:
    report: Report
    candidates: list[Report]

    def add_to(
        self, t: Translator, text: str, rows: list[list[Option]]
    ) -> tuple[str, list[list[Option]]]:
        """The card's text and buttons with these extras."""
        report = self.report
        lines = [
            t._(
                "🔁 May repeat report #{number} ({code}), sent {when}.",
                number=str(o.id),
                code=o.code,
                when=o.created_at,
            )
            for o in self.candidates
        ]
        more: list[list[Option]] = []
        if report.anonymous or report.reporter_member_id is not None:
            more.append(
                [Option(t.plain("✉️ Write to the reporter"), action=THREAD(Thread.WRITE, report.id))]
            )
        more += [
            [
                Option(
                    t.plain("🔁 Merge into #{number}", number=str(o.id)),
                    action=THREAD(Thread.MERGE, report.id, o.id),
                )
            ]
            for o in self.candidates
        ]
        if lines:
            text = text + "\n\n" + "\n".join(lines)
        return text, [*rows, *more]


async def extras_of(conn: Connection, report: Report) -> Extras:
    found = await duplicates.candidates(conn, report)
    return Extras(report, found[:SHOWN_CANDIDATES])
