"""What the report card shows beyond the report itself: the button to write to the reporter,
and a report already open that this one may repeat, with the button to merge it. Used by the
card on screen (screens_card.py) and the card sent to handlers (:class:`Cards`, through
service.send_card)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.context import CoreConfig, notify_member
from bot.core.events import Option, Reply
from bot.features.reports import duplicates
from bot.features.reports.actions import THREAD, Thread
from bot.features.reports.texts import card_options, card_text
from bot.i18n import Translator
from bot.storage import areas as areas_repo
from bot.storage import roles as roles_repo
from bot.storage.db import Connection
from bot.storage.members import Member
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


class Cards:
    """The card of one report for the several people told of it: what it shows besides the
    report (its area, a report it may repeat) and who the officers are, read once; its text
    and buttons made once per language, platform and role (each person still gets their own
    message and buttons)."""

    def __init__(self, conn: Connection, config: CoreConfig, report: Report) -> None:
        self.conn, self.config, self.report = conn, config, report
        self._read: tuple[str | None, list[int], Extras] | None = None
        self._built: dict[tuple[object, ...], Reply] = {}

    async def send(self, member: Member, now: datetime, headline: str, **params: object) -> int:
        """Queue the card, under a headline message id, to one person in their language."""
        conn, report = self.conn, self.report
        if self._read is None:
            self._read = (
                await _area_name(conn, report.area_id),
                await roles_repo.officers_for(conn, report.area_id),
                await extras_of(conn, report),
            )
        area, officer_ids, extras = self._read
        officer = member.id in officer_ids
        shown = tuple(sorted((k, str(v)) for k, v in params.items()))
        key = (member.language, member.platform, officer, headline, shown)

        def build(t: Translator) -> Reply:
            made = self._built.get(key)
            if made is None:
                text = t._(headline, **params) + "\n\n" + card_text(t, report, area)
                made = Reply(*extras.add_to(t, text, card_options(t, report, officer=officer)))
                self._built[key] = made
            return made

        await notify_member(conn, self.config, member, build, now)
        return 1


async def _area_name(conn: Connection, area_id: int | None) -> str | None:
    area = await areas_repo.get(conn, area_id) if area_id else None
    return area.name if area else None
