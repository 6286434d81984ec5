"""What the report shows, read from the serving warehouse (read-only) into plain dataclasses.

`load_report_data(warehouse, country, minerals)` checks the country and minerals asked for
(`ReportError` when one is unknown) and returns a `ReportData` holding one `MineralData` per
mineral: the rows of each mart the sections draw, one frozen dataclass per row with the columns
they use (`SupplierShare`, `ImportDependency`, ...). A mart absent from the warehouse is None, a
mart without rows for the country an empty list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from critmin.report.formatting import SHORT_NAMES, STAGES
from warehouse import access

FIND_CODES = 'critmin query "select country_iso3, country_name from marts.dim_country"'


class ReportError(ValueError):
    """The report cannot be made as asked (unknown country or mineral)."""


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class SupplierShare:
    """marts.mart_supplier_shares: one exporter's share of the importer's imports of a stage."""

    year: int
    stage: str
    exporter_iso3: str
    value_usd: float
    share: float
    rank: int


@dataclass(frozen=True)
class ImportDependency:
    """marts.mart_import_dependency: the importer's imports of a stage in a year."""

    year: int
    stage: str
    import_value_usd: float
    supplier_count: int
    top_supplier_iso3: str | None
    top_supplier_share: float | None
    hhi: float | None
    china_share: float | None


@dataclass(frozen=True)
class Production:
    """marts.mart_production_concentration: world production of one type (mine, refinery ...)
    in a year."""

    year: int
    production_type: str
    world_total: float | None
    unit: str | None
    hhi: float | None
    top1_iso3: str | None
    top1_share: float | None
    top3_share: float | None
    china_share: float | None
    country_count: int


@dataclass(frozen=True)
class PolicyEvent:
    """marts.dim_policy_event, with the mineral's HS6 codes in scope and the targets joined."""

    event_id: str
    imposing_iso3: str
    legal_reference: str | None
    title: str
    measure_type: str
    announced_date: dt.date | None
    effective_date: dt.date | None
    suspended_from: dt.date | None
    suspended_until: dt.date | None
    revoked_date: dt.date | None
    status: str
    source_url: str | None
    applies_to_all_destinations: bool
    hs6_codes: str | None  # "253090, 280530"
    targets: str | None  # "JPN, USA"


@dataclass(frozen=True)
class Exposure:
    """marts.mart_policy_exposure: the importer's imports in a measure's scope (annual BACI)."""

    event_id: str
    effective_date: dt.date | None
    reference_year: int
    exposed_imports_usd: float | None
    scope_imports_usd: float | None
    exposure_share: float | None
    is_upper_bound: bool
    upper_bound_reason: str | None


@dataclass(frozen=True)
class EventResponse:
    """marts.mart_event_trade_response: one supplier's exports before and after a measure."""

    event_id: str
    exporter_iso3: str
    supplier_role: str
    pre_year: int
    post_year: int
    pre_value_usd: float | None
    post_value_usd: float | None
    change_pct: float | None


@dataclass(frozen=True)
class EventResponseSummary:
    """marts.mart_event_trade_response_by_importer: the importer's imports of a measure's scope
    from the imposing country and from the others, before and after it."""

    event_id: str
    pre_year: int
    post_year: int
    restricting_pre_usd: float | None
    restricting_post_usd: float | None
    restricting_change_pct: float | None
    other_pre_usd: float | None
    other_post_usd: float | None
    other_change_pct: float | None
    restricting_share_pre: float | None
    restricting_share_post: float | None


@dataclass(frozen=True)
class AlternativeSupplier:
    """marts.mart_alternative_suppliers: a ranked candidate supplier of a stage."""

    year: int
    stage: str
    candidate_rank: int
    candidate_iso3: str
    ranking_score: float
    world_export_share: float | None
    production_share: float | None
    reserves_share: float | None
    governance_risk_0_10: float | None
    current_import_share: float | None
    restricts_exports: bool
    restricting_event_ids: list[str] | None


@dataclass(frozen=True)
class SupplyShock:
    """marts.mart_supply_shock: what a scenario's halt takes from the importer at a stage."""

    scenario_id: str
    stage: str
    base_year: int
    halted_exporter_iso3: str
    imports_usd: float | None
    shortfall_usd: float | None
    shortfall_share: float | None
    shortfall_t: float | None
    coverable_usd: float | None
    coverable_share: float | None
    stockpile_t: float | None
    stockpile_is_illustrative: bool | None
    months_of_cover: float | None


# --------------------------------------------------------------------------- report


@dataclass
class MineralData:
    """Everything the sections show for one mineral; a None list means the mart is absent."""

    mineral: str
    stage_codes: dict[str, list[str]]
    # The mineral's HS6 codes that have trade rows in the warehouse (any importer, any year).
    loaded_codes: set[str]
    supplier_shares: list[SupplierShare]
    import_dependency: list[ImportDependency]
    production: list[Production]
    events: list[PolicyEvent]
    exposure: list[Exposure] | None
    event_response: list[EventResponse] | None
    event_response_summary: list[EventResponseSummary] | None
    alternatives: list[AlternativeSupplier] | None
    shocks: list[SupplyShock] | None
    scenarios: dict[str, str] = field(default_factory=dict)
    # dim_mineral: where a mineral without an HS6 code of its own trades
    hs6_note: str | None = None

    @property
    def has_imports(self) -> bool:
        return any(row.import_value_usd > 0 for row in self.import_dependency)

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


Row = TypeVar("Row")


def _rows(
    con: duckdb.DuckDBPyConnection, row: type[Row], sql: str, params: Sequence[Any] = ()
) -> list[Row]:
    """The query's rows as `row` dataclasses; its columns must be the dataclass's fields."""
    cursor = con.execute(sql, list(params))
    columns = [d[0] for d in cursor.description]
    expected = [f.name for f in fields(row)]  # type: ignore[arg-type]
    if sorted(columns) != sorted(expected):
        raise ValueError(
            f"{row.__name__}: the query returns columns {columns}, the dataclass expects "
            f"{expected}; make the select list name the dataclass's fields"
        )
    return [row(**dict(zip(columns, values, strict=True))) for values in cursor.fetchall()]


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
                    # The largest stage's imports in the mineral's latest year (max_by over
                    # the year alone would pick one of that year's stage rows at random).
                    "select mineral from (select mineral, year, import_value_usd, "
                    "max(year) over (partition by mineral) as latest_year "
                    "from marts.mart_import_dependency where importer_iso3 = ? "
                    "and trade_source = 'baci' and frequency = 'annual') "
                    "where year = latest_year "
                    "group by mineral order by max(import_value_usd) desc, mineral",
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

    def optional(table: str, row: type[Row], sql: str, params: Sequence[Any]) -> list[Row] | None:
        return _rows(con, row, sql, params) if table in tables else None

    events = _rows(
        con,
        PolicyEvent,
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
    event_ids = [e.event_id for e in events]
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
        supplier_shares=_rows(
            con,
            SupplierShare,
            "select year, stage, exporter_iso3, value_usd, share, rank "
            "from marts.mart_supplier_shares where importer_iso3 = ? and mineral = ? "
            "and trade_source = 'baci' and frequency = 'annual' order by stage, year, rank",
            [iso3, mineral],
        ),
        import_dependency=_rows(
            con,
            ImportDependency,
            "select year, stage, import_value_usd, supplier_count, top_supplier_iso3, "
            "top_supplier_share, hhi, china_share from marts.mart_import_dependency "
            "where importer_iso3 = ? and mineral = ? and trade_source = 'baci' "
            "and frequency = 'annual' order by stage, year",
            [iso3, mineral],
        ),
        production=_rows(
            con,
            Production,
            "select year, production_type, world_total, unit, hhi, top1_iso3, top1_share, "
            "top3_share, china_share, country_count from marts.mart_production_concentration "
            "where mineral = ? and production_source = 'usgs_mcs' order by production_type, year",
            [mineral],
        ),
        events=events,
        exposure=optional(
            "mart_policy_exposure",
            Exposure,
            "select event_id, effective_date, reference_year, exposed_imports_usd, "
            "scope_imports_usd, exposure_share, is_upper_bound, upper_bound_reason "
            "from marts.mart_policy_exposure where importer_iso3 = ? "
            "and trade_source = 'baci' and frequency = 'annual' "
            "and (list_contains(scope_minerals, ?) or list_contains(?, event_id)) "
            "order by effective_date, event_id",
            [iso3, mineral, event_ids],
        ),
        event_response=optional(
            "mart_event_trade_response",
            EventResponse,
            "select event_id, exporter_iso3, supplier_role, pre_year, post_year, pre_value_usd, "
            "post_value_usd, change_pct "
            "from marts.mart_event_trade_response where importer_iso3 = ? "
            "and list_contains(?, event_id) order by event_id, supplier_role desc, "
            "pre_value_usd desc",
            [iso3, event_ids],
        ),
        event_response_summary=optional(
            "mart_event_trade_response_by_importer",
            EventResponseSummary,
            "select event_id, pre_year, post_year, restricting_pre_usd, restricting_post_usd, "
            "restricting_change_pct, other_pre_usd, other_post_usd, other_change_pct, "
            "restricting_share_pre, restricting_share_post "
            "from marts.mart_event_trade_response_by_importer where importer_iso3 = ? "
            "and list_contains(?, event_id) order by event_id",
            [iso3, event_ids],
        ),
        alternatives=optional(
            "mart_alternative_suppliers",
            AlternativeSupplier,
            "select year, stage, candidate_rank, candidate_iso3, ranking_score, "
            "world_export_share, production_share, reserves_share, governance_risk_0_10, "
            "current_import_share, restricts_exports, restricting_event_ids "
            "from marts.mart_alternative_suppliers where importer_iso3 = ? "
            "and mineral = ? and year = (select max(year) from marts.mart_alternative_suppliers "
            "where importer_iso3 = ? and mineral = ?) order by stage, candidate_rank",
            [iso3, mineral, iso3, mineral],
        ),
        shocks=optional(
            "mart_supply_shock",
            SupplyShock,
            "select scenario_id, stage, base_year, halted_exporter_iso3, imports_usd, "
            "shortfall_usd, shortfall_share, shortfall_t, coverable_usd, coverable_share, "
            "stockpile_t, stockpile_is_illustrative, months_of_cover "
            "from marts.mart_supply_shock where importer_iso3 = ? and mineral = ? "
            "order by scenario_id, stage",
            [iso3, mineral],
        ),
        scenarios=scenarios,
        hs6_note=_hs6_note(con, mineral),
    )


def _hs6_note(con: duckdb.DuckDBPyConnection, mineral: str) -> str | None:
    if "dim_mineral" not in _tables(con, "marts"):
        return None
    row = con.execute("select hs6_note from marts.dim_mineral where mineral = ?", [mineral])
    found = row.fetchone()
    return found[0] if found else None
