"""4. Who else could supply: candidate suppliers ranked by the mart's score
(`mart_alternative_suppliers`).
"""

from __future__ import annotations

from critmin.report import charts
from critmin.report.blocks import (
    Block,
    Column,
    Paragraph,
    Table,
)
from critmin.report.data import (
    AlternativeSupplier,
    MineralData,
    ReportData,
)
from critmin.report.formatting import (
    fmt_number,
    fmt_share,
    stage_name,
)
from critmin.report.sections.common import (
    ALTERNATIVE_COLOUR,
    FULL_WIDTH,
    RESTRICTING_COLOUR,
    figure,
    mart_absent,
    no_imports,
    stage_label,
    stages_present,
)


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
        return [*body, mart_absent("mart_alternative_suppliers")]
    if not data.has_imports:
        return [*body, no_imports(report, data, "no supply to replace")]
    imported = {r.stage for r in data.import_dependency}
    rows = [r for r in data.alternatives if r.stage in imported]
    if not rows:
        return [*body, Paragraph("No candidate suppliers in the mart for these stages.", "empty")]
    year = rows[0].year
    for stage in stages_present(r.stage for r in rows):
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
