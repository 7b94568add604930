"""The embedded demo: a commune with two areas, a team leader, an officer, a linked group, and
some months of activity so that the figures have something to show."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.events import ChatInfo, Person
from bot.features.pledges.model import household_key, reference
from bot.features.reports.model import Status, Target
from bot.storage import (
    areas,
    chats,
    households,
    mediation,
    members,
    patrol_observations,
    patrols,
    pledge_campaigns,
    pledges,
    reports,
    roles,
)
from bot.storage.db import Connection
from bot.transports.console import PLATFORM, Identity

OFFICER = Identity(
    "officer",
    Person("9001", "Trần Văn Minh", None, "vi"),
    "officer (Cán bộ Công an xã Trần Văn Minh)",
)
LEADER = Identity(
    "leader", Person("9002", "Lê Thị Hoa", None, "vi"), "leader (Tổ trưởng Lê Thị Hoa, Thôn Đông)"
)
RESIDENT = Identity(
    "resident",
    Person("9003", "Nguyễn Văn An", None, "vi"),
    "resident (Nguyễn Văn An, new in the commune)",
)
IDENTITIES = [RESIDENT, LEADER, OFFICER]
GROUP = ChatInfo("-1009001", "group", "Nhóm Thôn Đông")


async def seed(conn: Connection, now: datetime, tz: ZoneInfo | None = None) -> bool:
    """Fill an empty database with the demo commune; False if it already has areas."""
    if await areas.list_areas(conn):
        return False
    east = await areas.add(conn, "DONG", "Thôn Đông", 120, now)
    await areas.add(conn, "TAY", "Thôn Tây", 95, now)
    for identity, area_id in ((OFFICER, east.id), (LEADER, east.id)):
        member = await members.ensure(conn, PLATFORM, identity.person.id, now)
        await members.complete_onboarding(
            conn,
            member.id,
            display_name=identity.person.first_name,
            area_id=area_id,
            language="vi",
            consent_version=1,
            now=now,
        )
    officer = await members.find(conn, PLATFORM, OFFICER.person.id)
    leader = await members.find(conn, PLATFORM, LEADER.person.id)
    assert officer is not None and leader is not None
    await roles.grant(conn, officer.id, "officer", None, None, now)
    await roles.grant(conn, leader.id, "leader", east.id, officer.id, now)
    group = await chats.upsert(conn, PLATFORM, GROUP.id, "group", GROUP.title, now)
    await chats.link_area(conn, group.id, east.id)
    await seed_activity(conn, now, tz or ZoneInfo("Asia/Ho_Chi_Minh"))
    return True


FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Thu", "Quang")
GIVEN = (
    *("Bình", "Cường", "Dũng", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam"),
    *("Phúc", "Sơn", "Tâm", "Thảo", "Tuấn", "Yến", "Hương", "Khánh", "Lộc"),
)


def demo_household(rng: random.Random, east: bool, number: int) -> tuple[str, str]:
    """A made-up head of household and the hamlet's part (xóm) of house ``number``."""
    if east and number == 12:
        return "Nguyễn Thị Bình", "Xóm 3"
    address = f"Xóm {1 + (number - 1) // 30}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", address


async def seed_activity(conn: Connection, now: datetime, tz: ZoneInfo) -> None:
    """Some months of the commune's work before ``now``, so /thongke, /binhxet and the
    downloads have something to show: this year's pledge campaign, part signed, patrols with
    reminders, reports and a mediation case. Names are made up."""
    east = await areas.by_code(conn, "DONG")
    west = await areas.by_code(conn, "TAY")
    if east is None or west is None or await pledge_campaigns.campaigns(conn):
        return
    year = now.astimezone(tz).year
    campaign = await pledge_campaigns.add_campaign(
        conn, f"Cam kết năm {year}", date(year, 1, 1), date(year, 12, 31), None, now
    )
    rng = random.Random(year)
    for area, signed in ((east, 96), (west, 71)):
        # The register holds every household of the area, by house number and hamlet, as a
        # leader types it; ``signed`` of them have signed. In Thôn Đông, No. 12 of Xóm 3 has
        # not: its head is the wife of the resident who tries /camket (the console's example
        # "Số 12, xóm 3"), so the register proposes it to him.
        total = max(signed, area.households or 0)
        unsigned = {12} if area is east else set()
        signers = [n for n in range(1, total + 1) if n not in unsigned][:signed]
        sequence = 0
        for number in range(1, total + 1):
            head, address = demo_household(rng, area is east, number)
            household_id = await households.add(
                conn, area.id, number=str(number), head_name=head, address=address, now=now
            )
            if number not in signers:
                continue
            sequence += 1
            await pledges.sign(
                conn,
                campaign_id=campaign.id,
                area_id=area.id,
                audience="household",
                head_name=head,
                address=f"{number}, {address}",
                household_key=household_key(head, f"{number}, {address}"),
                member_id=None,
                public=False,
                reference=reference(area.code, year, sequence),
                lines=[],
                item_ids=[],
                now=now - timedelta(days=1 + number % 40),
                household_id=household_id,
            )
    for days_ago in range(3, 240, 9):
        for area, headcount in ((east, 5), (west, 3)):
            if area is west and days_ago % 2:
                continue
            start = now - timedelta(days=days_ago, hours=rng.randrange(0, 3))
            patrol = await patrols.create(
                conn,
                area_id=area.id,
                leader_member_id=None,
                source="backfill",
                started_at=start,
                ended_at=start + timedelta(hours=2),
                headcount=headcount + rng.randrange(0, 3),
                now=start,
            )
            if rng.random() < 0.4:
                kind = rng.choice(("late_business", "encroachment", "littering", "noise"))
                await patrol_observations.add_observation(
                    conn, patrol, kind, count=rng.randrange(1, 4), created_by=None, now=start
                )
    for number, (category, days_ago, area, description) in enumerate(
        (
            ("theft", 200, east, "Mất trộm xe đạp để trước sân nhà lúc nửa đêm."),
            ("fraud", 150, west, "Có người gọi điện xưng công an, đòi chuyển tiền."),
            ("dispute", 120, east, "Hai nhà tranh chấp lối đi chung ở xóm 2."),
            ("littering", 90, west, "Rác đổ thành đống ở bờ mương đầu thôn."),
            ("gambling", 60, east, "Tụ tập đánh bạc ở quán nước cuối ngõ buổi tối."),
            ("suspicious", 30, east, "Hai người lạ đi xe không biển số, hỏi nhà nào vắng."),
            ("fire", 12, west, "Dây điện ở cột đầu ngõ chập, tóe lửa khi trời mưa."),
        ),
        start=1,
    ):
        made = now - timedelta(days=days_ago)
        report = await reports.create(
            conn,
            reports.NewReport(
                category=category,
                area_id=area.id,
                description=description,
                target=Target.OFFICERS,
                anonymous=True,
                reporter_member_id=None,
            ),
            f"DEMO-{number:04d}",
            made,
            made + timedelta(hours=4),
        )
        if days_ago > 50:
            await reports.set_status(conn, report, Status.RESOLVED, None, made + timedelta(days=2))
    case = await mediation.create(
        conn,
        area_id=east.id,
        parties=["Hộ A", "Hộ B"],
        created_by=None,
        now=now - timedelta(days=110),
    )
    await mediation.close(conn, case.id, "success", None, now - timedelta(days=100))
