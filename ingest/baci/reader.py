"""CEPII BACI readers: yearly bilateral trade files and their companion code files.

Trade files (`BACI_HS17_Y2023_V202501.csv`) have the header `t,i,j,k,v,q`: year, exporter and
importer BACI country codes, HS6 product, value in thousand USD (FOB) and quantity in metric
tonnes (empty or `NA`, sometimes space-padded, when unknown). Real files write HS6 codes without
their leading zero (`10121` for `010121`); codes are zero-padded to 6 digits before anything else.

What counts as a row: every physical line after the header is one data row, except lines whose
fields are all empty after trimming whitespace (an empty line, or a line of commas); those are
not rows and appear in no count. Line numbers are physical: the header is line 1. BACI quotes no
field, so a record never spans two lines.

Each data row of a trade file ends up in exactly one place:
- out of scope: its zero-padded `k` is an HS6 code outside `scope_codes(revision)` (the critical
  codes of commodities.csv plus the codes of the file's HS revision that concord to one of them,
  see ingest.reference.hs_concordance);
- rejected (REJECT_SCHEMA, `raw_record` = the line's fields joined by commas): a row whose `k` is
  not an HS6 code (empty, not numeric, more than six digits), or an in-scope row with a missing or
  non-numeric `t`, `i`, `j` or `v`, a `q` that is neither a number, empty nor `NA`, a negative `v`
  or `q`, a year other than the file name's `Y<year>`, an exporter or importer code that is
  unknown or names no single country (BACI_UNMAPPED_CODES, e.g. 810 USSR, 697 "Europe EFTA, nes"),
  a key (t, i, j, k) already loaded from an earlier line of the same file, or an unterminated last
  line (a truncated file);
- loaded: every other in-scope row. Historical codes with one faithful successor
  (BACI_HISTORICAL_CODES, e.g. 58 Belgium-Luxembourg -> BEL) load as published.
So `rows_in = rows_loaded + rows_rejected + rows_out_of_scope` for every file.

The file is read once, in 16 MB blocks of whole lines, so memory stays flat whatever the file
size. Polars parses only the `k` column of each block and keeps the rows whose `k` may be a
candidate (its UInt32 value is a scope code, or it is not a plain number of at most six bytes:
a superset of the in-scope, not-a-code and blank rows, well under 1% of a year file); the lines
of those rows are cut out of the block and parsed as text (no quoting, invalid UTF-8 bytes
replaced by U+FFFD so their rows are rejected, not fatal), then classified exactly and validated
as above. A helper thread reads the next block, adds it to the file's SHA-256 (the load log's
checksum, so the loader need not read the file again) and finds its line ends meanwhile.
Files that cannot be read at all (no header, missing columns, another delimiter, a polars parse
error) raise a ValueError naming the file and the expected format.

Code files: `country_codes_V<release>.csv` (two layouts, see COUNTRY_CODE_LAYOUTS) and
`product_codes_HS<rev>_V<release>.csv` (`code,description`, quoted or not). Their data rows are
loaded or rejected (non-numeric or duplicate code); blank lines are not rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from ingest._result import REJECT_SCHEMA, FileRead, ReadResult, SourceRead, empty_rejects
from ingest.baci import (
    COUNTRY_CODES_FILE,
    PRODUCT_CODES_FILE,
    TRADE_FILE,
    hs_revision_from_product_name,
    hs_revision_from_trade_name,
    year_from_trade_name,
)
from ingest.baci.schema import (
    BACI_COUNTRY_CODES_SCHEMA,
    BACI_HISTORICAL_CODES_SCHEMA,
    BACI_PRODUCT_CODES_SCHEMA,
    BACI_TRADE_SCHEMA,
)
from ingest.reference import lookup as reference

TRADE_COLUMNS: tuple[str, ...] = ("t", "i", "j", "k", "v", "q")


# Output column -> file column, per release layout of country_codes_V*.csv.
COUNTRY_CODE_LAYOUTS: dict[str, dict[str, str]] = {
    "V202301": {
        "country_code": "country_code",
        "country_name": "country_name_abbreviation",
        "iso2": "iso_2digit_alpha",
        "iso3": "iso_3digit_alpha",
    },
    "V202501": {
        "country_code": "country_code",
        "country_name": "country_name",
        "iso2": "country_iso2",
        "iso3": "country_iso3",
    },
}
# BACI country codes of former or combined reporters that are not in countries.csv (one code per
# ISO3 there). Each maps to one successor only where BACI's own code file gives that ISO3 and the
# successor covers the same territory for the years BACI uses the code.
BACI_HISTORICAL_CODES: dict[int, tuple[str, str]] = {
    58: ("BEL", "Belgium-Luxembourg, one customs union reporting jointly until 1998 (BACI: BEL)"),
    280: ("DEU", "Federal Republic of Germany before reunification in 1990 (BACI: DEU)"),
    711: ("ZAF", "Southern African Customs Union, reported by South Africa until 1999 (BACI: ZAF)"),
    736: ("SDN", "Sudan before the secession of South Sudan in 2011 (BACI: SDN)"),
}
# BACI codes that name no single present-day country: their rows are rejected with this reason.
BACI_UNMAPPED_CODES: dict[int, str] = {
    200: "Czechoslovakia, dissolved in 1993 into CZE and SVK; no single successor",
    278: "German Democratic Republic, merged into DEU in 1990; a part of DEU, not its equivalent",
    530: "Netherlands Antilles, dissolved in 2010 into CUW, SXM and BES; no single successor",
    697: "Europe EFTA, nes: an area aggregate of unallocated EFTA trade, not a country",
    810: "USSR, dissolved in 1991 into 15 states; no single successor",
    891: "Serbia and Montenegro, separated in 2006 into SRB and MNE; no single successor",
}
PRODUCT_CODE_COLUMNS: tuple[str, ...] = ("code", "description")
# Placeholders BACI prints where a country has no ISO code ("Other Asia, nes").
_MISSING_ISO = frozenset({"", "N/A", "NA"})


_INDEX = "_index"
_LINE = "_line"
_FIRST_DATA_LINE = 2  # the header is line 1
_NEWLINE = ord("\n")
# Bytes of whole lines parsed at a time: bounds memory whatever the file size (16 MB ~ 500k rows).
BLOCK_BYTES = 16 << 20


# --- trade files -----------------------------------------------------------------------------


def read_baci_trade_file(path: Path, source: str = "baci") -> tuple[ReadResult, FileRead]:
    """Read one BACI trade file, keeping only critical-mineral HS6 rows (see module docstring)."""
    _check_trade_header(path)
    revision = hs_revision_from_trade_name(path.name)
    physical_rows, candidates, checksum = _scan_candidates(path, scope_codes(revision))
    blank = ~candidates["_non_blank"]
    rows_in = physical_rows - int(blank.sum())
    in_scope = candidates.filter(pl.col("_in_scope") & pl.col("_non_blank")).drop(
        "_non_blank", "_in_scope"
    )
    typed = _typed_trade_rows(in_scope.sort(_LINE))
    problems = _trade_problems(typed, path.name)
    rows = _trade_rows(typed, problems, path.name, source)
    rejects = _trade_rejects(typed, problems, path.name)
    read = FileRead(
        path=path,
        rows_in=rows_in,
        rows_loaded=rows.height,
        rows_rejected=rejects.height,
        rows_out_of_scope=rows_in - in_scope.height,
        checksum_sha256=checksum,
    )
    _check_counts(read)
    return ReadResult(rows=rows, rejects=rejects), read


def scope_codes(revision: str | None) -> frozenset[str]:
    """HS6 codes a trade file of `revision` keeps: the critical codes of the reporting revision
    and every code of `revision` that concords to one of them (ingest.reference.hs_concordance)."""
    from ingest.reference import hs_concordance

    return reference.critical_hs6_codes() | hs_concordance.critical_source_codes(revision)


def _scan_candidates(path: Path, codes: frozenset[str]) -> tuple[int, pl.DataFrame, str]:
    """(physical data lines, candidate rows with their line numbers and markers, SHA-256 of the
    file's bytes).

    The file is read once, in blocks of whole lines (BLOCK_BYTES), so memory does not grow with
    the file. A helper thread reads the next block, adds it to the checksum and finds its line
    ends while polars parses the current one (file reads, hashlib, numpy and polars release the
    GIL); at most two blocks are held at a time. Candidates are rows whose zero-padded `k` is in
    `codes`, rows whose `k` is not an HS6 code (among them the blank lines, subtracted from the
    count), and an unterminated last line (a truncated file). Polars parse errors become a
    ValueError naming the file.
    """
    names = _unique_names(_header_names(path) or list(TRADE_COLUMNS))
    prefilter = _candidate_prefilter(codes)
    digest = hashlib.sha256()
    chunks = _file_chunks(path)
    physical_rows = 0
    parts: list[pl.DataFrame] = []
    try:
        with ThreadPoolExecutor(max_workers=1) as helper:
            upcoming = helper.submit(_next_chunk, chunks, digest)
            while (chunk := upcoming.result()) is not None:
                upcoming = helper.submit(_next_chunk, chunks, digest)
                if chunk.ends is None:  # unterminated: the last line alone, all of it a candidate
                    part = _block_scan(chunk.data, names, codes, physical_rows, False).collect()
                    physical_rows += chunk.data.count(b"\n") + 1
                else:
                    part = _block_candidates(
                        chunk.data, chunk.ends, names, codes, prefilter, physical_rows
                    )
                    physical_rows += len(chunk.ends)
                parts.append(part)
    except pl.exceptions.PolarsError as error:
        text = str(error).strip()
        detail = text.splitlines()[0] if text else type(error).__name__
        raise ValueError(
            f"{path}: cannot be parsed as a BACI trade file ({detail}); expected "
            f"comma-separated text with the header `{','.join(TRADE_COLUMNS)}`"
        ) from error
    finally:
        chunks.close()  # leaving the `with` waited for the helper's last read
    if not parts:
        parts.append(_block_scan(b"", names, codes, 0, True).collect())
    return physical_rows, pl.concat(parts), digest.hexdigest()


@dataclass(frozen=True)
class _Chunk:
    """A block of data lines, and the offsets of its line ends (None when unterminated)."""

    data: bytes
    terminated: bool
    ends: np.ndarray | None


def _next_chunk(chunks: Iterator[tuple[bytes, bool, bool]], digest: Any) -> _Chunk | None:
    """The next block of data lines, every byte read (header included) added to `digest`;
    None at the end of the file. Runs on the helper thread, one call at a time."""
    for data, is_data, terminated in chunks:
        digest.update(data)
        if is_data:
            if not terminated:
                return _Chunk(data, terminated, None)
            ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == _NEWLINE)
            return _Chunk(data, terminated, ends)
    return None


def _file_chunks(path: Path) -> Iterator[tuple[bytes, bool, bool]]:
    """The whole file as (bytes, is data, ends with a line end): the header line first, then
    the data lines in blocks of whole lines. The chunks joined are the file, byte for byte.

    A block ends at the last line end within BLOCK_BYTES; the next read starts right after it.
    Only the last block can be unterminated: it is then the file's last line alone (or a single
    line longer than BLOCK_BYTES, read whole).
    """
    with path.open("rb") as handle:
        yield handle.readline(), False, True  # the header, checked by _check_trade_header
        while data := handle.read(BLOCK_BYTES):
            cut = data.rfind(b"\n") + 1
            if cut == len(data):
                yield data, True, True
            elif cut:
                handle.seek(cut - len(data), 1)
                yield data[:cut], True, True
            else:
                rest = data + handle.readline()
                yield rest, True, rest.endswith(b"\n")


def _candidate_prefilter(codes: frozenset[str]) -> pl.Expr:
    """A cheap test on the raw `k` text that every candidate row passes (as do a few others).

    `k` cast to UInt32 is null for empty, non-numeric, negative or space-padded text; otherwise
    its value is one of `codes` exactly when the zero-padded code is (`10121` and `010121` both
    give 10121), and text longer than six bytes may be a zero-padded overlong code. The exact
    classification (`_mark`) is made afterwards on the text of the rows that pass.
    """
    number = pl.col("k").cast(pl.UInt32, strict=False)
    wanted = pl.Series([int(code) for code in codes], dtype=pl.UInt32).implode()
    return number.is_null() | number.is_in(wanted) | (pl.col("k").str.len_bytes() > 6)


def _block_candidates(
    block: bytes,
    ends: np.ndarray,
    names: list[str],
    codes: frozenset[str],
    prefilter: pl.Expr,
    rows_before: int,
) -> pl.DataFrame:
    """Candidate rows of a block of whole lines whose line ends are at offsets `ends`.

    Polars parses only the `k` column of the block to pick the rows that may be candidates
    (`_candidate_prefilter`); the lines of those rows are then cut out of the block, parsed as
    text and marked exactly as a whole block would be (`_block_scan`). If polars' row count
    disagrees with the line ends, the whole block is parsed as text instead.
    """
    found = (
        _text_scan(block, names, 0)
        .select(pl.col(_LINE).filter(prefilter).implode().alias("picked"), pl.len().alias("n"))
        .collect()
    )
    picked = found["picked"][0].to_numpy() - _FIRST_DATA_LINE
    if found["n"][0] == len(ends):
        starts = np.concatenate(([0], ends[:-1] + 1))[picked].tolist()
        stops = (ends[picked] + 1).tolist()
        lines = b"".join([block[start:stop] for start, stop in zip(starts, stops, strict=True)])
        text = _text_scan(lines, names, 0).collect()
        if text.height == len(picked):
            numbers = pl.Series(_LINE, picked + (rows_before + _FIRST_DATA_LINE), dtype=pl.Int64)
            return _mark(text.with_columns(numbers).lazy(), codes, terminated=True).collect()
    return _block_scan(block, names, codes, rows_before, True).collect()


def _text_scan(data: bytes, names: list[str], rows_before: int) -> pl.LazyFrame:
    """`_line` and the trade columns of whole lines, every field as text (no quoting, invalid
    UTF-8 replaced); a line's number is its position in `data` after `rows_before` lines."""
    return pl.scan_csv(
        data,
        has_header=False,
        schema=dict.fromkeys(names, pl.Utf8()),
        quote_char=None,
        truncate_ragged_lines=True,
        missing_columns="insert",
        encoding="utf8-lossy",
        empty_string_is_null=False,
        row_index_name=_INDEX,
        row_index_offset=rows_before,
    ).select((pl.col(_INDEX).cast(pl.Int64) + _FIRST_DATA_LINE).alias(_LINE), *TRADE_COLUMNS)


def _block_scan(
    block: bytes, names: list[str], codes: frozenset[str], rows_before: int, terminated: bool
) -> pl.LazyFrame:
    """Candidate rows of one whole block parsed as text, marked by `_mark`."""
    return _mark(_text_scan(block, names, rows_before), codes, terminated)


def _mark(scan: pl.LazyFrame, codes: frozenset[str], terminated: bool) -> pl.LazyFrame:
    """Candidate rows with `_in_scope`, `_non_blank`, `_unterminated`.

    All rows of an unterminated block (the truncated last line) are candidates, in scope or not.
    """
    hs6_text = pl.col("k").str.strip_chars()
    in_scope = hs6_text.str.zfill(6).is_in(sorted(codes)).fill_null(False)
    # empty, non-numeric, negative or longer than six digits: not a code, so rejected, and the
    # only rows that can be blank lines (a cast is far cheaper than a regex on every row)
    not_a_code = hs6_text.cast(pl.UInt32, strict=False).is_null() | (hs6_text.str.len_bytes() > 6)
    non_blank = pl.any_horizontal(
        [pl.col(name).str.strip_chars().fill_null("").str.len_bytes() > 0 for name in TRADE_COLUMNS]
    )
    if terminated:
        scan = scan.filter(in_scope | not_a_code)
    return scan.with_columns(
        (in_scope | not_a_code | (not terminated)).alias("_in_scope"),
        non_blank.alias("_non_blank"),
        pl.lit(not terminated).alias("_unterminated"),
    )


def _unique_names(names: list[str]) -> list[str]:
    """Header names made unique (a repeated column gets a suffix), the first occurrence intact."""
    seen: dict[str, int] = {}
    unique: list[str] = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(name if count == 0 else f"{name}__{count}")
    return unique


def _check_trade_header(path: Path) -> None:
    header = _header_names(path)
    expected = ",".join(TRADE_COLUMNS)
    if header is None:
        raise ValueError(f"{path}: file is empty; expected a header line `{expected}`")
    missing = [column for column in TRADE_COLUMNS if column not in header]
    if missing:
        found = ",".join(header)
        separator = next((sep for sep in (";", "\t", "|") if sep in found), None)
        hint = f" (the header looks {separator!r}-separated; BACI uses commas)" if separator else ""
        raise ValueError(
            f"{path}, line 1: header lacks column(s) {', '.join(missing)}; "
            f"expected the header `{expected}`, found `{found}`{hint}"
        )


def _header_names(path: Path) -> list[str] | None:
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        first = handle.readline()
    if not first.strip():
        return None
    return _clean_column_names(first.rstrip("\r\n").split(","))


def _clean_column_names(names: list[str]) -> list[str]:
    """Header names without a byte-order mark, surrounding spaces or quotes."""
    return [name.lstrip("\ufeff").strip().strip('"').strip() for name in names]


def _typed_trade_rows(in_scope: pl.DataFrame) -> pl.DataFrame:
    """Typed candidates next to the text they came from (text kept for rejects)."""
    text = {name: pl.col(name).str.strip_chars().fill_null("") for name in TRADE_COLUMNS}
    quantity_text = text["q"]
    quantity_missing = (quantity_text == "") | (quantity_text.str.to_uppercase() == "NA")
    return in_scope.with_columns(
        _integer(text["t"]).alias("year"),
        _integer(text["i"]).alias("exporter_code"),
        _integer(text["j"]).alias("importer_code"),
        text["k"].str.zfill(6).alias("hs6"),
        _finite_float(text["v"]).alias("_value"),
        pl.when(quantity_missing)
        .then(None)
        .otherwise(_finite_float(quantity_text))
        .alias("quantity_t"),
        quantity_missing.alias("_quantity_missing"),
    )


def _integer(text: pl.Expr) -> pl.Expr:
    return pl.when(text.str.contains(r"^-?\d+$")).then(text.cast(pl.Int32, strict=False))


def _finite_float(text: pl.Expr) -> pl.Expr:
    number = text.cast(pl.Float64, strict=False)
    return pl.when(number.is_finite()).then(number)


def _trade_problems(typed: pl.DataFrame, file_name: str) -> pl.Series:
    """One reason per row ("; "-joined when several), null for rows that load."""
    file_year = year_from_trade_name(file_name)
    known_codes = _known_baci_codes(typed)
    checks = [
        pl.when(~pl.col("k").str.strip_chars().fill_null("").str.contains(r"^\d{1,6}$")).then(
            pl.format(
                "k '{}' is not an HS6 code; expected 1 to 6 digits",
                pl.col("k").str.strip_chars().fill_null(""),
            )
        ),
        _field_check("t", "year", "an integer year"),
        _field_check("i", "exporter_code", "an integer BACI country code"),
        _field_check("j", "importer_code", "an integer BACI country code"),
        _field_check("v", "_value", "a number (thousand USD)"),
        pl.when(pl.col("_value") < 0).then(
            pl.format("v {} is negative; expected a value >= 0", pl.col("v").str.strip_chars())
        ),
        pl.when(~pl.col("_quantity_missing") & pl.col("quantity_t").is_null()).then(
            pl.format(
                "q '{}' is not a number; expected metric tonnes, empty or NA",
                pl.col("q").str.strip_chars(),
            )
        ),
        pl.when(pl.col("quantity_t") < 0).then(
            pl.format("q {} is negative; expected a quantity >= 0", pl.col("q").str.strip_chars())
        ),
        _country_check("exporter_code", "exporter i", known_codes),
        _country_check("importer_code", "importer j", known_codes),
        pl.when(pl.col("_unterminated")).then(
            pl.lit(
                "last line has no line end: the file looks truncated; "
                "expected every record to end with a newline"
            )
        ),
    ]
    if file_year is not None:
        checks.append(
            pl.when(pl.col("year").is_not_null() & (pl.col("year") != file_year)).then(
                pl.concat_str(
                    pl.lit("t "),
                    pl.col("year").cast(pl.Utf8),
                    pl.lit(
                        f" differs from the year in the file name {file_name}; expected {file_year}"
                    ),
                )
            )
        )
    joined = pl.concat_str(checks, separator="; ", ignore_nulls=True)
    problems = typed.select(pl.when(joined != "").then(joined).alias("problem")).to_series()
    return _with_duplicate_problems(typed, problems)


def _field_check(field: str, typed: str, expected: str) -> pl.Expr:
    text = pl.col(field).str.strip_chars().fill_null("")
    return (
        pl.when(text == "")
        .then(pl.lit(f"{field} is empty; expected {expected}"))
        .when(pl.col(typed).is_null())
        .then(pl.format(f"{field} '{{}}' is not a number; expected {expected}", text))
    )


def _country_check(column: str, role: str, known_codes: list[int]) -> pl.Expr:
    code = pl.col(column)
    unmapped = pl.DataFrame(
        {"code": list(BACI_UNMAPPED_CODES), "reason": list(BACI_UNMAPPED_CODES.values())},
        schema={"code": pl.Int32(), "reason": pl.Utf8()},
    )
    reason = code.replace_strict(unmapped["code"], unmapped["reason"], default=None)
    return (
        pl.when(code.is_null() | code.is_in(known_codes))
        .then(None)
        .when(reason.is_not_null())
        .then(
            pl.format(
                f"BACI country code {{}} ({role}) is not mapped to a country: {{}}", code, reason
            )
        )
        .otherwise(
            pl.format(
                f"unknown BACI country code {{}} ({role}); "
                "expected a code listed in ingest/data/countries.csv",
                code,
            )
        )
    )


def baci_code_iso3(code: int) -> str | None:
    """ISO3 for a BACI country code: current codes from countries.csv, then the historical
    codes of BACI_HISTORICAL_CODES that have one faithful successor; None otherwise."""
    iso3 = reference.country_iso3_from_baci(code)
    if iso3 is None and code in BACI_HISTORICAL_CODES:
        iso3 = BACI_HISTORICAL_CODES[code][0]
    return iso3


def _known_baci_codes(typed: pl.DataFrame) -> list[int]:
    codes = pl.concat([typed["exporter_code"], typed["importer_code"]]).drop_nulls().unique()
    return [code for code in codes.to_list() if baci_code_iso3(code) is not None]


def _with_duplicate_problems(typed: pl.DataFrame, problems: pl.Series) -> pl.Series:
    """Among rows otherwise fine, a key already loaded from an earlier line is a duplicate."""
    key = ["year", "exporter_code", "importer_code", "hs6"]
    fine = pl.col("_problem").is_null()
    first_fine_line = pl.when(fine).then(pl.col(_LINE)).min().over(key)
    duplicate = pl.format(
        "duplicate key (t={}, i={}, j={}, k={}), first loaded from line {}", *key, first_fine_line
    )
    return (
        typed.with_columns(problems.alias("_problem"))
        .select(
            pl.when(fine & (first_fine_line != pl.col(_LINE)))
            .then(duplicate)
            .otherwise(pl.col("_problem"))
            .alias("problem")
        )
        .to_series()
    )


def _trade_rows(
    typed: pl.DataFrame, problems: pl.Series, file_name: str, source: str
) -> pl.DataFrame:
    good = typed.filter(problems.is_null())
    return good.select(
        pl.col("year"),
        pl.col("exporter_code"),
        pl.col("importer_code"),
        pl.col("hs6"),
        (pl.col("_value") * 1000.0).alias("value_usd"),
        pl.col("quantity_t"),
        pl.lit(hs_revision_from_trade_name(file_name), dtype=pl.Utf8).alias("hs_revision"),
        pl.lit(source, dtype=pl.Utf8).alias("source"),
        pl.lit(file_name, dtype=pl.Utf8).alias("source_file"),
        pl.col(_LINE).alias("source_line"),
    ).cast(BACI_TRADE_SCHEMA)


def _trade_rejects(typed: pl.DataFrame, problems: pl.Series, file_name: str) -> pl.DataFrame:
    bad = typed.with_columns(problems.alias("reason")).filter(pl.col("reason").is_not_null())
    return _rejects(bad, file_name, TRADE_COLUMNS)


def _rejects(bad: pl.DataFrame, file_name: str, fields: tuple[str, ...]) -> pl.DataFrame:
    return bad.select(
        pl.lit(file_name, dtype=pl.Utf8).alias("source_file"),
        pl.col(_LINE).cast(pl.Int64).alias("source_line"),
        pl.col("reason"),
        pl.concat_str([pl.col(name).fill_null("") for name in fields], separator=",").alias(
            "raw_record"
        ),
    ).cast(REJECT_SCHEMA)


def _check_counts(read: FileRead) -> None:
    accounted = read.rows_loaded + read.rows_rejected + read.rows_out_of_scope
    if accounted != read.rows_in:
        raise RuntimeError(
            f"{read.path}: {read.rows_in} data rows read but {accounted} accounted for "
            "(loaded + rejected + out of scope); expected them to be equal"
        )


# --- code files ------------------------------------------------------------------------------


def read_baci_country_codes(path: Path) -> ReadResult:
    """Read `country_codes_V<release>.csv` in either layout of COUNTRY_CODE_LAYOUTS.

    `country_name` is the short name (V202301 `country_name_abbreviation`, V202501
    `country_name`); `N/A` ISO codes become null. A non-integer or repeated code is rejected.
    """
    table = _read_code_file(path)
    layout = _country_layout(path, table.columns)
    code_text = pl.col(layout["country_code"]).str.strip_chars().fill_null("")
    first_line = pl.col(_LINE).min().over("_code")
    reason = (
        pl.when(code_text == "")
        .then(pl.lit("country_code is empty; expected an integer BACI country code"))
        .when(pl.col("_code").is_null())
        .then(
            pl.format(
                "country_code '{}' is not an integer; expected a BACI country code", code_text
            )
        )
        .when(pl.col(_LINE) != first_line)
        .then(pl.format("duplicate country_code {}, first on line {}", "_code", first_line))
    )
    checked = table.with_columns(_integer(code_text).alias("_code")).with_columns(
        reason.alias("reason")
    )
    rows = checked.filter(pl.col("reason").is_null()).select(
        pl.col("_code").alias("country_code"),
        pl.col(layout["country_name"]).str.strip_chars().alias("country_name"),
        _clean_iso(layout["iso2"]).alias("iso2"),
        _clean_iso(layout["iso3"]).alias("iso3"),
        pl.lit(path.name, dtype=pl.Utf8).alias("source_file"),
    )
    fields = tuple(name for name in table.columns if name != _LINE)
    rejects = _rejects(checked.filter(pl.col("reason").is_not_null()), path.name, fields)
    return ReadResult(rows=rows.cast(BACI_COUNTRY_CODES_SCHEMA), rejects=rejects)


def _country_layout(path: Path, columns: list[str]) -> dict[str, str]:
    for layout in COUNTRY_CODE_LAYOUTS.values():
        if all(column in columns for column in layout.values()):
            return {name: column for name, column in layout.items()}
    expected = " or ".join(
        f"`{','.join(layout.values())}` ({release})"
        for release, layout in COUNTRY_CODE_LAYOUTS.items()
    )
    found = ",".join(column for column in columns if column != _LINE)
    raise ValueError(f"{path}, line 1: header `{found}`; expected {expected}")


def _clean_iso(name: str) -> pl.Expr:
    text = pl.col(name).str.strip_chars()
    missing = text.fill_null("").is_in(sorted(_MISSING_ISO))
    return pl.when(missing).then(None).otherwise(text).alias(name)


def read_baci_product_codes(path: Path) -> ReadResult:
    """Read `product_codes_HS<rev>_V<release>.csv` (`code,description`, quoted or not).

    Codes are zero-padded to 6 digits (`10121` -> `010121`); a code that is not 1 to 6 digits or
    repeats an earlier one is rejected.
    """
    table = _read_code_file(path)
    missing = [column for column in PRODUCT_CODE_COLUMNS if column not in table.columns]
    if missing:
        raise ValueError(
            f"{path}, line 1: header lacks {', '.join(missing)}; "
            f"expected `{','.join(PRODUCT_CODE_COLUMNS)}`, "
            f"found `{','.join(c for c in table.columns if c != _LINE)}`"
        )
    code_text = pl.col("code").str.strip_chars().fill_null("")
    hs6 = code_text.str.zfill(6)
    reason = (
        pl.when(~code_text.str.contains(r"^\d{1,6}$"))
        .then(pl.format("code '{}' is not an HS6 code; expected 1 to 6 digits", code_text))
        .when(pl.col(_LINE) != pl.col(_LINE).min().over(hs6))
        .then(pl.format("duplicate code {}, first on line {}", hs6, pl.col(_LINE).min().over(hs6)))
    )
    checked = table.with_columns(hs6.alias("hs6"), reason.alias("reason"))
    rows = checked.filter(pl.col("reason").is_null()).select(
        pl.col("hs6"),
        pl.col("description").str.strip_chars(),
        pl.lit(hs_revision_from_product_name(path.name), dtype=pl.Utf8).alias("hs_revision"),
        pl.lit(path.name, dtype=pl.Utf8).alias("source_file"),
    )
    fields = tuple(name for name in table.columns if name != _LINE)
    rejects = _rejects(checked.filter(pl.col("reason").is_not_null()), path.name, fields)
    return ReadResult(rows=rows.cast(BACI_PRODUCT_CODES_SCHEMA), rejects=rejects)


def _read_code_file(path: Path) -> pl.DataFrame:
    """All columns as text with the physical line; blank lines dropped (they are not rows)."""
    if _header_names(path) is None:
        raise ValueError(f"{path}: file is empty; expected a header line")
    table = pl.read_csv(
        path,
        infer_schema=False,
        row_index_name=_INDEX,
        truncate_ragged_lines=True,
        encoding="utf8-lossy",
    )
    table = table.rename(dict(zip(table.columns, _clean_column_names(table.columns), strict=True)))
    data_columns = [name for name in table.columns if name != _INDEX]
    non_blank = pl.any_horizontal(
        [pl.col(name).str.strip_chars().fill_null("").str.len_bytes() > 0 for name in data_columns]
    )
    return table.filter(non_blank).select(
        (pl.col(_INDEX).cast(pl.Int64) + _FIRST_DATA_LINE).alias(_LINE), *data_columns
    )


# --- folder ----------------------------------------------------------------------------------


def _file_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def trade_year_digests(folder: Path, years: Collection[int], key: str) -> dict[int, str]:
    """For each of `years`, a SHA-256 of `key` and of the name and SHA-256 of each trade file of
    that year in `folder`: it changes when a file of the year is added, removed, renamed or
    rewritten, or when `key` (what else decides the rows read from them) changes."""
    digests = {}
    names = [name for name in _file_names(folder) if TRADE_FILE.match(name)]
    for year in sorted({int(y) for y in years}):
        digest = hashlib.sha256(f"{key}\n".encode())
        for name in names:
            if year_from_trade_name(name) == year:
                digest.update(f"{name} {_file_sha256(folder / name)}\n".encode())
        digests[year] = digest.hexdigest()
    return digests


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def trade_years(folder: Path) -> list[int]:
    """The years of the BACI trade files in `folder`, ascending (none for a missing folder)."""
    years = {year_from_trade_name(name) for name in _file_names(folder) if TRADE_FILE.match(name)}
    return sorted(year for year in years if year is not None)


def read_baci_folder(
    folder: Path,
    source: str = "baci",
    years: Collection[int] | None = None,
    code_files: bool = True,
) -> SourceRead:
    """Read the BACI trade, country-code and product-code files in `folder` (others ignored).

    `years` limits the trade files read to those years (None: every year; empty: none), and
    `code_files=False` skips the code files, so one year can be loaded on its own. Always returns
    the three tables `baci_trade`, `baci_country_codes` and `baci_product_codes`; a missing
    folder or file kind gives zero-row frames.
    """
    names = _file_names(folder)
    wanted = None if years is None else {int(y) for y in years}
    trade = [
        folder / name
        for name in names
        if TRADE_FILE.match(name) and (wanted is None or year_from_trade_name(name) in wanted)
    ]
    countries = [folder / n for n in names if code_files and COUNTRY_CODES_FILE.match(n)]
    products = [folder / n for n in names if code_files and PRODUCT_CODES_FILE.match(n)]

    files: list[FileRead] = []
    trade_results: list[ReadResult] = []
    for path in trade:
        result, read = read_baci_trade_file(path, source)
        trade_results.append(result)
        files.append(read)
    country_results = [read_baci_country_codes(path) for path in countries]
    product_results = [read_baci_product_codes(path) for path in products]
    for path, result in zip(
        [*countries, *products], [*country_results, *product_results], strict=True
    ):
        files.append(_code_file_read(path, result))

    all_results = [*trade_results, *country_results, *product_results]
    return SourceRead(
        source=source,
        tables={
            "baci_trade": _stack([r.rows for r in trade_results], BACI_TRADE_SCHEMA),
            "baci_country_codes": _stack(
                [r.rows for r in country_results], BACI_COUNTRY_CODES_SCHEMA
            ),
            "baci_product_codes": _stack(
                [r.rows for r in product_results], BACI_PRODUCT_CODES_SCHEMA
            ),
        },
        rejects=_stack([r.rejects for r in all_results], REJECT_SCHEMA)
        if all_results
        else empty_rejects(),
        files=tuple(files),
    )


def _code_file_read(path: Path, result: ReadResult) -> FileRead:
    return FileRead(
        path=path,
        rows_in=result.rows.height + result.rejects.height,
        rows_loaded=result.rows.height,
        rows_rejected=result.rejects.height,
    )


def _stack(frames: list[pl.DataFrame], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame(schema=schema)
    return pl.concat([frame.cast(schema) for frame in frames], how="vertical")


def historical_codes_table() -> pl.DataFrame:
    """BACI_HISTORICAL_CODES as raw.ref_baci_historical_codes: one row per historical BACI
    country code with its present-day successor (58 Belgium-Luxembourg -> BEL)."""
    return pl.DataFrame(
        {
            "baci_code": list(BACI_HISTORICAL_CODES),
            "country_iso3": [iso3 for iso3, _ in BACI_HISTORICAL_CODES.values()],
            "note": [note for _, note in BACI_HISTORICAL_CODES.values()],
        },
        schema=BACI_HISTORICAL_CODES_SCHEMA,
    )
