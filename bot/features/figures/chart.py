"""The figures as a picture for a phone: monthly reports and patrols, and pledge coverage per
area, in one portrait PNG labelled in the reader's language.

matplotlib is imported inside the functions (only when someone asks for a chart), and only its
object-oriented API is used (``Figure`` + the Agg canvas, never ``pyplot``): no global state, so
charts can be drawn in worker threads while the bot answers others.
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.features.figures.figures import AreaCoverage, Figures, MonthFigures
from bot.i18n import N_, Translator

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH_PX = 1080
BASE_HEIGHT_PX = 1350
AREA_ROW_PX = 70  # extra height for each area beyond the ones the base height holds
AREAS_IN_BASE = 6
# More bars than this are unreadable on a phone (and Telegram refuses very tall photos): the
# chart then shows the areas with the lowest share, the ones that need attention.
MAX_AREAS_SHOWN = 20
DPI = 100
MONTHLY_UP_TO = 24  # longer periods are drawn per year

MONTH_LABELS = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)
REPORTS_COLOUR = "#d9534f"
PATROLS_COLOUR = "#1f6fb2"
FULL_COLOUR = "#2e8b57"
PARTIAL_COLOUR = "#f0ad4e"
TITLE_SIZE = 26
PANEL_TITLE_SIZE = 22
LABEL_SIZE = 18
TICK_SIZE = 17
VALUE_SIZE = 17


def shown_areas(figures: Figures) -> list[AreaCoverage]:
    """The areas the coverage panel shows, in the figures' order."""
    per_area = figures.pledges.per_area
    if len(per_area) <= MAX_AREAS_SHOWN:
        return list(per_area)
    lowest = sorted(per_area, key=lambda c: (c.percent is not None, c.percent or 0.0))
    keep = {id(c) for c in lowest[:MAX_AREAS_SHOWN]}
    return [c for c in per_area if id(c) in keep]


def chart_size(figures: Figures) -> tuple[int, int]:
    """Width and height of the PNG in pixels: a phone's width, taller for many areas."""
    areas = len(shown_areas(figures))
    return WIDTH_PX, BASE_HEIGHT_PX + AREA_ROW_PX * max(0, areas - AREAS_IN_BASE)


def month_label(t: Translator, year: int, month: int, *, with_year: bool) -> str:
    label = t.plain(MONTH_LABELS[month - 1])
    return f"{label}\n{year}" if with_year else label


def _series(t: Translator, months: list[MonthFigures]) -> tuple[list[str], list[int], list[int]]:
    """Tick labels, reports and patrols: per month (the year under January and under the first
    month when the period spans years), or per year for long periods."""
    parsed = [(int(m.month[:4]), int(m.month[5:7]), m) for m in months]
    if len(parsed) <= MONTHLY_UP_TO:
        spans_years = len({year for year, _, _ in parsed}) > 1
        labels = [
            month_label(t, year, month, with_year=spans_years and (i == 0 or month == 1))
            for i, (year, month, _) in enumerate(parsed)
        ]
        return labels, [m.reports for _, _, m in parsed], [m.patrols for _, _, m in parsed]
    years: dict[int, tuple[int, int]] = {}
    for year, _, m in parsed:
        reports, patrols = years.get(year, (0, 0))
        years[year] = (reports + m.reports, patrols + m.patrols)
    ordered = sorted(years.items())
    return (
        [str(year) for year, _ in ordered],
        [r for _, (r, _) in ordered],
        [p for _, (_, p) in ordered],
    )


def _period_text(t: Translator, start: date, end: date) -> str:
    return t.plain("{start} to {end}", start=t.day(start), end=t.day(end))


def _nothing(ax: Any, text: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.text(
        0.5,
        0.5,
        text,
        ha="center",
        va="center",
        fontsize=LABEL_SIZE,
        color="#555555",
        wrap=True,
        transform=ax.transAxes,
        parse_math=False,
    )


def _monthly_panel(ax: Any, t: Translator, figures: Figures) -> None:
    ax.set_title(
        t.plain("Reports and patrols per month"),
        fontsize=PANEL_TITLE_SIZE,
        loc="left",
        pad=16,
        parse_math=False,
    )
    labels, reports, patrols = _series(t, figures.months)
    if not labels or (not any(reports) and not any(patrols)):
        _nothing(ax, t.plain("No reports or patrols in this period."))
        return
    positions = list(range(len(labels)))
    width = 0.4
    bars = [
        ax.bar(
            [p - width / 2 for p in positions],
            reports,
            width,
            label=t.plain("Reports and tips"),
            color=REPORTS_COLOUR,
        ),
        ax.bar(
            [p + width / 2 for p in positions],
            patrols,
            width,
            label=t.plain("Patrols"),
            color=PATROLS_COLOUR,
        ),
    ]
    if len(positions) <= 12:  # values on the bars while they fit
        for container, values in zip(bars, (reports, patrols), strict=True):
            ax.bar_label(
                container,
                [t.number(v) if v else "" for v in values],
                fontsize=TICK_SIZE - 3,
                padding=2,
            )
    ax.set_xticks(positions, labels, fontsize=TICK_SIZE, parse_math=False)
    ax.tick_params(axis="y", labelsize=TICK_SIZE)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=LABEL_SIZE, loc="upper left", frameon=False, ncols=2)
    top = max(max(reports), max(patrols))
    ax.set_ylim(0, top * 1.3 + 1)  # room for the legend above the bars


def _coverage_panel(ax: Any, t: Translator, figures: Figures) -> None:
    pledges = figures.pledges
    shown = shown_areas(figures)
    title = t.plain("Households that signed the pledge, per area")
    if len(shown) < len(pledges.per_area):
        title = t.plain(
            "Households that signed the pledge: the {count} areas with the lowest share",
            count=str(len(shown)),
        )
    ax.set_title(
        title,
        fontsize=PANEL_TITLE_SIZE,
        loc="left",
        pad=16,
        parse_math=False,
    )
    if pledges.campaign is None or not pledges.per_area:
        _nothing(ax, t.plain("No pledge campaign in this period."))
        return
    rows = list(reversed(shown))  # the first area on top
    values = [c.percent or 0.0 for c in rows]
    colours = [FULL_COLOUR if (c.percent or 0) >= 100 else PARTIAL_COLOUR for c in rows]
    positions = list(range(len(rows)))
    ax.barh(positions, values, height=0.6, color=colours)
    ax.set_yticks(positions, [c.area.name for c in rows], fontsize=TICK_SIZE, parse_math=False)
    ax.set_xlim(0, 125)
    ax.set_xticks([0, 25, 50, 75, 100], [t.percent(v / 100) for v in (0, 25, 50, 75, 100)])
    ax.tick_params(axis="x", labelsize=TICK_SIZE)
    ax.axvline(100, color="#333333", linestyle="--", linewidth=1.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for position, coverage in zip(positions, rows, strict=True):
        if coverage.area.households:
            text = t.plain(
                "{percent} ({signed}/{households})",
                percent=t.percent((coverage.percent or 0) / 100),
                signed=t.number(coverage.signed),
                households=t.number(coverage.area.households),
            )
        else:
            text = t.plain("{signed} (households not recorded)", signed=t.number(coverage.signed))
        inside = (coverage.percent or 0) >= 60
        ax.text(
            (coverage.percent or 0) - 1.5 if inside else (coverage.percent or 0) + 1.5,
            position,
            text,
            va="center",
            ha="right" if inside else "left",
            fontsize=VALUE_SIZE,
            color="white" if inside else "#222222",
            fontweight="bold",
            parse_math=False,
        )


def chart_figure(t: Translator, figures: Figures, scope_name: str | None = None) -> Figure:
    """The chart as a matplotlib Figure (tests read its texts); :func:`chart_png` renders it."""
    from matplotlib.figure import Figure

    width, height = chart_size(figures)
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, layout="constrained")
    if scope_name is None:
        area = figures.scope.area
        scope_name = area.name if area is not None else t.plain("The whole commune")
    fig.suptitle(
        t.plain(
            "{scope}\n{period}",
            scope=scope_name,
            period=_period_text(t, figures.period.start, figures.period.end),
        ),
        fontsize=TITLE_SIZE,
        fontweight="bold",
        parse_math=False,
    )
    areas = len(shown_areas(figures))
    top, bottom = fig.subplots(2, 1, height_ratios=[1.0, max(0.8, 0.18 * areas + 0.3)])
    _monthly_panel(top, t, figures)
    _coverage_panel(bottom, t, figures)
    return fig


def render_png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)  # attaches the Agg canvas to the figure (no pyplot, no global state)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def chart_png(t: Translator, figures: Figures, scope_name: str | None = None) -> bytes:
    """The chart as PNG bytes (CPU-bound: call it in a worker thread from async code)."""
    return render_png(chart_figure(t, figures, scope_name))
