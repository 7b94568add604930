"""The commune's figures over the known year of tests/stats_seed.py add up exactly."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.features.figures.figures import SCHEMA_VERSION, Figures, as_json, collect
from bot.shared.periods import Period
from bot.storage.db import Database
from tests.stats_seed import TZ, seed_year

YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
NOW = datetime(2027, 1, 5, tzinfo=UTC)


async def _figures(db: Database, area_id: int | None, period: Period = YEAR) -> Figures:
    async with db.read() as conn:
        return await collect(conn, area_id, period, TZ, NOW)


async def test_commune_year_adds_up(db: Database) -> None:
    await seed_year(db)
    figures = await _figures(db, None)

    assert figures.scope.kind == "commune"
    assert figures.pledges.campaign is not None
    assert figures.pledges.campaign.title == "Cam kết 2026"
    assert (figures.pledges.signed, figures.pledges.households) == (200, 215)
    assert figures.pledges.percent == 93.0
    assert figures.pledges.complete is False
    coverage = {c.area.code: (c.signed, c.percent) for c in figures.pledges.per_area}
    assert coverage == {"DONG": (120, 100.0), "TAY": (80, 84.2)}
    assert figures.pledges.other_signed == {"business": 2, "religious": 1, "institution": 0}

    reports = figures.reports
    assert reports.total == 11
    assert reports.by_category["theft"] == 3
    assert reports.by_category["gambling"] == 2
    assert reports.by_category["littering"] == 1  # 23:30 on 31/12 local counts in 2026
    assert reports.by_category["traffic"] == 0
    assert sum(reports.by_category.values()) == 11
    assert reports.by_status["resolved"] == 1
    assert reports.by_status["duplicate"] == 1
    assert reports.by_status["new"] == 9
    assert (reports.happening_now, reports.anonymous) == (1, 1)
    assert reports.crime == 3 + 2 + 1  # theft, gambling, fraud

    assert figures.mediation.total == 3
    assert figures.mediation.by_outcome == {
        "success": 1,
        "failed": 1,
        "transferred": 0,
        "open": 1,
    }

    patrols = figures.patrols
    assert (patrols.patrols, patrols.participations) == (30, 138)
    assert patrols.reminders["late_business"] == 4
    assert patrols.reminders["littering"] == 3
    assert patrols.reminders["noise"] == 0
    assert patrols.observations["noise"] == 1
    assert patrols.reminders_total == 7

    awareness = figures.awareness
    assert (awareness.runs, awareness.sent, awareness.failed, awareness.pending) == (2, 4, 1, 1)
    assert awareness.by_topic["fire"].sent == 3
    assert awareness.by_topic["fraud"].runs == 1
    assert awareness.by_topic["drowning"].runs == 0  # the skipped run never counts

    months = {m.month: m for m in figures.months}
    assert len(months) == 12
    assert (months["2026-01"].patrols, months["2026-01"].reminders) == (3, 4)
    assert months["2026-06"].reports == 2
    assert months["2026-12"].reports == 1
    assert sum(m.reports for m in figures.months) == 11
    assert sum(m.participations for m in figures.months) == 138


async def test_area_scope_keeps_to_its_area(db: Database) -> None:
    seeded = await seed_year(db)
    dong = await _figures(db, seeded.dong)
    tay = await _figures(db, seeded.tay)

    assert dong.scope.area is not None and dong.scope.area.code == "DONG"
    assert (dong.pledges.signed, dong.pledges.households, dong.pledges.complete) == (120, 120, True)
    assert (tay.pledges.percent, tay.pledges.complete) == (84.2, False)
    assert dong.reports.total + tay.reports.total == 11
    assert (dong.patrols.patrols, tay.patrols.patrols) == (24, 6)
    assert (dong.mediation.total, tay.mediation.total) == (2, 1)
    # The fire run reached both areas; the fraud run only DONG.
    assert (dong.awareness.runs, dong.awareness.sent, dong.awareness.pending) == (2, 3, 1)
    assert (tay.awareness.runs, tay.awareness.sent, tay.awareness.failed) == (1, 1, 1)


async def test_a_quarter_counts_only_its_days(db: Database) -> None:
    seeded = await seed_year(db)
    first = await _figures(db, seeded.dong, Period(date(2026, 1, 1), date(2026, 3, 31)))
    assert first.patrols.patrols == 6
    assert first.reports.total == 1
    assert [m.month for m in first.months] == ["2026-01", "2026-02", "2026-03"]
    # Coverage is counted as it stood on the last day: the withdrawal in February is in.
    january = await _figures(db, seeded.dong, Period(date(2026, 1, 1), date(2026, 1, 31)))
    assert january.pledges.signed == 121
    assert january.pledges.percent == 100.0


async def test_empty_database_gives_zeros_not_errors(db: Database) -> None:
    figures = await _figures(db, None)
    assert figures.pledges.campaign is None
    assert figures.pledges.percent is None
    assert figures.reports.total == 0
    assert figures.patrols.patrols == 0


async def test_json_is_the_documented_schema(db: Database) -> None:
    await seed_year(db)
    data = json.loads(as_json(await _figures(db, None)))
    schema = Figures.model_json_schema()
    assert data["schema_version"] == SCHEMA_VERSION == 1
    assert set(data) == set(schema["properties"])  # type: ignore[arg-type]
    assert set(data) == {
        "schema_version",
        "generated_at",
        "scope",
        "period",
        "pledges",
        "reports",
        "mediation",
        "patrols",
        "awareness",
        "months",
        # added for a province (#15), none renamed: schema_version stays 1
        "communes",
        "rating",
        # added for reports handled on time (#16), none renamed: schema_version stays 1
        "timeliness",
    }
    assert data["period"] == {"start": "2026-01-01", "end": "2026-12-31"}
    # One commune: no table per commune, no commune named in the scope, as before.
    assert data["scope"] == {"kind": "commune", "area": None, "commune": None}
    assert data["communes"] == []
    assert data["rating"]["years"] == [2022, 2023, 2024, 2025, 2026]
    assert data["rating"]["communes"] == []
    assert data["pledges"]["per_area"][0] == {
        "area": {"code": "DONG", "name": "Thôn Đông", "households": 120},
        "signed": 120,
        "percent": 100.0,
    }
    assert data["reports"]["by_category"]["theft"] == 3
    assert data["months"][0] == {
        "month": "2026-01",
        "reports": 0,
        "patrols": 3,
        "participations": 13,
        "reminders": 4,
    }
    # Round trip: what the CLI prints is what the model reads back.
    assert Figures.model_validate(data).reports.total == 11


async def test_next_years_campaign_and_unknown_totals_do_not_bend_the_rate(db: Database) -> None:
    """A campaign for 2027 opened in December 2026 does not replace 2026's; an area without a
    household total on record is kept out of the rate and counted apart."""
    from bot.storage import areas as areas_repo
    from bot.storage import pledge_campaigns, pledges

    await seed_year(db)
    async with db.unit() as conn:
        await pledge_campaigns.add_campaign(
            conn, "Cam kết 2027", date(2026, 12, 15), date(2027, 3, 31), None, NOW
        )
        new = await areas_repo.add(conn, "MOI", "Xóm Mới", None, NOW)
        for n in range(10):
            await pledges.sign(
                conn,
                campaign_id=1,
                area_id=new.id,
                audience="household",
                head_name=f"Hộ {n}",
                address=f"Số {n}",
                household_key=f"moi-{n}",
                member_id=None,
                public=False,
                reference=f"MOI-{n}",
                lines=[],
                item_ids=[],
                now=datetime(2026, 2, 1, tzinfo=UTC),
            )
    figures = await _figures(db, None)
    assert figures.pledges.campaign is not None
    assert figures.pledges.campaign.title == "Cam kết 2026"
    assert (figures.pledges.signed, figures.pledges.households) == (200, 215)
    assert figures.pledges.percent == 93.0
    assert figures.pledges.signed_unknown_total == 10
    moi = next(c for c in figures.pledges.per_area if c.area.code == "MOI")
    assert (moi.signed, moi.percent) == (10, None)
