"""USGS Mineral Commodity Summaries world files, 2024-edition layout (`mcs2024-<code>_world.csv`).

Layout: `Source,Country,Type,` then measure columns and their notes, e.g.
`Prod_t_2022,Prod_t_est_2023,Prod_notes,Reserves_t,Reserves_notes`; some files carry capacity
(`Cap_kt_2022,Cap_kt_est_2023,Cap_notes`). Files come with a UTF-8 BOM, CRLF line ends, runs of
trailing empty columns, blank lines made of commas, footnote digits glued to names
(`Other countries6`) and ragged lines (a line may stop before the notes columns).

The output is long: one row per data line x non-empty measure cell (see docs/architecture.md,
raw.usgs_mcs_world). How each part is derived:

- Measure columns are `<Prod|Reserves|Cap>_<unit>[_est]_[<year>]`, case-insensitive
  (`Prod_kt_Est_2023`). `measure` comes from the prefix, `year` from a trailing 4-digit year (NULL
  when absent, as for most reserves), `is_estimate` from `_est_`, `unit` is the rest of the name:
  a bare unit (`t`, `kt`, `kg`, `mmt`, `mct`, `kct`, `mcm`) or, when the column also names a
  product or basis, that qualifier with the unit (titanium `Cap_Sponge_t_2023` -> `Sponge_t`,
  potash `Reserves_ore_K2O_equiv_kt` -> `ore_K2O_equiv_kt`) so two measures of one line stay
  distinguishable. A `Prod_` column on a line whose Type speaks of capacity and not of production
  (cement "Clinker capacity, estimated") is measure `capacity`.
- Notes: `Prod_note(s)` for production, `Reserves_note(s)` for reserves, `Cap_note(s)` for
  capacity; a capacity-only file without `Cap_notes` (abrasives) uses its `Prod_notes` column.
- Values: a plain number (`7900`, `"7,900"`, `0.5`, surrounding spaces allowed) -> `quantity`,
  `value_flag` NULL. A number marked estimated (`e3,900`) -> `quantity` 3900, `value_flag` `e`,
  `is_estimate` true. A bound (`>95`, `<25`, `>9,100,000`) -> `quantity` NULL and the bound as
  `value_flag`: the true value is unknown, so the bound is never loaded as a quantity. Any text
  without digits (`W` withheld, `NA`, `XX`, `E`, `Large`, `Included in World total.`) ->
  `quantity` NULL, the text as `value_flag`: a withheld value is never zero. An empty cell makes
  no row.
- `edition` from the `Source` cell (`MCS2024`, `MCS 2024`), or from the file name when `Source` is
  empty (iron oxide pigments, garnet, zeolites); `commodity_code` from the file name
  (`mcs2024-raree_world.csv` -> `raree`, case-insensitive); `mineral` from
  MINERAL_BY_COMMODITY_CODE (NULL when unmapped).
- `country_name` = `reference.clean_country_name(country_raw)`; `row_kind` is `world_total` for
  names starting `World`, `other_countries` for `Other` / `Other countries...`, else `country`;
  `country_iso3` from `reference.country_iso3_from_name`, NULL for aggregates and unknown names.
- `production_type` from the Type text, lower-cased, first match wins: `refinery` when it says
  refinery/refined, smelter/smelting, plant production, primary production (gallium) or sponge
  metal; `mine` when it says mine (also the misspelling `Mne`); `other` otherwise (capacity,
  cement, pig iron, an empty Type).
- Cells under columns without a header name are ignored (barite and vermiculite print extra
  unnamed values after the named columns). The Type column is the one named `Type`, or else the
  third column (the fluorspar file prints a Type value in its header there).

What counts as a row: a data line is a physical line after the header with a non-blank Country
cell or a non-blank measure cell. Blank lines, lines of commas and footnote lines (text only in
Source, Type or notes cells, no country and no value) carry no data and are not rows. Every data
line is either represented in `rows` (by `source_line`, header = line 1) or rejected as a whole,
with a reason naming the column and value at fault: a blank Country cell next to values, a value
that is neither a number nor a flag (`12x4`), or a country with no value in any measure column.

A header that does not start `Source,Country`, has no Type column or no measure column raises a
ValueError naming the file: such a file is not in this layout.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ingest import reference
from ingest._result import REJECT_SCHEMA, FileRead, ReadResult, SourceRead, empty_rejects

# USGS commodity codes (file-name part) -> the warehouse's snake_case mineral. Extend freely.
MINERAL_BY_COMMODITY_CODE: dict[str, str] = {
    "raree": "rare_earths",
    "lithi": "lithium",
    "cobal": "cobalt",
    "graph": "graphite",
    "galli": "gallium",
    "germa": "germanium",
    "nicke": "nickel",
    "tungs": "tungsten",
    "antim": "antimony",
}

USGS_MCS_WORLD_SCHEMA: dict[str, pl.DataType] = {
    "edition": pl.Int32(),
    "commodity_code": pl.Utf8(),
    "mineral": pl.Utf8(),
    "country_raw": pl.Utf8(),
    "country_name": pl.Utf8(),
    "country_iso3": pl.Utf8(),
    "row_kind": pl.Utf8(),
    "type_raw": pl.Utf8(),
    "production_type": pl.Utf8(),
    "measure": pl.Utf8(),
    "year": pl.Int32(),
    "quantity": pl.Float64(),
    "unit": pl.Utf8(),
    "is_estimate": pl.Boolean(),
    "value_flag": pl.Utf8(),
    "notes": pl.Utf8(),
    "source": pl.Utf8(),
    "source_file": pl.Utf8(),
    "source_line": pl.Int64(),
}

MEASURE_BY_PREFIX: dict[str, str] = {
    "prod": "production",
    "reserves": "reserves",
    "cap": "capacity",
}
EXPECTED_HEADER = "Source,Country,Type,Prod_<unit>_<year>,...,Prod_notes,Reserves_<unit>,..."

WORLD_FILE = re.compile(r"_world\.csv$", re.IGNORECASE)
_MEASURE_COLUMN = re.compile(
    r"^(?P<prefix>prod|reserves|cap)_(?P<unit>.+?)(?P<est>_est)?(?:_(?P<year>\d{4}))?$",
    re.IGNORECASE,
)
_NOTES_COLUMN = re.compile(r"^(?P<prefix>prod|reserves|cap)_notes?$", re.IGNORECASE)
_FILE_NAME = re.compile(r"^mcs(?P<edition>\d{4})-(?P<code>[a-z0-9]+)_world\.csv$", re.IGNORECASE)
_EDITION = re.compile(r"(\d{4})")

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_PLAIN_NUMBER = rf"^(?:{_NUMBER})$"
_ESTIMATED_NUMBER = rf"^e\s*(?:{_NUMBER})$"
_BOUND = rf"^[<>≤≥]\s*(?:{_NUMBER})$"
_NO_DIGITS = r"^\D+$"

_REFINERY_TYPE = r"refin|smelt|plant production|primary production|sponge metal"
_MINE_TYPE = r"\bmi?ne\b"


@dataclass(frozen=True)
class MeasureColumn:
    """One value column of a world file, as its header name describes it."""

    index: int
    name: str
    measure: str
    unit: str
    year: int | None
    is_estimate: bool


@dataclass(frozen=True)
class WorldHeader:
    """Where a world file keeps its identity, measure and notes columns (0-based indexes)."""

    type_index: int
    measures: tuple[MeasureColumn, ...]
    notes_index: dict[str, int]


@dataclass(frozen=True)
class DataLine:
    """One non-blank physical line after the header, its cells as printed."""

    line: int
    cells: list[str]
    raw: str


# --- header ----------------------------------------------------------------------------------


def parse_measure_column(index: int, name: str) -> MeasureColumn | None:
    """`Prod_t_est_2023` -> production, unit t, 2023, estimate; None for non-measure columns."""
    cleaned = name.strip()
    if _NOTES_COLUMN.match(cleaned):
        return None
    match = _MEASURE_COLUMN.match(cleaned)
    if match is None:
        return None
    year = match.group("year")
    return MeasureColumn(
        index=index,
        name=cleaned,
        measure=MEASURE_BY_PREFIX[match.group("prefix").lower()],
        unit=match.group("unit"),
        year=int(year) if year else None,
        is_estimate=match.group("est") is not None,
    )


def parse_world_header(path: Path, header: list[str]) -> WorldHeader:
    """Locate the Type, measure and notes columns; ValueError when the layout is not this one."""
    names = [name.strip() for name in header]
    lowered = [name.lower() for name in names]
    if lowered[:2] != ["source", "country"]:
        raise ValueError(
            f"{path}, line 1: header starts `{','.join(names[:3])}`; expected `{EXPECTED_HEADER}`"
        )
    measures = tuple(
        column
        for index, name in enumerate(names)
        if (column := parse_measure_column(index, name)) is not None
    )
    if not measures:
        raise ValueError(
            f"{path}, line 1: no Prod_, Reserves_ or Cap_ value column in header "
            f"`{','.join(n for n in names if n)}`; expected `{EXPECTED_HEADER}`"
        )
    type_index = _type_index(path, names)
    notes_index: dict[str, int] = {}
    for index, name in enumerate(names):
        match = _NOTES_COLUMN.match(name)
        if match:
            notes_index.setdefault(MEASURE_BY_PREFIX[match.group("prefix").lower()], index)
    has_production = any(column.measure == "production" for column in measures)
    if "capacity" not in notes_index and "production" in notes_index and not has_production:
        notes_index["capacity"] = notes_index["production"]
    return WorldHeader(type_index=type_index, measures=measures, notes_index=notes_index)


def _type_index(path: Path, names: list[str]) -> int:
    lowered = [name.lower() for name in names]
    if "type" in lowered:
        return lowered.index("type")
    third = names[2] if len(names) > 2 else ""
    if third and parse_measure_column(2, third) is None and not _NOTES_COLUMN.match(third):
        return 2
    raise ValueError(f"{path}, line 1: header has no Type column; expected `{EXPECTED_HEADER}`")


# --- file-name facts -------------------------------------------------------------------------


def commodity_code_from_name(name: str) -> str | None:
    """`mcs2024-raree_world.csv` -> `raree` (case-insensitive); None for other names."""
    match = _FILE_NAME.match(name)
    return match.group("code").lower() if match else None


def edition_from_name(name: str) -> int | None:
    """`mcs2024-raree_world.csv` -> 2024; None for other names."""
    match = _FILE_NAME.match(name)
    return int(match.group("edition")) if match else None


# --- lines -----------------------------------------------------------------------------------


def _read_lines(path: Path) -> tuple[list[str], list[DataLine]]:
    """Header cells and the non-blank lines after it with their physical line numbers."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: byte {error.start} is not UTF-8; expected UTF-8 text") from error
    physical = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(physical))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise ValueError(f"{path}: file is empty; expected a header `{EXPECTED_HEADER}`")
    return header, list(_data_lines(reader, physical, reader.line_num))


def _data_lines(reader: Any, physical: list[str], header_end: int) -> Iterator[DataLine]:
    previous_end = header_end
    for cells in reader:
        end = reader.line_num
        start = previous_end + 1
        previous_end = end
        if any(cell.strip() for cell in cells):
            raw = "".join(physical[start - 1 : end]).rstrip("\r\n")
            yield DataLine(line=start, cells=cells, raw=raw)


def _is_data_line(line: DataLine, header: WorldHeader) -> bool:
    """A line with a country or a value; footnote lines (text in other cells only) are not."""
    indexes = [1, *(column.index for column in header.measures)]
    return any(_cell(line.cells, index).strip() for index in indexes)


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _wide_frame(lines: list[DataLine], header: WorldHeader) -> pl.DataFrame:
    """One row per data line: identity cells, per-measure notes and every measure cell, as text."""
    notes = {
        f"_notes_{measure}": [_cell(line.cells, index) for line in lines]
        for measure, index in header.notes_index.items()
    }
    values = {
        f"_value_{column.index}": [_cell(line.cells, column.index) for line in lines]
        for column in header.measures
    }
    return pl.DataFrame(
        {
            "source_line": [line.line for line in lines],
            "raw_record": [line.raw for line in lines],
            "_source_cell": [_cell(line.cells, 0) for line in lines],
            "country_raw": [_cell(line.cells, 1) for line in lines],
            "type_raw": [_cell(line.cells, header.type_index) for line in lines],
            **notes,
            **values,
        },
        schema_overrides={"source_line": pl.Int64},
    )


# --- reading ---------------------------------------------------------------------------------


def read_usgs_world_file(path: Path, source: str = "usgs_mcs") -> ReadResult:
    """Read one MCS world file into long rows plus rejected lines (see the module docstring)."""
    result, _ = _read_world_file(path, source)
    return result


def _read_world_file(path: Path, source: str) -> tuple[ReadResult, FileRead]:
    header_cells, all_lines = _read_lines(path)
    header = parse_world_header(path, header_cells)
    lines = [line for line in all_lines if _is_data_line(line, header)]
    if lines:
        cells = _classified_cells(_wide_frame(lines, header), header)
        problems = _line_problems(cells, header)
        result = ReadResult(
            rows=_world_rows(cells, problems, path.name, source),
            rejects=_world_rejects(cells, problems, path.name),
        )
    else:
        result = ReadResult(rows=empty_world_frame(), rejects=empty_rejects())
    loaded = result.rows["source_line"].n_unique() if result.rows.height else 0
    read = FileRead(
        path=path, rows_in=len(lines), rows_loaded=loaded, rows_rejected=result.rejects.height
    )
    if read.rows_loaded + read.rows_rejected != read.rows_in:
        raise RuntimeError(
            f"{path}: {read.rows_in} data lines read but {loaded} represented in rows and "
            f"{read.rows_rejected} rejected; expected every data line in exactly one of them"
        )
    return result, read


def _measure_table(header: WorldHeader) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "_column": [f"_value_{column.index}" for column in header.measures],
            "_column_name": [column.name for column in header.measures],
            "_column_measure": [column.measure for column in header.measures],
            "unit": [column.unit for column in header.measures],
            "year": [column.year for column in header.measures],
            "_column_estimate": [column.is_estimate for column in header.measures],
            "_column_index": [column.index for column in header.measures],
        },
        schema_overrides={"year": pl.Int32},
    )


def _classified_cells(wide: pl.DataFrame, header: WorldHeader) -> pl.DataFrame:
    """Long frame, one row per (line, measure column), each cell typed or marked bad."""
    value_columns = [f"_value_{column.index}" for column in header.measures]
    index_columns = [name for name in wide.columns if name not in value_columns]
    long = wide.unpivot(
        on=value_columns, index=index_columns, variable_name="_column", value_name="_cell"
    ).join(_measure_table(header), on="_column", how="left", maintain_order="left")
    cell = pl.col("_cell").str.strip_chars().fill_null("")
    digits = cell.str.replace(r"^e\s*", "").str.replace_all(",", "")
    plain = cell.str.contains(_PLAIN_NUMBER)
    estimated = cell.str.contains(_ESTIMATED_NUMBER)
    flag_only = cell.str.contains(_BOUND) | cell.str.contains(_NO_DIGITS)
    return long.with_columns(
        (cell == "").alias("_empty"),
        pl.when(plain | estimated).then(digits.cast(pl.Float64, strict=False)).alias("quantity"),
        pl.when(estimated)
        .then(pl.lit("e"))
        .when(flag_only)
        .then(cell)
        .otherwise(None)
        .alias("value_flag"),
        (pl.col("_column_estimate") | estimated).alias("is_estimate"),
        pl.when((cell != "") & ~(plain | estimated | flag_only))
        .then(
            pl.format(
                "column {}: value '{}' is not a number; expected a number such as 7,900 or a "
                "flag such as W, NA, XX, >95",
                "_column_name",
                cell,
            )
        )
        .alias("_cell_problem"),
    )


def _line_problems(cells: pl.DataFrame, header: WorldHeader) -> pl.DataFrame:
    """source_line -> reason for every line that is rejected as a whole."""
    column_list = ", ".join(column.name for column in header.measures)
    per_line = cells.group_by("source_line", maintain_order=True).agg(
        pl.col("country_raw").first().str.strip_chars().fill_null("").alias("_country"),
        pl.col("_cell_problem").drop_nulls().str.join("; ").alias("_cell_problems"),
        (~pl.col("_empty")).sum().alias("_values"),
    )
    reason = pl.concat_str(
        [
            pl.when(pl.col("_country") == "").then(
                pl.lit("Country is empty; expected a country name or World total / Other countries")
            ),
            pl.when(pl.col("_cell_problems") != "").then(pl.col("_cell_problems")),
            pl.when(pl.col("_values") == 0).then(
                pl.lit(f"no value in any measure column ({column_list}); expected a number or flag")
            ),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    return per_line.select("source_line", reason.alias("reason")).filter(pl.col("reason") != "")


def _world_rejects(cells: pl.DataFrame, problems: pl.DataFrame, file_name: str) -> pl.DataFrame:
    lines = cells.select("source_line", "raw_record").unique("source_line", maintain_order=True)
    return (
        problems.join(lines, on="source_line", how="left", maintain_order="left")
        .select(
            pl.lit(file_name, dtype=pl.Utf8).alias("source_file"),
            "source_line",
            "reason",
            "raw_record",
        )
        .cast(REJECT_SCHEMA)
    )


def _world_rows(
    cells: pl.DataFrame, problems: pl.DataFrame, file_name: str, source: str
) -> pl.DataFrame:
    kept = (
        cells.join(problems, on="source_line", how="anti", maintain_order="left")
        .filter(~pl.col("_empty"))
        .sort("source_line", "_column_index")
    )
    names = _country_columns(kept["country_raw"].unique().to_list())
    type_text = pl.col("type_raw").str.strip_chars()
    type_lower = type_text.str.to_lowercase().fill_null("")
    capacity_line = type_lower.str.contains("capacity") & ~type_lower.str.contains("production")
    file_edition = edition_from_name(file_name)
    source_edition = pl.col("_source_cell").str.extract(_EDITION.pattern, 1).cast(pl.Int32)
    commodity_code = commodity_code_from_name(file_name)
    notes_by_measure = {
        measure: pl.col(f"_notes_{measure}").str.strip_chars()
        for measure in MEASURE_BY_PREFIX.values()
        if f"_notes_{measure}" in kept.columns
    }
    notes = pl.lit(None, dtype=pl.Utf8)
    for measure, expr in notes_by_measure.items():
        notes = pl.when(pl.col("_column_measure") == measure).then(expr).otherwise(notes)
    return (
        kept.join(names, on="country_raw", how="left", maintain_order="left")
        .select(
            source_edition.fill_null(file_edition).alias("edition"),
            pl.lit(commodity_code, dtype=pl.Utf8).alias("commodity_code"),
            pl.lit(MINERAL_BY_COMMODITY_CODE.get(commodity_code or ""), dtype=pl.Utf8).alias(
                "mineral"
            ),
            "country_raw",
            "country_name",
            "country_iso3",
            "row_kind",
            pl.when(type_text != "").then(type_text).alias("type_raw"),
            pl.when(type_lower.str.contains(_REFINERY_TYPE))
            .then(pl.lit("refinery"))
            .when(type_lower.str.contains(_MINE_TYPE))
            .then(pl.lit("mine"))
            .otherwise(pl.lit("other"))
            .alias("production_type"),
            pl.when((pl.col("_column_measure") == "production") & capacity_line)
            .then(pl.lit("capacity"))
            .otherwise(pl.col("_column_measure"))
            .alias("measure"),
            "year",
            "quantity",
            "unit",
            "is_estimate",
            "value_flag",
            pl.when(notes != "").then(notes).alias("notes"),
            pl.lit(source, dtype=pl.Utf8).alias("source"),
            pl.lit(file_name, dtype=pl.Utf8).alias("source_file"),
            "source_line",
        )
        .cast(USGS_MCS_WORLD_SCHEMA)
    )


def _country_columns(raw_names: list[str]) -> pl.DataFrame:
    """country_raw -> country_name, row_kind, country_iso3 (NULL for aggregates)."""
    records = []
    for raw in raw_names:
        name = reference.clean_country_name(raw)
        kind = row_kind(name)
        iso3 = reference.country_iso3_from_name(name) if kind == "country" else None
        records.append((raw, name, kind, iso3))
    return pl.DataFrame(
        records,
        schema=["country_raw", "country_name", "row_kind", "country_iso3"],
        orient="row",
    )


def row_kind(country_name: str) -> str:
    """`world_total` for World total lines, `other_countries` for Other (countries), else
    `country`."""
    lowered = country_name.strip().lower()
    if lowered.startswith("world"):
        return "world_total"
    if lowered == "other" or lowered.startswith("other countries"):
        return "other_countries"
    return "country"


def empty_world_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=USGS_MCS_WORLD_SCHEMA)


# --- folder ----------------------------------------------------------------------------------


def read_usgs_folder(folder: Path, source: str = "usgs_mcs") -> SourceRead:
    """Read every `*_world.csv` (case-insensitive) in `folder`; other files are ignored."""
    paths = (
        sorted(p for p in folder.iterdir() if p.is_file() and WORLD_FILE.search(p.name))
        if folder.is_dir()
        else []
    )
    reads = [_read_world_file(path, source) for path in paths]
    results = [result for result, _ in reads]
    files = tuple(read for _, read in reads)
    rows = (
        pl.concat([result.rows for result in results], how="vertical")
        if results
        else empty_world_frame()
    )
    rejects = (
        pl.concat([result.rejects for result in results], how="vertical")
        if results
        else empty_rejects()
    )
    return SourceRead(source=source, tables={"usgs_mcs_world": rows}, rejects=rejects, files=files)
