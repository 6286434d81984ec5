"""The report's sections, per mineral: each a function from the data to a list of blocks.

1. Supplier shares per stage over the years (`mart_supplier_shares`), China's share (a table
   with years as rows: the latest ten and every fifth year before, so it fits the page).
   The trade sections read the BACI annual rows (`trade_source = 'baci'`); the marts' UN Comtrade
   rows (recent years, months) are another source and are not mixed into them.
2. Concentration: import HHI per stage (`mart_import_dependency`), world production concentration
   (`mart_production_concentration`).
3. Policy timeline (`dim_policy_event`, `bridge_policy_event_hs6`, `mart_event_trade_response`,
   `mart_event_trade_response_by_importer`) and exposure (`mart_policy_exposure`).
4. Alternative suppliers (`mart_alternative_suppliers`).
5. Shock scenarios (`mart_supply_shock`).

A mart that is absent or has no rows for the country gives one sentence, not an error or an empty
chart: no HS6 code of its own, codes not in the trade data, no imports by the country, no
production, no events. A stage whose HS6 codes are not in the trade data (e.g. magnets, HS 850511,
in the starter set) is named where its chart would be, with the commands that load the full BACI
release.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from markupsafe import Markup

from critmin.report import charts
from critmin.report.blocks import (
    Block,
    Card,
    Cards,
    Column,
    Figures,
    Heading,
    Link,
    Paragraph,
    Scenario,
    Scenarios,
    Table,
)
from critmin.report.data import (
    AlternativeSupplier,
    MineralData,
    PolicyEvent,
    ReportData,
    SupplierShare,
)
from critmin.report.formatting import (
    STAGES,
    fmt_change,
    fmt_date,
    fmt_hhi,
    fmt_months,
    fmt_number,
    fmt_share,
    fmt_tonnes,
    fmt_usd,
    fmt_usd_axis,
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
# year before them, so that it stays a few columns wide and about 15 rows long on 30 years.
TABLE_RECENT_YEARS = 10
TABLE_EARLY_STEP = 5
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


def _stages_present(stages: Iterable[str]) -> list[str]:
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
                f"warehouse's trade data{_years_in(report)}: {consequence}.",
                _fetch_hint(report, data.codes),
            ),
            "empty",
        )
    return Paragraph(
        f"No imports of {name} recorded for {report.country_name} in the warehouse's trade "
        f"years{_years_in(report)}: {consequence}.",
        "empty",
    )


def _years_in(report: ReportData) -> str:
    years = report.trade_years
    return f" ({years[0]}–{years[-1]})" if years else ""


def _fetch_hint(report: ReportData, codes: Sequence[str]) -> Markup:
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


def _stage_gaps(report: ReportData, data: MineralData, shown: set[str]) -> list[Paragraph]:
    """Notes on the stages of the mineral that are not drawn or drawn in part, where a reader
    looks for them (e.g. magnets, HS 850511): codes the trade data lacks (with how to load them)
    and stages the country does not import. At most two notes, one sentence each kind."""
    absent, partial, not_imported, missing_all = [], [], [], []
    for stage in _stages_present(data.stage_codes):
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
        notes.append(Paragraph(Markup(" ").join(text) + _fetch_hint(report, missing_all), "empty"))
    if not_imported:
        notes.append(
            Paragraph(
                Markup("No imports by {} recorded in the trade years{} at: {}.").format(
                    report.country_name, _years_in(report), Markup("; ").join(not_imported)
                ),
                "empty",
            )
        )
    return notes


def _stage_codes(stage: str, codes: Sequence[str]) -> Markup:
    return Markup("<b>{}</b> (HS {})").format(stage_name(stage), ", ".join(codes))


def _mart_absent(mart: str) -> Paragraph:
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


# --------------------------------------------------------------------------- suppliers


def supplier_colours(data: MineralData, shown: dict[str, list[str]]) -> dict[str, str]:
    """One colour per supplier drawn, the same in every stage chart: China red, the others by
    their total value over the stages (palette colours repeat only beyond its length)."""
    totals: dict[str, float] = defaultdict(float)
    for row in data.supplier_shares:
        totals[row.exporter_iso3] += row.value_usd
    drawn = {iso for isos in shown.values() for iso in isos}
    others = sorted((iso for iso in drawn if iso != CHINA), key=lambda i: (-totals[i], i))
    colours = {CHINA: CHINA_COLOUR}
    for index, iso in enumerate(others):
        colours[iso] = SUPPLIER_PALETTE[index % len(SUPPLIER_PALETTE)]
    return colours


def top_suppliers(rows: Sequence[SupplierShare], count: int = 5) -> list[str]:
    """The `count` exporters with the largest value over all years (ties alphabetically)."""
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[row.exporter_iso3] += row.value_usd
    return sorted(totals, key=lambda iso: (-totals[iso], iso))[:count]


def _shown_suppliers(data: MineralData, stage: str) -> list[str]:
    """The suppliers drawn in a stage's chart: the five largest, China always among them."""
    rows = [r for r in data.supplier_shares if r.stage == stage]
    top = top_suppliers(rows)
    if CHINA in {r.exporter_iso3 for r in rows} and CHINA not in top:
        top = [*top[:4], CHINA]
    return top


def _year_range(years: Iterable[int]) -> list[int]:
    """Every year from the first to the last of `years` (none when empty)."""
    present = set(years)
    return list(range(min(present), max(present) + 1)) if present else []


def table_years(years: Sequence[int]) -> list[int]:
    """The years of the China-share table: the latest TABLE_RECENT_YEARS, and before them every
    year divisible by TABLE_EARLY_STEP (1995, 2000, ...); all of them when there are few."""
    years = sorted(years)
    if len(years) <= TABLE_RECENT_YEARS:
        return years
    early = [y for y in years[:-TABLE_RECENT_YEARS] if y % TABLE_EARLY_STEP == 0]
    return early + years[-TABLE_RECENT_YEARS:]


def section_suppliers(report: ReportData, data: MineralData) -> list[Block]:
    body: list[Block] = [
        Paragraph(
            f"Each supplier's share of {report.country_name}'s imports per value-chain stage, by "
            "year (value basis: USD FOB, CEPII BACI). The five largest suppliers of each stage "
            f"over the period are shown (and China); the rest are grouped as “{OTHER}”."
        )
    ]
    if not data.supplier_shares:
        body.append(no_imports(report, data, "no supplier shares to show"))
        if data.codes and data.loaded_codes:
            body.extend(_stage_gaps(report, data, set()))
        return body
    # Every year from the first to the last with imports: a year without any stays an empty
    # slot on the axis instead of closing the gap.
    years = _year_range(row.year for row in data.supplier_shares)
    stages = _stages_present(r.stage for r in data.supplier_shares)
    shown = {stage: _shown_suppliers(data, stage) for stage in stages}
    colours = supplier_colours(data, shown)
    wide = len(years) > WIDE_CHART_YEARS
    figures = []
    for stage in stages:
        rows = [r for r in data.supplier_shares if r.stage == stage]
        top = shown[stage]
        share = {(r.year, r.exporter_iso3): r.share for r in rows}
        series = [
            charts.BarSeries(
                report.name(iso), [share.get((y, iso), 0.0) for y in years], colours[iso]
            )
            for iso in top
        ]
        other = [
            max(1.0 - sum(share.get((y, iso), 0.0) for iso in top), 0.0)
            if any(r.year == y for r in rows)
            else 0.0
            for y in years
        ]
        if any(v > 1e-9 for v in other):
            series.append(charts.BarSeries(OTHER, other, OTHER_COLOUR))
        figures.append(
            svg(
                charts.bar_chart(
                    [str(y) for y in years],
                    series,
                    title=stage_label(data, stage),
                    description=(
                        f"Stacked supplier shares of {report.country_name}'s "
                        f"{mineral_name(data.mineral)} imports, {stage_name(stage)}"
                    ),
                    width=FULL_WIDTH if wide else HALF_WIDTH,
                    height=240 if wide else 260,
                    y_format=lambda v: fmt_share(v, 0),
                    y_max=1.0,
                )
            )
        )
    body.append(Figures(figures, "stack" if wide else "grid"))
    body.extend(_stage_gaps(report, data, set(stages)))
    body.extend(china_share_table(report, data))
    return body


def china_share_table(report: ReportData, data: MineralData) -> list[Block]:
    """Years as rows, one column per stage: it stays a few columns wide however many years."""
    dependency = {(r.stage, r.year): r for r in data.import_dependency}
    stages = _stages_present(r.stage for r in data.import_dependency)
    all_years = _year_range(r.year for r in data.import_dependency)
    years = table_years(all_years)
    columns = [
        Column("Year"),
        *(Column(f"China, {stage_name(s).lower()}", True) for s in stages),
        Column("Imports, all stages", True),
    ]
    rows = []
    for year in years:
        total = [dependency[(s, year)].import_value_usd for s in stages if (s, year) in dependency]
        rows.append(
            [
                str(year),
                *(
                    fmt_share(dependency[(s, year)].china_share) if (s, year) in dependency else "–"
                    for s in stages
                ),
                fmt_usd(sum(total)) if total else "none recorded",
            ]
        )
    caption = f"China's share of {report.country_name}'s imports by stage"
    if len(years) < len(all_years):
        caption += (
            f": {years[-TABLE_RECENT_YEARS]}–{all_years[-1]}, and every "
            f"{TABLE_EARLY_STEP}th year before"
        )
    out: list[Block] = [Table(columns, rows, caption, compact=True)]
    if len(years) < len(all_years):
        query = (
            'critmin query "select year, stage, china_share from marts.mart_import_dependency '
            f"where importer_iso3 = '{report.country_iso3}' and mineral = '{data.mineral}' "
            'order by year, stage"'
        )
        out.append(
            Paragraph(
                Markup(
                    "Every year is drawn in the charts above; for the figures of every year: "
                    "<code>{}</code>"
                ).format(query),
                "meta",
            )
        )
    return out


# --------------------------------------------------------------------------- concentration


def section_concentration(report: ReportData, data: MineralData) -> list[Block]:
    body: list[Block] = [
        Paragraph(
            "Import concentration: the Herfindahl–Hirschman index of supplier shares, on the "
            "points scale (0–10,000; above 2,500 is usually called highly concentrated). World "
            "production concentration from the USGS Mineral Commodity Summaries."
        )
    ]
    if not data.import_dependency and not data.production:
        body.append(
            Paragraph(
                f"Neither imports of {mineral_name(data.mineral)} by {report.country_name} nor "
                "world production figures are in the warehouse: there is no concentration to "
                "measure.",
                "empty",
            )
        )
        return body
    figures: list[Markup | Paragraph] = []
    if data.import_dependency:
        hhi = {(r.stage, r.year): r.hhi for r in data.import_dependency}
        years = _year_range(r.year for r in data.import_dependency)
        series = [
            charts.Series(
                stage_name(stage),
                # A year without imports is a gap in the line, not a straight bridge across it.
                [
                    (y, hhi[(stage, y)] * 10_000 if hhi.get((stage, y)) is not None else None)
                    for y in years
                ],
                STAGE_COLOURS.get(stage, "#444444"),
            )
            for stage in _stages_present(r.stage for r in data.import_dependency)
        ]
        figures.append(
            svg(
                charts.line_chart(
                    series,
                    title=f"Import HHI by stage, {report.country_name}",
                    description="Herfindahl-Hirschman index of supplier shares per stage and year",
                    width=HALF_WIDTH,
                    height=280,
                    y_format=lambda v: f"{v:,.0f}",
                    y_min=0,
                    y_max=10_000,
                    y_label="HHI (points)",
                )
            )
        )
    else:
        figures.append(no_imports(report, data, "no import concentration to measure"))
    if data.production:
        # One chart per production type (mine, refinery ...), years on its axis.
        for kind in sorted({r.production_type for r in data.production}):
            rows = [r for r in data.production if r.production_type == kind]
            figures.append(
                svg(
                    charts.bar_chart(
                        [str(r.year) for r in rows],
                        [
                            charts.BarSeries(
                                "Top producer",
                                [r.top1_share for r in rows],
                                PRODUCTION_COLOURS["top1"],
                            ),
                            charts.BarSeries(
                                "Top 3 producers",
                                [r.top3_share for r in rows],
                                PRODUCTION_COLOURS["top3"],
                            ),
                            charts.BarSeries(
                                "China",
                                [r.china_share for r in rows],
                                PRODUCTION_COLOURS["china"],
                            ),
                        ],
                        title=f"World {mineral_name(data.mineral)} {kind} production concentration",
                        description="Share of world production: top producer, top three, China",
                        stacked=False,
                        width=HALF_WIDTH,
                        height=280,
                        y_format=lambda v: fmt_share(v, 0),
                        y_max=1.0,
                    )
                )
            )
    else:
        figures.append(
            Paragraph(
                f"No USGS production figures for {mineral_name(data.mineral)} in the warehouse.",
                "empty",
            )
        )
    body.append(Figures(figures, "grid"))
    if data.import_dependency:
        rows = [
            [
                str(r.year),
                stage_name(r.stage),
                fmt_usd(r.import_value_usd),
                str(r.supplier_count),
                fmt_hhi(r.hhi),
                f"{report.name(r.top_supplier_iso3)} ({fmt_share(r.top_supplier_share)})",
            ]
            for r in data.import_dependency
            if r.year == max(x.year for x in data.import_dependency)
        ]
        body.append(
            Table(
                [
                    Column("Year"),
                    Column("Stage"),
                    Column("Imports", True),
                    Column("Suppliers", True),
                    Column("HHI", True),
                    Column("Top supplier"),
                ],
                rows,
                "Import concentration, latest year",
            )
        )
    if data.production:
        body.append(
            Table(
                [
                    Column("Year"),
                    Column("Type"),
                    Column("World total", True),
                    Column("HHI", True),
                    Column("Top producer"),
                    Column("China", True),
                    Column("Countries", True),
                ],
                [
                    [
                        str(r.year),
                        r.production_type,
                        f"{fmt_number(r.world_total, 0)} {r.unit or ''}".strip(),
                        fmt_hhi(r.hhi),
                        f"{report.name(r.top1_iso3)} ({fmt_share(r.top1_share)})",
                        fmt_share(r.china_share),
                        str(r.country_count),
                    ]
                    for r in data.production
                ],
                "World production concentration (USGS MCS; rare earths as rare-earth-oxide "
                "equivalent)"
                if data.mineral == "rare_earths"
                else "World production concentration (USGS MCS)",
            )
        )
    return body


def _event_label(index: int, event: PolicyEvent) -> str:
    return f"{index}. {event.imposing_iso3} · {event.title}"


def policy_timeline(report: ReportData, data: MineralData) -> Markup:
    """The events as lanes: announced, effective, revoked markers, suspension and study windows."""
    study = {r.event_id: r for r in data.event_response_summary or []}
    if not study:
        for row in data.event_response or []:
            study.setdefault(row.event_id, row)
    dates: list[dt.date] = []
    lanes = []
    for index, event in enumerate(data.events, start=1):
        markers = []
        if event.announced_date and event.announced_date != event.effective_date:
            markers.append(
                charts.Marker(event.announced_date, "Announced", ANNOUNCED_COLOUR, "circle")
            )
        if event.effective_date:
            markers.append(charts.Marker(event.effective_date, "Effective", EFFECTIVE_COLOUR))
        if event.revoked_date:
            markers.append(charts.Marker(event.revoked_date, "Revoked", "#000000", "circle"))
        windows = []
        if event.event_id in study:
            row = study[event.event_id]
            windows.append(
                charts.Window(
                    dt.date(row.pre_year, 1, 1),
                    dt.date(row.pre_year, 12, 31),
                    f"Event study, before ({row.pre_year})",
                    PRE_WINDOW_COLOUR,
                )
            )
            windows.append(
                charts.Window(
                    dt.date(row.post_year, 1, 1),
                    dt.date(row.post_year, 12, 31),
                    f"Event study, after ({row.post_year})",
                    POST_WINDOW_COLOUR,
                )
            )
        if event.suspended_from:
            until = event.suspended_until or event.suspended_from
            windows.append(
                charts.Window(event.suspended_from, until, "Suspended", SUSPENSION_COLOUR)
            )
        dates.extend(
            d
            for d in (
                event.announced_date,
                event.effective_date,
                event.suspended_until,
                event.revoked_date,
            )
            if d
        )
        lanes.append(charts.Lane(_event_label(index, event), markers, windows))
    years = [d.year for d in dates]
    years += [y for row in study.values() for y in (row.pre_year, row.post_year)]
    first_year, last_year = min(years), max(years)
    return svg(
        charts.timeline(
            charts.Timeline(
                lanes=lanes,
                start=dt.date(first_year, 1, 1),
                end=dt.date(last_year, 12, 31),
                legend_items=(
                    charts.LegendItem("Announced", ANNOUNCED_COLOUR, "circle"),
                    charts.LegendItem("Effective", EFFECTIVE_COLOUR, "diamond"),
                    charts.LegendItem("Suspended", SUSPENSION_COLOUR),
                    charts.LegendItem("Event study: before", PRE_WINDOW_COLOUR),
                    charts.LegendItem("Event study: after", POST_WINDOW_COLOUR),
                ),
            ),
            title=f"Policy events on {mineral_name(data.mineral)}",
            description=(
                "Timeline of the register's events: announced and effective dates, suspension "
                "windows and event-study years"
            ),
            width=FULL_WIDTH,
            label_width=380,
        )
    )


def section_policy(report: ReportData, data: MineralData) -> list[Block]:
    body: list[Block] = [
        Paragraph(
            "Events in the project's curated policy register that name "
            f"{mineral_name(data.mineral)} or cover its HS6 codes. Shaded: suspension windows "
            "and, where an annual event study is possible (both years loaded), the years compared."
        )
    ]
    if not data.events:
        body.append(
            Paragraph(f"The register holds no event on {mineral_name(data.mineral)}.", "empty")
        )
        return body
    if any(e.announced_date or e.effective_date for e in data.events):
        body.append(Figures([policy_timeline(report, data)]))
    else:
        body.append(Paragraph("No event has an announced or effective date to draw.", "empty"))
    rows = []
    for index, event in enumerate(data.events, start=1):
        if event.applies_to_all_destinations:
            targets = "all destinations"
        else:
            targets = event.targets or "–"
        rows.append(
            [
                str(index),
                event.imposing_iso3,
                event.title,
                event.legal_reference or "–",
                event.measure_type.replace("_", " "),
                fmt_date(event.announced_date),
                fmt_date(event.effective_date),
                (
                    # No-break hyphens: each date stays on one line, the range may wrap.
                    f"{fmt_date(event.suspended_from)} – {fmt_date(event.suspended_until)}".replace(
                        "-", "\u2011"
                    )
                    if event.suspended_from
                    else "–"
                ),
                event.status.replace("_", " "),
                event.hs6_codes or "–",
                targets,
                Link("notice", event.source_url) if event.source_url else "–",
            ]
        )
    body.append(
        Table(
            [
                Column("#"),
                Column("By"),
                Column("Measure"),
                Column("Legal reference"),
                Column("Type"),
                Column("Announced", nowrap=True),
                Column("Effective", nowrap=True),
                Column("Suspended"),
                Column("Status"),
                Column("HS6 in scope"),
                Column("Targets / partners"),
                Column("Source"),
            ],
            rows,
            "Policy register events",
        )
    )
    body.append(Heading("Exposure of imports to restrictive measures"))
    if not data.has_imports:
        body.append(
            no_imports(
                report,
                data,
                "no imports are exposed to these measures, no trade response to measure",
            )
        )
        return body
    in_scope = sorted(
        {code.strip() for e in data.events for code in (e.hs6_codes or "").split(",")} - {""}
    )
    unloaded = [code for code in in_scope if code not in data.loaded_codes]
    if unloaded:
        body.append(
            Paragraph(
                Markup("{}{}").format(
                    f"HS {', '.join(unloaded)} {'is' if len(unloaded) == 1 else 'are'} in these "
                    "measures' scope but not in this warehouse's trade data: the exposure and "
                    "event study below count the loaded codes only.",
                    _fetch_hint(report, unloaded),
                ),
                "caveat",
            )
        )
    if data.exposure is None:
        body.append(_mart_absent("mart_policy_exposure"))
    elif not data.exposure:
        body.append(
            Paragraph(
                f"No restrictive measure on {mineral_name(data.mineral)} covers "
                f"{report.country_name}'s recorded imports.",
                "empty",
            )
        )
    else:
        number = {e.event_id: i for i, e in enumerate(data.events, start=1)}
        body.append(
            Table(
                [
                    Column("#"),
                    Column("Measure"),
                    Column("Year measured", True),
                    Column("From imposing country", True),
                    Column("Scope imports", True),
                    Column("Exposure", True),
                    Column("Upper bound"),
                ],
                [
                    [
                        str(number.get(r.event_id, "–")),
                        r.event_id,
                        str(r.reference_year),
                        fmt_usd(r.exposed_imports_usd),
                        fmt_usd(r.scope_imports_usd),
                        fmt_share(r.exposure_share),
                        (r.upper_bound_reason or "yes").replace("_", " ")
                        if r.is_upper_bound
                        else "no",
                    ]
                    for r in data.exposure
                ],
                "Imports of each measure's HS6 scope from the imposing country, in the last full "
                "year before it took effect",
            )
        )
    body.append(Heading("What happened to trade (annual event study)"))
    if data.event_response_summary is None and data.event_response is None:
        body.append(_mart_absent("mart_event_trade_response"))
    elif data.event_response_summary:
        number = {e.event_id: i for i, e in enumerate(data.events, start=1)}
        body.append(
            Table(
                [
                    Column("#"),
                    Column("Years"),
                    Column("From imposing country", True),
                    Column("Change", True),
                    Column("From others", True),
                    Column("Change", True),
                    Column("Imposing country's share", True),
                ],
                [
                    [
                        str(number.get(r.event_id, "–")),
                        f"{r.pre_year} → {r.post_year}",
                        f"{fmt_usd(r.restricting_pre_usd)} → {fmt_usd(r.restricting_post_usd)}",
                        fmt_change(r.restricting_change_pct),
                        f"{fmt_usd(r.other_pre_usd)} → {fmt_usd(r.other_post_usd)}",
                        fmt_change(r.other_change_pct),
                        f"{fmt_share(r.restricting_share_pre)} → "
                        f"{fmt_share(r.restricting_share_post)}",
                    ]
                    for r in data.event_response_summary
                ],
                "Imports of the measure's scope before and after it took effect",
            )
        )
    elif data.event_response:
        body.append(
            Table(
                [
                    Column("Event"),
                    Column("Supplier"),
                    Column("Role"),
                    Column("Years"),
                    Column("Before", True),
                    Column("After", True),
                    Column("Change", True),
                ],
                [
                    [
                        r.event_id,
                        report.name(r.exporter_iso3),
                        r.supplier_role,
                        f"{r.pre_year} → {r.post_year}",
                        fmt_usd(r.pre_value_usd),
                        fmt_usd(r.post_value_usd),
                        fmt_change(r.change_pct),
                    ]
                    for r in data.event_response
                ],
                "Imports of the measure's scope before and after it took effect",
            )
        )
    else:
        years = report.trade_years
        span = f"{years[0]}–{years[-1]}" if years else "none"
        body.append(
            Paragraph(
                "No event study for these measures: it needs the last full year before and the "
                f"first full year under a measure both loaded (trade years loaded: {span}).",
                "empty",
            )
        )
    return body


def _alternative_note(report: ReportData, row: AlternativeSupplier) -> str:
    parts = [f"supplies {fmt_share(row.current_import_share)} now"]
    if row.governance_risk_0_10 is not None:
        parts.append(f"gov. risk {row.governance_risk_0_10:.1f}")
    if row.restricts_exports:
        parts.append("restricts exports")
    return " · ".join(parts)


def section_alternatives(report: ReportData, data: MineralData) -> list[Block]:
    body: list[Block] = [
        Paragraph(
            "Candidate suppliers ranked by the mart's score: 0.40 × world export share + 0.25 × "
            "production share + 0.15 × reserves share + 0.10 × (1 − governance risk/10) + 0.10 "
            "if already supplying − 0.50 if the candidate restricts exports of the mineral. "
            "Governance risk from the World Bank WGI, 0–10, higher is riskier."
        )
    ]
    if data.alternatives is None:
        return [*body, _mart_absent("mart_alternative_suppliers")]
    if not data.has_imports:
        return [*body, no_imports(report, data, "no supply to replace")]
    imported = {r.stage for r in data.import_dependency}
    rows = [r for r in data.alternatives if r.stage in imported]
    if not rows:
        return [*body, Paragraph("No candidate suppliers in the mart for these stages.", "empty")]
    year = rows[0].year
    for stage in _stages_present(r.stage for r in rows):
        top = [r for r in rows if r.stage == stage][:10]
        body.append(
            figure(
                charts.horizontal_bar_chart(
                    [
                        charts.RankedBar(
                            report.name(r.candidate_iso3),
                            r.ranking_score,
                            RESTRICTING_COLOUR if r.restricts_exports else ALTERNATIVE_COLOUR,
                            _alternative_note(report, r),
                        )
                        for r in top
                    ],
                    title=f"Top candidates, {stage_label(data, stage)}, {year}",
                    description="Alternative suppliers ranked by score",
                    width=FULL_WIDTH,
                    row_height=22,
                    label_width=190,
                    note_width=340,
                    value_format=lambda v: f"{v:.3f}",
                    legend_items=(
                        charts.LegendItem("Ranking score", ALTERNATIVE_COLOUR),
                        charts.LegendItem("Restricts exports of the mineral", RESTRICTING_COLOUR),
                    ),
                )
            )
        )
    body.append(
        Table(
            [
                Column("Stage"),
                Column("Rank", True),
                Column("Candidate"),
                Column("Score", True),
                Column("World exports", True),
                Column("Production", True),
                Column("Reserves", True),
                Column("Gov. risk", True),
                Column("Now supplies", True),
                Column("Restricts"),
            ],
            [
                [
                    stage_name(r.stage),
                    str(r.candidate_rank),
                    report.name(r.candidate_iso3),
                    f"{r.ranking_score:.3f}",
                    fmt_share(r.world_export_share),
                    fmt_share(r.production_share),
                    fmt_share(r.reserves_share),
                    fmt_number(r.governance_risk_0_10),
                    fmt_share(r.current_import_share),
                    ", ".join(r.restricting_event_ids or []) or "no",
                ]
                for r in rows
                if r.candidate_rank <= 3
            ],
            f"Top three candidates per stage, {year} (all ten in the charts)",
        )
    )
    return body


def section_shocks(report: ReportData, data: MineralData) -> list[Block]:
    body: list[Block] = [
        Paragraph(
            Markup(
                "What the country loses if one exporter halts exports (scenarios of the seed "
                "<code>supply_shock_scenarios</code>), in the latest trade year. Coverable = the "
                "lesser of the shortfall and the other exporters' spare exports, an upper bound on "
                "what could be redirected (contracts, qualities and other buyers compete for it). "
                "Months of cover = stockpile × 12 / shortfall in tonnes."
            )
        )
    ]
    if data.shocks is None:
        return [*body, _mart_absent("mart_supply_shock")]
    if not data.has_imports:
        return [*body, no_imports(report, data, "no supply for a halt to cut")]
    if not data.shocks:
        return [
            *body,
            Paragraph(
                f"No shock scenario in the warehouse touches {report.country_name}'s "
                f"{mineral_name(data.mineral)} imports.",
                "empty",
            ),
        ]
    scenario_ids = list(dict.fromkeys(r.scenario_id for r in data.shocks))
    label = {sid: f"S{i}" for i, sid in enumerate(scenario_ids, start=1)}
    categories = [f"{label[r.scenario_id]} {stage_name(r.stage)}" for r in data.shocks]
    body.append(
        figure(
            charts.bar_chart(
                categories,
                [
                    charts.BarSeries(
                        "Imports",
                        [r.imports_usd for r in data.shocks],
                        SHOCK_COLOURS["imports"],
                    ),
                    charts.BarSeries(
                        "Shortfall",
                        [r.shortfall_usd for r in data.shocks],
                        SHOCK_COLOURS["shortfall"],
                    ),
                    charts.BarSeries(
                        "Coverable",
                        [r.coverable_usd for r in data.shocks],
                        SHOCK_COLOURS["coverable"],
                    ),
                ],
                title=f"Shock scenarios, {report.country_name}, "
                f"{mineral_name(data.mineral)} ({data.shocks[0].base_year}, USD)",
                description=("Imports, shortfall and coverable shortfall per scenario and stage"),
                stacked=False,
                width=FULL_WIDTH,
                height=300,
                y_format=fmt_usd_axis,
                margins=charts.Margins(left=72),
            )
        )
    )
    body.append(
        Scenarios([Scenario(label[sid], sid, data.scenarios.get(sid, "")) for sid in scenario_ids])
    )
    body.append(
        Table(
            [
                Column("Scenario"),
                Column("Stage"),
                Column("Halted"),
                Column("Shortfall", True),
                Column("Of imports", True),
                Column("Shortfall t", True),
                Column("Coverable", True),
                Column("Stockpile t", True),
                Column("Months of cover", True),
            ],
            [
                [
                    label[r.scenario_id],
                    stage_name(r.stage),
                    report.name(r.halted_exporter_iso3),
                    fmt_usd(r.shortfall_usd),
                    fmt_share(r.shortfall_share),
                    fmt_tonnes(r.shortfall_t),
                    fmt_share(r.coverable_share),
                    (
                        fmt_tonnes(r.stockpile_t)
                        + (" (illustrative)" if r.stockpile_is_illustrative else "")
                        if r.stockpile_t is not None
                        else "none recorded"
                    ),
                    fmt_months(r.months_of_cover),
                ]
                for r in data.shocks
            ],
            "Shortfall and coverable share per scenario",
        )
    )
    return body


SECTIONS: tuple[tuple[str, str, Section], ...] = (
    ("suppliers", "Who supplies: shares by stage", section_suppliers),
    ("concentration", "How concentrated: imports and world production", section_concentration),
    ("policy", "Export restrictions: timeline, exposure and response", section_policy),
    ("alternatives", "Who else could supply", section_alternatives),
    ("shocks", "If a supplier halts exports: shock scenarios", section_shocks),
)
