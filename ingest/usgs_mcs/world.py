"""USGS Mineral Commodity Summaries (MCS) data releases: world production and reserves tables.

Every layout USGS has published is read, recognised by its header (never by the file name):

- per-commodity world files of the 2022-2024 editions (`mcs2024-<code>_world.csv`, also under a
  prefixed name such as `cobalt_mcs2022-cobal_world.csv`): `Source,Country,Type,` then measure
  columns and their notes, e.g. `Prod_t_2022,Prod_t_est_2023,Prod_notes,Reserves_t,Reserves_notes`
  (2022: `Prod_t_2020,Prod_t_Est_2021`, no reserves); some files carry capacity
  (`Cap_kt_2022,Cap_kt_est_2023,Cap_notes`);
- the single world file of the 2025 edition (`MCS2025_World_Data.csv`): `SOURCE, COMMODITY,
  COUNTRY, TYPE, UNIT_MEAS, PROD_2023, "PROD_EST_ 2024"` (stray space), `PROD_NOTES,
  RESERVES_2024, RESERVE_NOTES`, the commodity and the unit given per line;
- salient-statistics files (`DataSource,Commodity,Year,...`) are read by `ingest.usgs_mcs.salient`.

Files come with a UTF-8 BOM, CRLF line ends, runs of trailing empty columns, blank lines made of
commas, footnote digits glued to names (`Other countries6`) and ragged lines (a line may stop
before the notes columns). USGS also publishes world-layout content under a `_salient.csv` name
(MCS 2024 cobalt, gypsum, kyanite): the header decides, so those are read as world files.

The output is long: one row per data line x non-empty measure cell (see docs/architecture.md,
raw.usgs_mcs_world). How each part is derived:

- Measure columns are `<Prod|Reserves|Cap>_<unit>[_est]_[<year>]`, case-insensitive
  (`Prod_kt_Est_2023`). `measure` comes from the prefix, `year` from a trailing 4-digit year (NULL
  when absent, as for most reserves), `is_estimate` from `_est_`, `unit` is the rest of the name:
  a bare unit (`t`, `kt`, `kg`, `mmt`, `mct`, `kct`, `mcm`) or, when the column also names a
  product or basis, that qualifier with the unit (titanium `Cap_Sponge_t_2023` -> `Sponge_t`,
  potash `Reserves_ore_K2O_equiv_kt` -> `ore_K2O_equiv_kt`) so two measures of one line stay
  distinguishable. A `Prod_` column on a line whose Type speaks of capacity and not of production
  (cement "Clinker capacity, estimated") is measure `capacity`. In the 2025 file the columns are
  `PROD[_EST]_<year>`, `RESERVES_<year>` (whitespace inside names ignored) and the unit is the
  line's `UNIT_MEAS` text mapped by UNIT_BY_TEXT (`thousand metric tons` -> `kt`; a text not in
  the map is kept as printed).
- Unit corrections: the MCS 2024 data release was revised on 2024-03-06 ("changed units in field
  names to kt rather than t" for barite, bauxite, boron, chromium, clays, diatomite, silicon, soda
  ash, titanium minerals and zinc; to kg for germanium and platinum-group metals). A 2024-edition
  file of those commodities whose production columns still carry the superseded unit (a copy
  downloaded before the revision) has that unit replaced by the corrected one in every measure
  column that carries it, and the line's notes say so (UNIT_REVISIONS_MCS2024).
- Notes: `Prod_note(s)` for production, `Reserves_note(s)` / `RESERVE_NOTES` for reserves,
  `Cap_note(s)` for capacity; a capacity-only file without `Cap_notes` (abrasives) uses its
  `Prod_notes` column.
- Values: a plain number (`7900`, `"7,900"`, `0.5`, surrounding spaces allowed) -> `quantity`,
  `value_flag` NULL. A number marked estimated (`e3,900`) -> `quantity` 3900, `value_flag` `e`,
  `is_estimate` true. A bound (`>95`, `<25`, `>9,100,000`) -> `quantity` NULL and the bound as
  `value_flag`: the true value is unknown, so the bound is never loaded as a quantity. Any text
  without digits (`W` withheld, `NA`, `XX`, `E`, `Large`, `Included in World total.`) ->
  `quantity` NULL, the text as `value_flag`: a withheld value is never zero. An empty cell makes
  no row.
- `edition` from the line's `Source` cell (`MCS2024`, `MCS 2024`), else from the file's other
  lines (the edition most of them name), else from the file name (`mcs2024-...`) when `Source` is
  empty throughout (iron oxide pigments, garnet, zeolites; silver before the 2024 revision);
  a line whose edition cannot be told is rejected.
- `commodity_code`: per-commodity files from the file name (`mcs2024-raree_world.csv` -> `raree`,
  case-insensitive, a prefix such as `cobalt_` allowed); the 2025 file from the line's COMMODITY
  via COMMODITY_CODE_BY_NAME (`Rare earths` -> `raree`; an unknown name becomes its snake-case
  slug). `mineral` from the `usgs_mcs_codes` of ingest/data/minerals.csv (MINERAL_BY_COMMODITY_CODE;
  for `plati`, which reports two minerals, the one the Type text names). NULL when unmapped:
  UNMAPPED_COMMODITY_CODES says why for the commodities that are no mineral (cement, lime, ...),
  `unmapped_reason` gives the reason for any code.
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
that is neither a number nor a flag (`12x4`), a country with no value in any measure column, a
2025 line without COMMODITY or UNIT_MEAS, a line holding bytes that are not UTF-8 (a file saved
as cp1252: the line is rejected, the rest of the file is read), or a last line cut short (the
file ends without a line break inside a quoted field or before the header's last column).

Whole-file problems raise UsgsFileError (a ValueError) naming the file, line 1 and what was
expected: an empty file, a header separated by `;` or tabs, a header that does not start
`Source,Country` (or `SOURCE,COMMODITY,COUNTRY`), has no Type column, no measure column, or lacks
a required 2025 column, and header bytes that are not UTF-8. `read_usgs_folder` turns such a
file into quarantined lines (each non-blank line after the header, or line 1 when there is none,
with that message), so one bad file never stops the load and never vanishes.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ingest._result import REJECT_SCHEMA, FileRead, ReadResult
from ingest.reference import lookup as reference
from ingest.usgs_mcs.schema import USGS_MCS_WORLD_SCHEMA

# USGS commodity codes (file-name part) -> the warehouse's snake_case mineral, from the
# `usgs_mcs_codes` column of ingest/data/minerals.csv. A code whose file reports several minerals
# (`plati`: platinum and palladium) is resolved per line by the mineral's name in the Type text.
MINERALS_BY_COMMODITY_CODE: dict[str, tuple[str, ...]] = reference.minerals_by_usgs_code()
MINERAL_BY_COMMODITY_CODE: dict[str, str] = {
    code: minerals[0] for code, minerals in MINERALS_BY_COMMODITY_CODE.items() if len(minerals) == 1
}

# USGS MCS commodities that are no mineral of the reference, with the reason: their lines load
# with `mineral` NULL and the run summary lists their files with this reason.
UNMAPPED_COMMODITY_CODES: dict[str, str] = {
    "abras": "manufactured abrasives (fused aluminum oxide, silicon carbide): a manufactured "
    "product, capacity only",
    "cemen": "cement: a manufactured product, not a mineral",
    "fepig": "iron oxide pigments: a processed product, the file reports no production type",
    "feste": "iron and steel (pig iron, raw steel): manufactured metal; iron ore is iron_ore",
    "lime": "lime: a manufactured product (calcined limestone), not a mineral",
    "nitro": "nitrogen (fixed, ammonia): a manufactured chemical made from air and natural gas",
}


def unmapped_reason(commodity_code: str | None) -> str:
    """Why lines of this USGS commodity code have no mineral (UNMAPPED_COMMODITY_CODES), or that
    the code is not in ingest/data/minerals.csv."""
    if commodity_code in UNMAPPED_COMMODITY_CODES:
        return UNMAPPED_COMMODITY_CODES[commodity_code]
    if commodity_code in MINERALS_BY_COMMODITY_CODE:
        minerals = ", ".join(MINERALS_BY_COMMODITY_CODE[commodity_code])
        return f"the Type text names none of the file's minerals ({minerals})"
    return (
        f"commodity code {commodity_code!r} is not in the usgs_mcs_codes column of "
        "ingest/data/minerals.csv; add it to a mineral or to usgs_mcs.UNMAPPED_COMMODITY_CODES"
    )


# Commodity names as the 2025 single world file and the salient files print them (lower case,
# footnote digits stripped) -> USGS commodity code, so every edition keys a commodity alike.
COMMODITY_CODE_BY_NAME: dict[str, str] = {
    "rare earths": "raree",
    "rare-earth elements": "raree",
    "lithium": "lithi",
    "cobalt": "cobal",
    "graphite": "graph",
    "graphite (natural)": "graph",
    "natural graphite": "graph",
    "gallium": "galli",
    "germanium": "germa",
    "nickel": "nicke",
    "tungsten": "tungs",
    "antimony": "antim",
    "copper": "coppe",
    "manganese": "manga",
    "platinum-group metals": "plati",
    "titanium mineral concentrates": "timin",
    "titanium minerals": "timin",
    "bismuth": "bismu",
    "zinc": "zinc",
    "gemstones": "gemst",
    "titanium and titanium dioxide": "titan",
    "titanium metal": "titan",
    "titanium sponge": "titan",
    "magnesium compounds": "mgcomp",
    "magnesium metal": "mgmet",
    "iron ore": "feore",
    "iron and steel": "feste",
    "iron oxide pigments": "fepig",
    "cement": "cemen",
    "lime": "lime",
    "nitrogen (fixed)-ammonia": "nitro",
    "abrasives (manufactured)": "abras",
    "silicon": "simet",
    "sand and gravel (industrial)": "sandi",
    "stone (dimension)": "stond",
}


def _names_of_single_codes() -> dict[str, str]:
    """Every mineral's name and id (`copper`, `phosphate rock`) -> its USGS code, for the minerals
    whose file reports them alone, so a 2025 COMMODITY cell naming the mineral finds its code."""
    codes_of: dict[str, list[str]] = {}
    for code, mineral in MINERAL_BY_COMMODITY_CODE.items():
        codes_of.setdefault(mineral, []).append(code)
    names: dict[str, str] = {}
    for mineral, name in reference.minerals().select("mineral", "name").iter_rows():
        codes = codes_of.get(mineral, [])
        if len(codes) == 1:
            names.setdefault(name.lower(), codes[0])
            names.setdefault(mineral.replace("_", " "), codes[0])
    return names


for _name, _code in _names_of_single_codes().items():
    COMMODITY_CODE_BY_NAME.setdefault(_name, _code)

# Unit texts of the 2025 file's UNIT_MEAS column -> the unit codes of the column suffixes of the
# earlier editions, so `unit` means the same in every edition. Other texts are kept as printed.
UNIT_BY_TEXT: dict[str, str] = {
    "metric tons": "t",
    "metric tonnes": "t",
    "thousand metric tons": "kt",
    "million metric tons": "mmt",
    "kilograms": "kg",
    "grams": "g",
    "thousand carats": "kct",
    "million carats": "mct",
    "million cubic meters": "mcm",
}

# The MCS 2024 data release revision of 2024-03-06 corrected the unit in the field names of
# these files: commodity code -> (superseded unit, corrected unit).
UNIT_REVISIONS_MCS2024: dict[str, tuple[str, str]] = {
    "barit": ("t", "kt"),
    "bauxi": ("t", "kt"),
    "boron": ("t", "kt"),
    "chrom": ("t", "kt"),
    "clays": ("t", "kt"),
    "diato": ("t", "kt"),
    "germa": ("t", "kg"),
    "plati": ("kt", "kg"),
    "simet": ("t", "kt"),
    "sodaa": ("t", "kt"),
    "timin": ("t", "kt"),
    "zinc": ("t", "kt"),
}
UNIT_REVISION_NOTE = (
    "unit corrected from {} to {} by the MCS 2024 data release revision of 2024-03-06"
)


MEASURE_BY_PREFIX: dict[str, str] = {
    "prod": "production",
    "reserves": "reserves",
    "reserve": "reserves",
    "cap": "capacity",
}
EXPECTED_HEADER = "Source,Country,Type,Prod_<unit>_<year>,...,Prod_notes,Reserves_<unit>,..."
EXPECTED_SINGLE_HEADER = (
    "SOURCE,COMMODITY,COUNTRY,TYPE,UNIT_MEAS,PROD_<year>,PROD_EST_<year>,...,RESERVES_<year>"
)
SINGLE_FILE_COLUMNS = ("SOURCE", "COMMODITY", "COUNTRY", "TYPE", "UNIT_MEAS")

# Layouts, recognised by the first header cells (lower case, whitespace removed).
LAYOUT_WORLD = "world"
LAYOUT_WORLD_SINGLE = "world_single"
LAYOUT_SALIENT = "salient"
LAYOUT_CRITICAL_SALIENT = "critical_minerals_salient"
_LAYOUT_BY_HEADER_START: tuple[tuple[tuple[str, ...], str], ...] = (
    (("source", "commodity", "country"), LAYOUT_WORLD_SINGLE),
    (("source", "country"), LAYOUT_WORLD),
    (("datasource", "commodity", "year"), LAYOUT_SALIENT),
    (("source", "year", "critical_mineral"), LAYOUT_CRITICAL_SALIENT),
)

WORLD_FILE = re.compile(r"_world\.csv$", re.IGNORECASE)
_MEASURE_COLUMN = re.compile(
    r"^(?P<prefix>prod|reserves|cap)_(?P<unit>.+?)(?P<est>_est)?(?:_(?P<year>\d{4}))?$",
    re.IGNORECASE,
)
_SINGLE_MEASURE_COLUMN = re.compile(
    r"^(?P<prefix>PROD|RESERVES|CAP)(?P<est>_EST)?_(?P<year>\d{4})$", re.IGNORECASE
)
_NOTES_COLUMN = re.compile(r"^(?P<prefix>prod|reserves?|cap)_notes?$", re.IGNORECASE)
_FILE_NAME = re.compile(
    r"(?:^|_)mcs(?P<edition>\d{4})-(?P<code>[a-z0-9]+)_(?:world|salient)\.csv$", re.IGNORECASE
)
_EDITION = re.compile(r"(\d{4})")
_FOOTNOTE_DIGITS = re.compile(r"\d+$")

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_PLAIN_NUMBER = rf"^(?:{_NUMBER})$"
_ESTIMATED_NUMBER = rf"^e\s*(?:{_NUMBER})$"
_BOUND = rf"^[<>≤≥]\s*(?:{_NUMBER})$"
_NO_DIGITS = r"^\D+$"

_REFINERY_TYPE = r"refin|smelt|plant production|primary production|sponge metal"
_MINE_TYPE = r"\bmi?ne\b"
_BARE_UNITS = frozenset({"t", "kt", "kg", "g", "mmt", "mct", "kct", "mcm"})


class UsgsFileError(ValueError):
    """A whole file cannot be read in any USGS layout; the message names the file and line."""


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
    """Where a world file keeps its identity, measure and notes columns (0-based indexes).

    `commodity_index` and `unit_index` are set for the 2025 single file only."""

    type_index: int
    measures: tuple[MeasureColumn, ...]
    notes_index: dict[str, int]
    country_index: int = 1
    commodity_index: int | None = None
    unit_index: int | None = None


@dataclass(frozen=True)
class DataLine:
    """One non-blank physical line after the header, its cells as printed."""

    line: int
    cells: list[str]
    raw: str


@dataclass(frozen=True)
class CsvText:
    """A landing file split into header cells and non-blank lines, plus the lines that cannot be
    read (line -> reason: bytes that are not UTF-8, a last line cut short)."""

    header: list[str]
    lines: list[DataLine]
    unreadable: dict[int, str]


# --- text ------------------------------------------------------------------------------------


def read_csv_text(path: Path, expected_header: str = EXPECTED_HEADER) -> CsvText:
    """Decode a file (UTF-8, BOM allowed), split it into CSV records with physical line numbers.

    Bytes that are not UTF-8 do not stop the read: the lines holding them are listed in
    `unreadable` with the byte and its position. A header that is empty, not UTF-8 or not
    separated by commas raises UsgsFileError."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="surrogateescape")
    physical = io.StringIO(text, newline="").readlines()
    reader = csv.reader(iter(physical))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise UsgsFileError(f"{path}: file is empty; expected a header `{expected_header}`")
    header_text = "".join(physical[: reader.line_num])
    if _has_undecodable(header_text):
        raise UsgsFileError(f"{path}, line 1: {_undecodable_reason(header_text)}")
    delimiter = _foreign_delimiter(header)
    if delimiter:
        raise UsgsFileError(
            f"{path}, line 1: header fields are separated by {delimiter!r}; expected "
            f"comma-separated values `{expected_header}`"
        )
    lines = list(_data_lines(reader, physical, reader.line_num))
    unreadable = {
        line.line: _undecodable_reason(line.raw) for line in lines if _has_undecodable(line.raw)
    }
    if lines and not text.endswith(("\n", "\r")):
        last = lines[-1]
        cut = _cut_short(last, len(header))
        if cut and last.line not in unreadable:
            unreadable[last.line] = cut
    clean = [
        DataLine(
            line=line.line, cells=[clean_text(c) for c in line.cells], raw=clean_text(line.raw)
        )
        for line in lines
    ]
    return CsvText(header=[clean_text(c) for c in header], lines=clean, unreadable=unreadable)


def _has_undecodable(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _undecodable_reason(text: str) -> str:
    position, char = next((i, ch) for i, ch in enumerate(text) if "\udc80" <= ch <= "\udcff")
    byte = ord(char) - 0xDC00
    return (
        f"byte 0x{byte:02X} at character {position + 1} is not UTF-8; expected UTF-8 text "
        "(the file looks saved as cp1252/Latin-1: re-save it as UTF-8)"
    )


def clean_text(text: str) -> str:
    """Undecodable bytes (kept as surrogates while reading) become U+FFFD for storage."""
    return text.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")


def _foreign_delimiter(header: list[str]) -> str | None:
    named = [cell for cell in header if cell.strip()]
    if len(named) != 1:
        return None
    for delimiter in (";", "\t", "|"):
        if delimiter in named[0]:
            return delimiter
    return None


def _cut_short(line: DataLine, header_width: int) -> str | None:
    """Reason when the file's last line (no line break after it) looks truncated."""
    if line.raw.count('"') % 2:
        return (
            "file ends inside a quoted field of its last line, without a line break: the file "
            "looks truncated; expected a complete line"
        )
    named_width = header_width
    if len(line.cells) < min(named_width, 3):
        return (
            f"last line has {len(line.cells)} field(s) and no line break after it: the file "
            "looks truncated; expected a complete line"
        )
    return None


def detect_layout(header: list[str]) -> str | None:
    """The layout a header belongs to (LAYOUT_*), from its first cells; None when unknown."""
    names = tuple(re.sub(r"\s+", "", cell).lower() for cell in header)
    for start, layout in _LAYOUT_BY_HEADER_START:
        if names[: len(start)] == start:
            return layout
    return None


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


def parse_single_measure_column(index: int, name: str) -> MeasureColumn | None:
    """2025 file: `PROD_EST_ 2024` -> production 2024 estimate (unit from each line's UNIT_MEAS)."""
    cleaned = re.sub(r"\s+", "", name)
    match = _SINGLE_MEASURE_COLUMN.match(cleaned)
    if match is None:
        return None
    return MeasureColumn(
        index=index,
        name=name.strip(),
        measure=MEASURE_BY_PREFIX[match.group("prefix").lower()],
        unit="",
        year=int(match.group("year")),
        is_estimate=match.group("est") is not None,
    )


def parse_world_header(path: Path, header: list[str]) -> WorldHeader:
    """Locate the Type, measure and notes columns; UsgsFileError when the layout is not a world
    layout."""
    names = [name.strip() for name in header]
    layout = detect_layout(names)
    if layout == LAYOUT_WORLD_SINGLE:
        return _parse_single_header(path, names)
    if layout != LAYOUT_WORLD:
        raise UsgsFileError(
            f"{path}, line 1: header starts `{','.join(names[:3])}`; expected `{EXPECTED_HEADER}`"
        )
    measures = tuple(
        column
        for index, name in enumerate(names)
        if (column := parse_measure_column(index, name)) is not None
    )
    if not measures:
        raise UsgsFileError(
            f"{path}, line 1: no Prod_, Reserves_ or Cap_ value column in header "
            f"`{','.join(n for n in names if n)}`; expected `{EXPECTED_HEADER}`"
        )
    type_index = _type_index(path, names)
    notes_index = _notes_index(names)
    has_production = any(column.measure == "production" for column in measures)
    if "capacity" not in notes_index and "production" in notes_index and not has_production:
        notes_index["capacity"] = notes_index["production"]
    return WorldHeader(type_index=type_index, measures=measures, notes_index=notes_index)


def _notes_index(names: list[str]) -> dict[str, int]:
    notes_index: dict[str, int] = {}
    for index, name in enumerate(names):
        match = _NOTES_COLUMN.match(re.sub(r"\s+", "", name))
        if match:
            notes_index.setdefault(MEASURE_BY_PREFIX[match.group("prefix").lower()], index)
    return notes_index


def _parse_single_header(path: Path, names: list[str]) -> WorldHeader:
    upper = [re.sub(r"\s+", "", name).upper() for name in names]
    missing = [column for column in SINGLE_FILE_COLUMNS if column not in upper]
    if missing:
        raise UsgsFileError(
            f"{path}, line 1: header lacks column(s) {', '.join(missing)}; expected "
            f"`{EXPECTED_SINGLE_HEADER}`"
        )
    measures = tuple(
        column
        for index, name in enumerate(names)
        if (column := parse_single_measure_column(index, name)) is not None
    )
    if not measures:
        raise UsgsFileError(
            f"{path}, line 1: no PROD_<year>, PROD_EST_<year> or RESERVES_<year> column; "
            f"expected `{EXPECTED_SINGLE_HEADER}`"
        )
    return WorldHeader(
        type_index=upper.index("TYPE"),
        measures=measures,
        notes_index=_notes_index(names),
        country_index=upper.index("COUNTRY"),
        commodity_index=upper.index("COMMODITY"),
        unit_index=upper.index("UNIT_MEAS"),
    )


def _type_index(path: Path, names: list[str]) -> int:
    lowered = [name.lower() for name in names]
    if "type" in lowered:
        return lowered.index("type")
    third = names[2] if len(names) > 2 else ""
    if third and parse_measure_column(2, third) is None and not _NOTES_COLUMN.match(third):
        return 2
    raise UsgsFileError(f"{path}, line 1: header has no Type column; expected `{EXPECTED_HEADER}`")


# --- names -----------------------------------------------------------------------------------


def commodity_code_from_name(name: str) -> str | None:
    """`mcs2024-raree_world.csv`, `cobalt_mcs2022-cobal_salient.csv` -> `raree`, `cobal`
    (case-insensitive); None for other names."""
    match = _FILE_NAME.search(name)
    return match.group("code").lower() if match else None


def edition_from_name(name: str) -> int | None:
    """`mcs2024-raree_world.csv` -> 2024; None for other names."""
    match = _FILE_NAME.search(name)
    return int(match.group("edition")) if match else None


def commodity_code_from_commodity_name(name: str) -> str:
    """`Rare earths` -> `raree`; a name not in COMMODITY_CODE_BY_NAME -> its snake-case slug."""
    cleaned = _FOOTNOTE_DIGITS.sub("", re.sub(r"\s+", " ", name).strip()).strip().lower()
    known = COMMODITY_CODE_BY_NAME.get(cleaned)
    return known if known else re.sub(r"[^0-9a-z]+", "_", cleaned).strip("_")


def unit_from_text(text: str) -> str | None:
    """`thousand metric tons` -> `kt` (UNIT_BY_TEXT); other texts as printed; None when empty."""
    cleaned = re.sub(r"\s+", " ", text).strip()
    if not cleaned:
        return None
    return UNIT_BY_TEXT.get(cleaned.lower(), cleaned)


# --- lines -----------------------------------------------------------------------------------


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
    indexes = [header.country_index, *(column.index for column in header.measures)]
    return any(_cell(line.cells, index).strip() for index in indexes)


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


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
            "_commodity_cell": [_cell(line.cells, header.commodity_index) for line in lines],
            "_unit_cell": [_cell(line.cells, header.unit_index) for line in lines],
            "country_raw": [_cell(line.cells, header.country_index) for line in lines],
            "type_raw": [_cell(line.cells, header.type_index) for line in lines],
            **notes,
            **values,
        },
        schema={
            "source_line": pl.Int64,
            "raw_record": pl.Utf8,
            "_source_cell": pl.Utf8,
            "_commodity_cell": pl.Utf8,
            "_unit_cell": pl.Utf8,
            "country_raw": pl.Utf8,
            "type_raw": pl.Utf8,
            **{name: pl.Utf8 for name in notes},
            **{name: pl.Utf8 for name in values},
        },
    )


def file_edition(lines: list[DataLine], source_index: int, file_name: str) -> int | None:
    """The edition most lines' Source cells name, else the one in the file name, else None."""
    editions = Counter(
        int(match.group(1))
        for line in lines
        if (match := _EDITION.search(_cell(line.cells, source_index))) is not None
    )
    if editions:
        return editions.most_common(1)[0][0]
    return edition_from_name(file_name)


def revised_columns(
    header: WorldHeader, edition: int | None, commodity_code: str | None
) -> WorldHeader:
    """Apply UNIT_REVISIONS_MCS2024 to a pre-revision 2024 file (see the module docstring)."""
    revision = UNIT_REVISIONS_MCS2024.get(commodity_code or "")
    if edition != 2024 or revision is None:
        return header
    superseded, corrected = revision
    production_units = {c.unit.lower() for c in header.measures if c.measure == "production"}
    if superseded not in production_units:
        return header
    measures = tuple(
        MeasureColumn(
            index=c.index,
            name=c.name,
            measure=c.measure,
            unit=corrected if c.unit.lower() == superseded else c.unit,
            year=c.year,
            is_estimate=c.is_estimate,
        )
        for c in header.measures
    )
    return WorldHeader(
        type_index=header.type_index,
        measures=measures,
        notes_index=header.notes_index,
        country_index=header.country_index,
        commodity_index=header.commodity_index,
        unit_index=header.unit_index,
    )


# --- reading ---------------------------------------------------------------------------------


def read_usgs_world_file(path: Path, source: str = "usgs_mcs") -> ReadResult:
    """Read one MCS world file (any edition) into long rows plus rejected lines."""
    result, _ = read_world_text(path, read_csv_text(path), source)
    return result


def read_world_text(path: Path, text: CsvText, source: str) -> tuple[ReadResult, FileRead]:
    """The world-file reader on an already split file (see read_csv_text)."""
    header = parse_world_header(path, text.header)
    unreadable = [line for line in text.lines if line.line in text.unreadable]
    lines = [
        line
        for line in text.lines
        if line.line not in text.unreadable and _is_data_line(line, header)
    ]
    edition = file_edition(text.lines, 0, path.name)
    commodity_code = commodity_code_from_name(path.name) if header.commodity_index is None else None
    header = revised_columns(header, edition, commodity_code)
    unreadable_rejects = unreadable_lines_frame(unreadable, text.unreadable, path.name)
    if lines:
        cells = _classified_cells(_wide_frame(lines, header), header)
        problems = _line_problems(cells, header, edition)
        result = ReadResult(
            rows=_world_rows(cells, problems, path.name, source, edition, commodity_code),
            rejects=pl.concat([_world_rejects(cells, problems, path.name), unreadable_rejects]),
        )
    else:
        result = ReadResult(rows=empty_world_frame(), rejects=unreadable_rejects)
    loaded = result.rows["source_line"].n_unique() if result.rows.height else 0
    read = FileRead(
        path=path,
        rows_in=len(lines) + len(unreadable),
        rows_loaded=loaded,
        rows_rejected=result.rejects.height,
    )
    if read.rows_loaded + read.rows_rejected != read.rows_in:
        raise RuntimeError(
            f"{path}: {read.rows_in} data lines read but {loaded} represented in rows and "
            f"{read.rows_rejected} rejected; expected every data line in exactly one of them"
        )
    return result, read


def unreadable_lines_frame(
    lines: list[DataLine], reasons: dict[int, str], file_name: str
) -> pl.DataFrame:
    """Rejects for lines that could not be read as text (REJECT_SCHEMA)."""
    return pl.DataFrame(
        {
            "source_file": [file_name] * len(lines),
            "source_line": [line.line for line in lines],
            "reason": [reasons[line.line] for line in lines],
            "raw_record": [line.raw for line in lines],
        },
        schema=REJECT_SCHEMA,
    )


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


def classify_value(cell: pl.Expr) -> dict[str, pl.Expr]:
    """Typed parts of a value cell: quantity, value_flag, estimated (e-prefixed) and problem."""
    text = cell.str.strip_chars().fill_null("")
    digits = text.str.replace(r"^e\s*", "").str.replace_all(",", "")
    plain = text.str.contains(_PLAIN_NUMBER)
    estimated = text.str.contains(_ESTIMATED_NUMBER)
    flag_only = text.str.contains(_BOUND) | text.str.contains(_NO_DIGITS)
    return {
        "empty": text == "",
        "quantity": pl.when(plain | estimated).then(digits.cast(pl.Float64, strict=False)),
        "value_flag": pl.when(estimated)
        .then(pl.lit("e"))
        .when(flag_only)
        .then(text)
        .otherwise(None),
        "estimated": estimated,
        "bad": (text != "") & ~(plain | estimated | flag_only),
        "text": text,
    }


def _classified_cells(wide: pl.DataFrame, header: WorldHeader) -> pl.DataFrame:
    """Long frame, one row per (line, measure column), each cell typed or marked bad."""
    value_columns = [f"_value_{column.index}" for column in header.measures]
    index_columns = [name for name in wide.columns if name not in value_columns]
    long = wide.unpivot(
        on=value_columns, index=index_columns, variable_name="_column", value_name="_cell"
    ).join(_measure_table(header), on="_column", how="left", maintain_order="left")
    value = classify_value(pl.col("_cell"))
    return long.with_columns(
        value["empty"].alias("_empty"),
        value["quantity"].alias("quantity"),
        value["value_flag"].alias("value_flag"),
        (pl.col("_column_estimate") | value["estimated"]).alias("is_estimate"),
        pl.when(value["bad"])
        .then(
            pl.format(
                "column {}: value '{}' is not a number; expected a number such as 7,900 or a "
                "flag such as W, NA, XX, >95",
                "_column_name",
                value["text"],
            )
        )
        .alias("_cell_problem"),
    )


def _line_problems(cells: pl.DataFrame, header: WorldHeader, edition: int | None) -> pl.DataFrame:
    """source_line -> reason for every line that is rejected as a whole."""
    column_list = ", ".join(column.name for column in header.measures)
    per_line = cells.group_by("source_line", maintain_order=True).agg(
        pl.col("country_raw").first().str.strip_chars().fill_null("").alias("_country"),
        pl.col("_commodity_cell").first().str.strip_chars().fill_null("").alias("_commodity"),
        pl.col("_unit_cell").first().str.strip_chars().fill_null("").alias("_unit"),
        pl.col("_source_cell").first().str.contains(_EDITION.pattern).alias("_has_edition"),
        pl.col("_cell_problem").drop_nulls().str.join("; ").alias("_cell_problems"),
        (~pl.col("_empty")).sum().alias("_values"),
        pl.col("quantity").is_not_null().sum().alias("_quantities"),
    )
    single = header.commodity_index is not None
    reason = pl.concat_str(
        [
            pl.when(pl.col("_country") == "").then(
                pl.lit("Country is empty; expected a country name or World total / Other countries")
            ),
            pl.when(pl.lit(single) & (pl.col("_commodity") == "")).then(
                pl.lit("COMMODITY is empty; expected a commodity name such as Rare earths")
            ),
            pl.when(pl.lit(single) & (pl.col("_unit") == "") & (pl.col("_quantities") > 0)).then(
                pl.lit("UNIT_MEAS is empty next to a number; expected a unit such as metric tons")
            ),
            pl.when(pl.lit(edition is None) & ~pl.col("_has_edition").fill_null(False)).then(
                pl.lit(
                    "Source names no edition and the file name carries none; expected MCS<year> "
                    "in Source or a file name like mcs2024-<code>_world.csv"
                )
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
    cells: pl.DataFrame,
    problems: pl.DataFrame,
    file_name: str,
    source: str,
    edition: int | None,
    commodity_code: str | None,
) -> pl.DataFrame:
    kept = (
        cells.join(problems, on="source_line", how="anti", maintain_order="left")
        .filter(~pl.col("_empty"))
        .sort("source_line", "_column_index")
    )
    names = _country_columns(kept["country_raw"].unique().to_list())
    commodities = _commodity_columns(kept["_commodity_cell"].unique().to_list(), commodity_code)
    units = _unit_columns(kept["_unit_cell"].unique().to_list())
    type_text = pl.col("type_raw").str.strip_chars()
    type_lower = type_text.str.to_lowercase().fill_null("")
    capacity_line = type_lower.str.contains("capacity") & ~type_lower.str.contains("production")
    source_edition = pl.col("_source_cell").str.extract(_EDITION.pattern, 1).cast(pl.Int32)
    notes = _notes_expr(kept.columns, file_name, cells, edition, commodity_code)
    return (
        kept.join(names, on="country_raw", how="left", maintain_order="left")
        .join(commodities, on="_commodity_cell", how="left", maintain_order="left")
        .join(units, on="_unit_cell", how="left", maintain_order="left")
        .select(
            source_edition.fill_null(pl.lit(edition, dtype=pl.Int32)).alias("edition"),
            "commodity_code",
            _mineral_expr(type_lower).alias("mineral"),
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
            pl.coalesce(pl.col("_line_unit"), pl.when(pl.col("unit") != "").then("unit")).alias(
                "unit"
            ),
            "is_estimate",
            "value_flag",
            notes.alias("notes"),
            pl.lit(source, dtype=pl.Utf8).alias("source"),
            pl.lit(file_name, dtype=pl.Utf8).alias("source_file"),
            "source_line",
        )
        .cast(USGS_MCS_WORLD_SCHEMA)
    )


def _mineral_expr(type_lower: pl.Expr) -> pl.Expr:
    """The line's mineral: by its commodity code, or, for a code whose file reports several
    minerals (`plati`), the one the Type text names (`Mine production: Palladium`)."""
    mineral = pl.col("mineral")
    for code, minerals in MINERALS_BY_COMMODITY_CODE.items():
        if len(minerals) < 2:
            continue
        for name in minerals:
            mineral = (
                pl.when(
                    (pl.col("commodity_code") == code)
                    & type_lower.str.contains(name.replace("_", " "), literal=True)
                )
                .then(pl.lit(name))
                .otherwise(mineral)
            )
    return mineral


def _notes_expr(
    columns: list[str],
    file_name: str,
    cells: pl.DataFrame,
    edition: int | None,
    commodity_code: str | None,
) -> pl.Expr:
    """The notes column of each value's measure, plus the unit-revision note where it applies."""
    notes = pl.lit(None, dtype=pl.Utf8)
    for measure in dict.fromkeys(MEASURE_BY_PREFIX.values()):
        if f"_notes_{measure}" in columns:
            expr = pl.col(f"_notes_{measure}").str.strip_chars()
            notes = pl.when(pl.col("_column_measure") == measure).then(expr).otherwise(notes)
    notes = pl.when(notes != "").then(notes)
    revision = UNIT_REVISIONS_MCS2024.get(commodity_code or "")
    if edition == 2024 and revision is not None:
        superseded, corrected = revision
        revised_names = _revised_column_names(cells, corrected)
        if revised_names:
            note = UNIT_REVISION_NOTE.format(superseded, corrected)
            notes = (
                pl.when(pl.col("_column_name").is_in(revised_names))
                .then(pl.concat_str([notes, pl.lit(note)], separator="; ", ignore_nulls=True))
                .otherwise(notes)
            )
    return notes


def _revised_column_names(cells: pl.DataFrame, corrected: str) -> list[str]:
    """Columns given the corrected unit although their name spells another one."""
    revised = []
    for name, unit in cells.select("_column_name", "unit").unique().iter_rows():
        column = parse_measure_column(0, name)
        if unit == corrected and column is not None and column.unit.lower() != corrected:
            revised.append(name)
    return revised


def _commodity_columns(cells: list[str], file_code: str | None) -> pl.DataFrame:
    """2025 COMMODITY cell (or the file's code for per-commodity files) -> code and mineral."""
    records = []
    for cell in cells:
        code = commodity_code_from_commodity_name(cell) if cell.strip() else file_code
        records.append((cell, code, MINERAL_BY_COMMODITY_CODE.get(code or "")))
    return pl.DataFrame(
        records,
        schema={"_commodity_cell": pl.Utf8, "commodity_code": pl.Utf8, "mineral": pl.Utf8},
        orient="row",
    )


def _unit_columns(cells: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        [(cell, unit_from_text(cell)) for cell in cells],
        schema={"_unit_cell": pl.Utf8, "_line_unit": pl.Utf8},
        orient="row",
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
        schema={
            "country_raw": pl.Utf8,
            "country_name": pl.Utf8,
            "row_kind": pl.Utf8,
            "country_iso3": pl.Utf8,
        },
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
