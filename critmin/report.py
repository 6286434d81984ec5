"""`critmin report`: one self-contained HTML page on a country's supply dependency.

For an importer and one or more minerals the page answers: how exposed is the country, at which
value-chain stage, to whom, what happened when suppliers restricted exports, and who else could
supply. It reads the serving warehouse read-only (`warehouse.access.reader`) and draws its charts
as inline SVG (`critmin.svg_charts`): no script, stylesheet, font or image is fetched at view time.

The page opens with what the landing data covers and lacks (`landing_label`, `landing_coverage`,
`landing_lacks` of meta.warehouse_version, from the landing directory's `landing.toml`). A stage
whose HS6 codes are not in the trade data (e.g. magnets, HS 850511, in the starter set) is named
where its chart would be, with the commands that load the full BACI release.

Sections, per mineral (a mart that is absent or has no rows for the country gives one sentence,
not an error or an empty chart: no HS6 code of its own, codes not in the trade data, no imports
by the country, no production, no events):

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

`register(subparsers)` adds the command to the `critmin` parser, `run_report(args)` runs it.
Exit codes: 0 written, 2 usage error (unknown country or mineral, no warehouse).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from critmin import svg_charts as charts
from warehouse import access
from warehouse.paths import WAREHOUSE_ENV, warehouse_path

STAGES = ("ore_concentrate", "compound", "metal", "component")
STAGE_NAMES = {
    "ore_concentrate": "Ore & concentrate",
    "compound": "Compounds",
    "metal": "Metal",
    "component": "Components",
}
CHINA = "CHN"
OTHER = "Other"
HS6_CAVEAT = (
    "HS6 codes cannot separate heavy from light rare earths nor rare-earth magnets from other "
    "metal magnets: shares at HS6 are upper bounds."
)
FIND_CODES = 'critmin query "select country_iso3, country_name from marts.dim_country"'
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

# Shorter display names for countries whose dim_country name is long.
SHORT_NAMES = {
    "BOL": "Bolivia",
    "COD": "DR Congo",
    "GBR": "United Kingdom",
    "HKG": "Hong Kong",
    "IRN": "Iran",
    "KOR": "South Korea",
    "LAO": "Laos",
    "PRK": "North Korea",
    "RUS": "Russia",
    "TZA": "Tanzania",
    "USA": "United States",
    "VEN": "Venezuela",
}

FULL_WIDTH = 1040
HALF_WIDTH = 510


class ReportError(ValueError):
    """The report cannot be made as asked (unknown country or mineral)."""


# --------------------------------------------------------------------------- formatting


def fmt_usd(value: float | None) -> str:
    """US dollars for people: `$195.8 M`, `$1.58 bn`, `$884.6 k`, `−$11.9 k`."""
    if value is None:
        return "–"
    sign = "−" if value < 0 else ""
    size = abs(value)
    if size >= 1e9:
        text = f"{size / 1e9:,.2f} bn"
    elif size >= 1e6:
        text = f"{size / 1e6:,.1f} M"
    elif size >= 1e3:
        text = f"{size / 1e3:,.1f} k"
    else:
        text = f"{size:,.0f}"
    return f"{sign}${text}"


def fmt_usd_axis(value: float) -> str:
    """US dollars for axis ticks, without needless decimals: `$150 M`, `$2.5 bn`."""
    return fmt_usd(value).replace(".0 ", " ")


def fmt_share(value: float | None, digits: int = 1) -> str:
    """A 0-1 share as a percentage: 0.834694 -> `83.5%`."""
    if value is None:
        return "–"
    return f"{value * 100:.{digits}f}%"


def fmt_change(value: float | None) -> str:
    """A relative change with its sign: 0.0142 -> `+1.4%`, -0.49 -> `−49.0%`."""
    if value is None:
        return "–"
    return f"{value * 100:+.1f}%".replace("-", "−")


def fmt_hhi(value: float | None) -> str:
    """A 0-1 HHI on the points scale (x 10,000): 0.485154 -> `4,852`."""
    if value is None:
        return "–"
    return f"{value * 10_000:,.0f}"


def fmt_tonnes(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f} t" if abs(value) >= 100 else f"{value:,.1f} t"


def fmt_months(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}"


def fmt_number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def fmt_date(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else "–"


def mineral_name(mineral: str) -> str:
    return mineral.replace("_", " ")


# --------------------------------------------------------------------------- data


@dataclass
class MineralData:
    """Everything the sections show for one mineral; a None list means the mart is absent."""

    mineral: str
    stage_codes: dict[str, list[str]]
    # The mineral's HS6 codes that have trade rows in the warehouse (any importer, any year).
    loaded_codes: set[str]
    supplier_shares: list[dict[str, Any]]
    import_dependency: list[dict[str, Any]]
    production: list[dict[str, Any]]
    events: list[dict[str, Any]]
    exposure: list[dict[str, Any]] | None
    event_response: list[dict[str, Any]] | None
    event_response_summary: list[dict[str, Any]] | None
    alternatives: list[dict[str, Any]] | None
    shocks: list[dict[str, Any]] | None
    scenarios: dict[str, str] = field(default_factory=dict)
    # dim_mineral: where a mineral without an HS6 code of its own trades
    hs6_note: str | None = None

    @property
    def has_imports(self) -> bool:
        return any(row["import_value_usd"] > 0 for row in self.import_dependency)

    @property
    def codes(self) -> list[str]:
        return [code for stage in STAGES for code in self.stage_codes.get(stage, [])] + [
            code
            for stage, codes in sorted(self.stage_codes.items())
            if stage not in STAGES
            for code in codes
        ]

    @property
    def missing_codes(self) -> list[str]:
        """The mineral's HS6 codes with no trade row in the warehouse at all."""
        return [code for code in self.codes if code not in self.loaded_codes]


@dataclass
class ReportData:
    country_iso3: str
    country_name: str
    warehouse: Path
    trade_sources: list[str]
    production_sources: list[str]
    version: dict[str, Any] | None
    trade_years: list[int]
    names: dict[str, str]
    minerals: list[MineralData]

    @property
    def is_demo(self) -> bool:
        return "demo" in self.trade_sources or "demo" in self.production_sources

    def landing(self, key: str) -> str:
        """`landing_label`, `landing_coverage` or `landing_lacks` of meta.warehouse_version: what
        the landing directory's `landing.toml` said; "" when absent (older warehouses)."""
        value = (self.version or {}).get(f"landing_{key}")
        return str(value).strip() if value else ""

    def name(self, iso3: str) -> str:
        """A short display name (the ISO3 code when the country is unknown)."""
        return SHORT_NAMES.get(iso3) or self.names.get(iso3, iso3)


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict]:
    cursor = con.execute(sql, list(params))
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ?", [schema]
    ).fetchall()
    return {name for (name,) in rows}


def _check_country(con: duckdb.DuckDBPyConnection, code: str) -> tuple[str, str]:
    iso3 = code.strip().upper()
    found = con.execute(
        "select country_iso3, country_name from marts.dim_country where country_iso3 = ?", [iso3]
    ).fetchone()
    if found is not None:
        return found[0], found[1]
    similar = con.execute(
        "select country_iso3, country_name from marts.dim_country "
        "where country_name ilike ? order by country_iso3 limit 5",
        [f"%{code.strip()}%"],
    ).fetchall()
    hint = ""
    if similar:
        hint = " Did you mean " + ", ".join(f"{i} ({n})" for i, n in similar) + "?"
    raise ReportError(
        f"unknown country code {code!r}: expected an ISO 3166-1 alpha-3 code from "
        f"marts.dim_country (e.g. IND for India).{hint} List the codes with: {FIND_CODES}"
    )


def _check_minerals(con: duckdb.DuckDBPyConnection, asked: Sequence[str] | None) -> list[str]:
    sql = "select distinct mineral from marts.dim_commodity order by mineral"
    if "mart_production_concentration" in _tables(con, "marts"):
        # A mineral with production but no HS6 code of its own is still a mineral to report on.
        sql = (
            "select mineral from marts.dim_commodity union "
            "select mineral from marts.mart_production_concentration order by mineral"
        )
    known = [m for (m,) in con.execute(sql).fetchall() if m is not None]
    if not asked:
        return known
    # A mineral of the reference without an HS6 code (dysprosium) is known too: its page says so.
    referenced = set(known)
    if "dim_mineral" in _tables(con, "marts"):
        rows = con.execute("select mineral from marts.dim_mineral").fetchall()
        referenced |= {mineral for (mineral,) in rows}
    minerals = [m.strip().lower().replace(" ", "_").replace("-", "_") for m in asked]
    unknown = [m for m in minerals if m not in referenced]
    if unknown:
        raise ReportError(
            f"unknown mineral {', '.join(unknown)}: expected one of {', '.join(known)} "
            "(marts.dim_commodity)"
        )
    return list(dict.fromkeys(minerals))


def load_report_data(
    warehouse: Path, country: str, minerals: Sequence[str] | None = None
) -> ReportData:
    """Read what the report shows from the warehouse (read-only).

    Without `minerals`, every mineral the country imports is reported (largest import value in the
    latest year first); when it imports none, every mineral is listed with a "no imports" note.
    """
    with access.reader(warehouse) as con:
        tables = _tables(con, "marts")
        iso3, name = _check_country(con, country)
        chosen = _check_minerals(con, minerals)
        if not minerals:
            imported = [
                m
                for (m,) in con.execute(
                    "select mineral from marts.mart_import_dependency where importer_iso3 = ? "
                    "and trade_source = 'baci' and frequency = 'annual' "
                    "group by mineral order by max_by(import_value_usd, year) desc, mineral",
                    [iso3],
                ).fetchall()
            ]
            chosen = imported or chosen
        names = dict(
            con.execute("select country_iso3, country_name from marts.dim_country").fetchall()
        )
        trade_sources = [
            s
            for (s,) in con.execute("select distinct source from marts.fct_trade_flows").fetchall()
        ]
        production_sources = [
            s
            for (s,) in con.execute("select distinct source from marts.fct_production").fetchall()
            if s is not None
        ]
        trade_years = [
            y
            for (y,) in con.execute(
                "select distinct year from marts.fct_trade_flows order by year"
            ).fetchall()
        ]
        version = None
        if "warehouse_version" in _tables(con, "meta"):
            found = _records(con, "select * from meta.warehouse_version limit 1")
            version = found[0] if found else None
        data = [_mineral_data(con, tables, iso3, mineral) for mineral in chosen]
    return ReportData(
        country_iso3=iso3,
        country_name=name,
        warehouse=warehouse,
        trade_sources=sorted(trade_sources),
        production_sources=sorted(production_sources),
        version=version,
        trade_years=trade_years,
        names=names,
        minerals=data,
    )


def _mineral_data(
    con: duckdb.DuckDBPyConnection, tables: set[str], iso3: str, mineral: str
) -> MineralData:
    stage_codes: dict[str, list[str]] = defaultdict(list)
    for hs6, stage in con.execute(
        "select distinct hs6, stage from marts.dim_commodity "
        "where mineral = ? and hs6 is not null order by hs6",
        [mineral],
    ).fetchall():
        stage_codes[stage].append(hs6)
    loaded_codes = {
        code
        for (code,) in con.execute(
            "select distinct hs6 from marts.fct_trade_flows where mineral = ?", [mineral]
        ).fetchall()
    }

    def optional(table: str, sql: str, params: Sequence[Any]) -> list[dict] | None:
        return _records(con, sql, params) if table in tables else None

    events = _records(
        con,
        """
        select
            e.event_id, e.imposing_iso3, e.legal_reference, e.title, e.measure_type,
            e.announced_date, e.effective_date, e.suspended_from, e.suspended_until,
            e.revoked_date, e.status, e.source_url, e.applies_to_all_destinations,
            (
                select string_agg(distinct b.hs6, ', ' order by b.hs6)
                from marts.bridge_policy_event_hs6 as b
                where b.event_id = e.event_id and b.mineral = ?
            ) as hs6_codes,
            (
                select string_agg(t.target_iso3, ', ' order by t.target_iso3)
                from marts.bridge_policy_event_target as t
                where t.event_id = e.event_id
            ) as targets
        from marts.dim_policy_event as e
        where list_contains(e.minerals, ?)
            or exists (
                select 1 from marts.bridge_policy_event_hs6 as b
                where b.event_id = e.event_id and b.mineral = ?
            )
        order by coalesce(e.effective_date, e.announced_date), e.event_id
        """,
        [mineral, mineral, mineral],
    )
    event_ids = [e["event_id"] for e in events]
    scenarios: dict[str, str] = {}
    if "supply_shock_scenarios" in _tables(con, "seeds"):
        scenarios = dict(
            con.execute(
                "select scenario_id, description from seeds.supply_shock_scenarios"
            ).fetchall()
        )
    return MineralData(
        mineral=mineral,
        stage_codes=dict(stage_codes),
        loaded_codes=loaded_codes,
        supplier_shares=_records(
            con,
            "select year, stage, exporter_iso3, value_usd, share, rank "
            "from marts.mart_supplier_shares where importer_iso3 = ? and mineral = ? "
            "and trade_source = 'baci' and frequency = 'annual' order by stage, year, rank",
            [iso3, mineral],
        ),
        import_dependency=_records(
            con,
            "select year, stage, import_value_usd, supplier_count, top_supplier_iso3, "
            "top_supplier_share, hhi, china_share from marts.mart_import_dependency "
            "where importer_iso3 = ? and mineral = ? and trade_source = 'baci' "
            "and frequency = 'annual' order by stage, year",
            [iso3, mineral],
        ),
        production=_records(
            con,
            "select year, production_type, world_total, unit, hhi, top1_iso3, top1_share, "
            "top3_share, china_share, country_count from marts.mart_production_concentration "
            "where mineral = ? and production_source = 'usgs_mcs' order by production_type, year",
            [mineral],
        ),
        events=events,
        exposure=optional(
            "mart_policy_exposure",
            "select * from marts.mart_policy_exposure where importer_iso3 = ? "
            "and trade_source = 'baci' and frequency = 'annual' "
            "and (list_contains(scope_minerals, ?) or list_contains(?, event_id)) "
            "order by effective_date, event_id",
            [iso3, mineral, event_ids],
        ),
        event_response=optional(
            "mart_event_trade_response",
            "select * from marts.mart_event_trade_response where importer_iso3 = ? "
            "and list_contains(?, event_id) order by event_id, supplier_role desc, "
            "pre_value_usd desc",
            [iso3, event_ids],
        ),
        event_response_summary=optional(
            "mart_event_trade_response_by_importer",
            "select * from marts.mart_event_trade_response_by_importer where importer_iso3 = ? "
            "and list_contains(?, event_id) order by event_id",
            [iso3, event_ids],
        ),
        alternatives=optional(
            "mart_alternative_suppliers",
            "select * from marts.mart_alternative_suppliers where importer_iso3 = ? "
            "and mineral = ? and year = (select max(year) from marts.mart_alternative_suppliers "
            "where importer_iso3 = ? and mineral = ?) order by stage, candidate_rank",
            [iso3, mineral, iso3, mineral],
        ),
        shocks=optional(
            "mart_supply_shock",
            "select * from marts.mart_supply_shock where importer_iso3 = ? and mineral = ? "
            "order by scenario_id, stage",
            [iso3, mineral],
        ),
        scenarios=scenarios,
        hs6_note=_hs6_note(con, mineral),
    )


# --------------------------------------------------------------------------- HTML helpers


def esc(value: object) -> str:
    return charts.esc(value)


@dataclass(frozen=True)
class Link:
    """A table cell that links to a page (navigation only: nothing is loaded from it)."""

    text: str
    url: str


def _cell_html(value: object) -> str:
    if isinstance(value, Link):
        return f'<a href="{esc(value.url)}" rel="noreferrer">{esc(value.text)}</a>'
    return esc(value)


@dataclass(frozen=True)
class Column:
    header: str
    numeric: bool = False
    nowrap: bool = False  # dates: never broken at their hyphens

    @property
    def css(self) -> str:
        classes = [name for name, on in (("num", self.numeric), ("nowrap", self.nowrap)) if on]
        return f' class="{" ".join(classes)}"' if classes else ""


def html_table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[str | Link]],
    caption: str = "",
    compact: bool = False,
) -> str:
    """A table; cells are plain text (escaped here) or `Link`s, numeric columns right-aligned.
    `compact` tables are as wide as their content, not the page."""
    parts = [f'<table class="data{" compact" if compact else ""}">']
    if caption:
        parts.append(f"<caption>{esc(caption)}</caption>")
    parts.append("<thead><tr>")
    parts.extend(f'<th{c.css} scope="col">{esc(c.header)}</th>' for c in columns)
    parts.append("</tr></thead><tbody>")
    for row in rows:
        cells = "".join(
            f"<td{c.css}>{_cell_html(v)}</td>" for c, v in zip(columns, row, strict=True)
        )
        parts.append(f"<tr>{cells}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def note(text: str, kind: str = "note") -> str:
    return f'<p class="{kind}">{esc(text)}</p>'


def note_html(html: str, kind: str = "note") -> str:
    """A note whose text is already HTML (escaped by the caller)."""
    return f'<p class="{kind}">{html}</p>'


def stage_label(data: MineralData, stage: str) -> str:
    codes = data.stage_codes.get(stage, [])
    suffix = f" (HS {', '.join(codes)})" if codes else ""
    return f"{STAGE_NAMES.get(stage, stage)}{suffix}"


def _stages_present(rows: Iterable[dict[str, Any]]) -> list[str]:
    present = {row["stage"] for row in rows}
    return [s for s in STAGES if s in present] + sorted(present - set(STAGES))


def _hs6_note(con: duckdb.DuckDBPyConnection, mineral: str) -> str | None:
    if "dim_mineral" not in _tables(con, "marts"):
        return None
    row = con.execute("select hs6_note from marts.dim_mineral where mineral = ?", [mineral])
    found = row.fetchone()
    return found[0] if found else None


NO_IMPORTS_ALL = "there are no suppliers, shares or shocks to show"


def _no_imports(report: ReportData, data: MineralData, consequence: str = NO_IMPORTS_ALL) -> str:
    """One sentence on why there is no trade to show (no HS6 code of its own, codes not in the
    trade data, or no imports by this country), ending with what that means for the section."""
    name = mineral_name(data.mineral)
    if not data.codes:
        return note(
            f"{name.capitalize()} has no HS6 code of its own in the commodity reference "
            "(marts.dim_commodity), so its trade cannot be told apart from other goods"
            f"{' (' + data.hs6_note + ')' if data.hs6_note else ''}: {consequence}.",
            "empty",
        )
    if not data.loaded_codes:
        return note_html(
            esc(
                f"No trade in the HS6 codes of {name} (HS {', '.join(data.codes)}) is in this "
                f"warehouse's trade data{_years_in(report)}: {consequence}."
            )
            + _fetch_hint(report, data.codes),
            "empty",
        )
    return note(
        f"No imports of {name} recorded for {report.country_name} in the warehouse's trade "
        f"years{_years_in(report)}: {consequence}.",
        "empty",
    )


def _years_in(report: ReportData) -> str:
    years = report.trade_years
    return f" ({years[0]}–{years[-1]})" if years else ""


def _fetch_hint(report: ReportData, codes: Sequence[str]) -> str:
    """HTML: whether the landing data declares `codes` missing, and how to load them."""
    lacks = report.landing("lacks")
    declared = [code for code in codes if code in lacks]
    said = ""
    if declared:
        said = (
            f" The landing data ({esc(report.landing('label') or 'landing.toml')}) declares "
            f"HS {esc(', '.join(declared))} missing."
        )
    return (
        f"{said} To add {'it' if len(codes) == 1 else 'them'}, load the full BACI release and "
        f"rebuild: <code>{esc(FETCH_FULL_BACI)}</code> then <code>{esc(RUN_FULL_BACI)}</code>."
    )


def _stage_gaps(report: ReportData, data: MineralData, shown: set[str]) -> list[str]:
    """Notes on the stages of the mineral that are not drawn or drawn in part, where a reader
    looks for them (e.g. magnets, HS 850511): codes the trade data lacks (with how to load them)
    and stages the country does not import. At most two notes, one sentence each kind."""
    absent, partial, not_imported, missing_all = [], [], [], []
    for stage in _stages_present({"stage": s} for s in data.stage_codes):
        codes = data.stage_codes[stage]
        missing = [code for code in codes if code not in data.loaded_codes]
        missing_all += missing
        label = f"<b>{esc(STAGE_NAMES.get(stage, stage))}</b>"
        if missing and stage not in shown:
            absent.append(f"{label} (HS {esc(', '.join(missing))})")
        elif missing:
            partial.append(f"{label} (HS {esc(', '.join(missing))})")
        elif stage not in shown and shown:
            not_imported.append(f"{label} (HS {esc(', '.join(codes))})")
    notes = []
    if absent or partial:
        text = []
        if absent:
            text.append(
                "Not in this warehouse's trade data, so "
                f"{esc(report.country_name)}'s imports at "
                f"{'this stage are' if len(absent) == 1 else 'these stages are'} not shown: "
                + "; ".join(absent)
                + "."
            )
        if partial:
            text.append(
                "Drawn from part of their codes only (the others are not in the trade data): "
                + "; ".join(partial)
                + "."
            )
        notes.append(note_html(" ".join(text) + _fetch_hint(report, missing_all), "empty"))
    if not_imported:
        notes.append(
            note_html(
                f"No imports by {esc(report.country_name)} recorded in the trade "
                f"years{esc(_years_in(report))} at: " + "; ".join(not_imported) + ".",
                "empty",
            )
        )
    return notes


def _mart_absent(mart: str) -> str:
    return note(
        f"marts.{mart} is not in this warehouse: this part of the section is skipped.", "empty"
    )


# --------------------------------------------------------------------------- sections


def supplier_colours(data: MineralData, shown: dict[str, list[str]]) -> dict[str, str]:
    """One colour per supplier drawn, the same in every stage chart: China red, the others by
    their total value over the stages (palette colours repeat only beyond its length)."""
    totals: dict[str, float] = defaultdict(float)
    for row in data.supplier_shares:
        totals[row["exporter_iso3"]] += row["value_usd"]
    drawn = {iso for isos in shown.values() for iso in isos}
    others = sorted((iso for iso in drawn if iso != CHINA), key=lambda i: (-totals[i], i))
    colours = {CHINA: CHINA_COLOUR}
    for index, iso in enumerate(others):
        colours[iso] = SUPPLIER_PALETTE[index % len(SUPPLIER_PALETTE)]
    return colours


def top_suppliers(rows: Sequence[dict[str, Any]], count: int = 5) -> list[str]:
    """The `count` exporters with the largest value over all years (ties alphabetically)."""
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[row["exporter_iso3"]] += row["value_usd"]
    return sorted(totals, key=lambda iso: (-totals[iso], iso))[:count]


def _shown_suppliers(data: MineralData, stage: str) -> list[str]:
    """The suppliers drawn in a stage's chart: the five largest, China always among them."""
    rows = [r for r in data.supplier_shares if r["stage"] == stage]
    top = top_suppliers(rows)
    if CHINA in {r["exporter_iso3"] for r in rows} and CHINA not in top:
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


def section_suppliers(report: ReportData, data: MineralData) -> str:
    body = [
        "<p>Each supplier's share of "
        f"{esc(report.country_name)}'s imports per value-chain stage, by year (value basis: "
        "USD FOB, CEPII BACI). The five largest suppliers of each stage over the period are "
        f"shown (and China); the rest are grouped as “{OTHER}”.</p>"
    ]
    if not data.supplier_shares:
        body.append(_no_imports(report, data, "no supplier shares to show"))
        if data.codes and data.loaded_codes:
            body.extend(_stage_gaps(report, data, set()))
        return "".join(body)
    # Every year from the first to the last with imports: a year without any stays an empty
    # slot on the axis instead of closing the gap.
    years = _year_range(row["year"] for row in data.supplier_shares)
    stages = _stages_present(data.supplier_shares)
    shown = {stage: _shown_suppliers(data, stage) for stage in stages}
    colours = supplier_colours(data, shown)
    wide = len(years) > WIDE_CHART_YEARS
    figures = []
    for stage in stages:
        rows = [r for r in data.supplier_shares if r["stage"] == stage]
        top = shown[stage]
        share = {(r["year"], r["exporter_iso3"]): r["share"] for r in rows}
        series = [
            charts.BarSeries(
                report.name(iso), [share.get((y, iso), 0.0) for y in years], colours[iso]
            )
            for iso in top
        ]
        other = [
            max(1.0 - sum(share.get((y, iso), 0.0) for iso in top), 0.0)
            if any(r["year"] == y for r in rows)
            else 0.0
            for y in years
        ]
        if any(v > 1e-9 for v in other):
            series.append(charts.BarSeries(OTHER, other, OTHER_COLOUR))
        figures.append(
            charts.bar_chart(
                [str(y) for y in years],
                series,
                title=stage_label(data, stage),
                description=(
                    f"Stacked supplier shares of {report.country_name}'s "
                    f"{mineral_name(data.mineral)} imports, {STAGE_NAMES.get(stage, stage)}"
                ),
                width=FULL_WIDTH if wide else HALF_WIDTH,
                height=240 if wide else 260,
                y_format=lambda v: fmt_share(v, 0),
                y_max=1.0,
            )
        )
    layout = "stack" if wide else "grid"
    body.append(f'<div class="{layout}">{"".join(f"<figure>{f}</figure>" for f in figures)}</div>')
    body.extend(_stage_gaps(report, data, set(stages)))
    body.append(china_share_table(report, data))
    return "".join(body)


def china_share_table(report: ReportData, data: MineralData) -> str:
    """Years as rows, one column per stage: it stays a few columns wide however many years."""
    dependency = {(r["stage"], r["year"]): r for r in data.import_dependency}
    stages = _stages_present(data.import_dependency)
    all_years = _year_range(r["year"] for r in data.import_dependency)
    years = table_years(all_years)
    columns = [
        Column("Year"),
        *(Column(f"China, {STAGE_NAMES.get(s, s).lower()}", True) for s in stages),
        Column("Imports, all stages", True),
    ]
    rows = []
    for year in years:
        total = [
            dependency[(s, year)]["import_value_usd"] for s in stages if (s, year) in dependency
        ]
        rows.append(
            [
                str(year),
                *(
                    fmt_share(dependency[(s, year)]["china_share"])
                    if (s, year) in dependency
                    else "–"
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
    out = [html_table(columns, rows, caption, compact=True)]
    if len(years) < len(all_years):
        query = (
            'critmin query "select year, stage, china_share from marts.mart_import_dependency '
            f"where importer_iso3 = '{report.country_iso3}' and mineral = '{data.mineral}' "
            'order by year, stage"'
        )
        out.append(
            '<p class="meta">Every year is drawn in the charts above; for the figures of '
            f"every year: <code>{esc(query)}</code></p>"
        )
    return "".join(out)


def section_concentration(report: ReportData, data: MineralData) -> str:
    body = [
        "<p>Import concentration: the Herfindahl–Hirschman index of supplier shares, on the "
        "points scale (0–10,000; above 2,500 is usually called highly concentrated). World "
        "production concentration from the USGS Mineral Commodity Summaries.</p>"
    ]
    if not data.import_dependency and not data.production:
        body.append(
            note(
                f"Neither imports of {mineral_name(data.mineral)} by {report.country_name} nor "
                "world production figures are in the warehouse: there is no concentration to "
                "measure.",
                "empty",
            )
        )
        return "".join(body)
    figures = []
    if data.import_dependency:
        hhi = {(r["stage"], r["year"]): r["hhi"] for r in data.import_dependency}
        years = _year_range(r["year"] for r in data.import_dependency)
        series = [
            charts.Series(
                STAGE_NAMES.get(stage, stage),
                # A year without imports is a gap in the line, not a straight bridge across it.
                [
                    (y, hhi[(stage, y)] * 10_000 if hhi.get((stage, y)) is not None else None)
                    for y in years
                ],
                STAGE_COLOURS.get(stage, "#444444"),
            )
            for stage in _stages_present(data.import_dependency)
        ]
        figures.append(
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
    else:
        figures.append(_no_imports(report, data, "no import concentration to measure"))
    if data.production:
        # One chart per production type (mine, refinery ...), years on its axis.
        for kind in sorted({r["production_type"] for r in data.production}):
            rows = [r for r in data.production if r["production_type"] == kind]
            figures.append(
                charts.bar_chart(
                    [str(r["year"]) for r in rows],
                    [
                        charts.BarSeries(
                            "Top producer",
                            [r["top1_share"] for r in rows],
                            PRODUCTION_COLOURS["top1"],
                        ),
                        charts.BarSeries(
                            "Top 3 producers",
                            [r["top3_share"] for r in rows],
                            PRODUCTION_COLOURS["top3"],
                        ),
                        charts.BarSeries(
                            "China", [r["china_share"] for r in rows], PRODUCTION_COLOURS["china"]
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
    else:
        figures.append(
            note(
                f"No USGS production figures for {mineral_name(data.mineral)} in the warehouse.",
                "empty",
            )
        )
    body.append(f'<div class="grid">{"".join(f"<figure>{f}</figure>" for f in figures)}</div>')
    if data.import_dependency:
        rows = [
            [
                str(r["year"]),
                STAGE_NAMES.get(r["stage"], r["stage"]),
                fmt_usd(r["import_value_usd"]),
                str(r["supplier_count"]),
                fmt_hhi(r["hhi"]),
                f"{report.name(r['top_supplier_iso3'])} ({fmt_share(r['top_supplier_share'])})",
            ]
            for r in data.import_dependency
            if r["year"] == max(x["year"] for x in data.import_dependency)
        ]
        body.append(
            html_table(
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
            html_table(
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
                        str(r["year"]),
                        r["production_type"],
                        f"{fmt_number(r['world_total'], 0)} {r['unit'] or ''}".strip(),
                        fmt_hhi(r["hhi"]),
                        f"{report.name(r['top1_iso3'])} ({fmt_share(r['top1_share'])})",
                        fmt_share(r["china_share"]),
                        str(r["country_count"]),
                    ]
                    for r in data.production
                ],
                "World production concentration (USGS MCS; rare earths as rare-earth-oxide "
                "equivalent)"
                if data.mineral == "rare_earths"
                else "World production concentration (USGS MCS)",
            )
        )
    return "".join(body)


def _event_label(index: int, event: dict[str, Any]) -> str:
    return f"{index}. {event['imposing_iso3']} · {event['title']}"


def policy_timeline(report: ReportData, data: MineralData) -> str:
    """The events as lanes: announced, effective, revoked markers, suspension and study windows."""
    study = {r["event_id"]: r for r in data.event_response_summary or []}
    if not study:
        for row in data.event_response or []:
            study.setdefault(row["event_id"], row)
    dates: list[dt.date] = []
    lanes = []
    for index, event in enumerate(data.events, start=1):
        markers = []
        if event["announced_date"] and event["announced_date"] != event["effective_date"]:
            markers.append(
                charts.Marker(event["announced_date"], "Announced", ANNOUNCED_COLOUR, "circle")
            )
        if event["effective_date"]:
            markers.append(charts.Marker(event["effective_date"], "Effective", EFFECTIVE_COLOUR))
        if event["revoked_date"]:
            markers.append(charts.Marker(event["revoked_date"], "Revoked", "#000000", "circle"))
        windows = []
        if event["event_id"] in study:
            row = study[event["event_id"]]
            windows.append(
                charts.Window(
                    dt.date(row["pre_year"], 1, 1),
                    dt.date(row["pre_year"], 12, 31),
                    f"Event study, before ({row['pre_year']})",
                    PRE_WINDOW_COLOUR,
                )
            )
            windows.append(
                charts.Window(
                    dt.date(row["post_year"], 1, 1),
                    dt.date(row["post_year"], 12, 31),
                    f"Event study, after ({row['post_year']})",
                    POST_WINDOW_COLOUR,
                )
            )
        if event["suspended_from"]:
            until = event["suspended_until"] or event["suspended_from"]
            windows.append(
                charts.Window(event["suspended_from"], until, "Suspended", SUSPENSION_COLOUR)
            )
        dates.extend(
            d
            for d in (
                event["announced_date"],
                event["effective_date"],
                event["suspended_until"],
                event["revoked_date"],
            )
            if d
        )
        lanes.append(charts.Lane(_event_label(index, event), markers, windows))
    years = [d.year for d in dates]
    years += [y for row in study.values() for y in (row["pre_year"], row["post_year"])]
    first_year, last_year = min(years), max(years)
    return charts.timeline(
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


def section_policy(report: ReportData, data: MineralData) -> str:
    body = [
        "<p>Events in the project's curated policy register that name "
        f"{esc(mineral_name(data.mineral))} or cover its HS6 codes. Shaded: suspension windows "
        "and, where an annual event study is possible (both years loaded), the years compared.</p>"
    ]
    if not data.events:
        body.append(note(f"The register holds no event on {mineral_name(data.mineral)}.", "empty"))
        return "".join(body)
    if any(e[k] for e in data.events for k in ("announced_date", "effective_date")):
        body.append(f"<figure>{policy_timeline(report, data)}</figure>")
    else:
        body.append(note("No event has an announced or effective date to draw.", "empty"))
    rows = []
    for index, event in enumerate(data.events, start=1):
        if event["applies_to_all_destinations"]:
            targets = "all destinations"
        else:
            targets = event["targets"] or "–"
        rows.append(
            [
                str(index),
                event["imposing_iso3"],
                event["title"],
                event["legal_reference"] or "–",
                event["measure_type"].replace("_", " "),
                fmt_date(event["announced_date"]),
                fmt_date(event["effective_date"]),
                (
                    # No-break hyphens: each date stays on one line, the range may wrap.
                    f"{fmt_date(event['suspended_from'])} – "
                    f"{fmt_date(event['suspended_until'])}".replace("-", "\u2011")
                    if event["suspended_from"]
                    else "–"
                ),
                event["status"].replace("_", " "),
                event["hs6_codes"] or "–",
                targets,
                Link("notice", event["source_url"]) if event["source_url"] else "–",
            ]
        )
    body.append(
        html_table(
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
    body.append("<h4>Exposure of imports to restrictive measures</h4>")
    if not data.has_imports:
        body.append(
            _no_imports(
                report,
                data,
                "no imports are exposed to these measures, no trade response to measure",
            )
        )
        return "".join(body)
    in_scope = sorted(
        {code.strip() for e in data.events for code in (e["hs6_codes"] or "").split(",")} - {""}
    )
    unloaded = [code for code in in_scope if code not in data.loaded_codes]
    if unloaded:
        body.append(
            note_html(
                f"HS {esc(', '.join(unloaded))} {'is' if len(unloaded) == 1 else 'are'} in these "
                "measures' scope but not in this warehouse's trade data: the exposure and event "
                "study below count the loaded codes only." + _fetch_hint(report, unloaded),
                "caveat",
            )
        )
    if data.exposure is None:
        body.append(_mart_absent("mart_policy_exposure"))
    elif not data.exposure:
        body.append(
            note(
                f"No restrictive measure on {mineral_name(data.mineral)} covers "
                f"{report.country_name}'s recorded imports.",
                "empty",
            )
        )
    else:
        number = {e["event_id"]: i for i, e in enumerate(data.events, start=1)}
        body.append(
            html_table(
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
                        str(number.get(r["event_id"], "–")),
                        r["event_id"],
                        str(r["reference_year"]),
                        fmt_usd(r["exposed_imports_usd"]),
                        fmt_usd(r["scope_imports_usd"]),
                        fmt_share(r["exposure_share"]),
                        (r["upper_bound_reason"] or "yes").replace("_", " ")
                        if r["is_upper_bound"]
                        else "no",
                    ]
                    for r in data.exposure
                ],
                "Imports of each measure's HS6 scope from the imposing country, in the last full "
                "year before it took effect",
            )
        )
    body.append("<h4>What happened to trade (annual event study)</h4>")
    if data.event_response_summary is None and data.event_response is None:
        body.append(_mart_absent("mart_event_trade_response"))
    elif data.event_response_summary:
        number = {e["event_id"]: i for i, e in enumerate(data.events, start=1)}
        body.append(
            html_table(
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
                        str(number.get(r["event_id"], "–")),
                        f"{r['pre_year']} → {r['post_year']}",
                        f"{fmt_usd(r['restricting_pre_usd'])} → "
                        f"{fmt_usd(r['restricting_post_usd'])}",
                        fmt_change(r["restricting_change_pct"]),
                        f"{fmt_usd(r['other_pre_usd'])} → {fmt_usd(r['other_post_usd'])}",
                        fmt_change(r["other_change_pct"]),
                        f"{fmt_share(r['restricting_share_pre'])} → "
                        f"{fmt_share(r['restricting_share_post'])}",
                    ]
                    for r in data.event_response_summary
                ],
                "Imports of the measure's scope before and after it took effect",
            )
        )
    elif data.event_response:
        body.append(
            html_table(
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
                        r["event_id"],
                        report.name(r["exporter_iso3"]),
                        r["supplier_role"],
                        f"{r['pre_year']} → {r['post_year']}",
                        fmt_usd(r["pre_value_usd"]),
                        fmt_usd(r["post_value_usd"]),
                        fmt_change(r["change_pct"]),
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
            note(
                "No event study for these measures: it needs the last full year before and the "
                f"first full year under a measure both loaded (trade years loaded: {span}).",
                "empty",
            )
        )
    return "".join(body)


def _alternative_note(report: ReportData, row: dict[str, Any]) -> str:
    parts = [f"supplies {fmt_share(row['current_import_share'])} now"]
    if row["governance_risk_0_10"] is not None:
        parts.append(f"gov. risk {row['governance_risk_0_10']:.1f}")
    if row["restricts_exports"]:
        parts.append("restricts exports")
    return " · ".join(parts)


def section_alternatives(report: ReportData, data: MineralData) -> str:
    body = [
        "<p>Candidate suppliers ranked by the mart's score: 0.40 × world export share + 0.25 × "
        "production share + 0.15 × reserves share + 0.10 × (1 − governance risk/10) + 0.10 if "
        "already supplying − 0.50 if the candidate restricts exports of the mineral. Governance "
        "risk from the World Bank WGI, 0–10, higher is riskier.</p>"
    ]
    if data.alternatives is None:
        return "".join(body) + _mart_absent("mart_alternative_suppliers")
    if not data.has_imports:
        return "".join(body) + _no_imports(report, data, "no supply to replace")
    imported = {r["stage"] for r in data.import_dependency}
    rows = [r for r in data.alternatives if r["stage"] in imported]
    if not rows:
        return "".join(body) + note("No candidate suppliers in the mart for these stages.", "empty")
    year = rows[0]["year"]
    for stage in _stages_present(rows):
        top = [r for r in rows if r["stage"] == stage][:10]
        body.append(
            "<figure>"
            + charts.horizontal_bar_chart(
                [
                    charts.RankedBar(
                        report.name(r["candidate_iso3"]),
                        r["ranking_score"],
                        RESTRICTING_COLOUR if r["restricts_exports"] else ALTERNATIVE_COLOUR,
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
            + "</figure>"
        )
    body.append(
        html_table(
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
                    STAGE_NAMES.get(r["stage"], r["stage"]),
                    str(r["candidate_rank"]),
                    report.name(r["candidate_iso3"]),
                    f"{r['ranking_score']:.3f}",
                    fmt_share(r["world_export_share"]),
                    fmt_share(r["production_share"]),
                    fmt_share(r["reserves_share"]),
                    fmt_number(r["governance_risk_0_10"]),
                    fmt_share(r["current_import_share"]),
                    ", ".join(r["restricting_event_ids"] or []) or "no",
                ]
                for r in rows
                if r["candidate_rank"] <= 3
            ],
            f"Top three candidates per stage, {year} (all ten in the charts)",
        )
    )
    return "".join(body)


def section_shocks(report: ReportData, data: MineralData) -> str:
    body = [
        "<p>What the country loses if one exporter halts exports (scenarios of the seed "
        "<code>supply_shock_scenarios</code>), in the latest trade year. Coverable = the lesser of "
        "the shortfall and the other exporters' spare exports, an upper bound on what could be "
        "redirected (contracts, qualities and other buyers compete for it). Months of cover = "
        "stockpile × 12 / shortfall in tonnes.</p>"
    ]
    if data.shocks is None:
        return "".join(body) + _mart_absent("mart_supply_shock")
    if not data.has_imports:
        return "".join(body) + _no_imports(report, data, "no supply for a halt to cut")
    if not data.shocks:
        return "".join(body) + note(
            f"No shock scenario in the warehouse touches {report.country_name}'s "
            f"{mineral_name(data.mineral)} imports.",
            "empty",
        )
    scenario_ids = list(dict.fromkeys(r["scenario_id"] for r in data.shocks))
    label = {sid: f"S{i}" for i, sid in enumerate(scenario_ids, start=1)}
    categories = [
        f"{label[r['scenario_id']]} {STAGE_NAMES.get(r['stage'], r['stage'])}" for r in data.shocks
    ]
    body.append(
        "<figure>"
        + charts.bar_chart(
            categories,
            [
                charts.BarSeries(
                    "Imports", [r["imports_usd"] for r in data.shocks], SHOCK_COLOURS["imports"]
                ),
                charts.BarSeries(
                    "Shortfall",
                    [r["shortfall_usd"] for r in data.shocks],
                    SHOCK_COLOURS["shortfall"],
                ),
                charts.BarSeries(
                    "Coverable",
                    [r["coverable_usd"] for r in data.shocks],
                    SHOCK_COLOURS["coverable"],
                ),
            ],
            title=f"Shock scenarios, {report.country_name}, {mineral_name(data.mineral)} "
            f"({data.shocks[0]['base_year']}, USD)",
            description="Imports, shortfall and coverable shortfall per scenario and stage",
            stacked=False,
            width=FULL_WIDTH,
            height=300,
            y_format=fmt_usd_axis,
            margins=charts.Margins(left=72),
        )
        + "</figure>"
    )
    body.append(
        "<ul class=scenarios>"
        + "".join(
            f"<li><b>{label[sid]}</b> <code>{esc(sid)}</code>: "
            f"{esc(data.scenarios.get(sid, ''))}</li>"
            for sid in scenario_ids
        )
        + "</ul>"
    )
    body.append(
        html_table(
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
                    label[r["scenario_id"]],
                    STAGE_NAMES.get(r["stage"], r["stage"]),
                    report.name(r["halted_exporter_iso3"]),
                    fmt_usd(r["shortfall_usd"]),
                    fmt_share(r["shortfall_share"]),
                    fmt_tonnes(r["shortfall_t"]),
                    fmt_share(r["coverable_share"]),
                    (
                        fmt_tonnes(r["stockpile_t"])
                        + (" (illustrative)" if r["stockpile_is_illustrative"] else "")
                        if r["stockpile_t"] is not None
                        else "none recorded"
                    ),
                    fmt_months(r["months_of_cover"]),
                ]
                for r in data.shocks
            ],
            "Shortfall and coverable share per scenario",
        )
    )
    return "".join(body)


# --------------------------------------------------------------------------- page

CSS = """
:root { --ink: #202124; --muted: #5f6368; --rule: #dadce0; --accent: #1b6ca8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans",
  sans-serif; color: var(--ink); background: #ffffff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 36px 0 8px; padding-top: 12px; border-top: 3px solid var(--ink); }
h3 { font-size: 17px; margin: 28px 0 6px; }
h4 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0 10px; max-width: 80ch; }
.meta { color: var(--muted); font-size: 13px; }
.banner { background: #fff3cd; border: 2px solid #b7791f; color: #5c3b00; padding: 12px 16px;
  font-weight: 600; margin: 12px 0 16px; }
.caveat { border-left: 4px solid #b7791f; background: #fbf7ee; padding: 8px 12px; max-width: none; }
.empty { border-left: 4px solid var(--rule); background: #f6f7f8; padding: 8px 12px;
  color: var(--muted); font-style: italic; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px 20px; }
figure { margin: 12px 0; }
svg.chart { max-width: 100%; height: auto; display: block; }
table.data { border-collapse: collapse; font-size: 13px; margin: 10px 0 16px; width: 100%; }
table.data caption { text-align: left; font-weight: 600; padding: 4px 0; color: var(--muted); }
table.data th, table.data td { border-bottom: 1px solid var(--rule); padding: 4px 8px;
  text-align: left; vertical-align: top; }
table.data th { background: #f1f3f4; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data .nowrap { white-space: nowrap; }
table.data.compact { width: auto; min-width: 40%; }
table.data.compact th, table.data.compact td { padding: 4px 14px; }
.coverage { border-left: 4px solid var(--accent); background: #eef4fa; padding: 8px 12px;
  margin: 10px 0; }
.coverage p { margin: 2px 0; max-width: none; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--rule); padding: 8px 12px; flex: 1 1 0; min-width: 150px; }
.card b { display: block; font-size: 22px; }
.card span { color: var(--muted); font-size: 13px; }
nav ol { columns: 2; font-size: 14px; }
ul.scenarios { font-size: 13px; }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
@media print { h2 { break-before: page; } figure, table { break-inside: avoid; } }
"""


def _headline(report: ReportData, data: MineralData) -> str:
    if not data.import_dependency:
        return ""
    year = max(r["year"] for r in data.import_dependency)
    latest = [r for r in data.import_dependency if r["year"] == year]
    total = sum(r["import_value_usd"] for r in latest)
    cards = [
        f"<div class=card><b>{esc(fmt_usd(total))}</b><span>imports {year}, all stages</span></div>"
    ]
    for row in sorted(
        latest, key=lambda r: STAGES.index(r["stage"]) if r["stage"] in STAGES else 9
    ):
        cards.append(
            f"<div class=card><b>{esc(fmt_share(row['china_share']))}</b><span>China's share, "
            f"{esc(STAGE_NAMES.get(row['stage'], row['stage']).lower())} {year}</span></div>"
        )
    html = f'<div class="cards">{"".join(cards)}</div>'
    last_trade_year = max(report.trade_years, default=year)
    if year < last_trade_year:
        html += note(
            f"{report.country_name} recorded no imports of {mineral_name(data.mineral)} after "
            f"{year} (the trade data runs to {last_trade_year}): the latest figures are {year}'s.",
            "caveat",
        )
    return html


SECTIONS = (
    ("suppliers", "Who supplies: shares by stage", section_suppliers),
    ("concentration", "How concentrated: imports and world production", section_concentration),
    ("policy", "Export restrictions: timeline, exposure and response", section_policy),
    ("alternatives", "Who else could supply", section_alternatives),
    ("shocks", "If a supplier halts exports: shock scenarios", section_shocks),
)


def render_report(report: ReportData, generated: dt.datetime | None = None) -> str:
    """The whole page as one HTML string (inline CSS and SVG, nothing external)."""
    generated = generated or dt.datetime.now(dt.UTC).replace(microsecond=0)
    minerals = ", ".join(mineral_name(m.mineral) for m in report.minerals)
    title = f"{report.country_name} ({report.country_iso3}): supply dependency, {minerals}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{esc(title)}</h1>",
    ]
    version = report.version or {}
    out.append(
        '<p class="meta">Warehouse '
        f"<code>{esc(report.warehouse)}</code>, version {esc(version.get('version_id', 'unknown'))}"
        f" built {esc(version.get('built_at', 'unknown'))}; report generated {esc(generated)}. "
        f"Trade years {esc(_span(report.trade_years))}; trade source: "
        f"{esc(', '.join(report.trade_sources) or 'none')}; production source: "
        f"{esc(', '.join(report.production_sources) or 'none')}.</p>"
    )
    if report.is_demo:
        out.append(
            '<div class="banner" role="alert">⚠ Synthetic demo data: this warehouse was built from '
            "the generated demo files (source = 'demo'). Trade and production figures are "
            "invented to look like the real market; they are not real statistics. The policy "
            "register is real.</div>"
        )
    out.append(coverage_notice(report))
    out.append(
        f'<p class="caveat"><b>Caveat.</b> {esc(HS6_CAVEAT)} Values are CEPII BACI '
        "mirror-reconciled trade, USD FOB; shares are on values, not tonnes.</p>"
    )
    out.append("<nav><ol>")
    for data in report.minerals:
        for key, heading, _ in SECTIONS:
            out.append(
                f'<li><a href="#{key}-{esc(data.mineral)}">{esc(mineral_name(data.mineral))}: '
                f"{esc(heading)}</a></li>"
            )
    out.append("</ol></nav>")
    for data in report.minerals:
        out.append(f'<article id="mineral-{esc(data.mineral)}">')
        if len(report.minerals) > 1:
            out.append(f"<h2>{esc(mineral_name(data.mineral).capitalize())}</h2>")
        if not data.has_imports:
            out.append(_no_imports(report, data))
        out.append(_headline(report, data))
        for number, (key, heading, render) in enumerate(SECTIONS, start=1):
            tag = "h3" if len(report.minerals) > 1 else "h2"
            out.append(f'<section id="{key}-{esc(data.mineral)}">')
            out.append(f"<{tag}>{number}. {esc(heading)}</{tag}>")
            out.append(render(report, data))
            out.append("</section>")
        out.append("</article>")
    out.append(
        "<footer><p>Sources: CEPII BACI (trade, HS6, USD FOB, mirror-reconciled); USGS Mineral "
        "Commodity Summaries (production, reserves); World Bank Worldwide Governance Indicators "
        "(governance risk); the critmin policy register (curated from MOFCOM/GACC notices, OECD "
        "and Global Trade Alert). Shares and HHI are computed in the warehouse's dbt marts "
        f"(schema <code>marts</code>). {esc(HS6_CAVEAT)}</p></footer>"
    )
    out.append("</main></body></html>")
    return "\n".join(out)


def _with_code(text: str) -> str:
    """Escaped text with `backticked` spans set as code."""
    parts = esc(text).split("`")
    return "".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))


def coverage_notice(report: ReportData) -> str:
    """What the landing data covers and lacks, as its `landing.toml` declared (stamped in
    meta.warehouse_version), and how to get what it lacks; a line saying it is unknown when the
    warehouse does not record it."""
    label, covers, lacks = (report.landing(k) for k in ("label", "coverage", "lacks"))
    if not (label or covers or lacks):
        where = (report.version or {}).get("landing_dir")
        return (
            '<p class="meta">The warehouse does not record what its landing data covers or '
            "lacks (its landing directory"
            + (f" <code>{esc(where)}</code>" if where else "")
            + " has no <code>landing.toml</code>, or it was built by an older critmin).</p>"
        )
    lines = ['<div class="coverage" role="note">']
    if label or covers:
        lines.append(
            "<p><b>What the data covers.</b> "
            + (f"<i>{esc(label)}</i>: " if label else "")
            + (_with_code(covers) if covers else "not stated")
            + "</p>"
        )
    if lacks:
        lines.append(
            f"<p><b>What it lacks.</b> {_with_code(lacks.rstrip('.'))}. To load the full "
            f"BACI release: <code>{esc(FETCH_FULL_BACI)}</code> then "
            f"<code>{esc(RUN_FULL_BACI)}</code>.</p>"
        )
    lines.append("</div>")
    return "".join(lines)


def _span(years: Sequence[int]) -> str:
    return f"{years[0]}–{years[-1]}" if years else "none"


def build_report(
    warehouse: Path, country: str, minerals: Sequence[str] | None, out: Path
) -> ReportData:
    """Read the warehouse and write the page to `out`; returns the data shown."""
    data = load_report_data(warehouse, country, minerals)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(data), encoding="utf-8")
    return data


# --------------------------------------------------------------------------- command line


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `report` to a `critmin` sub-parser collection."""
    parser = subparsers.add_parser(
        "report",
        help="write a self-contained HTML report on one country's supply dependency",
        description=(
            "Write one HTML page (inline charts, no network needed to view it) on how exposed a "
            "country is: supplier shares per stage, concentration, export restrictions and their "
            "effect, alternative suppliers, shock scenarios."
        ),
    )
    parser.add_argument(
        "--country", required=True, help="importer ISO3 code, e.g. IND (see marts.dim_country)"
    )
    parser.add_argument(
        "--mineral",
        action="append",
        help="mineral, e.g. rare_earths; repeat or comma-separate for several "
        "(default: every mineral the country imports)",
    )
    parser.add_argument("--out", type=Path, default=Path("report.html"), help="HTML file to write")
    parser.add_argument(
        "--warehouse",
        type=Path,
        help=(
            f"serving DuckDB file to read (default: ${WAREHOUSE_ENV}, else {warehouse_path(None)})"
        ),
    )
    return parser


def run_report(args: argparse.Namespace) -> int:
    """Run the `report` command parsed into `args`; return the exit code."""
    minerals = [m for text in args.mineral or [] for m in text.split(",") if m.strip()]
    warehouse = warehouse_path(args.warehouse)
    try:
        data = build_report(warehouse, args.country, minerals or None, args.out)
    except ReportError as error:
        print(f"critmin report: {error}", file=sys.stderr)
        return 2
    except (
        access.WarehouseNotFoundError,
        access.WarehouseBusyError,
        access.WarehouseUnreadableError,
    ) as error:
        print(f"critmin report: {error}", file=sys.stderr)
        return 2
    shown = ", ".join(m.mineral for m in data.minerals)
    print(f"report on {data.country_name} ({shown}) written to {args.out}")
    if data.is_demo:
        print("note: the warehouse was built from synthetic demo data; the page says so")
    return 0
