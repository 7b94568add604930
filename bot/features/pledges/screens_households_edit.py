"""Changing the household register: adding a household field by field, editing one field,
removing a household (its pledges stay on record). The steps are those of
:data:`bot.features.pledges.states.REGISTER`."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.features.pledges import screens_households_view as view
from bot.features.pledges.actions import REGISTER as BUTTONS
from bot.features.pledges.actions import Register
from bot.features.pledges.households import (
    check_note,
    check_number,
    place_label,
)
from bot.features.pledges.model import check_address
from bot.features.pledges.screens_households_view import FIELD_LABELS
from bot.features.pledges.states import REGISTER, RegisterState, RegisterStep
from bot.shared.pickers import problem_text, stale, stale_reply
from bot.shared.text import TextProblem, check_name
from bot.storage import areas as areas_repo
from bot.storage import households as repo
from bot.storage.areas import Area
from bot.storage.folding import match_key


def ask_edit(ctx: Context, household: repo.Household, field: str) -> None:
    REGISTER.begin(
        ctx,
        RegisterStep(f"edit_{field}"),
        RegisterState(area_id=household.area_id, household_id=household.id),
    )
    current = {
        "number": household.number,
        "head": household.head_name,
        "address": household.address,
        "note": household.note,
    }[field]
    options = []
    if field in ("number", "note"):
        options = [[Option(ctx._("Clear it"), action=BUTTONS(Register.CLEAR, household.area_id))]]
    ctx.reply(
        ctx._(
            "{field} now: _{current}_\nPlease type the new value.",
            field=ctx.t.plain(FIELD_LABELS[field]),
            current=current or "-",
        ),
        options,
    )


def _checked(ctx: Context, field: str, text: str) -> str | None:
    """The typed value of a field, cleaned, or None after saying what is wrong."""
    checked: str | TextProblem
    maximum = 100
    if field == "number":
        checked, maximum = check_number(text), 20
    elif field == "head":
        checked = check_name(text)
    elif field == "address":
        checked, maximum = check_address(text), 150
    else:
        checked, maximum = check_note(text), 200
    if isinstance(checked, TextProblem):
        ctx.reply(problem_text(ctx, checked, maximum=maximum))
        return None
    return checked


async def _conflict(
    ctx: Context, area_id: int, number: str, head: str, address: str, own_id: int | None
) -> bool:
    """True (after saying so) when another household already has this number or identity."""
    numbered = await repo.by_number(ctx.conn, area_id, number) if number else None
    same = await repo.by_key(ctx.conn, area_id, match_key(number, head, address))
    other = next((h for h in (numbered, same) if h is not None and h.id != own_id), None)
    if other is None:
        return False
    ctx.reply(
        ctx._(
            "This is already on the register: {name} · {place}. Nothing was saved; please "
            "type another value, or /cancel.",
            name=other.head_name,
            place=place_label(other),
        ),
        [[Option(ctx._("Open that household"), action=BUTTONS(Register.OPEN, other.id))]],
    )
    return True


async def add_step(ctx: Context, area: Area, field: str, text: str) -> None:
    if field in ("head", "address") and not text:
        stale(ctx)
        return
    value = _checked(ctx, field, text)
    if value is None:
        return
    state = REGISTER.state(ctx)
    if field == "number":
        if value and await repo.by_number(ctx.conn, area.id, value):
            await _conflict(ctx, area.id, value, "", "", None)
            return
        state.number = value
        ctx.goto(RegisterStep.ADD_HEAD)
        ctx.reply(ctx._("The name of the *head of household*?"))
    elif field == "head":
        state.head = value
        ctx.goto(RegisterStep.ADD_ADDRESS)
        ctx.reply(ctx._("The household's *address* (hamlet, lane, street)?"))
    elif field == "address":
        number, head = state.number, state.head
        if await _conflict(ctx, area.id, number, head, value, None):
            return
        state.address = value
        ctx.goto(RegisterStep.ADD_NOTE)
        ctx.reply(
            ctx._("A note (optional, e.g. rented, away)? Type it, or press the button."),
            [[Option(ctx._("No note"), action=BUTTONS(Register.SKIP, area.id))]],
        )
    else:
        number, head, address = state.number, state.head, state.address
        if await _conflict(ctx, area.id, number, head, address, None):
            return
        new_id = await repo.add(
            ctx.conn,
            area.id,
            number=number,
            head_name=head,
            address=address,
            note=value,
            now=ctx.now,
        )
        await ctx.audit("household.added", "household", new_id, area=area.code)
        ctx.end()
        added = await repo.get(ctx.conn, new_id)
        assert added is not None
        ctx.reply(
            ctx._(
                "Saved: {name} · {place} is on the register of {area}.",
                name=head,
                place=place_label(added),
                area=area.name,
            )
        )
        await view.page(ctx, area, 0)


async def edit(ctx: Context, area: Area, field: str, text: str) -> None:
    household = await repo.get(ctx.conn, REGISTER.state(ctx).household_id or 0)
    if household is None or household.removed or household.area_id != area.id:
        ctx.end()
        stale_reply(ctx)
        return
    if field in ("head", "address") and not text:
        stale(ctx)
        return
    value = _checked(ctx, field, text)
    if value is None:
        return
    values = {
        "number": household.number,
        "head": household.head_name,
        "address": household.address,
        "note": household.note,
    }
    values[field] = value
    if await _conflict(
        ctx, area.id, values["number"], values["head"], values["address"], household.id
    ):
        return
    await repo.update(
        ctx.conn,
        household.id,
        number=values["number"],
        head_name=values["head"],
        address=values["address"],
        note=values["note"],
        now=ctx.now,
    )
    await ctx.audit("household.edited", "household", household.id, field=field)
    ctx.end()
    updated = await repo.get(ctx.conn, household.id)
    assert updated is not None
    ctx.reply(ctx._("Saved: {name} · {place}.", name=updated.head_name, place=place_label(updated)))
    await view.card(ctx, updated)


async def ask_remove(ctx: Context, household: repo.Household) -> None:
    pledges = await repo.pledge_count(ctx.conn, household.id)
    if pledges:
        text = ctx._(
            "Remove {name} · {place} from the register? The household has pledges on record "
            "({count}): they stay on record and keep counting for their campaigns. The "
            "household will no longer be listed (nor as not signed), and residents can no "
            "longer pick it when they sign.",
            name=household.head_name,
            place=place_label(household),
            count=pledges,
        )
    else:
        text = ctx._(
            "Remove {name} · {place} from the register? It has no pledge, so it is deleted.",
            name=household.head_name,
            place=place_label(household),
        )
    ctx.reply(
        text,
        [
            [
                Option(ctx._("🗑 Yes, remove"), action=BUTTONS(Register.REMOVE_OK, household.id)),
                Option(ctx._("Keep it"), action=BUTTONS(Register.OPEN, household.id)),
            ]
        ],
    )


async def remove(ctx: Context, household: repo.Household) -> None:
    deleted = await repo.remove(ctx.conn, household.id, ctx.now)
    await ctx.audit("household.removed", "household", household.id, deleted=deleted)
    if deleted:
        text = ctx._("Deleted from the register: {name}.", name=household.head_name)
    else:
        text = ctx._(
            "Taken off the register: {name}. Its pledges stay on record.",
            name=household.head_name,
        )
    ctx.reply(text, edit=True)
    area = await areas_repo.get(ctx.conn, household.area_id)
    if area is not None:
        await view.page(ctx, area, 0)
