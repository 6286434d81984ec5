"""3. Export restrictions: the register's events on a timeline (`dim_policy_event`,
`bridge_policy_event_hs6`), the importer's exposure (`mart_policy_exposure`) and the trade
response (`mart_event_trade_response`, `mart_event_trade_response_by_importer`).
"""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup

from critmin.report import charts
from critmin.report.blocks import (
    Block,
    Column,
    Figures,
    Heading,
    Link,
    Paragraph,
    Table,
)
from critmin.report.data import (
    MineralData,
    PolicyEvent,
    ReportData,
)
from critmin.report.formatting import (
    fmt_change,
    fmt_date,
    fmt_share,
    fmt_usd,
    mineral_name,
)
from critmin.report.sections.common import (
    ANNOUNCED_COLOUR,
    EFFECTIVE_COLOUR,
    FULL_WIDTH,
    POST_WINDOW_COLOUR,
    PRE_WINDOW_COLOUR,
    SUSPENSION_COLOUR,
    fetch_hint,
    mart_absent,
    no_imports,
    svg,
)


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
                    fetch_hint(report, unloaded),
                ),
                "caveat",
            )
        )
    if data.exposure is None:
        body.append(mart_absent("mart_policy_exposure"))
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
        body.append(mart_absent("mart_event_trade_response"))
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
