"""/rating (/binhxet): the yearly rating of safe residential areas, for commune police officers.

Choose a year; see every area with its state; open an area to read what the bot's records show
and record the five criteria (met / not met, with a note), then the result; the commune table
shows every area per year, streaks and the share of areas that met the standard.
"""

from __future__ import annotations

import aiosqlite

from bot.core.context import Context
from bot.core.events import EventKind, Option
from bot.core.permissions import OFFICERS
from bot.core.registry import Action, Command, Feature, Where
from bot.handlers.common import problem_text
from bot.i18n import N_, escape
from bot.stats import rating as logic
from bot.storage import areas as areas_repo
from bot.storage import ratings as repo
from bot.storage.areas import Area
from bot.storage.members import Member
from bot.storage.ratings import AreaRating, RatingYear
from bot.text import TextProblem, check_free_text, check_words, has_letters

FLOW = "rating"
PREFIX = "bx"
FIRST_YEAR = 2000
TABLE_YEARS = 6
STALE = N_("This menu is no longer active. Please start again from /help.")
FINALISED = N_("The rating of this year is finalised. Reopen it first to change it.")
IN_WORDS = N_("Please write it in words (not only a number or signs), or /cancel.")


def _mark(value: bool | None) -> str:
    return "✅" if value is True else "❌" if value is False else "⏳"


def _this_year(ctx: Context) -> int:
    return ctx.now.astimezone(ctx.config.tz).year


def _stale(ctx: Context) -> None:
    ctx.toast(ctx._(STALE))


def _show(ctx: Context, text: str, rows: list[list[Option]], *, edit: bool) -> None:
    """Every screen's buttons belong to the conversation step they were shown on."""
    ctx.reply(text, rows, edit=edit, bind_to_conversation=True)


# Choosing the year ----------------------------------------------------------------------
async def start(ctx: Context) -> None:
    ctx.begin(FLOW, "year")
    _ask_year(ctx, edit=False)


def _ask_year(ctx: Context, *, edit: bool) -> None:
    year = _this_year(ctx)
    _show(
        ctx,
        ctx._(
            "🏅 <b>Rating of safe residential areas</b> (Thông tư 124/2021/TT-BCA)\n\n"
            "Which year do you want to rate?"
        ),
        [
            [
                Option(ctx.t.plain("This year ({year})", year=str(year)), action="bx:year:0"),
                Option(ctx.t.plain("Last year ({year})", year=str(year - 1)), action="bx:year:1"),
            ],
            [Option(ctx.t.plain("⌨️ Type another year"), action="bx:year:type")],
            [Option(ctx.t.plain("📊 Commune table"), action="bx:table")],
        ],
        edit=edit,
    )


async def _choose_year(ctx: Context, year: int, *, edit: bool) -> None:
    ctx.goto("list", year=year)
    await _show_list(ctx, edit=edit)


async def _rating_id(ctx: Context, year: int, area_id: int) -> int:
    """The area's rating of ``year``, the year opened with it: looking at a year opens
    nothing, so the commune table shows only years somebody rated."""
    if await repo.open_year(ctx.conn, year, ctx.member.id if ctx.member else None, ctx.now):
        await ctx.audit("rating.year_opened", "rating_year", year)
    return await repo.ensure_area_rating(ctx.conn, year, area_id, ctx.now)


def _parse_year(text: str, this_year: int) -> int | None:
    cleaned = text.strip()
    if not cleaned.isdigit() or len(cleaned) != 4:
        return None
    year = int(cleaned)
    return year if FIRST_YEAR <= year <= this_year else None


# The list of areas ----------------------------------------------------------------------
async def _show_list(ctx: Context, *, edit: bool, notice: str | None = None) -> None:
    year = int(ctx.data["year"])
    rating_year = await repo.get_year(ctx.conn, year)
    areas = await areas_repo.list_areas(ctx.conn)
    ratings = {r.area_id: r for r in await repo.of_year(ctx.conn, year)}
    history = await repo.results(ctx.conn)
    lines = [notice] if notice else []
    lines.append(ctx._("🏅 <b>Rating of safe residential areas, {year}</b>", year=str(year)))
    if rating_year is not None and rating_year.closed_at is not None:
        lines.append(
            ctx._("🔒 Finalised on {day}: no more changes.", day=ctx.t.day(rating_year.closed_at))
        )
    if not areas:
        lines.append(ctx._("No residential areas are set up yet."))
    for area in areas:
        lines.append(_area_state_line(ctx, area, ratings.get(area.id), history))
    rows: list[list[Option]] = []
    buttons = [
        Option(f"{_mark(_result(ratings.get(a.id)))} {a.name}", action=f"bx:area:{a.id}")
        for a in areas
    ]
    rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Option(ctx.t.plain("📊 Commune table"), action="bx:table")])
    closed = rating_year is not None and rating_year.closed
    if closed:
        rows.append([Option(ctx.t.plain("🔓 Reopen the year"), action="bx:reopen")])
    elif areas and all(_result(ratings.get(a.id)) is not None for a in areas):
        rows.append([Option(ctx.t.plain("🔒 Finalise the year"), action="bx:close")])
    else:
        lines.append("\n" + ctx._("Choose an area to rate it."))
    rows.append([Option(ctx.t.plain("✔️ Done"), action="bx:done")])
    _show(ctx, "\n".join(lines), rows, edit=edit)


def _result(rating: AreaRating | None) -> bool | None:
    return rating.result if rating else None


def _area_state_line(
    ctx: Context,
    area: Area,
    rating: AreaRating | None,
    history: dict[tuple[int, int], bool | None],
) -> str:
    result = _result(rating)
    if result is True:
        years = logic.streak(history, area.id, rating.year if rating else 0)
        return ctx._n(
            "✅ {area}: meets the standard ({count} year in a row)",
            "✅ {area}: meets the standard ({count} years in a row)",
            years,
            area=area.name,
        )
    if result is False:
        return ctx._("❌ {area}: does not meet the standard", area=area.name)
    recorded = sum(1 for c in (rating.criteria.values() if rating else []) if c.met is not None)
    return ctx._("⏳ {area}: {recorded} of 5 criteria recorded", area=area.name, recorded=recorded)


# One area --------------------------------------------------------------------------------
async def _area_and_rating(ctx: Context) -> tuple[Area, AreaRating | None] | None:
    area = await areas_repo.get(ctx.conn, int(ctx.data.get("area_id", 0)))
    if area is None:
        return None
    return area, await repo.area_rating(ctx.conn, int(ctx.data["year"]), area.id)


def _criteria_of(rating: AreaRating | None) -> dict[int, bool | None]:
    records = rating.criteria if rating else {}
    return {n: records[n].met if n in records else None for n in logic.NUMBERS}


def _note_of(rating: AreaRating | None, number: int) -> str | None:
    if rating is None or number not in rating.criteria:
        return None
    return rating.criteria[number].note


async def _closed(ctx: Context) -> bool:
    found: RatingYear | None = await repo.get_year(ctx.conn, int(ctx.data["year"]))
    return found is not None and found.closed  # a year nobody rated yet is not open, not closed


def _result_line(ctx: Context, result: bool | None) -> str:
    if result is True:
        return ctx._("Result: ✅ meets the standard")
    if result is False:
        return ctx._("Result: ❌ does not meet the standard")
    return ctx._("Result: ⏳ not decided yet")


async def _show_area(ctx: Context, *, edit: bool) -> None:
    found = await _area_and_rating(ctx)
    if found is None:
        _stale(ctx)
        return
    area, rating = found
    year = int(ctx.data["year"])
    ctx.goto("area")
    ev = await logic.evidence(ctx.conn, area.id, year, ctx.config.tz, ctx.now)
    lines = [
        ctx._("🏅 <b>{area}: rating of {year}</b>", area=area.name, year=str(year)),
        "",
        ctx._("<i>What the bot's records show for {year}:</i>", year=str(year))
        if year < _this_year(ctx)
        else ctx._(
            "<i>What the bot's records show for {year}, up to {day}:</i>",
            year=str(year),
            day=ctx.t.day(ctx.now),
        ),
    ]
    for number in (1, 3, 4, 5):
        for line in logic.evidence_lines(ctx.t, ev, number):
            lines.append(f"• {line}")
    lines += ["", ctx._("<b>The five criteria</b>")]
    criteria = _criteria_of(rating)
    for criterion in logic.CRITERIA:
        record = rating.criteria.get(criterion.number) if rating else None
        warning = " ⚠️" if record is not None and record.against_records else ""
        lines.append(
            f"{criterion.number}. {_mark(criteria[criterion.number])}{warning}"
            f" {ctx._(criterion.short)}"
        )
        note = _note_of(rating, criterion.number)
        if note:
            lines.append(ctx._("    📝 {note}", note=note))
    lines += ["", _result_line(ctx, _result(rating))]
    rows = [
        [
            Option(f"{c.number} {_mark(criteria[c.number])}", action=f"bx:crit:{c.number}")
            for c in logic.CRITERIA
        ],
        [Option(ctx.t.plain("🏁 Result"), action="bx:result")],
        [Option(ctx.t.plain("⬅️ All areas"), action="bx:list")],
    ]
    _show(ctx, "\n".join(lines), rows, edit=edit)


async def _show_criterion(
    ctx: Context, number: int, *, edit: bool, notice: str | None = None
) -> None:
    found = await _area_and_rating(ctx)
    if found is None or number not in logic.CRITERION:
        _stale(ctx)
        return
    area, rating = found
    year = int(ctx.data["year"])
    ctx.goto("crit", criterion=number)
    criterion = logic.CRITERION[number]
    ev = await logic.evidence(ctx.conn, area.id, year, ctx.config.tz, ctx.now)
    lines = [notice] if notice else []
    lines += [
        ctx._(
            "🏅 <b>{area}, {year}: criterion {number} of 5</b>",
            area=area.name,
            year=str(year),
            number=number,
        ),
        ctx._(criterion.text),
        "",
        ctx._("<i>What the bot's records show:</i>"),
    ]
    lines += [f"• {line}" for line in logic.evidence_lines(ctx.t, ev, number)]
    suggestion = ev.suggestion(number)
    if suggestion is True:
        lines.append(ctx._("The records suggest: met."))
    elif suggestion is False:
        lines.append(ctx._("The records suggest: not met."))
    met = _criteria_of(rating)[number]
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
                Option(ctx.t.plain("✅ Met"), action=f"bx:set:{number}:1"),
                Option(ctx.t.plain("❌ Not met"), action=f"bx:set:{number}:0"),
            ]
        )
        rows.append(
            [
                Option(
                    ctx.t.plain("📝 Change the note") if note else ctx.t.plain("📝 Add a note"),
                    action=f"bx:note:{number}",
                )
            ]
        )
    last = [
        Option(ctx.t.plain("⬅️ Back to the area"), action="bx:back"),
        Option(ctx.t.plain("🏁 Result"), action="bx:result"),
    ]
    if number < len(logic.CRITERIA):
        last.append(Option(ctx.t.plain("Next ➡️"), action=f"bx:crit:{number + 1}"))
    rows.append(last)
    _show(ctx, "\n".join(lines), rows, edit=edit)


async def _editable(ctx: Context) -> tuple[Area, AreaRating | None] | None:
    """The area and its rating when the year may still be changed; else says why, None."""
    if await _closed(ctx):
        ctx.toast(ctx._(FINALISED))
        return None
    found = await _area_and_rating(ctx)
    if found is None:
        _stale(ctx)
    return found


async def _set_criterion(ctx: Context, number: int, met: bool) -> None:
    found = await _editable(ctx)
    if found is None:
        return
    area, rating = found
    year = int(ctx.data["year"])
    ev = await logic.evidence(ctx.conn, area.id, year, ctx.config.tz, ctx.now)
    suggestion = ev.suggestion(number)
    if logic.against_records(suggestion, met):
        # Against the bot's own evidence: nothing is recorded until the officer says why.
        ctx.goto("override", criterion=number, met=met, suggested=suggestion)
        _ask_override_note(ctx, area, number, met, ev)
        return
    await _record(ctx, area, rating, number, met, suggestion, None)


def _ask_override_note(
    ctx: Context, area: Area, number: int, met: bool, ev: logic.Evidence
) -> None:
    lines = [
        ctx._(
            "⚠️ <b>Criterion {number} ({label}): this differs from the records.</b>",
            number=number,
            label=ctx._(logic.CRITERION[number].short),
        ),
        *[f"• {line}" for line in logic.evidence_lines(ctx.t, ev, number)],
        ctx._("The records suggest: met.")
        if ev.suggestion(number)
        else ctx._("The records suggest: not met."),
        "",
        ctx._(
            "To record it as <b>{verdict}</b> for {area}, please type a note saying why "
            "(required, up to {limit} characters). It is kept with the criterion and shown "
            "in the commune table.",
            verdict=ctx._("✅ met") if met else ctx._("❌ not met"),
            area=area.name,
            limit=logic.NOTE_LIMIT,
        ),
    ]
    _show(
        ctx,
        "\n".join(lines),
        [[Option(ctx.t.plain("⬅️ Back"), action=f"bx:crit:{number}")]],
        edit=True,
    )


async def _save_override(ctx: Context) -> None:
    number = int(ctx.data.get("criterion", 0))
    met = bool(ctx.data.get("met"))
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
        ctx.reply(ctx._(STALE))
        return
    area, rating = found
    suggested = ctx.data.get("suggested")
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
    year = int(ctx.data["year"])
    before = _criteria_of(rating)[number]
    rating_id = await _rating_id(ctx, year, area.id)
    member_id = ctx.member.id if ctx.member else None
    await repo.set_criterion(
        ctx.conn, rating_id, number, met, member_id, ctx.now, suggested=suggestion, note=note
    )
    against = logic.against_records(suggestion, met)
    await ctx.audit(
        "rating.criterion_set",
        "area_rating",
        rating_id,
        year=year,
        area_id=area.id,
        criterion=number,
        met=met,
        before=before,
        suggested=suggestion,
        against_records=against,
        **({"note": note} if note is not None else {}),
    )
    lines = [
        ctx._("Criterion {number} recorded as met.", number=number)
        if met
        else ctx._("Criterion {number} recorded as not met.", number=number)
    ]
    if against:
        lines.append(ctx._("⚠️ Recorded against the records' suggestion, with your note."))
    if not met and _result(rating) is True:
        # "Met" needs all five criteria: a met result no longer holds.
        await repo.set_result(ctx.conn, rating_id, None, member_id, ctx.now)
        await ctx.audit(
            "rating.result_set",
            "area_rating",
            rating_id,
            year=year,
            area_id=area.id,
            result=None,
            before=True,
        )
        lines.append(
            ctx._(
                "⚠️ The result “meets the standard” was withdrawn: please decide the result again."
            )
        )
    notice = "\n".join(lines) + "\n"
    edit = note is None  # after a typed note, a new message; after a button, the same one
    if number < len(logic.CRITERIA):
        await _show_criterion(ctx, number + 1, edit=edit, notice=notice)
    else:
        await _show_result(ctx, edit=edit, notice=notice)


async def _ask_note(ctx: Context, number: int) -> None:
    if await _closed(ctx):
        ctx.toast(ctx._(FINALISED))
        return
    if number not in logic.CRITERION:
        _stale(ctx)
        return
    ctx.goto("note", criterion=number)
    _show(
        ctx,
        ctx._(
            "📝 Please type the note for criterion {number} ({label}), up to {limit} "
            "characters. To remove the note, type a single dash: -",
            number=number,
            label=ctx._(logic.CRITERION[number].short),
            limit=logic.NOTE_LIMIT,
        ),
        [[Option(ctx.t.plain("⬅️ Back"), action=f"bx:crit:{number}")]],
        edit=True,
    )


async def _save_note(ctx: Context) -> None:
    number = int(ctx.data.get("criterion", 0))
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
        ctx.reply(ctx._(STALE))
        return
    area, rating = found
    year = int(ctx.data["year"])
    note = None if checked.strip() in ("-", "–", "—") else checked
    record = rating.criteria.get(number) if rating else None
    if note is None and record is not None and record.against_records:
        ctx.reply(
            ctx._(
                "This criterion was recorded against the records' suggestion, so its note "
                "stays: please type a new note instead."
            )
        )
        return
    if record is not None and record.against_records and not has_letters(checked):
        # The note that says why the records were set aside is not replaced by "12".
        ctx.reply(ctx._(IN_WORDS))
        return
    rating_id = await _rating_id(ctx, year, area.id)
    member_id = ctx.member.id if ctx.member else None
    await repo.set_note(ctx.conn, rating_id, number, note, member_id, ctx.now)
    await ctx.audit(
        "rating.note_set",
        "area_rating",
        rating_id,
        year=year,
        area_id=area.id,
        criterion=number,
        removed=note is None,
        # The note that justifies a verdict against the records: each version stays in the
        # audit log, as the first one does (rating.criterion_set).
        **({"note": note} if record is not None and record.against_records else {}),
    )
    notice = (ctx._("Note removed.") if note is None else ctx._("Note saved.")) + "\n"
    await _show_criterion(ctx, number, edit=False, notice=notice)


# The result ------------------------------------------------------------------------------
async def _show_result(ctx: Context, *, edit: bool, notice: str | None = None) -> None:
    found = await _area_and_rating(ctx)
    if found is None:
        _stale(ctx)
        return
    area, rating = found
    year = int(ctx.data["year"])
    ctx.goto("result")
    criteria = _criteria_of(rating)
    lines = [notice] if notice else []
    lines.append(ctx._("🏁 <b>{area}: result of {year}</b>", area=area.name, year=str(year)))
    for criterion in logic.CRITERIA:
        lines.append(
            f"{criterion.number}. {_mark(criteria[criterion.number])} {ctx._(criterion.short)}"
        )
    lines += [
        "",
        ctx._("An area meets the standard only when all five criteria are met."),
        _result_line(ctx, _result(rating)),
    ]
    rows: list[list[Option]] = []
    if not await _closed(ctx):
        rows.append(
            [
                Option(ctx.t.plain("✅ Meets the standard"), action="bx:decide:1"),
                Option(ctx.t.plain("❌ Does not meet"), action="bx:decide:0"),
            ]
        )
    rows.append([Option(ctx.t.plain("⬅️ Back to the area"), action="bx:back")])
    _show(ctx, "\n".join(lines), rows, edit=edit)


async def _decide(ctx: Context, met: bool) -> None:
    found = await _editable(ctx)
    if found is None:
        return
    area, rating = found
    year = int(ctx.data["year"])
    blocking = logic.blocking_criteria(_criteria_of(rating))
    if met and blocking:
        await _show_result(
            ctx,
            edit=True,
            notice=ctx._(
                "⚠️ <b>{area} cannot be rated as meeting the standard</b>: criteria {numbers} "
                "are not met or not recorded yet. Under Thông tư 124/2021/TT-BCA an area meets "
                "the standard only when all five criteria are met.",
                area=area.name,
                numbers=", ".join(str(n) for n in blocking),
            )
            + "\n",
        )
        return
    rating_id = await _rating_id(ctx, year, area.id)
    await repo.set_result(ctx.conn, rating_id, met, ctx.member.id if ctx.member else None, ctx.now)
    await ctx.audit(
        "rating.result_set",
        "area_rating",
        rating_id,
        year=year,
        area_id=area.id,
        result=met,
        before=_result(rating),
    )
    ctx.goto("list")
    notice = (
        ctx._("✅ Saved: {area} meets the standard for {year}.", area=area.name, year=str(year))
        if met
        else ctx._(
            "❌ Saved: {area} does not meet the standard for {year}.",
            area=area.name,
            year=str(year),
        )
    )
    await _show_list(ctx, edit=True, notice=notice + "\n")


# Finalising ------------------------------------------------------------------------------
async def _close_year(ctx: Context) -> None:
    year = int(ctx.data["year"])
    areas = await areas_repo.list_areas(ctx.conn)
    ratings = {r.area_id: r for r in await repo.of_year(ctx.conn, year)}
    undecided = [a.name for a in areas if _result(ratings.get(a.id)) is None]
    if undecided:
        ctx.toast(ctx._("Still to decide: {areas}.", areas=", ".join(undecided)))
        return
    if await repo.close_year(ctx.conn, year, ctx.member.id if ctx.member else None, ctx.now):
        await ctx.audit("rating.year_closed", "rating_year", year)
    ctx.goto("list")
    await _show_list(
        ctx, edit=True, notice=ctx._("🔒 The rating of {year} is finalised.", year=str(year)) + "\n"
    )


async def _reopen_year(ctx: Context) -> None:
    year = int(ctx.data["year"])
    if await repo.reopen_year(ctx.conn, year):
        await ctx.audit("rating.year_reopened", "rating_year", year)
    ctx.goto("list")
    await _show_list(
        ctx,
        edit=True,
        notice=ctx._("🔓 The rating of {year} is open again for changes.", year=str(year)) + "\n",
    )


# The commune table -----------------------------------------------------------------------
async def table_text(ctx: Context, years: list[int]) -> str:
    table = await logic.commune_table(ctx.conn, years)
    lines = [ctx._("📊 <b>Safe residential areas: the commune table</b>")]
    if not table.years:
        lines.append(ctx._("No year has been rated yet."))
        return "\n".join(lines)
    lines.append(ctx._("✅ met · ❌ not met · — not rated"))
    for row in table.rows:
        cells = " · ".join(
            f"{year} {'—' if row.cells[year] is None else _mark(row.cells[year])}"
            for year in table.years
        )
        lines.append("")
        lines.append(f"<b>{escape(row.area.name)}</b>: {cells}")
        if row.streak:
            lines.append(
                ctx._n(
                    "    met {count} year in a row up to {year}",
                    "    met {count} years in a row up to {year}",
                    row.streak,
                    year=str(table.years[-1]),
                )
            )
        for override in row.overrides:
            lines.append(
                ctx._(
                    "    ⚠️ {year}, criterion {number}: recorded as {verdict} against the "
                    "records. Note: {note}",
                    year=str(override.year),
                    number=override.criterion,
                    verdict=ctx._("✅ met") if override.met else ctx._("❌ not met"),
                    note=override.note or "-",
                )
            )
    lines += ["", ctx._("<b>Share of areas that met the standard</b>")]
    for year in table.years:
        share = table.shares[year]
        lines.append(
            ctx._(
                "• {year}: {met} of {areas} areas ({of_all}); of the {rated} areas rated: "
                "{of_rated}",
                year=str(year),
                met=share.met,
                areas=share.areas,
                of_all=ctx.t.percent(share.of_all or 0.0),
                rated=share.rated,
                of_rated=ctx.t.percent(share.of_rated) if share.of_rated is not None else "—",
            )
        )
    return "\n".join(lines)


async def _show_table(ctx: Context) -> None:
    opened = [y.year for y in await repo.years(ctx.conn)]
    if "year" in ctx.data:
        last = int(ctx.data["year"])
        opened = [y for y in opened if y <= last]
    ctx.goto("table")
    _show(
        ctx,
        await table_text(ctx, opened[-TABLE_YEARS:]),
        [[Option(ctx.t.plain("⬅️ Back"), action="bx:back")]],
        edit=True,
    )


# Routing ---------------------------------------------------------------------------------
async def on_button(ctx: Context, argument: str) -> None:
    verb, _, value = argument.partition(":")
    step = ctx.step
    if ctx.flow != FLOW:
        _stale(ctx)
        return
    if verb == "done":
        ctx.end()
        ctx.reply(ctx._("The rating is saved. Open it again at any time with /rating."), edit=True)
    elif verb == "year" and step == "year":
        if value == "type":
            ctx.goto("year_input")
            _show(
                ctx,
                ctx._("Please type the year, for example {year}.", year=str(_this_year(ctx) - 2)),
                [[Option(ctx.t.plain("⬅️ Back"), action="bx:back")]],
                edit=True,
            )
        elif value in ("0", "1"):
            await _choose_year(ctx, _this_year(ctx) - int(value), edit=True)
        else:
            _stale(ctx)
    elif verb == "table":
        await _show_table(ctx)
    elif verb == "back":
        await _back(ctx)
    elif "year" not in ctx.data:
        _stale(ctx)
    elif verb == "list":
        ctx.goto("list")
        await _show_list(ctx, edit=True)
    elif verb == "area" and value.isdigit() and step == "list":
        ctx.update(area_id=int(value))
        await _show_area(ctx, edit=True)
    elif verb == "crit" and value.isdigit() and step in ("area", "crit", "note", "override"):
        await _show_criterion(ctx, int(value), edit=True)
    elif verb == "set" and step == "crit":
        number, _, met = value.partition(":")
        if (
            not number.isdigit()
            or int(number) != ctx.data.get("criterion")
            or met not in ("0", "1")
        ):
            _stale(ctx)
            return
        await _set_criterion(ctx, int(number), met == "1")
    elif verb == "note" and value.isdigit() and step == "crit":
        await _ask_note(ctx, int(value))
    elif verb == "result" and step in ("area", "crit"):
        await _show_result(ctx, edit=True)
    elif verb == "decide" and value in ("0", "1") and step == "result":
        await _decide(ctx, value == "1")
    elif verb == "close" and step == "list":
        await _close_year(ctx)
    elif verb == "reopen" and step == "list":
        await _reopen_year(ctx)
    else:
        _stale(ctx)


async def _back(ctx: Context) -> None:
    step = ctx.step
    if step in ("crit", "result") and "area_id" in ctx.data:
        await _show_area(ctx, edit=True)
    elif "year" in ctx.data and step != "year_input":
        ctx.goto("list")
        await _show_list(ctx, edit=True)
    else:
        ctx.goto("year")
        _ask_year(ctx, edit=True)


async def on_input(ctx: Context) -> None:
    if ctx.step == "note":
        await _save_note(ctx)
        return
    if ctx.step == "override":
        await _save_override(ctx)
        return
    if ctx.step == "year_input" and ctx.event.kind == EventKind.TEXT:
        this_year = _this_year(ctx)
        year = _parse_year(ctx.event.text, this_year)
        if year is None:
            ctx.reply(
                ctx._(
                    "Please type a year from {first} to {last}, for example {example}.",
                    first=str(FIRST_YEAR),
                    last=str(this_year),
                    example=str(this_year - 2),
                )
            )
            return
        await _choose_year(ctx, year, edit=False)
        return
    ctx.reply(ctx._("Please use the buttons above, or /cancel."))


# Personal data ---------------------------------------------------------------------------
async def data_section(ctx: Context, member: Member) -> list[str]:
    decided, recorded = await repo.count_by_member(ctx.conn, member.id)
    if not decided and not recorded:
        return []
    return [
        ctx._(
            "Safe-area rating: {decided} results decided and {recorded} criteria recorded by "
            "you (kept as the commune's record; your name is removed from them on /forgetme).",
            decided=decided,
            recorded=recorded,
        )
    ]


async def forget(conn: aiosqlite.Connection, member: Member) -> None:
    await repo.forget_member(conn, member.id)


feature = Feature(
    name="rating",
    commands=[
        Command(
            "rating",
            "binhxet",
            start,
            OFFICERS,
            Where.PRIVATE,
            N_("Yearly rating of safe residential areas"),
        )
    ],
    actions={PREFIX: Action(on_button, OFFICERS)},
    flows={FLOW: on_input},
    data_sections=[data_section],
    forget_hooks=[forget],
)
