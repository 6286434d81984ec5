"""Fingerprints of the published marts, to hold them identical across changes that must not alter
them (a refactor, a new engine, a faster path).

A mart's fingerprint: its columns with their types, its row count, the sum of a hash of each row's
exact columns (everything but the floating ones), so that row order does not matter, and for each
floating column its null count, its sum and its sum weighted by a number drawn from the row's
exact columns (so that values moved to other rows show). The sums are compared within 1e-9 of
the size of their terms: DuckDB sums in parallel, and the last bits of a floating sum depend on
the order its threads finish in; so a change of one floating value smaller than a billionth of its
column's total passes. `tests/fixtures/mart_fingerprints.json` holds the recorded fingerprints of
the demo and of the real starter data; after a change meant to alter the marts, record them anew
with `CRITMIN_WRITE_FINGERPRINTS=1` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

RECORDED = Path(__file__).parent / "fixtures" / "mart_fingerprints.json"
WRITE_ENV = "CRITMIN_WRITE_FINGERPRINTS"
FLOATING = ("DOUBLE", "FLOAT")
REL_TOL = 1e-9
_FLOATING_FIGURES = ("nulls", "not_finite", "sum", "weighted_sum", "weighted_abs_sum")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def fingerprints(warehouse: Path) -> dict[str, dict[str, object]]:
    """The fingerprint of every table of the warehouse's `marts` schema."""
    found = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        marts = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        for mart in marts:
            columns = [(row[0], row[1]) for row in con.execute(f"describe marts.{mart}").fetchall()]
            exact = [_quoted(name) for name, kind in columns if kind not in FLOATING] or ["1"]
            floating = [_quoted(name) for name, kind in columns if kind in FLOATING]
            weight = f"(hash({', '.join(exact)}) % 997 + 1)"
            parts = ["count(*)", f"coalesce(sum(hash({', '.join(exact)})), 0)"]
            for column in floating:
                finite = f"case when isfinite({column}) then {column} end"
                parts += [
                    f"count(*) - count({column})",
                    f"count({column}) - count({finite})",
                    f"coalesce(sum({finite}), 0)",
                    f"coalesce(sum({finite} * {weight}), 0)",
                    f"coalesce(sum(abs({finite}) * {weight}), 0)",
                ]
            values = con.execute(f"select {', '.join(parts)} from marts.{mart}").fetchone()
            rows, digest, *sums = values
            found[mart] = {
                "columns": [f"{name} {kind}" for name, kind in columns],
                "rows": rows,
                "exact_row_hash_sum": str(digest),
                "floating": {
                    column.strip('"'): dict(
                        zip(_FLOATING_FIGURES, sums[5 * i : 5 * i + 5], strict=True)
                    )
                    for i, column in enumerate(floating)
                },
            }
    return found


def _differences(expected: dict, found: dict) -> list[str]:
    differing = []
    for key in ("columns", "rows", "exact_row_hash_sum"):
        if expected[key] != found[key]:
            differing.append(f"{key}: recorded {expected[key]}, now {found[key]}")
    for column, recorded in expected["floating"].items():
        now = found["floating"].get(column)
        if now is None:
            continue  # a column change is reported above
        # A sum of terms of both signs may cancel to nearly 0: its noise is relative to the
        # size of the terms, which the weighted sum of absolute values bounds.
        scale = max(abs(recorded["weighted_abs_sum"]), abs(now["weighted_abs_sum"]))
        for key, value in recorded.items():
            if isinstance(value, float):
                same = abs(value - now[key]) <= REL_TOL * scale + 1e-12
            else:
                same = value == now[key]
            if not same:
                differing.append(f"{column} {key}: recorded {value!r}, now {now[key]!r}")
    return differing


def assert_marts_are_the_recorded_ones(warehouse: Path, dataset: str) -> None:
    """Compare the marts of `warehouse` with the fingerprints recorded for `dataset` (or record
    them, with `CRITMIN_WRITE_FINGERPRINTS=1`)."""
    found = fingerprints(warehouse)
    recorded = json.loads(RECORDED.read_text(encoding="utf-8")) if RECORDED.exists() else {}
    if os.environ.get(WRITE_ENV):
        recorded[dataset] = found
        RECORDED.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")
        return
    assert dataset in recorded, f"no fingerprints recorded for {dataset}: set {WRITE_ENV}=1"
    expected = recorded[dataset]
    assert sorted(found) == sorted(expected), "the marts themselves differ"
    differing = {
        mart: problems
        for mart in sorted(found)
        if (problems := _differences(expected[mart], found[mart]))
    }
    assert not differing, f"marts differ from the recorded {dataset} build: {differing}"
