"""Mineral coverage of a built warehouse, for the run summary: how many minerals have trade,
production and policy events in the marts, and which USGS MCS files map to no mineral and why."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

# Distinct minerals per mart; a mart the run did not build counts as absent (None).
_MINERAL_COUNTS: dict[str, tuple[str, str]] = {
    "reference": ("dim_mineral", "select count(*) from marts.dim_mineral"),
    "trade": ("fct_trade_flows", "select count(distinct mineral) from marts.fct_trade_flows"),
    "production": (
        "mart_production_concentration",
        "select count(distinct mineral) from marts.mart_production_concentration",
    ),
    "events": (
        "dim_policy_event",
        "select count(distinct mineral) from "
        "(select unnest(minerals) as mineral from marts.dim_policy_event)",
    ),
}


@dataclass(frozen=True)
class UnmappedFile:
    """A USGS MCS world file whose lines carry no mineral."""

    source_file: str
    commodity_code: str | None
    lines: int
    reason: str


@dataclass(frozen=True)
class MineralCoverage:
    """Minerals per kind of data (None: the mart was not built) and the unmapped USGS files."""

    minerals: dict[str, int | None] = field(default_factory=dict)
    unmapped_usgs_files: tuple[UnmappedFile, ...] = ()

    def summary_lines(self) -> list[str]:
        if not self.minerals:
            return []
        counts = ", ".join(
            f"{kind} {'-' if count is None else count}" for kind, count in self.minerals.items()
        )
        lines = [f"  minerals:    {counts}"]
        if self.unmapped_usgs_files:
            lines.append(
                f"  USGS MCS files mapped to no mineral: {len(self.unmapped_usgs_files)} "
                "(lines kept in raw.usgs_mcs_world with mineral NULL)"
            )
            for unmapped in self.unmapped_usgs_files:
                lines.append(
                    f"    {unmapped.source_file} ({unmapped.commodity_code}, {unmapped.lines} "
                    f"line(s)): {unmapped.reason}"
                )
        return lines


def mineral_coverage(con: duckdb.DuckDBPyConnection) -> MineralCoverage:
    """Read the counts from the marts and the unmapped files from raw.usgs_mcs_world."""
    tables = {
        (schema, name)
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    minerals: dict[str, int | None] = {}
    for kind, (table, sql) in _MINERAL_COUNTS.items():
        minerals[kind] = con.execute(sql).fetchone()[0] if ("marts", table) in tables else None
    unmapped: tuple[UnmappedFile, ...] = ()
    if ("raw", "usgs_mcs_world") in tables:
        # Imported here: the USGS reader loads polars and the mineral reference, which the
        # `critmin` command needs only when a run summary lists unmapped files.
        from ingest.usgs_mcs.world import unmapped_reason

        rows = con.execute(
            "select source_file, any_value(commodity_code), count(distinct source_line) "
            "from raw.usgs_mcs_world where mineral is null "
            "group by source_file order by source_file"
        ).fetchall()
        unmapped = tuple(
            UnmappedFile(name, code, lines, unmapped_reason(code)) for name, code, lines in rows
        )
    return MineralCoverage(minerals=minerals, unmapped_usgs_files=unmapped)
