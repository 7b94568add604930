"""/areas: the commune's residential areas with households and registered members."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.permissions import LEADERS
from bot.core.registry import Command, Feature, Where
from bot.i18n import N_
from bot.storage import areas as areas_repo
from bot.storage import members as members_repo


async def list_areas(ctx: Context) -> None:
    areas = await areas_repo.list_areas(ctx.conn)
    if not areas:
        ctx.reply(ctx._("There are no areas yet. Add them with: xomantoan areas add"))
        return
    lines = [ctx._("*Residential areas*")]
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
    ctx.reply("\n".join(lines))


feature = Feature(
    name="areas",
    commands=[
        Command(
            "areas", "khuvuc", list_areas, LEADERS, Where.PRIVATE, N_("List the residential areas")
        )
    ],
)
