"""The plain rules of outcomes and duplicates: reopening once within the window, and which
open report a new one may repeat."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.features.reports.duplicates import NEAR_METRES, alike, distance_m
from bot.features.reports.outcome import Reopen, may_reopen
from bot.storage.reports import Report, Status, Target

CLOSED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def test_a_reporter_reopens_once_within_the_window() -> None:
    assert may_reopen(Status.RESOLVED, CLOSED, CLOSED + timedelta(days=6), 7, False) == Reopen.OK
    assert may_reopen(Status.NOT_OURS, CLOSED, CLOSED + timedelta(days=7), 7, False) == Reopen.OK
    late = CLOSED + timedelta(days=7, minutes=1)
    assert may_reopen(Status.RESOLVED, CLOSED, late, 7, False) == Reopen.LATE
    assert may_reopen(Status.RESOLVED, CLOSED, CLOSED, 7, True) == Reopen.ONCE
    for status in (Status.NEW, Status.REOPENED, Status.IN_PROGRESS, Status.DUPLICATE):
        assert may_reopen(status, CLOSED, CLOSED, 7, False) == Reopen.NOT_CLOSED


def report(number: int, **changes: object) -> Report:
    base = Report(
        id=number,
        code=f"AAAA-{number:04d}",
        category="theft",
        area_id=1,
        description="",
        media=[],
        place=None,
        latitude=None,
        longitude=None,
        happening_now=False,
        anonymous=True,
        reporter_member_id=None,
        target=Target.OFFICERS,
        assignee_member_id=None,
        status=Status.NEW,
        duplicate_of=None,
        created_at=CLOSED,
        updated_at=CLOSED,
        ack_due_at=None,
        escalated_at=None,
        resolved_at=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_duplicate_candidate_is_open_alike_recent_and_near() -> None:
    new = report(2, created_at=CLOSED + timedelta(hours=3))
    assert alike(new, report(1))
    assert not alike(new, report(2))  # itself
    assert not alike(new, report(1, category="drugs"))
    assert not alike(new, report(1, area_id=2))
    assert not alike(new, report(1, status=Status.RESOLVED))
    assert not alike(new, report(1, created_at=CLOSED - timedelta(hours=22)))  # 25 h apart
    # Near on the map when both have a place; a place on one side only does not rule it out.
    here = {"latitude": 21.0285, "longitude": 105.8542}
    near = {"latitude": 21.0300, "longitude": 105.8542}  # ~170 m north
    far = {"latitude": 21.0385, "longitude": 105.8542}  # ~1.1 km north
    assert distance_m(21.0285, 105.8542, 21.0300, 105.8542) < NEAR_METRES
    assert alike(replace(new, **here), report(1, **near))
    assert not alike(replace(new, **here), report(1, **far))
    assert alike(replace(new, **here), report(1))
