"""The commune's figures as the commune writes them in its periodic reports (sơ kết, tổng kết):
short paragraphs with a bold heading each, e.g. "Tổ chức cho 200/215 hộ gia đình ký cam kết
(đạt 93%)", "Tiếp nhận 11 tin báo, phản ánh: 3 trộm cắp; 2 cờ bạc; ...; đã giải quyết 1.",
"Hòa giải 3 vụ: thành 1, không thành 1, đang hòa giải 1.".

Plain functions of a :class:`~bot.features.figures.figures.Figures` and a translator: the chat
answer, and
anything else that wants the same sentences, call them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from bot.features.broadcasts.topics import BY_KEY as TOPIC_BY_KEY
from bot.features.figures.figures import Figures
from bot.features.figures.timeliness import timeliness_lines
from bot.features.patrols.figures import Figures as PatrolTotals
from bot.features.patrols.figures import ordered_kinds, sentence
from bot.features.patrols.kinds import kind
from bot.features.pledges.model import AUDIENCE_LABELS
from bot.features.reports.model import CATEGORIES, CATEGORY_BY_KEY, STATUS_LABELS, Status
from bot.i18n import N_, Safe, Translator, escape

# How the commune's report names the outcome of mediation cases (short, inside a sentence).
OUTCOME_PHRASES = {
    "success": N_("successful {count}"),
    "failed": N_("unsuccessful {count}"),
    "transferred": N_("transferred to the authorities {count}"),
    "open": N_("still in mediation {count}"),
}
# Statuses in the order a report reads them: what is done first, then what is still open.
STATUS_ORDER = (
    Status.RESOLVED,
    Status.IN_PROGRESS,
    Status.ACKNOWLEDGED,
    Status.NEW,
    Status.REOPENED,
    Status.NOT_OURS,
    Status.DUPLICATE,
)
STATUS_VALUES = frozenset(s.value for s in Status)
SEPARATOR = "; "


def lower_first(text: str) -> str:
    """A label inside a sentence: "Trộm cắp" → "trộm cắp" (acronyms such as "VNeID" keep their
    capitals: only the first letter changes, and only when the second is not a capital)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _item(t: Translator, label: str, count: int) -> str:
    """Counted things: "3 trộm cắp" in Vietnamese, "theft: 3" in English."""
    return t._("{label}: {count}", label=Safe(label), count=count)


def _state(t: Translator, label: str, count: int) -> str:
    """A state or a topic with its count: "đã giải quyết: 1"."""
    return t._("{state}: {count}", state=Safe(label), count=count)


def _ordered(counts: dict[str, int], order: Iterable[str]) -> list[tuple[str, int]]:
    """Non-zero counts, most first; ties in the given order."""
    rank = {key: i for i, key in enumerate(order)}
    return sorted(
        ((key, n) for key, n in counts.items() if n > 0),
        key=lambda item: (-item[1], rank.get(item[0], len(rank))),
    )


def percent_text(t: Translator, value: float | None) -> str:
    return t.percent(value / 100) if value is not None else "?"


def scope_and_period(t: Translator, figures: Figures, scope_name: str) -> str:
    return t._(
        "📊 *Security movement figures: {scope}*\nFrom {start} to {end}",
        scope=scope_name,
        start=figures.period.start,
        end=figures.period.end,
    )


def pledge_lines(t: Translator, figures: Figures) -> list[str]:
    pledges = figures.pledges
    lines = [t._("*1. Safety pledges*")]
    if pledges.campaign is None:
        lines.append(t._("No pledge campaign had started by the end of this period."))
        return lines
    intro = t._("Campaign “{title}”:", title=pledges.campaign.title)
    if pledges.households:
        main = t._(
            "{signed}/{households} households signed the pledge ({percent}).",
            signed=pledges.signed,
            households=pledges.households,
            percent=percent_text(t, pledges.percent),
        )
    else:
        main = t._n(
            "{count} household signed the pledge (the number of households is not recorded).",
            "{count} households signed the pledge (the number of households is not recorded).",
            pledges.signed,
        )
    lines.append(f"{intro} {main}")
    others = [
        _item(t, lower_first(t.plain(AUDIENCE_LABELS[audience])), count)
        for audience, count in _ordered(pledges.other_signed, AUDIENCE_LABELS)
    ]
    if others:
        lines.append(t._("Also signed: {items}.", items=Safe(SEPARATOR.join(others))))
    if figures.scope.kind == "commune" and pledges.per_area:
        for coverage in pledges.per_area:
            if coverage.area.households:
                lines.append(
                    t._(
                        "• {area}: {signed}/{households} ({percent})",
                        area=coverage.area.name,
                        signed=coverage.signed,
                        households=coverage.area.households,
                        percent=percent_text(t, coverage.percent),
                    )
                )
            else:
                lines.append(
                    t._(
                        "• {area}: {signed} (households not recorded)",
                        area=coverage.area.name,
                        signed=coverage.signed,
                    )
                )
    if pledges.complete:
        lines.append(t._("Every household in scope has signed: criterion 1 is met."))
    return lines


def category_list(t: Translator, by_category: dict[str, int]) -> str:
    """Report categories with reports, most first: "3 trộm cắp; 2 cờ bạc" (markup)."""
    return SEPARATOR.join(
        _item(t, lower_first(t.plain(CATEGORY_BY_KEY[key].label)), n)
        if key in CATEGORY_BY_KEY
        else _item(t, escape(key), n)
        for key, n in _ordered(by_category, (c.key for c in CATEGORIES))
    )


def report_lines(t: Translator, figures: Figures) -> list[str]:
    reports = figures.reports
    lines = [t._("*2. Reports and tips*")]
    if reports.total == 0:
        lines.append(t._("No reports or tips were received."))
        return lines
    categories = category_list(t, reports.by_category)
    lines.append(
        t._n(
            "Received {count} report or tip: {categories}; resolved {resolved}.",
            "Received {count} reports and tips: {categories}; resolved {resolved}.",
            reports.total,
            categories=Safe(categories),
            resolved=reports.by_status.get(Status.RESOLVED.value, 0),
        )
    )
    statuses = [
        _state(t, lower_first(t.plain(STATUS_LABELS[Status(key)])), n)
        for key, n in _ordered(reports.by_status, (s.value for s in STATUS_ORDER))
        if key in STATUS_VALUES
    ]
    if statuses:
        lines.append(t._("By status: {statuses}.", statuses=Safe(SEPARATOR.join(statuses))))
    extra = []
    if reports.happening_now:
        extra.append(
            t._n(
                "{count} reported while it was happening",
                "{count} reported while they were happening",
                reports.happening_now,
            )
        )
    if reports.anonymous:
        extra.append(t._n("{count} anonymous", "{count} anonymous", reports.anonymous))
    if extra:
        lines.append(t._("Of these: {items}.", items=Safe(SEPARATOR.join(extra))))
    return lines + feedback_lines(t, figures)


def feedback_lines(t: Translator, figures: Figures) -> list[str]:
    """The reporters' ratings of the outcomes and their reopenings."""
    feedback = figures.reports.feedback
    lines = []
    if feedback.rated:
        lines.append(
            t._(
                "Reporters' ratings: {satisfied} of {rated} satisfied ({percent}%).",
                satisfied=feedback.satisfied,
                rated=feedback.rated,
                percent=feedback.satisfied_percent,
            )
        )
    if feedback.reopened:
        lines.append(
            t._n(
                "{count} report was reopened by its reporter.",
                "{count} reports were reopened by their reporters.",
                feedback.reopened,
            )
        )
    return lines


def mediation_lines(t: Translator, figures: Figures) -> list[str]:
    mediation = figures.mediation
    lines = [t._("*3. Mediation at the grassroots*")]
    if mediation.total == 0:
        lines.append(t._("No mediation cases."))
        return lines
    outcomes = [
        t._(OUTCOME_PHRASES[key], count=n)
        for key, n in mediation.by_outcome.items()
        if n > 0 and key in OUTCOME_PHRASES
    ]
    lines.append(
        t._n(
            "Mediated {count} case: {outcomes}.",
            "Mediated {count} cases: {outcomes}.",
            mediation.total,
            outcomes=Safe(", ".join(outcomes)),
        )
    )
    return lines


def patrol_lines(t: Translator, figures: Figures) -> list[str]:
    patrols = figures.patrols
    lines = [t._("*4. Patrols*")]
    if patrols.patrols == 0 and not any(patrols.observations.values()):
        lines.append(t._("No patrols were recorded."))
        return lines
    totals = PatrolTotals(
        patrols=patrols.patrols,
        participations=patrols.participations,
        reminders=Counter(patrols.reminders),
        observations=Counter(patrols.observations),
    )
    lines.append(t._("Held {sentence}", sentence=Safe(sentence(t, totals))))
    unreminded = Counter(patrols.observations) - Counter(patrols.reminders)
    if unreminded:
        cases = [
            t._n(
                "{count} case of {phrase}",
                "{count} cases of {phrase}",
                count,
                phrase=t.plain(kind(code).phrase),
            )
            for code, count in ordered_kinds(unreminded)
        ]
        lines.append(t._("Also seen without a reminder: {cases}.", cases=Safe(", ".join(cases))))
    return lines


def awareness_lines(t: Translator, figures: Figures) -> list[str]:
    awareness = figures.awareness
    lines = [t._("*5. Awareness reminders*")]
    if awareness.runs == 0:
        lines.append(t._("No awareness reminders were sent."))
        return lines
    runs = {key: d.runs for key, d in awareness.by_topic.items()}
    topics = [
        _state(t, lower_first(t.plain(TOPIC_BY_KEY[key].label)), n)
        if key in TOPIC_BY_KEY
        else _state(t, escape(key), n)
        for key, n in _ordered(runs, TOPIC_BY_KEY)
    ]
    lines.append(
        t._n(
            "Sent {count} awareness round ({topics}), with {sent} deliveries to recipients.",
            "Sent {count} awareness rounds ({topics}), with {sent} deliveries to recipients.",
            awareness.runs,
            topics=Safe(SEPARATOR.join(topics)),
            sent=awareness.sent,
        )
    )
    pending = []
    if awareness.failed:
        pending.append(t._("{count} could not be delivered", count=awareness.failed))
    if awareness.pending:
        pending.append(t._("{count} still waiting to be sent", count=awareness.pending))
    if pending:
        lines.append(t._("Besides: {items}.", items=Safe(SEPARATOR.join(pending))))
    return lines


def commune_lines(t: Translator, figures: Figures) -> list[str]:
    """The province's table per commune, a line per commune (none for a single commune)."""
    if not figures.communes:
        return []
    lines = [t._("By commune:")]
    for row in figures.communes:
        lines.append(
            "• "
            + t._(
                "{commune}: pledges {signed}/{households} households ({percent}); reports"
                " {reports} (crime and social evils {crime}); mediation {mediation} (successful"
                " {mediated}); patrols {patrols} ({participations} participations); awareness"
                " sendings {runs}",
                commune=row.commune.name or row.commune.code,
                signed=row.signed,
                households=row.households if row.households is not None else "?",
                percent=percent_text(t, row.percent),
                reports=row.reports,
                crime=row.crime,
                mediation=row.mediation,
                mediated=row.mediated,
                patrols=row.patrols,
                participations=row.participations,
                runs=row.awareness_runs,
            )
        )
    return lines


def rating_lines(t: Translator, figures: Figures) -> list[str]:
    """The yearly rating for the province and per commune: the share of areas rated safe each
    year, and how many met the standard 1, 3 and 5 years running (a province only)."""
    rating = figures.rating
    if rating is None or not figures.communes:
        return []
    lines = [t._("Safe residential areas per year:")]
    for row in [rating.total, *rating.communes]:
        shares = ", ".join(
            f"{y.year}: {y.met}/{y.areas} ({percent_text(t, y.percent)})" for y in row.years
        )
        name = (
            row.commune.name or row.commune.code if row.commune else t.plain("The whole province")
        )
        lines.append(
            "• "
            + t._(
                "{name}: {shares}; met in the last year: {one}, 3 years running: {three},"
                " 5 years running: {five}",
                name=name,
                shares=shares,
                one=row.streaks.get("1", 0),
                three=row.streaks.get("3", 0),
                five=row.streaks.get("5", 0),
            )
        )
    return lines


def figures_lines(t: Translator, figures: Figures, scope_name: str) -> list[str]:
    """The answer as lines; paragraphs are separated by an empty line."""
    lines = [scope_and_period(t, figures, scope_name)]
    for section in (pledge_lines, report_lines, mediation_lines, patrol_lines, awareness_lines):
        lines.append("")
        lines.extend(section(t, figures))
    for section in (commune_lines, rating_lines, _timeliness):
        found = section(t, figures)
        if found:
            lines.append("")
            lines.extend(found)
    return lines


def _timeliness(t: Translator, figures: Figures) -> list[str]:
    return timeliness_lines(t, figures.timeliness)


def figures_text(t: Translator, figures: Figures, scope_name: str) -> str:
    """The whole answer in the bot's markup (``scope_name`` is plain text: it is escaped here).
    A long answer is split by the transport that sends it."""
    return "\n".join(figures_lines(t, figures, scope_name))
