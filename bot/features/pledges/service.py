"""Use cases of pledges, as plain functions over a connection (no chat): signing a household's
pledge (or noting a second member of a household that already signed), withdrawing it, and
importing an area's household register from a file. Each writes the audit log with the
acting member.

The screens (``screens*.py``) call these; tests call them directly.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.features.pledges.households import (
    Match,
    Problem,
    entries,
    matches,
    plan_import,
    read_register,
)
from bot.features.pledges.model import household_key, reference
from bot.storage import areas as areas_repo
from bot.storage import audit
from bot.storage import households as households_repo
from bot.storage import pledges as repo
from bot.storage.areas import Area
from bot.storage.db import Connection
from bot.storage.folding import match_key
from bot.storage.households import Household
from bot.storage.members import Member
from bot.storage.pledge_campaigns import Campaign
from bot.storage.pledge_items import Item


@dataclass(frozen=True)
class Signing:
    """What a resident confirmed: the household (typed, or one of the area's register), the
    items shown (in the reader's language) and those left out, and the public board choice."""

    audience: str
    head_name: str
    address: str
    items: Sequence[Item]
    left_out: Collection[int]  # item ids
    language: str
    public: bool
    household: Household | None = None  # the register's household, when the area keeps one


@dataclass(frozen=True)
class Removed:
    """The household picked was taken off the register (or moved area) in the meantime."""


@dataclass(frozen=True)
class CloseMatches:
    """Households of the register close to what was typed: the resident should pick one."""

    found: list[Match]


async def household_for(
    conn: Connection,
    area_id: int,
    head_name: str,
    address: str,
    *,
    picked_id: int | None,
    new_allowed: bool,
    actor: int | None,
    now: datetime,
) -> Household | Removed | CloseMatches:
    """The register's household a pledge is for: the one picked, the one with the same
    identity, or (when nothing close is on the register, or the resident said "none of these")
    a new one the resident registers, which the leader then sees on the register."""
    if picked_id:
        household = await households_repo.get(conn, picked_id)
        if household is None or household.removed or household.area_id != area_id:
            return Removed()
        return household
    same = await households_repo.by_key(conn, area_id, match_key("", head_name, address))
    if same is not None:
        return same
    close = matches(head_name, address, await households_repo.in_area(conn, area_id))
    if close and not new_allowed:
        return CloseMatches(close)
    new_id = await households_repo.add(
        conn, area_id, number="", head_name=head_name, address=address, source="resident", now=now
    )
    await audit.record(conn, now, actor, "household.added", "household", new_id, by="resident")
    added = await households_repo.get(conn, new_id)
    assert added is not None
    return added


@dataclass(frozen=True)
class Signed:
    pledge_id: int
    reference: str


@dataclass(frozen=True)
class AlreadySigned:
    """The household already has a standing pledge: the member is linked to it instead."""

    pledge: repo.Pledge


async def sign_pledge(
    conn: Connection,
    campaign: Campaign,
    member: Member,
    signing: Signing,
    now: datetime,
) -> Signed | AlreadySigned:
    """One pledge per household per campaign and area. The household is the register's (by its
    id) or recognised by the head's name and address; a second member of a household that
    signed is linked to its pledge (so leaders do not remind them) and nothing new is signed."""
    household = signing.household
    head, address = signing.head_name, signing.address
    if household is not None:
        key = f"household:{household.id}"
        existing = await repo.standing_for_household_id(conn, campaign.id, household.id)
        head, address = household.head_name, household.address
    else:
        key = household_key(head, address)
        existing = await repo.standing_for_household(conn, campaign.id, member.area_id, key)
    if existing is not None:
        await link_to_signed(conn, existing, member, now)
        return AlreadySigned(existing)
    area = await areas_repo.get(conn, member.area_id) if member.area_id else None
    number = await repo.count_in_campaign_area(conn, campaign.id, member.area_id) + 1
    ref = reference(area.code if area else None, campaign.starts_on.year, number)
    left_out = set(signing.left_out)
    lines = [
        repo.Line(n, i.text(signing.language), i.id in left_out)
        for n, i in enumerate(signing.items, 1)
    ]
    pledge_id = await repo.sign(
        conn,
        campaign_id=campaign.id,
        area_id=member.area_id,
        audience=signing.audience,
        head_name=head,
        address=address,
        household_key=key,
        member_id=member.id,
        public=signing.public,
        reference=ref,
        lines=lines,
        item_ids=[i.id for i in signing.items],
        now=now,
        household_id=household.id if household else None,
    )
    await audit.record(
        conn,
        now,
        member.id,
        "pledge.signed",
        "pledge",
        pledge_id,
        campaign=campaign.id,
        area=area.code if area else None,
        public=signing.public,
        left_out=len(left_out),
    )
    return Signed(pledge_id, ref)


async def link_to_signed(
    conn: Connection, pledge: repo.Pledge, member: Member, now: datetime
) -> None:
    """Note a member of a household that already signed, so leaders do not remind them."""
    await repo.link_household_member(conn, pledge.id, member.id, now)
    await audit.record(conn, now, member.id, "pledge.household_member_linked", "pledge", pledge.id)


async def withdraw_pledge(
    conn: Connection, pledge_id: int, member: Member, now: datetime
) -> repo.Pledge | None:
    """Withdraw the member's standing pledge (recorded with its time, never erased). None, and
    nothing written, when it is not theirs or was already withdrawn."""
    pledge = await repo.get(conn, pledge_id)
    if pledge is None:
        return None
    mine = await repo.standing_for_member(conn, pledge.campaign_id, member.id)
    if (
        mine is None
        or mine.id != pledge.id
        or not await repo.withdraw(conn, pledge.id, member.id, now)
    ):
        return None
    await audit.record(
        conn, now, member.id, "pledge.withdrawn", "pledge", pledge.id, campaign=pledge.campaign_id
    )
    return pledge


@dataclass(frozen=True)
class Imported:
    added: int
    updated: int
    unchanged: int
    total: int  # households on the register after the import


async def import_register(
    conn: Connection,
    area: Area,
    data: bytes,
    filename: str,
    *,
    actor: int | None,
    now: datetime,
    source: str | None = None,
) -> Imported | list[Problem]:
    """Import a register file (CSV or XLSX) into the area: every line is checked first, and
    when any is wrong nothing is written and the problems are returned, by line. A second
    import of the same file changes nothing (households are matched, not duplicated)."""
    parsed = read_register(data, filename)
    plan = plan_import(await households_repo.in_area(conn, area.id), parsed.rows)
    problems = sorted(parsed.problems + plan.problems, key=lambda p: p.line)
    if problems:
        return problems
    additions, updates = entries(plan)
    await households_repo.apply_import(conn, area.id, additions, updates, now)
    await audit.record(
        conn,
        now,
        actor,
        "household.imported",
        "area",
        area.id,
        added=len(additions),
        updated=len(updates),
        unchanged=plan.unchanged,
        **({"source": source} if source else {}),
    )
    total = await households_repo.count(conn, area.id)
    return Imported(len(additions), len(updates), plan.unchanged, total)
