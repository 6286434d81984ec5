"""Bad BACI input: every malformed file raises a message naming the file and what was expected,
or its rows are quarantined with a reason; nothing is dropped silently, and a failed load leaves
the warehouse as it was."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from repo_paths import FIXTURES

from ingest._result import FileRead, SourceRead
from ingest.baci.reader import read_baci_folder, read_baci_trade_file
from warehouse.load import load_source_read

BAD = FIXTURES / "bad_input"
GOOD = FIXTURES / "baci" / "BACI_HS17_Y2023_V202501.csv"


def bad(name: str) -> Path:
    return BAD / f"BACI_HS17_Y2023_V202501_{name}.csv"


def reasons(path: Path) -> dict[int, str]:
    result, read = read_baci_trade_file(path)
    assert read.rows_in == read.rows_loaded + read.rows_rejected + read.rows_out_of_scope
    return dict(zip(result.rejects["source_line"], result.rejects["reason"], strict=True))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("empty", "file is empty; expected a header line `t,i,j,k,v,q`"),
        ("missing_column", "header lacks column(s) q; expected the header `t,i,j,k,v,q`"),
        ("semicolon", "the header looks ';'-separated; BACI uses commas"),
    ],
)
def test_unreadable_files_raise_naming_file_and_expectation(name: str, expected: str) -> None:
    with pytest.raises(ValueError, match=re.escape(expected)) as error:
        read_baci_trade_file(bad(name))
    assert str(bad(name)) in str(error.value)


def test_truncated_last_line_is_quarantined_not_loaded() -> None:
    # `2023,842,251,260500,7` has no line end: its value may be cut short (7 of 7xx), so it
    # must not load, although every field parses.
    result, read = read_baci_trade_file(bad("truncated"))
    assert (read.rows_in, read.rows_loaded, read.rows_rejected) == (2, 1, 1)
    assert reasons(bad("truncated")) == {
        3: "last line has no line end: the file looks truncated; "
        "expected every record to end with a newline"
    }
    assert result.rejects["raw_record"].to_list() == ["2023,842,251,260500,7,"]


def test_extra_column_is_ignored_and_known_columns_load() -> None:
    result, read = read_baci_trade_file(bad("extra_column"))
    assert (read.rows_loaded, read.rows_rejected) == (2, 0)
    assert result.rows.select("hs6", "value_usd", "quantity_t").rows() == [
        ("284690", 12500.0, 3.2),
        ("260500", 7000.0, None),
    ]


def test_bad_values_and_duplicates_are_quarantined_with_reasons() -> None:
    assert reasons(bad("bad_values")) == {
        3: "v 'abc' is not a number; expected a number (thousand USD)",
        4: "v -3 is negative; expected a value >= 0",
        5: "duplicate key (t=2023, i=156, j=699, k=284690), first loaded from line 2",
        6: "q 'x1' is not a number; expected metric tonnes, empty or NA",
    }


def test_unknown_historical_and_area_country_codes() -> None:
    result, _ = read_baci_trade_file(bad("countries"))
    # 58 Belgium-Luxembourg has one faithful successor (BEL) and loads as published
    assert result.rows.select("source_line", "exporter_code").rows() == [(4, 58)]
    got = reasons(bad("countries"))
    assert got[2].startswith("unknown BACI country code 999 (exporter i)")
    assert got[3].startswith("BACI country code 810 (exporter i) is not mapped to a country: USSR")
    assert got[5].startswith(
        "BACI country code 697 (importer j) is not mapped to a country: Europe"
    )


def test_malformed_hs_codes_are_quarantined_not_out_of_scope() -> None:
    _, read = read_baci_trade_file(bad("hs_codes"))
    # ABC123, 2846900 and an empty k are rejected; 10121 (horses) is out of scope
    assert (read.rows_in, read.rows_loaded, read.rows_rejected, read.rows_out_of_scope) == (
        5,
        1,
        3,
        1,
    )
    assert reasons(bad("hs_codes")) == {
        2: "k 'ABC123' is not an HS6 code; expected 1 to 6 digits",
        3: "k '2846900' is not an HS6 code; expected 1 to 6 digits",
        4: "k '' is not an HS6 code; expected 1 to 6 digits",
    }


def test_non_utf8_bytes_are_replaced_and_their_rows_quarantined() -> None:
    result, read = read_baci_trade_file(bad("latin1"))
    got = reasons(bad("latin1"))
    assert got[2] == "v '1\ufffd' is not a number; expected a number (thousand USD)"
    assert got[3] == "k '26050\ufffd' is not an HS6 code; expected 1 to 6 digits"
    # line 4 (horses, C\xf4te in v) is out of scope; line 5 loads
    assert result.rows["source_line"].to_list() == [5]
    assert read.rows_out_of_scope == 1


def _raw_state(con: duckdb.DuckDBPyConnection) -> tuple[list[tuple], list[tuple], list[tuple]]:
    return (
        con.execute("select * from raw.baci_trade order by source_file, source_line").fetchall(),
        con.execute(
            "select source_file, source_line, reason from raw.quarantine order by all"
        ).fetchall(),
        con.execute("select source_file, rows_in from raw.load_log order by all").fetchall(),
    )


def test_failed_loads_leave_the_previous_warehouse_intact(tmp_path: Path) -> None:
    good_dir = tmp_path / "good"
    good_dir.mkdir()
    shutil.copy(GOOD, good_dir / GOOD.name)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_source_read(con, read_baci_folder(good_dir))
    before = _raw_state(con)
    assert len(before[0]) == 5 and len(before[1]) == 7

    # 1. a folder holding an unreadable file: the read fails before anything is written
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    shutil.copy(bad("semicolon"), bad_dir / "BACI_HS17_Y2024_V202501.csv")
    with pytest.raises(ValueError, match="BACI uses commas"):
        load_source_read(con, read_baci_folder(bad_dir))
    assert _raw_state(con) == before

    # 2. a read whose rows cannot be inserted: the transaction is rolled back
    broken = read_baci_folder(good_dir)
    trade = broken.tables["baci_trade"].drop("value_usd")
    broken = SourceRead(
        source=broken.source,
        tables={**broken.tables, "baci_trade": trade},
        rejects=broken.rejects,
        files=broken.files,
    )
    with pytest.raises(ValueError, match=re.escape("rows for raw.baci_trade lack columns")):
        load_source_read(con, broken)
    assert _raw_state(con) == before

    # 3. counts that do not add up are refused before the transaction starts
    miscounted = SourceRead(
        source="baci",
        tables=read_baci_folder(good_dir).tables,
        rejects=pl.DataFrame(schema=broken.rejects.schema),
        files=(FileRead(path=good_dir / GOOD.name, rows_in=99, rows_loaded=5, rows_rejected=0),),
    )
    with pytest.raises(RuntimeError, match="99 rows read"):
        load_source_read(con, miscounted)
    assert _raw_state(con) == before
    con.close()
