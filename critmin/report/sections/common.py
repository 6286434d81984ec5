"""What the sections share: colours and sizes (the report test finds charts on a screenshot by
their colour), the commands that load the full BACI release, and the notes said where a chart
or table has nothing to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from markupsafe import Markup

from critmin.report.blocks import (
    Block,
    Card,
    Cards,
    Figures,
    Paragraph,
)
from critmin.report.data import (
    MineralData,
    ReportData,
)
from critmin.report.formatting import (
    STAGES,
    fmt_share,
    fmt_usd,
    mineral_name,
    stage_name,
)

CHINA = "CHN"
OTHER = "Other"
HS6_CAVEAT = (
    "HS6 codes cannot separate heavy from light rare earths nor rare-earth magnets from other "
    "metal magnets: shares at HS6 are upper bounds."
)
# How to add HS6 codes the loaded trade data lacks (e.g. magnets, HS 850511): the full BACI release.
FETCH_FULL_BACI = (
    "critmin fetch baci --release V202501 --revision HS22 --years 2019-2023 --out landing/"
)
RUN_FULL_BACI = "critmin run --data-dir landing/"
# The China-share table shows the latest TABLE_RECENT_YEARS years and every TABLE_EARLY_STEP-th
# With more years than this, the per-stage supplier charts are drawn full width, one per row.
WIDE_CHART_YEARS = 12

# Exact, unusual colours: the report test finds each chart on a screenshot by its colour.
CHINA_COLOUR = "#c3112b"
SUPPLIER_PALETTE = (
    "#1b6ca8",
    "#f29e1f",
    "#3a9a5b",
    "#8e5ac8",
    "#6ec1c9",
    "#d4a5c9",
    "#7a6a3a",
    "#9ecf6a",
    "#4d4d8f",
    "#f08a7e",
    "#2f4f4f",
    "#c9a227",
)
OTHER_COLOUR = "#b8b4ac"
STAGE_COLOURS = {
    "ore_concentrate": "#8a6d3b",
    "compound": "#2b59c3",
    "metal": "#6b6b6b",
    "component": "#e36414",
}
PRODUCTION_COLOURS = {"top1": "#4b2e83", "top3": "#a99bd1", "china": "#e0457b"}
ANNOUNCED_COLOUR = "#3d405b"
EFFECTIVE_COLOUR = "#5b2a86"
SUSPENSION_COLOUR = "#f6c85f"
PRE_WINDOW_COLOUR = "#cfe3f5"
POST_WINDOW_COLOUR = "#fbd5c0"
ALTERNATIVE_COLOUR = "#0f7b6c"
RESTRICTING_COLOUR = "#e9a39b"
SHOCK_COLOURS = {"imports": "#c9c4b8", "shortfall": "#7f2704", "coverable": "#2c7fb8"}

FULL_WIDTH = 1040
HALF_WIDTH = 510


Section = Callable[[ReportData, MineralData], list[Block]]


def svg(chart: str) -> Markup:
    """A chart as markup: `critmin.report.charts` escapes every text it draws."""
    return Markup(chart)  # noqa: S704 - the chart module escapes its own text


def figure(chart: str) -> Figures:
    """One chart in a figure of its own."""
    return Figures([svg(chart)])


# --------------------------------------------------------------------------- notes


def stage_label(data: MineralData, stage: str) -> str:
    codes = data.stage_codes.get(stage, [])
    suffix = f" (HS {', '.join(codes)})" if codes else ""
    return f"{stage_name(stage)}{suffix}"


def stages_present(stages: Iterable[str]) -> list[str]:
    """The stages in value-chain order, unknown ones after them (alphabetically)."""
    present = set(stages)
    return [s for s in STAGES if s in present] + sorted(present - set(STAGES))


NO_IMPORTS_ALL = "there are no suppliers, shares or shocks to show"


def no_imports(
    report: ReportData, data: MineralData, consequence: str = NO_IMPORTS_ALL
) -> Paragraph:
    """One sentence on why there is no trade to show (no HS6 code of its own, codes not in the
    trade data, or no imports by this country), ending with what that means for the section."""
    name = mineral_name(data.mineral)
    if not data.codes:
        return Paragraph(
            f"{name.capitalize()} has no HS6 code of its own in the commodity reference "
            "(marts.dim_commodity), so its trade cannot be told apart from other goods"
            f"{' (' + data.hs6_note + ')' if data.hs6_note else ''}: {consequence}.",
            "empty",
        )
    if not data.loaded_codes:
        return Paragraph(
            Markup("{}{}").format(
                f"No trade in the HS6 codes of {name} (HS {', '.join(data.codes)}) is in this "
                f"warehouse's trade data{years_in(report)}: {consequence}.",
                fetch_hint(report, data.codes),
            ),
            "empty",
        )
    return Paragraph(
        f"No imports of {name} recorded for {report.country_name} in the warehouse's trade "
        f"years{years_in(report)}: {consequence}.",
        "empty",
    )


def years_in(report: ReportData) -> str:
    years = report.trade_years
    return f" ({years[0]}–{years[-1]})" if years else ""


def fetch_hint(report: ReportData, codes: Sequence[str]) -> Markup:
    """Whether the landing data declares `codes` missing, and how to load them."""
    lacks = report.landing("lacks")
    declared = [code for code in codes if code in lacks]
    said = Markup("")
    if declared:
        said = Markup(" The landing data ({}) declares HS {} missing.").format(
            report.landing("label") or "landing.toml", ", ".join(declared)
        )
    return Markup(
        "{} To add {}, load the full BACI release and rebuild: <code>{}</code> then "
        "<code>{}</code>."
    ).format(said, "it" if len(codes) == 1 else "them", FETCH_FULL_BACI, RUN_FULL_BACI)


def stage_gaps(report: ReportData, data: MineralData, shown: set[str]) -> list[Paragraph]:
    """Notes on the stages of the mineral that are not drawn or drawn in part, where a reader
    looks for them (e.g. magnets, HS 850511): codes the trade data lacks (with how to load them)
    and stages the country does not import. At most two notes, one sentence each kind."""
    absent, partial, not_imported, missing_all = [], [], [], []
    for stage in stages_present(data.stage_codes):
        codes = data.stage_codes[stage]
        missing = [code for code in codes if code not in data.loaded_codes]
        missing_all += missing
        if missing and stage not in shown:
            absent.append(_stage_codes(stage, missing))
        elif missing:
            partial.append(_stage_codes(stage, missing))
        elif stage not in shown and shown:
            not_imported.append(_stage_codes(stage, codes))
    notes = []
    if absent or partial:
        text = []
        if absent:
            text.append(
                Markup(
                    "Not in this warehouse's trade data, so {}'s imports at {} not shown: {}."
                ).format(
                    report.country_name,
                    "this stage are" if len(absent) == 1 else "these stages are",
                    Markup("; ").join(absent),
                )
            )
        if partial:
            text.append(
                Markup(
                    "Drawn from part of their codes only (the others are not in the trade data): "
                    "{}."
                ).format(Markup("; ").join(partial))
            )
        notes.append(Paragraph(Markup(" ").join(text) + fetch_hint(report, missing_all), "empty"))
    if not_imported:
        notes.append(
            Paragraph(
                Markup("No imports by {} recorded in the trade years{} at: {}.").format(
                    report.country_name, years_in(report), Markup("; ").join(not_imported)
                ),
                "empty",
            )
        )
    return notes


def _stage_codes(stage: str, codes: Sequence[str]) -> Markup:
    return Markup("<b>{}</b> (HS {})").format(stage_name(stage), ", ".join(codes))


def mart_absent(mart: str) -> Paragraph:
    return Paragraph(
        f"marts.{mart} is not in this warehouse: this part of the section is skipped.", "empty"
    )


def headline(report: ReportData, data: MineralData) -> list[Block]:
    """The latest year's imports and China's share per stage, above the sections."""
    if not data.import_dependency:
        return []
    year = max(r.year for r in data.import_dependency)
    latest = [r for r in data.import_dependency if r.year == year]
    total = sum(r.import_value_usd for r in latest)
    cards = [Card(fmt_usd(total), f"imports {year}, all stages")]
    for row in sorted(latest, key=lambda r: STAGES.index(r.stage) if r.stage in STAGES else 9):
        cards.append(
            Card(
                fmt_share(row.china_share),
                f"China's share, {stage_name(row.stage).lower()} {year}",
            )
        )
    blocks: list[Block] = [Cards(cards)]
    last_trade_year = max(report.trade_years, default=year)
    if year < last_trade_year:
        blocks.append(
            Paragraph(
                f"{report.country_name} recorded no imports of {mineral_name(data.mineral)} "
                f"after {year} (the trade data runs to {last_trade_year}): the latest figures "
                f"are {year}'s.",
                "caveat",
            )
        )
    return blocks


def year_range(years: Iterable[int]) -> list[int]:
    """Every year from the first to the last of `years` (none when empty)."""
    present = set(years)
    return list(range(min(present), max(present) + 1)) if present else []
