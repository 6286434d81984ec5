"""USGS Mineral Commodity Summaries salient statistics: US production, trade, consumption,
prices and net import reliance per commodity and year.

Layouts, recognised by the header (`ingest.usgs_mcs.world.detect_layout`), never by the file name:

- per-commodity salient files (`mcs2024-<code>_salient.csv`, `cobalt_mcs2022-cobal_salient.csv`):
  `DataSource,Commodity,Year,` then one column per statistic, named
  `[<product>_]<Measure>[_<qualifier>...]_<unit>`: `USprod_Mine_t`, `Imports_kt`,
  `Consump_Apparent_t`, `Price_Spot_dlb`, `NIR_pct`, `Bauxite_Imports_kt`. The unit is the last
  part (`t`, `kt`, `kg`, `g`, `mmt`, `mct`, `mcm`, `pct`, `num` = count, `dt` = US$/t, `dkg` =
  US$/kg, `dlb` = US$/lb, `dg` = US$/g, `dtoz`/`dto` = US$/troy oz, `dst` = US$/short ton, `df` =
  US$/flask, `ctslb` = US cents/lb, `mdol` = million US$) or glued to it (`USprod_Minet`,
  `Imports_Metalkg`, `NIR_Refinedpct`); a label without a unit keeps `unit` NULL.
- the critical-minerals salient table of the trends chapter (`MCS2024_T5_Critical_Minerals_
  Salient.csv`): `Source,Year,Critical_mineral,Primary_prod,...`, one line per mineral; its value
  columns are mapped by CRITICAL_SALIENT_COLUMNS (text columns such as the leading import source
  are not statistics and are not loaded). Its units differ per mineral and are not printed, so
  `unit` is NULL except for percentages.

Output: one row per data line x non-empty statistic cell (raw.usgs_mcs_salient, see
docs/architecture.md). `measure` is the normalised statistic, from the first part of the label
found in SALIENT_MEASURE_BY_WORD (scanning left to right, so a product prefix such as `Bauxite_`
becomes part of the qualifier): the same statistic under different labels in different editions
is one measure. Net import reliance is always `net_import_reliance_pct` with unit `pct`, whatever
suffix the label carries (rare earths print `NIR_Concentrate_t` in 2022 and 2024 for a
percentage, cobalt `NIR_pct`, tungsten `NIR_ct`). Consumption is `apparent_consumption`,
`reported_consumption` or `estimated_consumption` when the label says so, else `consumption`.
A label USGS exported broken (`CASE STATEMENT ERRORkt`) is measure `unlabelled`; a label with no
known measure word (`Furnace_BOF_mmt`, helium `Extracted_mcm`) is `other`: those cells are kept
with their `column_raw`, never dropped. `qualifier` holds the rest of the label
(`Compounds-Metals`), `column_number` the 1-based header position (two columns may share a label).

Values: numbers (`"7,900"`, `-10`, `−84` with a Unicode minus) -> `value`; `e40` -> 40 estimated;
`W`, `NA`, `XX`, `E` (net exporter), bounds (`>95`, `<25`, `>50%`), ranges (`500–14,000`) and
prose (`Less than ½ unit.`) -> `value` NULL and the token in `value_flag`. Year: `2023`, or
`2023_estimated` (T5) -> 2023 with `is_estimate`. Edition from the DataSource/Source cell
(`MCS2022`), else the file name. Commodity code from the file name, else from the Commodity
name (COMMODITY_CODE_BY_NAME), mineral from MINERAL_BY_COMMODITY_CODE.

What counts as a row: a data line is a non-blank line after the header with a Year or a value;
lines of commas and text-only footnote lines are not rows. A data line is rejected whole, with
file, line and reason, when its Year is empty or not a year, a value is neither a number nor a
token (`12x4`), it has no value at all, or its bytes are not UTF-8 (see usgs_mcs.read_csv_text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest._result import FileRead, ReadResult, rejects_frame
from ingest.usgs_mcs.schema import USGS_MCS_SALIENT_SCHEMA
from ingest.usgs_mcs.world import (
    LAYOUT_CRITICAL_SALIENT,
    LAYOUT_SALIENT,
    MINERAL_BY_COMMODITY_CODE,
    CsvText,
    DataLine,
    UsgsFileError,
    commodity_code_from_commodity_name,
    commodity_code_from_name,
    detect_layout,
    edition_from_name,
    read_csv_text,
)

EXPECTED_SALIENT_HEADER = "DataSource,Commodity,Year,USprod_<...>_<unit>,Imports_<unit>,...,NIR_pct"
NET_IMPORT_RELIANCE = "net_import_reliance_pct"

# First word of a salient column label (lower case) -> normalised measure. One statistic keeps
# one measure name across editions whatever its label; see the module docstring.
SALIENT_MEASURE_BY_WORD: dict[str, str] = {
    "usprod": "us_production",
    "prod": "us_production",
    "production": "us_production",
    "imports": "imports",
    "exports": "exports",
    "consump": "consumption",
    "consumption": "consumption",
    "price": "price",
    "nir": NET_IMPORT_RELIANCE,
    "stocks": "stocks",
    "shipments": "shipments",
    "employment": "employment",
    "recycled": "recycling",
    "sales": "us_sales",
    "sold": "us_sales",
}
CONSUMPTION_BY_QUALIFIER: tuple[tuple[str, str], ...] = (
    ("apparent", "apparent_consumption"),
    ("apprnt", "apparent_consumption"),
    ("reported", "reported_consumption"),
    ("rprtd", "reported_consumption"),
    ("estimated", "estimated_consumption"),
)
# Critical-minerals salient table (trends chapter T5): column -> (measure, qualifier, unit).
CRITICAL_SALIENT_COLUMNS: dict[str, tuple[str, str | None, str | None]] = {
    "primary_prod": ("us_production", "Primary", None),
    "secondary_prod": ("us_production", "Secondary", None),
    "apparent_consuption": ("apparent_consumption", None, None),
    "apparent_consumption": ("apparent_consumption", None, None),
    "net_import_reliance": (NET_IMPORT_RELIANCE, None, "pct"),
    "leading_country_prod": ("leading_country_production", None, None),
    "world_total_prod": ("world_production", None, None),
    "leading_source_precent_world": ("leading_country_share_pct", None, "pct"),
    "leading_source_percent_world": ("leading_country_share_pct", None, "pct"),
}
SALIENT_UNITS = frozenset(
    {
        "t", "kt", "kg", "g", "mmt", "mct", "mcm", "pct", "num", "m", "um", "ct",
        "dt", "dkg", "dlb", "dg", "dtoz", "dto", "dst", "df", "ctslb", "mdol",
    }
)  # fmt: skip
# Units found glued to the last word of a label, longest first (`Metalkg`, `Minet`).
_GLUED_UNITS = ("pct", "dkg", "mcm", "mmt", "kg", "kt", "dt", "t")
_BROKEN_LABEL = re.compile(r"^CASE STATEMENT ERROR", re.IGNORECASE)
_YEAR = re.compile(r"^(?P<year>\d{4})(?:[_ ]?(?P<est>e|est|estimated))?$", re.IGNORECASE)
_EDITION = re.compile(r"(\d{4})")
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_PLAIN = re.compile(rf"^-?(?:{_NUMBER})$")
_ESTIMATED = re.compile(rf"^e\s*(?:{_NUMBER})$")
_BOUND = re.compile(rf"^[<>≤≥]\s*(?:{_NUMBER})\s*%?$")
_RANGE = re.compile(rf"^(?:{_NUMBER})\s*[–-]\s*(?:{_NUMBER})$")
_PROSE = re.compile(r"[A-Za-z]{2,}")


@dataclass(frozen=True)
class SalientColumn:
    """One statistic column of a salient file, as its label describes it."""

    index: int
    label: str
    measure: str
    qualifier: str | None
    unit: str | None


@dataclass(frozen=True)
class CellValue:
    """A parsed value cell: number and/or token, or a problem."""

    value: float | None
    flag: str | None
    is_estimate: bool
    problem: str | None


# --- labels ----------------------------------------------------------------------------------


def split_unit(label: str) -> tuple[list[str], str | None]:
    """Label parts without the unit, and the unit (`Imports_Metalkg` -> [Imports, Metal], kg)."""
    parts = [part.strip() for part in label.split("_")]
    if len(parts) > 1 and parts[-1].lower() in SALIENT_UNITS:
        return [p for p in parts[:-1] if p], parts[-1].lower()
    if len(parts) > 1 and parts[-1] == "":
        return [p for p in parts[:-1] if p], None
    last = parts[-1]
    for unit in _GLUED_UNITS:
        stem = last[: -len(unit)]
        if last.endswith(unit) and len(stem) >= 3 and stem[-1].isalpha():
            return [*[p for p in parts[:-1] if p], stem], unit
    return [p for p in parts if p], None


def parse_salient_column(index: int, label: str) -> SalientColumn | None:
    """`NIR_Concentrate_t` -> net_import_reliance_pct, qualifier Concentrate, unit pct; None
    for an unnamed column."""
    cleaned = label.strip()
    if not cleaned:
        return None
    if _BROKEN_LABEL.match(cleaned):
        rest = _BROKEN_LABEL.sub("", cleaned)
        return SalientColumn(index, cleaned, "unlabelled", None, rest.lower() or None)
    parts, unit = split_unit(cleaned)
    for position, part in enumerate(parts):
        word = re.match(r"[A-Za-z]+", part)
        measure = SALIENT_MEASURE_BY_WORD.get(word.group(0).lower()) if word else None
        if measure is None:
            continue
        remainder = part[word.end() :].strip(" ,") if word else ""
        qualifier_parts = [
            *parts[:position],
            *([remainder] if remainder else []),
            *parts[position + 1 :],
        ]
        qualifier = "_".join(qualifier_parts) or None
        if measure == "consumption":
            measure = _consumption_measure(qualifier)
        if measure == NET_IMPORT_RELIANCE:
            unit = "pct"
        return SalientColumn(index, cleaned, measure, qualifier, unit)
    return SalientColumn(index, cleaned, "other", "_".join(parts) or None, unit)


def _consumption_measure(qualifier: str | None) -> str:
    lowered = (qualifier or "").lower()
    for word, measure in CONSUMPTION_BY_QUALIFIER:
        if word in lowered:
            return measure
    return "consumption"


def parse_critical_column(index: int, label: str) -> SalientColumn | None:
    """T5 table: CRITICAL_SALIENT_COLUMNS; None for its text and identity columns."""
    mapped = CRITICAL_SALIENT_COLUMNS.get(label.strip().lower())
    if mapped is None:
        return None
    measure, qualifier, unit = mapped
    return SalientColumn(index, label.strip(), measure, qualifier, unit)


# --- values ----------------------------------------------------------------------------------


def parse_value(text: str, label: str) -> CellValue:
    """A salient cell: number, e-estimate, or a token kept as value_flag (see module docstring)."""
    cell = text.strip().replace("\u2212", "-").replace("\u00a0", " ")
    if _PLAIN.match(cell):
        return CellValue(float(cell.replace(",", "")), None, False, None)
    if _ESTIMATED.match(cell):
        return CellValue(float(re.sub(r"^e\s*", "", cell).replace(",", "")), "e", True, None)
    if (
        _BOUND.match(cell)
        or _RANGE.match(cell)
        or not re.search(r"\d", cell)
        or _PROSE.search(cell)
    ):
        return CellValue(None, cell, False, None)
    return CellValue(
        None,
        None,
        False,
        f"column {label}: value '{cell}' is not a number; expected a number such as 7,900 or a "
        "token such as W, NA, E, >95",
    )


def parse_year(text: str) -> tuple[int | None, bool]:
    """`2023` -> (2023, False); `2023_estimated` -> (2023, True); else (None, False)."""
    match = _YEAR.match(text.strip())
    if match is None:
        return None, False
    return int(match.group("year")), match.group("est") is not None


# --- reading ---------------------------------------------------------------------------------


def read_usgs_salient_file(path: Path, source: str = "usgs_mcs") -> ReadResult:
    """Read one salient-statistics file (either salient layout) into long rows plus rejects."""
    result, _ = read_salient_text(path, read_csv_text(path, EXPECTED_SALIENT_HEADER), source)
    return result


def read_salient_text(path: Path, text: CsvText, source: str) -> tuple[ReadResult, FileRead]:
    """The salient reader on an already split file (see usgs_mcs.read_csv_text)."""
    layout = detect_layout(text.header)
    if layout not in (LAYOUT_SALIENT, LAYOUT_CRITICAL_SALIENT):
        raise UsgsFileError(
            f"{path}, line 1: header starts `{','.join(c.strip() for c in text.header[:3])}`; "
            f"expected `{EXPECTED_SALIENT_HEADER}`"
        )
    critical = layout == LAYOUT_CRITICAL_SALIENT
    parse = parse_critical_column if critical else parse_salient_column
    columns = [
        column
        for index, label in enumerate(text.header)
        if index >= 3 and (column := parse(index, label)) is not None
    ]
    if not columns:
        raise UsgsFileError(
            f"{path}, line 1: no statistic column; expected `{EXPECTED_SALIENT_HEADER}`"
        )
    commodity_index, year_index = (2, 1) if critical else (1, 2)
    rows: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    lines_in = 0
    for line in text.lines:
        if line.line in text.unreadable:
            lines_in += 1
            rejects.append(_reject(path, line, text.unreadable[line.line]))
            continue
        year_cell = _cell(line, year_index).strip()
        filled = [c for c in columns if _cell(line, c.index).strip()]
        if not year_cell and not filled:
            continue  # a line of commas or a footnote: no data
        lines_in += 1
        problems, line_rows = _line_rows(path, line, columns, commodity_index, year_index, source)
        if problems:
            rejects.append(_reject(path, line, "; ".join(problems)))
        else:
            rows.extend(line_rows)
    frame = pl.DataFrame(rows, schema=USGS_MCS_SALIENT_SCHEMA) if rows else empty_salient_frame()
    loaded = frame["source_line"].n_unique() if frame.height else 0
    read = FileRead(path=path, rows_in=lines_in, rows_loaded=loaded, rows_rejected=len(rejects))
    return ReadResult(rows=frame, rejects=rejects_frame(rejects)), read


def _line_rows(
    path: Path,
    line: DataLine,
    columns: list[SalientColumn],
    commodity_index: int,
    year_index: int,
    source: str,
) -> tuple[list[str], list[dict[str, object]]]:
    problems: list[str] = []
    year_cell = _cell(line, year_index).strip()
    year, year_estimate = parse_year(year_cell)
    if not year_cell:
        problems.append("Year is empty; expected a year such as 2023")
    elif year is None:
        problems.append(f"Year '{year_cell}' is not a year; expected a year such as 2023")
    commodity_raw = _cell(line, commodity_index).strip()
    code = commodity_code_from_name(path.name) or (
        commodity_code_from_commodity_name(commodity_raw) if commodity_raw else None
    )
    edition_match = _EDITION.search(_cell(line, 0))
    edition = int(edition_match.group(1)) if edition_match else edition_from_name(path.name)
    if edition is None:
        problems.append(
            "DataSource names no edition and the file name carries none; expected MCS<year>"
        )
    values = []
    for column in columns:
        cell = _cell(line, column.index)
        if not cell.strip():
            continue
        parsed = parse_value(cell, column.label)
        if parsed.problem:
            problems.append(parsed.problem)
        values.append((column, parsed))
    if not values:
        problems.append("no value in any statistic column; expected a number or a token")
    rows = [
        {
            "edition": edition,
            "commodity_code": code,
            "mineral": MINERAL_BY_COMMODITY_CODE.get(code or ""),
            "commodity_raw": commodity_raw or None,
            "year": year,
            "measure": column.measure,
            "qualifier": column.qualifier,
            "column_raw": column.label,
            "column_number": column.index + 1,
            "unit": column.unit,
            "value": parsed.value,
            "value_flag": parsed.flag,
            "is_estimate": parsed.is_estimate or year_estimate,
            "source": source,
            "source_file": path.name,
            "source_line": line.line,
        }
        for column, parsed in values
    ]
    return problems, rows


def _cell(line: DataLine, index: int) -> str:
    return line.cells[index] if index < len(line.cells) else ""


def _reject(path: Path, line: DataLine, reason: str) -> dict[str, object]:
    return {
        "source_file": path.name,
        "source_line": line.line,
        "reason": reason,
        "raw_record": line.raw,
    }


def empty_salient_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=USGS_MCS_SALIENT_SCHEMA)
