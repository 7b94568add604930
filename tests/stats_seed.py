"""A known year of the commune's work (2026), inserted through the repositories, so that the
figures, the chart, the exports and the summary report can be checked to add up exactly.

What is in it (local time, Asia/Ho_Chi_Minh), and so what the figures for 2026 must say:

Areas: DONG "Thôn Đông" 120 households, TAY "Thôn Tây" 95 households.
Pledges, campaign "Cam kết 2026" (1/1–31/3/2026):
  DONG 121 household pledges signed in January, one withdrawn in February → 120 standing (100%);
       2 businesses.
  TAY  80 household pledges (84.2%); 1 religious establishment.
Reports (11 made in 2026, plus 2 just outside the year):
  DONG theft ×3 (March, June, June; the March one resolved), dispute ×2 (April, August),
       fire ×1 (October, happening now).
  TAY  gambling ×2 (May), fraud ×1 (November, anonymous), littering ×1 at 23:30 on 31/12/2026,
       other ×1 (February, marked duplicate).
  Outside: theft at 23:30 on 31/12/2025 (DONG) and at 00:30 on 1/1/2027 (TAY).
Mediation: DONG 2 cases (one success, one open), TAY 1 case (failed).
Patrols: DONG 2 per month all year, each 4 counted heads + 1 named member = 5 people
         → 24 patrols, 120 participations; in January 2 patrols each reminded 2 late businesses
         → 4 cases of late business.
         TAY 1 per month January–June, each 3 heads → 6 patrols, 18 participations;
         in March 3 littering cases reminded, in April 1 noise case seen but not reminded.
Awareness: fire run in February to the commune (groups of DONG and TAY: 2 sent; residents: one
           in DONG sent, one in TAY failed); fraud run in June to DONG only (group sent,
           resident pending); a skipped run in July that never counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.features.reports.model import Status, Target
from bot.storage import areas as areas_repo
from bot.storage import broadcasts, chats, mediation, members, outbox, patrols, pledges, reports
from bot.storage.db import Database
from bot.storage.pledges import Line

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2026
DONG_GROUP, TAY_GROUP = -1001, -1002
DONG_RESIDENT, TAY_RESIDENT = 5001, 5002


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


@dataclass
class Seeded:
    dong: int
    tay: int
    campaign: int
    reporter_name: str  # the named reporter of the DONG reports: must never reach an export


async def seed_year(db: Database, *, with_areas: bool = True) -> Seeded:
    """Insert the known year. With ``with_areas`` False the areas DONG and TAY must exist."""
    now = datetime(2026, 1, 2, tzinfo=UTC)
    async with db.unit() as conn:
        if with_areas:
            await areas_repo.add(conn, "DONG", "Thôn Đông", 120, now)
            await areas_repo.add(conn, "TAY", "Thôn Tây", 95, now)
        dong = await areas_repo.by_code(conn, "DONG")
        tay = await areas_repo.by_code(conn, "TAY")
        assert dong is not None and tay is not None

        people = {}
        for user_id, area, name in (
            (DONG_RESIDENT, dong.id, "Nguyễn Văn An"),
            (TAY_RESIDENT, tay.id, "Trần Thị Bình"),
        ):
            member = await members.ensure(conn, "telegram", str(user_id), now)
            await members.complete_onboarding(
                conn,
                member.id,
                display_name=name,
                area_id=area,
                language="vi",
                consent_version=1,
                now=now,
            )
            people[user_id] = member.id

        # Pledges --------------------------------------------------------------------------
        campaign = await pledges.add_campaign(
            conn, "Cam kết 2026", date(2026, 1, 1), date(2026, 3, 31), None, now
        )
        line = [Line(1, "Chấp hành pháp luật", False)]

        async def sign(area_id: int, code: str, n: int, audience: str, day: datetime) -> int:
            return await pledges.sign(
                conn,
                campaign_id=campaign.id,
                area_id=area_id,
                audience=audience,
                head_name=f"Hộ {audience} {n}",
                address=f"Số {n}, {code}",
                household_key=f"{audience}-{code}-{n}",
                member_id=None,
                public=False,
                reference=f"{code}-2026-{audience[:3]}-{n:03d}",
                lines=line,
                item_ids=[None],
                now=day,
            )

        withdrawn = 0
        for n in range(1, 122):
            pledge_id = await sign(dong.id, "DONG", n, "household", local(2026, 1, 10))
            if n == 121:
                withdrawn = pledge_id
        await pledges.withdraw(conn, withdrawn, None, local(2026, 2, 1))
        for n in range(1, 3):
            await sign(dong.id, "DONG", n, "business", local(2026, 1, 12))
        for n in range(1, 81):
            await sign(tay.id, "TAY", n, "household", local(2026, 1, 15))
        await sign(tay.id, "TAY", 1, "religious", local(2026, 1, 20))

        # Reports --------------------------------------------------------------------------
        counter = 0

        async def report(
            area_id: int,
            category: str,
            when: datetime,
            *,
            anonymous: bool = False,
            now_happening: bool = False,
            status: Status | None = None,
        ) -> None:
            nonlocal counter
            counter += 1
            made = await reports.create(
                conn,
                reports.NewReport(
                    category=category,
                    area_id=area_id,
                    description=f"Mô tả {counter}",
                    target=Target.OFFICERS,
                    anonymous=anonymous,
                    reporter_member_id=None if anonymous else people[DONG_RESIDENT],
                    happening_now=now_happening,
                ),
                f"TEST-{counter:04d}",
                when,
                when + timedelta(hours=4),
            )
            if status is not None:
                await reports.set_status(conn, made, status, None, when + timedelta(days=1))

        await report(dong.id, "theft", local(2026, 3, 5), status=Status.RESOLVED)
        await report(dong.id, "theft", local(2026, 6, 1))
        await report(dong.id, "theft", local(2026, 6, 20))
        await report(dong.id, "dispute", local(2026, 4, 2))
        await report(dong.id, "dispute", local(2026, 8, 9))
        await report(dong.id, "fire", local(2026, 10, 10), now_happening=True)
        await report(tay.id, "gambling", local(2026, 5, 1))
        await report(tay.id, "gambling", local(2026, 5, 2))
        await report(tay.id, "fraud", local(2026, 11, 3), anonymous=True)
        await report(tay.id, "littering", local(2026, 12, 31, 23, 30))
        await report(tay.id, "other", local(2026, 2, 14), status=Status.DUPLICATE)
        await report(dong.id, "theft", local(2025, 12, 31, 23, 30))
        await report(tay.id, "theft", local(2027, 1, 1, 0, 30))

        # Mediation ------------------------------------------------------------------------
        case = await mediation.create(
            conn,
            area_id=dong.id,
            parties=["Ông A", "Ông B"],
            created_by=None,
            now=local(2026, 4, 3),
        )
        await mediation.close(conn, case.id, "success", None, local(2026, 4, 20))
        await mediation.create(
            conn, area_id=dong.id, parties=["Bà C", "Bà D"], created_by=None, now=local(2026, 8, 10)
        )
        case = await mediation.create(
            conn, area_id=tay.id, parties=["Anh E", "Anh F"], created_by=None, now=local(2026, 7, 1)
        )
        await mediation.close(conn, case.id, "failed", None, local(2026, 7, 15))

        # Patrols --------------------------------------------------------------------------
        for month in range(1, 13):
            for day in (5, 20):
                start = local(2026, month, day, 21)
                patrol = await patrols.create(
                    conn,
                    area_id=dong.id,
                    leader_member_id=None,
                    source="backfill",
                    started_at=start,
                    ended_at=start + timedelta(hours=2),
                    headcount=4,
                    now=start,
                )
                await patrols.add_participant(
                    conn, patrol, member_id=people[DONG_RESIDENT], confirmed_at=start
                )
                if month == 1:
                    await patrols.add_observation(
                        conn, patrol, "late_business", count=2, created_by=None, now=start
                    )
        for month in range(1, 7):
            start = local(2026, month, 12, 20)
            patrol = await patrols.create(
                conn,
                area_id=tay.id,
                leader_member_id=None,
                source="backfill",
                started_at=start,
                ended_at=start + timedelta(hours=2),
                headcount=3,
                now=start,
            )
            if month == 3:
                await patrols.add_observation(
                    conn, patrol, "littering", count=3, created_by=None, now=start
                )
            if month == 4:
                await patrols.add_observation(
                    conn, patrol, "noise", count=1, reminded=False, created_by=None, now=start
                )

        # Awareness ------------------------------------------------------------------------
        for chat_id, area in ((DONG_GROUP, dong.id), (TAY_GROUP, tay.id)):
            row = await chats.upsert(
                conn, "telegram", str(chat_id), "group", f"Nhóm {chat_id}", now
            )
            await chats.link_area(conn, row.id, area)

        async def run(topic: str, when: datetime, status: str = "sending") -> int:
            return await broadcasts.add_run(
                conn,
                schedule_id=None,
                due_at=when,
                now=when,
                status=status,
                topic=topic,
                message_ref=f"lib:{topic}",
                target="commune",
                area_ids=[],
                urgent=False,
                variant=0,
                not_before=None,
                requested_by=None,
                report=False,
            )

        async def message(run_id: int, chat_id: int, status: str, when: datetime) -> None:
            message_id = await outbox.enqueue(
                conn, "telegram", str(chat_id), "…", [], when, batch_id=run_id
            )
            if status == "sent":
                await outbox.mark_sent(conn, message_id, when)
            elif status == "failed":
                await outbox.mark_final(conn, message_id, "failed", "blocked")

        fire = await run("fire", local(2026, 2, 3, 8))
        for chat_id, status in (
            (DONG_GROUP, "sent"),
            (TAY_GROUP, "sent"),
            (DONG_RESIDENT, "sent"),
            (TAY_RESIDENT, "failed"),
        ):
            await message(fire, chat_id, status, local(2026, 2, 3, 8))
        fraud = await run("fraud", local(2026, 6, 3, 8))
        await message(fraud, DONG_GROUP, "sent", local(2026, 6, 3, 8))
        await message(fraud, DONG_RESIDENT, "pending", local(2026, 6, 3, 8))
        await run("drowning", local(2026, 7, 1, 8), status="skipped")

    return Seeded(dong.id, tay.id, campaign.id, "Nguyễn Văn An")
