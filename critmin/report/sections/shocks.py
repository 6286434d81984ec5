"""5. If a supplier halts exports: shock scenarios (`mart_supply_shock`)."""

from __future__ import annotations

from markupsafe import Markup

from critmin.report import charts
from critmin.report.blocks import (
    Block,
    Column,
    Paragraph,
    Scenario,
    Scenarios,
    Table,
)
from critmin.report.data import (
    MineralData,
    ReportData,
)
from critmin.report.formatting import (
    fmt_months,
    fmt_share,
    fmt_tonnes,
    fmt_usd,
    fmt_usd_axis,
    mineral_name,
    stage_name,
)
from critmin.report.sections.common import (
    FULL_WIDTH,
    SHOCK_COLOURS,
    figure,
    mart_absent,
    no_imports,
)


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
        return [*body, mart_absent("mart_supply_shock")]
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
