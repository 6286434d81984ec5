"""The policy register's raw tables: polars schemas of the reader's frames."""

from __future__ import annotations

import polars as pl

from ingest.source import RawTable

POLICY_EVENTS_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.Utf8(),
    "imposing_iso3": pl.Utf8(),
    "legal_reference": pl.Utf8(),
    "title": pl.Utf8(),
    "measure_type": pl.Utf8(),
    "announced_date": pl.Date(),
    "effective_date": pl.Date(),
    "suspended_from": pl.Date(),
    "suspended_until": pl.Date(),
    "revoked_date": pl.Date(),
    "elements": pl.List(pl.Utf8()),
    "minerals": pl.List(pl.Utf8()),
    "status": pl.Utf8(),
    "source_url": pl.Utf8(),
    "notes": pl.Utf8(),
    "source": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
}
POLICY_EVENT_HS6_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.Utf8(),
    "hs6": pl.Utf8(),
    "source_file": pl.Utf8(),
}
POLICY_EVENT_TARGETS_SCHEMA: dict[str, pl.DataType] = {
    "event_id": pl.Utf8(),
    "target_iso3": pl.Utf8(),
    "source_file": pl.Utf8(),
}

RAW_TABLES: tuple[RawTable, ...] = (
    RawTable(
        "policy_events",
        POLICY_EVENTS_SCHEMA,
        not_null=frozenset(
            {
                "event_id",
                "imposing_iso3",
                "measure_type",
                "status",
                "source",
                "source_file",
                "source_line",
            }
        ),
    ),
    RawTable(
        "policy_event_hs6",
        POLICY_EVENT_HS6_SCHEMA,
        not_null=frozenset({"event_id", "hs6", "source_file"}),
    ),
    RawTable(
        "policy_event_targets",
        POLICY_EVENT_TARGETS_SCHEMA,
        not_null=frozenset({"event_id", "target_iso3", "source_file"}),
    ),
)
