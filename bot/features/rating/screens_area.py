"""/rating screens of one area: what the bot's records show for each criterion, recording a
criterion (a note when it goes against the records), notes, and deciding the result. The
rules are use cases in service.py."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.features.rating import model as logic
from bot.features.rating import service, texts
from bot.features.rating.actions import RATING as BUTTONS
from bot.features.rating.actions import Bx
from bot.features.rating.screens_list import FINALISED, show, show_list, this_year
from bot.features.rating.states import RATING as RATING_FLOW
from bot.features.rating.states import RatingStep
from bot.i18n import N_
from bot.shared.pickers import problem_text, stale, stale_reply
from bot.shared.text import TextProblem, check_free_text, check_words, has_letters
from bot.storage import areas as areas_repo
from bot.storage import ratings as repo
from bot.storage.areas import Area
from bot.storage.ratings import AreaRating

IN_WORDS = N_("Please write it in words (not only a number or signs), or /cancel.")


# One area --------------------------------------------------------------------------------
async def _area_and_rating(ctx: Context) -> tuple[Area, AreaRating | None] | None:
    area = await areas_repo.get(ctx.conn, RATING_FLOW.state(ctx).area_id or 0)
    if area is None or not ctx.roles.covers(area.id):
        return None
    return area, await repo.area_rating(ctx.conn, RATING_FLOW.state(ctx).chosen_year, area.id)


def _note_of(rating: AreaRating | None, number: int) -> str | None:
    if rating is None or number not in rating.criteria:
        return None
    return rating.criteria[number].note


async def _closed(ctx: Context) -> bool:
    return await service.is_closed(ctx.conn, RATING_FLOW.state(ctx).chosen_year)


async def show_area(ctx: Context, *, edit: bool) -> None:
    found = await _area_and_rating(ctx)
    if found is None:
        stale(ctx)
        return
    area, rating = found
    year = RATING_FLOW.state(ctx).chosen_year
    ctx.goto(RatingStep.AREA)
    ev = await service.evidence(ctx.conn, area.id, year, ctx.config.tz, ctx.now)
    lines = [
        ctx._("🏅 *{area}: rating of {year}*", area=area.name, year=str(year)),
        "",
        ctx._("_What the bot's records show for {year}:_", year=str(year))
        if year < this_year(ctx)
        else ctx._(
            "_What the bot's records show for {year}, up to {day}:_",
            year=str(year),
            day=ctx.t.day(ctx.now),
        ),
    ]
    for number in (1, 3, 4, 5):
        for line in texts.evidence_lines(ctx.t, ev, number):
            lines.append(f"• {line}")
    lines += ["", ctx._("*The five criteria*")]
    criteria = service.criteria_of(rating)
    for criterion in logic.CRITERIA:
        record = rating.criteria.get(criterion.number) if rating else None
        warning = " ⚠️" if record is not None and record.against_records else ""
        lines.append(
            f"{criterion.number}. {texts.mark(criteria[criterion.number])}{warning}"
            f" {ctx._(criterion.short)}"
        )
        note = _note_of(rating, criterion.number)
        if note:
            lines.append(ctx._("    📝 {note}", note=note))
    lines += ["", texts.result_line(ctx.t, service.result_of(rating))]
    rows = [
        [
            Option(
                f"{c.number} {texts.mark(criteria[c.number])}",
                action=BUTTONS(Bx.CRITERION, c.number),
            )
            for c in logic.CRITERIA
        ],
        [Option(ctx.t.plain("🏁 Result"), action=BUTTONS(Bx.RESULT))],
        [Option(ctx.t.plain("⬅️ All areas"), action=BUTTONS(Bx.LIST))],
    ]
    show(ctx, "\n".join(lines), rows, edit=edit)


async def show_criterion(
    ctx: Context, number: int, *, edit: bool, notice: str | None = None
) -> None:
    found = await _area_and_rating(ctx)
    if found is None or number not in logic.CRITERION:
        stale(ctx)
        return
    area, rating = found
    year = RATING_FLOW.state(ctx).chosen_year
    RATING_FLOW.state(ctx).criterion = number
    ctx.goto(RatingStep.CRITERION)
    criterion = logic.CRITERION[number]
    ev = await service.evidence(ctx.conn, area.id, year, ctx.config.tz, ctx.now)
    lines = [notice] if notice else []
    lines += [
        ctx._(
            "🏅 *{area}, {year}: criterion {number} of 5*",
            area=area.name,
            year=str(year),
            number=number,
        ),
        ctx._(criterion.text),
        "",
        ctx._("_What the bot's records show:_"),
    ]
    lines += [f"• {line}" for line in texts.evidence_lines(ctx.t, ev, number)]
    suggestion = ev.suggestion(number)
    if suggestion is True:
        lines.append(ctx._("The records suggest: met."))
    elif suggestion is False:
        lines.append(ctx._("The records suggest: not met."))
    met = service.criteria_of(rating)[number]
    lines.append("")
    if met is True:
        lines.append(ctx._("Recorded: ✅ met"))
    elif met is False:
        lines.append(ctx._("Recorded: ❌ not met"))
    else:
        lines.append(ctx._("Recorded: ⏳ not yet"))
    record = rating.criteria.get(number) if rating else None
    if record is not None and record.against_records:
        lines.append(ctx._("⚠️ Recorded against the records' suggestion."))
    note = _note_of(rating, number)
    if note:
        lines.append(ctx._("📝 Note: {note}", note=note))
    rows: list[list[Option]] = []
    if not await _closed(ctx):
        rows.append(
            [
                Option(ctx.t.plain("✅ Met"), action=BUTTONS(Bx.SET, number, "1")),
                Option(ctx.t.plain("❌ Not met"), action=BUTTONS(Bx.SET, number, "0")),
            ]
        )
        rows.append(
            [
                Option(
                    ctx.t.plain("📝 Change the note") if note else ctx.t.plain("📝 Add a note"),
                    action=BUTTONS(Bx.NOTE, number),
                )
            ]
        )
    last = [
        Option(ctx.t.plain("⬅️ Back to the area"), action=BUTTONS(Bx.BACK)),
        Option(ctx.t.plain("🏁 Result"), action=BUTTONS(Bx.RESULT)),
    ]
    if number < len(logic.CRITERIA):
        last.append(Option(ctx.t.plain("Next ➡️"), action=BUTTONS(Bx.CRITERION, number + 1)))
    rows.append(last)
    show(ctx, "\n".join(lines), rows, edit=edit)


async def _editable(ctx: Context) -> tuple[Area, AreaRating | None] | None:
    """The area and its rating when the year may still be changed; else says why, None."""
    if await _closed(ctx):
        ctx.toast(ctx._(FINALISED))
        return None
    found = await _area_and_rating(ctx)
    if found is None:
        stale(ctx)
    return found


async def set_criterion(ctx: Context, number: int, met: bool) -> None:
    found = await _editable(ctx)
    if found is None:
        return
    area, rating = found
    year = RATING_FLOW.state(ctx).chosen_year
    ev = await service.evidence(ctx.conn, area.id, year, ctx.config.tz, ctx.now)
    suggestion = ev.suggestion(number)
    if logic.against_records(suggestion, met):
        # Against the bot's own evidence: nothing is recorded until the officer says why.
        state = RATING_FLOW.state(ctx)
        state.criterion, state.met, state.suggested = number, met, suggestion
        ctx.goto(RatingStep.OVERRIDE)
        _ask_override_note(ctx, area, number, met, ev)
        return
    await _record(ctx, area, rating, number, met, suggestion, None)


def _ask_override_note(
    ctx: Context, area: Area, number: int, met: bool, ev: logic.Evidence
) -> None:
    lines = [
        ctx._(
            "⚠️ *Criterion {number} ({label}): this differs from the records.*",
            number=number,
            label=ctx._(logic.CRITERION[number].short),
        ),
        *[f"• {line}" for line in texts.evidence_lines(ctx.t, ev, number)],
        ctx._("The records suggest: met.")
        if ev.suggestion(number)
        else ctx._("The records suggest: not met."),
        "",
        ctx._(
            "To record it as *{verdict}* for {area}, please type a note saying why "
            "(required, up to {limit} characters). It is kept with the criterion and shown "
            "in the commune table.",
            verdict=ctx._("✅ met") if met else ctx._("❌ not met"),
            area=area.name,
            limit=logic.NOTE_LIMIT,
        ),
    ]
    show(
        ctx,
        "\n".join(lines),
        [[Option(ctx.t.plain("⬅️ Back"), action=BUTTONS(Bx.CRITERION, number))]],
        edit=True,
    )


async def save_override(ctx: Context) -> None:
    number = RATING_FLOW.state(ctx).criterion or 0
    met = bool(RATING_FLOW.state(ctx).met)
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type the note as text, or /cancel."))
        return
    if ctx.event.text.strip() in ("-", "–", "—"):
        ctx.reply(ctx._("A note is required here: please say why, in a few words."))
        return
    checked = check_words(ctx.event.text, maximum=logic.NOTE_LIMIT)
    if checked is TextProblem.NO_LETTERS:
        # A number or a sign alone does not say why the records are set aside.
        ctx.reply(ctx._(IN_WORDS))
        return
    if isinstance(checked, TextProblem):
        ctx.reply(problem_text(ctx, checked, maximum=logic.NOTE_LIMIT))
        return
    found = await _editable(ctx)
    if found is None or number not in logic.CRITERION:
        ctx.end()
        stale_reply(ctx)
        return
    area, rating = found
    suggested = RATING_FLOW.state(ctx).suggested
    await _record(
        ctx, area, rating, number, met, None if suggested is None else bool(suggested), checked
    )


async def _record(
    ctx: Context,
    area: Area,
    rating: AreaRating | None,
    number: int,
    met: bool,
    suggestion: bool | None,
    note: str | None,
) -> None:
    """Save a criterion (with its note when it goes against the records), then go on."""
    saved = await service.record_criterion(
        ctx.conn,
        RATING_FLOW.state(ctx).chosen_year,
        area.id,
        number,
        met,
        suggestion=suggestion,
        note=note,
        actor=ctx.member.id if ctx.member else None,
        now=ctx.now,
    )
    lines = [
        ctx._("Criterion {number} recorded as met.", number=number)
        if met
        else ctx._("Criterion {number} recorded as not met.", number=number)
    ]
    if saved.against_records:
        lines.append(ctx._("⚠️ Recorded against the records' suggestion, with your note."))
    if saved.result_withdrawn:
        lines.append(
            ctx._(
                "⚠️ The result “meets the standard” was withdrawn: please decide the result again."
            )
        )
    notice = "\n".join(lines) + "\n"
    edit = note is None  # after a typed note, a new message; after a button, the same one
    if number < len(logic.CRITERIA):
        await show_criterion(ctx, number + 1, edit=edit, notice=notice)
    else:
        await show_result(ctx, edit=edit, notice=notice)


async def ask_note(ctx: Context, number: int) -> None:
    if await _closed(ctx):
        ctx.toast(ctx._(FINALISED))
        return
    if number not in logic.CRITERION:
        stale(ctx)
        return
    RATING_FLOW.state(ctx).criterion = number
    ctx.goto(RatingStep.NOTE)
    show(
        ctx,
        ctx._(
            "📝 Please type the note for criterion {number} ({label}), up to {limit} "
            "characters. To remove the note, type a single dash: -",
            number=number,
            label=ctx._(logic.CRITERION[number].short),
            limit=logic.NOTE_LIMIT,
        ),
        [[Option(ctx.t.plain("⬅️ Back"), action=BUTTONS(Bx.CRITERION, number))]],
        edit=True,
    )


async def save_note(ctx: Context) -> None:
    number = RATING_FLOW.state(ctx).criterion or 0
    if ctx.event.kind != EventKind.TEXT:
        ctx.reply(ctx._("Please type the note as text, or /cancel."))
        return
    if await _closed(ctx) or number not in logic.CRITERION:
        ctx.reply(ctx._(FINALISED))
        return
    checked = check_free_text(ctx.event.text, maximum=logic.NOTE_LIMIT)
    if isinstance(checked, TextProblem):
        ctx.reply(problem_text(ctx, checked, maximum=logic.NOTE_LIMIT))
        return
    found = await _area_and_rating(ctx)
    if found is None:
        ctx.end()
        stale_reply(ctx)
        return
    area, rating = found
    note = None if checked.strip() in ("-", "–", "—") else checked
    record = rating.criteria.get(number) if rating else None
    against = record is not None and record.against_records
    if note is not None and against and not has_letters(checked):
        # The note that says why the records were set aside is not replaced by "12".
        ctx.reply(ctx._(IN_WORDS))
        return
    saved = await service.save_note(
        ctx.conn,
        RATING_FLOW.state(ctx).chosen_year,
        area.id,
        number,
        note,
        actor=ctx.member.id if ctx.member else None,
        now=ctx.now,
    )
    if not saved:
        ctx.reply(
            ctx._(
                "This criterion was recorded against the records' suggestion, so its note "
                "stays: please type a new note instead."
            )
        )
        return
    notice = (ctx._("Note removed.") if note is None else ctx._("Note saved.")) + "\n"
    await show_criterion(ctx, number, edit=False, notice=notice)


# The result ------------------------------------------------------------------------------
async def show_result(ctx: Context, *, edit: bool, notice: str | None = None) -> None:
    found = await _area_and_rating(ctx)
    if found is None:
        stale(ctx)
        return
    area, rating = found
    year = RATING_FLOW.state(ctx).chosen_year
    ctx.goto(RatingStep.RESULT)
    criteria = service.criteria_of(rating)
    lines = [notice] if notice else []
    lines.append(ctx._("🏁 *{area}: result of {year}*", area=area.name, year=str(year)))
    for criterion in logic.CRITERIA:
        lines.append(
            f"{criterion.number}. {texts.mark(criteria[criterion.number])} {ctx._(criterion.short)}"
        )
    lines += [
        "",
        ctx._("An area meets the standard only when all five criteria are met."),
        texts.result_line(ctx.t, service.result_of(rating)),
    ]
    rows: list[list[Option]] = []
    if not await _closed(ctx):
        rows.append(
            [
                Option(ctx.t.plain("✅ Meets the standard"), action=BUTTONS(Bx.DECIDE, "1")),
                Option(ctx.t.plain("❌ Does not meet"), action=BUTTONS(Bx.DECIDE, "0")),
            ]
        )
    rows.append([Option(ctx.t.plain("⬅️ Back to the area"), action=BUTTONS(Bx.BACK))])
    show(ctx, "\n".join(lines), rows, edit=edit)


async def decide(ctx: Context, met: bool) -> None:
    found = await _editable(ctx)
    if found is None:
        return
    area, _ = found
    year = RATING_FLOW.state(ctx).chosen_year
    actor = ctx.member.id if ctx.member else None
    blocking = await service.decide_result(ctx.conn, year, area.id, met, actor=actor, now=ctx.now)
    if blocking:
        await show_result(
            ctx,
            edit=True,
            notice=ctx._(
                "⚠️ *{area} cannot be rated as meeting the standard*: criteria {numbers} "
                "are not met or not recorded yet. Under Thông tư 124/2021/TT-BCA an area meets "
                "the standard only when all five criteria are met.",
                area=area.name,
                numbers=", ".join(str(n) for n in blocking),
            )
            + "\n",
        )
        return
    ctx.goto(RatingStep.LIST)
    notice = (
        ctx._("✅ Saved: {area} meets the standard for {year}.", area=area.name, year=str(year))
        if met
        else ctx._(
            "❌ Saved: {area} does not meet the standard for {year}.",
            area=area.name,
            year=str(year),
        )
    )
    await show_list(ctx, edit=True, notice=notice + "\n")
