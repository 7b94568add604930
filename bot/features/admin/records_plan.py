"""The plan of an import of communes, areas and past ratings: what a checked file adds or
changes against what the database holds (pure logic; see records.py for reading the file and
records_service.py for applying the plan)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.features.admin.records import Problem, RecordProblem, Row
from bot.storage.areas import Area
from bot.storage.communes import Commune
from bot.storage.folding import fold


# The plan of an import ----------------------------------------------------------------------
@dataclass(frozen=True)
class AreaChange:
    line: int
    area_code: str
    commune_code: str  # "" for the deployment's first commune (created if none yet)
    name: str
    households: int | None


@dataclass(frozen=True)
class Result:
    area_code: str
    year: int
    met: bool


@dataclass
class Plan:
    new_communes: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    renamed_communes: list[tuple[int, str]] = field(default_factory=list)  # (id, new name)
    new_areas: list[AreaChange] = field(default_factory=list)
    changed_areas: list[tuple[int, AreaChange]] = field(default_factory=list)  # (area id, …)
    unchanged_areas: int = 0
    results: list[Result] = field(default_factory=list)
    unchanged_results: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Existing:
    """What the database holds that an import is checked against."""

    communes: Sequence[Commune]
    areas: Sequence[Area]
    results: Mapping[tuple[int, int], bool | None]  # (area id, year) → met, not met, undecided


def _communes_of(rows: Sequence[Row], existing: Existing, plan: Plan) -> dict[str, int]:
    """The file's communes: new ones and renames go into ``plan``; returns code → first line
    (problems for a commune named two ways, or new without a name)."""
    known = {c.code: c for c in existing.communes}
    named: dict[str, tuple[str, int]] = {}
    for row in rows:
        if not row.commune_code:
            continue
        earlier = named.get(row.commune_code)
        if earlier is None:
            named[row.commune_code] = (row.commune_name, row.line)
        elif row.commune_name and earlier[0] and fold(row.commune_name) != fold(earlier[0]):
            plan.problems.append(Problem(row.line, RecordProblem.COMMUNE_NAMES_DIFFER, earlier[1]))
        elif row.commune_name and not earlier[0]:
            named[row.commune_code] = (row.commune_name, earlier[1])
    for code, (name, line) in named.items():
        commune = known.get(code)
        if commune is None and not name:
            plan.problems.append(Problem(line, RecordProblem.COMMUNE_NAME_MISSING))
        elif commune is None:
            plan.new_communes.append((code, name))
        elif name and name != commune.name:
            plan.renamed_communes.append((commune.id, name))
    return {code: line for code, (_name, line) in named.items()}


def plan_records(existing: Existing, rows: Sequence[Row]) -> Plan:
    """What importing ``rows`` does: communes added or renamed, areas added or updated (by
    code), results recorded for years an area has none decided. An area in another commune
    than the file says, or a result the database holds otherwise, is a problem: the file never
    overwrites what was decided."""
    plan = Plan()
    in_file = _communes_of(rows, existing, plan)
    known = {c.code: c for c in existing.communes}
    by_id = {c.id: c for c in existing.communes}
    areas = {a.code: a for a in existing.areas}
    codes = set(known) | set(in_file)
    several = len(codes) > 1
    only = next(iter(codes)) if len(codes) == 1 else ""  # "" when none: the first, created
    for row in rows:
        area = areas.get(row.area_code)
        commune_code = row.commune_code
        if not commune_code and area is not None and area.commune_id in by_id:
            commune_code = by_id[area.commune_id].code
        elif not commune_code and several:
            plan.problems.append(Problem(row.line, RecordProblem.COMMUNE_MISSING))
            continue
        elif not commune_code:
            commune_code = only
        if area is not None and commune_code:
            current = by_id.get(area.commune_id or 0)
            if current is not None and current.code != commune_code:
                plan.problems.append(Problem(row.line, RecordProblem.AREA_IN_OTHER_COMMUNE))
                continue
        if area is None and not row.area_name:
            plan.problems.append(Problem(row.line, RecordProblem.AREA_NAME_MISSING))
            continue
        change = AreaChange(
            row.line,
            row.area_code,
            commune_code,
            row.area_name or (area.name if area else ""),
            row.households if row.households is not None else (area.households if area else None),
        )
        if area is None:
            plan.new_areas.append(change)
        elif (change.name, change.households) != (area.name, area.households):
            plan.changed_areas.append((area.id, change))
        else:
            plan.unchanged_areas += 1
        for year, met in row.results:
            held = existing.results.get((area.id, year)) if area is not None else None
            if held is None:
                plan.results.append(Result(row.area_code, year, met))
            elif held == met:
                plan.unchanged_results += 1
            else:
                plan.problems.append(Problem(row.line, RecordProblem.RESULT_DIFFERS, year=year))
    plan.problems.sort(key=lambda p: p.line)
    return plan


# Templates and texts --------------------------------------------------------------------------
