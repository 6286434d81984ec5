"""1. Who supplies: each supplier's share of the importer's imports per stage over the years
(`mart_supplier_shares`) and China's share in a table with years as rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from markupsafe import Markup

from critmin.report import charts
from critmin.report.blocks import (
    Block,
    Column,
    Figures,
    Paragraph,
    Table,
)
from critmin.report.data import (
    MineralData,
    ReportData,
    SupplierShare,
)
from critmin.report.formatting import (
    fmt_share,
    fmt_usd,
    mineral_name,
    stage_name,
)
from critmin.report.sections.common import (
    CHINA,
    CHINA_COLOUR,
    FULL_WIDTH,
    HALF_WIDTH,
    OTHER,
    OTHER_COLOUR,
    SUPPLIER_PALETTE,
    WIDE_CHART_YEARS,
    no_imports,
    stage_gaps,
    stage_label,
    stages_present,
    svg,
    year_range,
)

# year before them, so that it stays a few columns wide and about 15 rows long on 30 years.
TABLE_RECENT_YEARS = 10
TABLE_EARLY_STEP = 5


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
            body.extend(stage_gaps(report, data, set()))
        return body
    # Every year from the first to the last with imports: a year without any stays an empty
    # slot on the axis instead of closing the gap.
    years = year_range(row.year for row in data.supplier_shares)
    stages = stages_present(r.stage for r in data.supplier_shares)
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
    body.extend(stage_gaps(report, data, set(stages)))
    body.extend(china_share_table(report, data))
    return body


def china_share_table(report: ReportData, data: MineralData) -> list[Block]:
    """Years as rows, one column per stage: it stays a few columns wide however many years."""
    dependency = {(r.stage, r.year): r for r in data.import_dependency}
    stages = stages_present(r.stage for r in data.import_dependency)
    all_years = year_range(r.year for r in data.import_dependency)
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
