"""CSV export of patrols and observations for officers (UTF-8 with a BOM so that Excel shows
Vietnamese correctly)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.features.patrols.kinds import kind
from bot.shared.cells import csv_bytes as _csv
from bot.shared.cells import text_cell as _cell
from bot.storage.areas import Area
from bot.storage.patrols import Observation, Patrol


def patrols_csv(
    patrols: list[Patrol], people: dict[int, int], areas: dict[int, Area], tz: ZoneInfo
) -> bytes:
    rows: list[list[object]] = [
        ["patrol_id", "area_code", "area", "date", "start", "end", "source", "participants"]
    ]
    for p in patrols:
        start = p.started_at.astimezone(tz)
        end = p.ended_at.astimezone(tz) if p.ended_at else None
        area = areas.get(p.area_id)
        rows.append(
            [
                p.id,
                area.code if area else "",
                area.name if area else "",
                start.date().isoformat(),
                start.strftime("%H:%M"),
                end.strftime("%H:%M") if end else "",
                p.source,
                people.get(p.id, 0),
            ]
        )
    return _csv(rows)


def observations_csv(
    observations: list[Observation],
    patrols: dict[int, Patrol],
    areas: dict[int, Area],
    tz: ZoneInfo,
) -> bytes:
    rows: list[list[object]] = [
        [
            "patrol_id",
            "area_code",
            "date",
            "kind",
            "kind_label",
            "count",
            "reminder_given",
            "note",
            "latitude",
            "longitude",
            "flagged_for_report",
        ]
    ]
    for o in observations:
        patrol = patrols.get(o.patrol_id)
        area = areas.get(patrol.area_id) if patrol else None
        rows.append(
            [
                o.patrol_id,
                area.code if area else "",
                patrol.started_at.astimezone(tz).date().isoformat() if patrol else "",
                o.kind,
                kind(o.kind).label,
                o.count,
                int(o.reminded),
                _cell(o.note or ""),
                "" if o.latitude is None else o.latitude,
                "" if o.longitude is None else o.longitude,
                int(o.for_report),
            ]
        )
    return _csv(rows)
