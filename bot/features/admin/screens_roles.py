"""/grant and /revoke: officers make team leaders of an area; admins also make officers.

Every grant and revoke is in the audit log, and the person concerned is told privately.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.events import EventKind, Option, Reply
from bot.core.flows import NoState, StateRefused
from bot.core.permissions import OFFICERS, Role
from bot.core.registry import Action, Command, Feature, Where
from bot.features.admin.actions import GRANT, REVOKE, Grant
from bot.features.admin.states import GRANT as GRANT_FLOW
from bot.features.admin.states import REVOKE as REVOKE_FLOW
from bot.features.admin.states import GrantState, GrantStep, RevokeStep
from bot.i18n import N_, Translator
from bot.shared.pickers import area_picker, areas_in_scope, commune_of, stale, stale_reply
from bot.shared.text import search_key
from bot.storage import areas as areas_repo
from bot.storage import communes as communes_repo
from bot.storage import members as members_repo
from bot.storage import roles as roles_repo
from bot.storage.members import Member


def _role_name(t: Translator, role: str, area: str | None, commune: str | None = None) -> str:
    """The role as a sentence names it; for officers in a province, ``commune`` is the
    commune's name, or "" for an officer of the whole province (None: a one-commune deployment)."""
    if role == Role.LEADER:
        return t._("team leader of {area}", area=area or "?")
    if role == Role.OFFICER and commune:
        return t._("police officer of {commune}", commune=commune)
    if role == Role.OFFICER and commune == "":
        return t._("province police officer")
    if role == Role.OFFICER:
        return t._("commune police officer")
    return t._("administrator")


async def _commune_label(ctx: Context, commune_id: int | None) -> str | None:
    """The ``commune`` of :func:`_role_name`: None in a one-commune deployment."""
    if await communes_repo.count(ctx.conn) <= 1:
        return None
    commune = await communes_repo.get(ctx.conn, commune_id) if commune_id else None
    return commune.name or commune.code if commune else ""


async def grant(ctx: Context) -> None:
    if ctx.roles.is_admin:
        GRANT_FLOW.begin(ctx, GrantStep.ROLE, GrantState())
        ctx.reply(
            ctx._("Which role do you want to give?"),
            [
                [
                    Option(ctx._("Team leader of an area"), action=GRANT(Grant.ROLE, Role.LEADER)),
                    Option(ctx._("Commune police officer"), action=GRANT(Grant.ROLE, Role.OFFICER)),
                ]
            ],
        )
        return
    GRANT_FLOW.begin(ctx, GrantStep.WHO, GrantState(role=Role.LEADER))
    _ask_who(ctx)


def _ask_who(ctx: Context) -> None:
    ctx.reply(
        ctx._("Please type part of the person's name. They must have registered with /start first.")
    )


async def on_input(ctx: Context) -> None:
    if (
        GRANT_FLOW.step(ctx) != GrantStep.WHO
        or ctx.event.kind != EventKind.TEXT
        or not ctx.event.text.strip()
    ):
        ctx.reply(ctx._("Please type part of a name, or /cancel."))
        return
    found = await members_repo.search(
        ctx.conn, ctx.event.text.strip(), fold=search_key, within=ctx.roles.officer_areas
    )
    if not found:
        ctx.reply(
            ctx._(
                "Nobody registered matches “{text}”. Please try another part of the "
                "name, or /cancel.",
                text=ctx.event.text.strip(),
            )
        )
        return
    options = []
    for person in found:
        area = await areas_repo.get(ctx.conn, person.area_id) if person.area_id else None
        label = f"{person.display_name} · {area.name}" if area else str(person.display_name)
        options.append([Option(label, action=GRANT(Grant.PICK, person.id))])
    ctx.reply(ctx._("Who do you mean?"), options, bind_to_conversation=True)


async def on_button(ctx: Context, argument: str) -> None:
    verb, value = GRANT.read(argument)
    if not GRANT_FLOW.is_open(ctx):
        stale(ctx)
        return
    state = GRANT_FLOW.state(ctx)
    if verb == Grant.ROLE and value in (Role.LEADER, Role.OFFICER) and ctx.roles.is_admin:
        state.role = Role(value)
        ctx.goto(GrantStep.WHO)
        _ask_who(ctx)
    elif verb == Grant.PICK and value.isdigit():
        person = await members_repo.get(ctx.conn, int(value))
        if person is None:
            stale(ctx)
            return
        state.member_id = person.id
        ctx.goto(GrantStep.AREA)
        if state.role == Role.LEADER:
            areas = await areas_in_scope(ctx)
            home = person.area_id
            areas.sort(key=lambda a: a.id != home)
            ctx.reply(
                ctx._("Team leader of which area?"),
                await area_picker(
                    ctx, areas, GRANT(Grant.AREA), commune_id=commune_of(areas, home)
                ),
            )
        elif await communes_repo.count(ctx.conn) > 1:
            options = [
                [Option(c.name or c.code, action=GRANT(Grant.COMMUNE, c.id))]
                for c in await communes_repo.list_communes(ctx.conn)
            ]
            options.append([Option(ctx._("The whole province"), action=GRANT(Grant.COMMUNE, 0))])
            ctx.reply(ctx._("Police officer of which commune?"), options)
        else:
            await _confirm(ctx, person, None)
    elif verb == Grant.COMMUNE and value.isdigit() and state.member_id:
        person = await members_repo.get(ctx.conn, state.member_id)
        if person is not None:
            state.commune_id = int(value) or None
            ctx.goto(GrantStep.CONFIRM)
            await _confirm(ctx, person, None)
    elif verb == Grant.AREA and value.isdigit() and state.member_id:
        person = await members_repo.get(ctx.conn, state.member_id)
        if person is not None and ctx.roles.leads(int(value)):
            state.area_id = int(value)
            ctx.goto(GrantStep.CONFIRM)
            await _confirm(ctx, person, int(value))
    elif verb == Grant.OK and GRANT_FLOW.step(ctx) == GrantStep.CONFIRM:
        await _apply(ctx)
    else:
        ctx.end()
        ctx.reply(ctx._("Cancelled. Nothing from that step was saved."), edit=True)


async def _confirm(ctx: Context, person: Member, area_id: int | None) -> None:
    area = await areas_repo.get(ctx.conn, area_id) if area_id else None
    state = GRANT_FLOW.state(ctx)
    state.area_id = area_id
    ctx.goto(GrantStep.CONFIRM)
    role = str(state.role)
    commune = await _commune_label(ctx, state.commune_id)
    ctx.reply(
        ctx._(
            "Make *{name}* {role}?",
            name=person.display_name or "?",
            role=_role_name(ctx.t, role, area.name if area else None, commune),
        ),
        [
            [
                Option(ctx._("✅ Confirm"), action=GRANT(Grant.OK)),
                Option(ctx._("Cancel"), action=GRANT(Grant.NO)),
            ]
        ],
    )


async def _apply(ctx: Context) -> None:
    state = GRANT_FLOW.state(ctx)
    if state.role is None or state.member_id is None:
        raise StateRefused(end=True)
    role, area_id, commune_id = str(state.role), state.area_id, state.commune_id
    person = await members_repo.get(ctx.conn, state.member_id)
    ctx.end()
    if person is None or (role == Role.OFFICER and not ctx.roles.is_admin):
        stale_reply(ctx)
        return
    area = await areas_repo.get(ctx.conn, area_id) if area_id else None
    if role == Role.LEADER and (area is None or not ctx.roles.leads(area.id)):
        stale_reply(ctx)
        return
    added = await roles_repo.grant(
        ctx.conn,
        person.id,
        role,
        area.id if area else None,
        ctx.member.id if ctx.member else None,
        ctx.now,
        commune_id if role == Role.OFFICER else None,
    )
    if not added:
        ctx.reply(
            ctx._("{name} already has this role.", name=person.display_name or "?"), edit=True
        )
        return
    commune = await _commune_label(ctx, commune_id) if role == Role.OFFICER else None
    await ctx.audit(
        "role.granted",
        "member",
        person.id,
        role=role,
        area=area.code if area else None,
        **({"commune": commune_id} if commune_id else {}),
    )
    area_name = area.name if area else None
    ctx.reply(
        ctx._(
            "{name} is now {role}.",
            name=person.display_name or "?",
            role=_role_name(ctx.t, role, area_name, commune),
        ),
        edit=True,
    )
    await ctx.notify(
        person,
        lambda t: Reply(
            t._(
                "You are now {role}. Press /help to see the commands this gives you.",
                role=_role_name(t, role, area_name, commune),
            )
        ),
    )


# Revoke ----------------------------------------------------------------------------------
async def revoke(ctx: Context) -> None:
    allowed = {Role.LEADER.value} | ({Role.OFFICER.value} if ctx.roles.is_admin else set())
    options: list[list[Option]] = []
    for role in sorted(allowed):
        for member_id in await roles_repo.holders(ctx.conn, role):
            person = await members_repo.get(ctx.conn, member_id)
            for held in await roles_repo.of_member(ctx.conn, member_id):
                if held.role != role or person is None:
                    continue
                if role == Role.LEADER and not ctx.roles.leads(held.area_id):
                    continue  # a commune officer takes back only their communes' leaders
                area = await areas_repo.get(ctx.conn, held.area_id) if held.area_id else None
                commune = await _commune_label(ctx, held.commune_id)
                label = ctx.t.plain(
                    "{name}: {role}",
                    name=person.display_name or "?",
                    role=_role_name(ctx.t, role, area.name if area else None, commune),
                )
                where = (held.commune_id,) if held.commune_id else ()
                action = REVOKE.make(member_id, role, held.area_id or 0, *where)
                options.append([Option(label, action=action)])
    if not options:
        ctx.reply(ctx._("Nobody holds a role you can take back."))
        return
    REVOKE_FLOW.begin(ctx, RevokeStep.PICK, NoState())
    ctx.reply(ctx._("Whose role do you want to take back?"), options[:30])


async def on_revoke(ctx: Context, argument: str) -> None:
    parts = argument.split(":")
    if not REVOKE_FLOW.is_open(ctx) or len(parts) not in (3, 4) or not parts[0].isdigit():
        stale(ctx)
        return
    member_id, role, area_raw = int(parts[0]), parts[1], parts[2]
    if role == Role.OFFICER and not ctx.roles.is_admin:
        return
    area_id = int(area_raw) or None if area_raw.isdigit() else None
    if role == Role.LEADER and not ctx.roles.leads(area_id):
        return
    commune_id = int(parts[3]) if len(parts) == 4 and parts[3].isdigit() else None
    ctx.end()
    person = await members_repo.get(ctx.conn, member_id)
    if person is None or not await roles_repo.revoke(
        ctx.conn, member_id, role, area_id, commune_id
    ):
        ctx.reply(ctx._("That role had already been taken back."), edit=True)
        return
    area = await areas_repo.get(ctx.conn, area_id) if area_id else None
    area_name = area.name if area else None
    commune = await _commune_label(ctx, commune_id) if role == Role.OFFICER else None
    await ctx.audit(
        "role.revoked", "member", member_id, role=role, area=area.code if area else None
    )
    ctx.reply(
        ctx._(
            "{name} is no longer {role}.",
            name=person.display_name or "?",
            role=_role_name(ctx.t, role, area_name, commune),
        ),
        edit=True,
    )
    await ctx.notify(
        person,
        lambda t: Reply(
            t._(
                "You are no longer {role}. Thank you for your work.",
                role=_role_name(t, role, area_name, commune),
            )
        ),
    )


feature = Feature(
    name="roles",
    commands=[
        Command(
            "grant",
            "capquyen",
            grant,
            OFFICERS,
            Where.PRIVATE,
            N_("Make someone a team leader (admins: an officer)"),
        ),
        Command(
            "revoke",
            "thuhoi",
            revoke,
            OFFICERS,
            Where.PRIVATE,
            N_("Take back a team leader's or officer's role"),
        ),
    ],
    actions={
        GRANT.prefix: Action(on_button, roles=OFFICERS),
        REVOKE.prefix: Action(on_revoke, roles=OFFICERS),
    },
    flows={GRANT_FLOW: on_input},
)
