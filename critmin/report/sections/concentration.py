"""2. How concentrated: import HHI per stage (`mart_import_dependency`) and world production
concentration (`mart_production_concentration`).
"""

from __future__ import annotations

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
)
from critmin.report.formatting import (
    fmt_hhi,
    fmt_number,
    fmt_share,
    fmt_usd,
    mineral_name,
    stage_name,
)
from critmin.report.sections.common import (
    HALF_WIDTH,
    PRODUCTION_COLOURS,
    STAGE_COLOURS,
    no_imports,
    stages_present,
    svg,
    year_range,
)


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
        years = year_range(r.year for r in data.import_dependency)
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
            for stage in stages_present(r.stage for r in data.import_dependency)
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
