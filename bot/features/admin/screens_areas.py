"""/areas: the commune's residential areas with households and registered members; in a province,
the communes first (then one commune's areas); the import of areas and past ratings."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import Option
from bot.core.permissions import LEADERS, OFFICERS
from bot.core.registry import Action, Command, Feature, Where
from bot.features.admin import screens_records
from bot.features.admin.actions import AREAS, RECORDS, Areas
from bot.features.admin.states import RECORDS as RECORDS_FLOW
from bot.i18n import N_, escape
from bot.shared import pickers
from bot.shared.pickers import areas_in_scope, stale
from bot.storage import areas as areas_repo
from bot.storage import communes as communes_repo
from bot.storage import members as members_repo


async def list_areas(ctx: Context) -> None:
    if ctx.roles.sees_every_commune and await communes_repo.count(ctx.conn) > 1:
        await _communes(ctx)
        return
    areas = await areas_in_scope(ctx) if ctx.roles.is_officer else await _leader_view(ctx)
    await _areas(ctx, areas)


async def _communes(ctx: Context) -> None:
    """A province: one line and one button per commune (its areas are listed on a press)."""
    lines = [ctx._("*Communes*")]
    buttons = []
    for item in await communes_repo.with_counts(ctx.conn):
        name = item.commune.name or item.commune.code
        lines.append(
            ctx._(
                "• {name} ({code}): {areas} areas, {households} households",
                name=name,
                code=item.commune.code,
                areas=item.areas,
                households=item.households or 0,
            )
        )
        buttons.append(Option(name, action=AREAS(Areas.COMMUNE, item.commune.id)))
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(screens_records.import_button(ctx))
    ctx.reply("\n".join(lines), rows)


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = AREAS.read(argument)
    commune = await communes_repo.get(ctx.conn, int(value)) if value.isdigit() else None
    if verb != Areas.COMMUNE or commune is None or not ctx.roles.sees_every_commune:
        stale(ctx)
        return
    await _areas(ctx, await areas_repo.list_areas(ctx.conn, commune.id), title=commune.name)


async def _areas(ctx: Context, areas: list[areas_repo.Area], title: str | None = None) -> None:
    if not areas and not ctx.roles.sees_every_commune:
        ctx.reply(ctx._("There are no areas yet. Add them with: xomantoan areas add"))
        return
    if not areas:
        ctx.reply(
            ctx._("There are no areas yet. Add them with: xomantoan areas add"),
            [screens_records.import_button(ctx)],
        )
        return
    lines = [f"*{escape(title)}*" if title else ctx._("*Residential areas*")]
    for area in areas:
        registered = await members_repo.count_in_area(ctx.conn, area.id)
        if area.households is None:
            lines.append(
                ctx._(
                    "• {name} ({code}): households not set; {members} registered",
                    name=area.name,
                    code=area.code,
                    members=registered,
                )
            )
        else:
            lines.append(
                ctx._(
                    "• {name} ({code}): {households} households; {members} registered",
                    name=area.name,
                    code=area.code,
                    households=area.households,
                    members=registered,
                )
            )
    if ctx.roles.sees_every_commune:
        ctx.reply("\n".join(lines), [screens_records.import_button(ctx)])
    else:
        ctx.reply("\n".join(lines))


async def _leader_view(ctx: Context) -> list[areas_repo.Area]:
    """A leader sees the areas of the communes they lead in (every area in one commune)."""
    found = await areas_repo.list_areas(ctx.conn)
    theirs = {a.commune_id for a in found if a.id in ctx.roles.leader_areas}
    return [a for a in found if a.commune_id in theirs]


feature = Feature(
    name="areas",
    commands=[
        Command(
            "areas", "khuvuc", list_areas, LEADERS, Where.PRIVATE, N_("List the residential areas")
        )
    ],
    actions={
        AREAS.prefix: Action(on_button, roles=OFFICERS),
        RECORDS.prefix: Action(screens_records.on_button, roles=OFFICERS),
        # The pages of every area picker (onboarding's too: before registering).
        pickers.PAGER.prefix: Action(pickers.on_area_page, needs_onboarding=False),
    },
    flows={RECORDS_FLOW: screens_records.on_input},
)
