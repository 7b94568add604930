"""Patrols logged from a notebook: one line per patrol, many days in one message or in
several: the lines add up in the conversation until the leader presses Save, which stores
them all in one transaction. A bad line is shown back with its reason and the others stay."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.features.patrols import backfill, service
from bot.features.patrols.actions import BACKFILL as BUTTONS
from bot.features.patrols.actions import CANCEL, SAVE
from bot.features.patrols.backfill import Entry, LineProblem, Problem
from bot.features.patrols.screens_common import end_text, hhmm, kind_label, not_your_area
from bot.features.patrols.states import BACKFILL as BACKFILL_FLOW
from bot.features.patrols.states import BackfillState, BackfillStep, PendingPatrol
from bot.i18n import Safe
from bot.shared.pickers import stale
from bot.storage import areas as areas_repo
from bot.storage.areas import Area


def begin(ctx: Context, area: Area) -> None:
    BACKFILL_FLOW.begin(ctx, BackfillStep.LINES, BackfillState(area_id=area.id))
    ctx.reply(
        ctx._(
            "*Log past patrols of {area}*\n"
            "Send one line per patrol: _date start-end; participants; observations_. "
            "Participants are a number or names separated by commas; observations are kinds "
            "with the number of cases (a reminder given on the spot). For example:\n\n"
            "`12/11 19:00-21:30; 5; quá giờ 3, lấn chiếm 2, rác 1\n"
            "13/11 19h-21h; An, Bình, Chi; rác 2\n"
            "14/11 20:00-22:00; 4`\n\n"
            "Kinds: quá giờ, lấn chiếm, rác, ồn, khóa cửa, khả nghi, cháy nổ, giao thông, khác.",
            area=area.name,
        )
        + "\n\n"
        + ctx._(
            "You can send the lines in several messages: they add up until you press Save. "
            "An end time before the start time is on the next day (22:00-01:00)."
        )
    )


def problem_line(ctx: Context, found: LineProblem) -> str:
    messages = {
        Problem.FORMAT: ctx._("write it as: date start-end; participants; observations"),
        Problem.DATE: ctx._("“{detail}” is not a date (day/month)", detail=found.detail),
        Problem.FUTURE: ctx._("the patrol ends in the future"),
        Problem.TIME: ctx._("the times should look like 19:00-21:30"),
        Problem.ORDER: ctx._("the end time is not after the start time"),
        Problem.NOBODY: ctx._("nobody took part: give a number or names"),
        Problem.NAME: ctx._("“{detail}” is not a name", detail=found.detail),
        Problem.COUNT: ctx._(
            "the number of cases or people must be from 1 to 1,000 (“{detail}”)",
            detail=found.detail,
        ),
        Problem.KIND: ctx._("I do not know the kind “{detail}”", detail=found.detail),
        Problem.TOO_MANY: ctx._(
            "please send at most {limit} lines at once", limit=backfill.MAX_LINES
        ),
        Problem.LONG: ctx._("a patrol lasts at most {hours} hours", hours=backfill.MAX_HOURS),
        Problem.TWICE: ctx._("this date and start time are already in the list"),
    }
    if found.text:
        return ctx._(
            "Line {line} “{text}”: {problem}",
            line=found.line,
            text=found.text,
            problem=Safe(messages[found.problem]),
        )
    return ctx._("Line {line}: {problem}", line=found.line, problem=Safe(messages[found.problem]))


def _kept(entry: Entry) -> PendingPatrol:
    return PendingPatrol(
        line=entry.line,
        day=entry.day,
        start=entry.start,
        end=entry.end,
        names=entry.names,
        headcount=entry.headcount,
        observations=entry.observations,
    )


def _pending(state: BackfillState) -> list[Entry]:
    return [
        Entry(p.line, p.day, p.start, p.end, p.names, p.headcount, p.observations)
        for p in state.entries
    ]


async def on_input(ctx: Context) -> None:
    state = BACKFILL_FLOW.state(ctx)
    area = await areas_repo.get(ctx.conn, state.area_id)
    if area is None or not ctx.roles.leads(area.id):
        ctx.end()
        ctx.reply(not_your_area(ctx))
        return
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please send the patrols as text, one line per patrol."))
        return
    pending = _pending(state)
    entries, problems = backfill.parse(ctx.event.text, ctx.now, ctx.config.tz)
    if not entries and not problems:
        ctx.reply(ctx._("Please send at least one line."))
        return
    lines: list[str] = []
    if len(pending) + len(entries) > backfill.MAX_LINES:
        lines.append(
            ctx._(
                "The list can hold at most {limit} patrols and has {count}: none of the lines "
                "of this message was added. Please save the list first, then send them again.",
                limit=backfill.MAX_LINES,
                count=len(pending),
            )
        )
    else:
        pending, repeated = backfill.add_to_list(pending, entries)
        problems += repeated
        if problems:
            lines.append(ctx._("These lines were not added; please send them again corrected:"))
            lines += ["• " + problem_line(ctx, p) for p in sorted(problems, key=_by_line)[:15]]
            if len(problems) > 15:
                lines.append(ctx._("… and {count} more.", count=len(problems) - 15))
    # A new step token each time: only the latest list's buttons save it.
    state.entries = [_kept(e) for e in pending]
    ctx.goto(BackfillStep.LINES)
    if not pending:
        lines.append(ctx._("Nothing is ready to save yet. Send the lines again, or /cancel."))
        ctx.reply("\n".join(lines))
        return
    if lines:
        lines.append("")
    lines.append(
        ctx._n(
            "{count} patrol of {area} is ready to save:",
            "{count} patrols of {area} are ready to save:",
            len(pending),
            area=area.name,
        )
    )
    lines += [_preview_line(ctx, e) for e in pending]
    lines.append(ctx._("Send more lines to add them, or press Save."))
    ctx.reply(
        "\n".join(lines),
        [
            [
                Option(
                    ctx.t.plain("💾 Save {count}", count=len(pending)),
                    action=BUTTONS.make(SAVE),
                ),
                Option(ctx.t.plain("✖️ Cancel"), action=BUTTONS.make(CANCEL)),
            ]
        ],
    )


def _by_line(found: LineProblem) -> int:
    return found.line


def _preview_line(ctx: Context, e: Entry) -> str:
    tz = ctx.config.tz
    cases = ", ".join(f"{kind_label(ctx.t, code)} {n}" for code, n in e.observations.items())
    return ctx._(
        "• {day} {start}–{end}: {people} taking part{cases}",
        day=e.day,
        start=hhmm(ctx.t, e.started_at(tz)),
        end=end_text(ctx.t, e.started_at(tz), e.ended_at(tz)),
        people=e.participants,
        cases=("; " + cases) if cases else "",
    )


async def on_button(ctx: Context, argument: str) -> None:
    if not BACKFILL_FLOW.is_open(ctx):
        stale(ctx)
        return
    state = BACKFILL_FLOW.state(ctx)
    entries = _pending(state)
    if argument != SAVE or not entries:
        ctx.end()
        ctx.reply(ctx._("Cancelled. Nothing from that step was saved."), edit=True)
        return
    area = await areas_repo.get(ctx.conn, state.area_id)
    ctx.end()
    if area is None or not ctx.roles.leads(area.id):
        ctx.reply(not_your_area(ctx))
        return
    saved, skipped = await service.save_notebook_patrols(
        ctx.conn,
        area,
        entries,
        leader=ctx.member.id if ctx.member else None,
        tz=ctx.config.tz,
        now=ctx.now,
    )
    text = ctx._n("{count} patrol was saved.", "{count} patrols were saved.", saved)
    if skipped:
        text += " " + ctx._n(
            "{count} was already logged and was skipped.",
            "{count} were already logged and were skipped.",
            skipped,
        )
    ctx.reply(text, edit=True)
