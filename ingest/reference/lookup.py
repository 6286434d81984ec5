"""Reference data shipped with the package: countries, minerals and their HS6 codes.

`ingest/data/countries.csv` is a curated table of every ISO 3166-1 country (plus Taiwan) with its
UN M49 code, its CEPII BACI country code (BACI codes differ from ISO numeric for a few countries,
e.g. 842 USA, 251 France, 699 India, 490 "Other Asia, nes" = Taiwan), UN region and sub-region,
and the alternative names publishers use (`|`-separated aliases: USGS, BACI, UN Comtrade spellings).

`ingest/data/minerals.csv` is the mineral reference: one row per mineral of the USGS 2025 and
2022 critical-mineral lists, the EU 2023 critical and strategic raw-material lists and the IEA focus
minerals (a boolean column per list and the list entry as published), plus the minerals the policy
register names and the other commodities of a USGS MCS world file; with the USGS MCS commodity
code(s), the World Mining Data table(s) and a note where the mineral has no HS6 code of its own.
See docs/minerals.md for the lists and their sources.

`ingest/data/commodities.csv` maps HS6 codes to a mineral and a value-chain stage. An HS6 code may
belong to several minerals (253090: rare earths, lithium, strontium; 811292: gallium, germanium,
indium, ...), so the key is (hs6, mineral) and `is_shared_code` marks such codes;
`is_broader_than_mineral` marks a code that covers more than the mineral (850511: every metal
magnet), so exposure computed on it is an upper bound. `hs_revision` names the HS edition of the
code (HS17: the reporting revision; other revisions reach it through hs_concordance_critical.csv).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import polars as pl

from ingest.reference.schema import COMMODITY_SCHEMA, COUNTRIES_SCHEMA, LIST_FLAGS, MINERAL_SCHEMA

DATA_DIR = Path(__file__).parents[1] / "data"
COUNTRIES_CSV = DATA_DIR / "countries.csv"
COMMODITIES_CSV = DATA_DIR / "commodities.csv"
MINERALS_CSV = DATA_DIR / "minerals.csv"

STAGES = ("ore_concentrate", "compound", "metal", "component")
HS_REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
LIST_SEPARATOR = "|"

COUNTRY_CSV_SCHEMA: dict[str, pl.DataType] = {**COUNTRIES_SCHEMA, "aliases": pl.Utf8()}
ALIAS_SEPARATOR = "|"

_FOOTNOTE_DIGITS = re.compile(r"\d+$")
_WHITESPACE = re.compile(r"\s+")
_TRAILING_QUALIFIER = re.compile(r"^(?P<base>.+?)\s*\([^()]*\)$")
_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_MINERAL_ID = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def _mineral_ids() -> tuple[str, ...]:
    with MINERALS_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple(row["mineral"] for row in csv.DictReader(handle))


# Every mineral of ingest/data/minerals.csv, in file order.
MINERALS: tuple[str, ...] = _mineral_ids()


@cache
def countries() -> pl.DataFrame:
    """The country table, one row per ISO3 code, `aliases` as list[str]. Cached."""
    table = pl.read_csv(COUNTRIES_CSV, schema=COUNTRY_CSV_SCHEMA, encoding="utf8")
    _check_unique(table, "country_iso3", COUNTRIES_CSV)
    _check_unique(table.filter(pl.col("m49_code").is_not_null()), "m49_code", COUNTRIES_CSV)
    _check_unique(table.filter(pl.col("baci_code").is_not_null()), "baci_code", COUNTRIES_CSV)
    return table.with_columns(
        pl.col("aliases")
        .fill_null("")
        .str.split(ALIAS_SEPARATOR)
        .list.eval(pl.element().filter(pl.element().str.len_chars() > 0))
    )


@cache
def commodities() -> pl.DataFrame:
    """HS6 code -> mineral and value-chain stage, keyed by (hs6, mineral). Cached."""
    table = pl.read_csv(COMMODITIES_CSV, schema=COMMODITY_SCHEMA, encoding="utf8")
    problems = _commodity_problems(table)
    if problems:
        raise ValueError(f"{COMMODITIES_CSV}: " + "; ".join(problems))
    return table


@cache
def minerals() -> pl.DataFrame:
    """The mineral reference, one row per mineral, with its list flags. Cached."""
    table = pl.read_csv(MINERALS_CSV, schema=MINERAL_SCHEMA, encoding="utf8")
    problems = _mineral_problems(table)
    if problems:
        raise ValueError(f"{MINERALS_CSV}: " + "; ".join(problems))
    return table


def minerals_by_usgs_code() -> dict[str, tuple[str, ...]]:
    """USGS MCS commodity code (`coppe`) -> the minerals its file reports, from minerals.csv.
    One mineral for most codes; `plati` reports platinum and palladium."""
    by_code: dict[str, list[str]] = {}
    for mineral, codes in minerals().select("mineral", "usgs_mcs_codes").iter_rows():
        for code in (codes or "").split(LIST_SEPARATOR):
            if code:
                by_code.setdefault(code, []).append(mineral)
    return {code: tuple(found) for code, found in by_code.items()}


def critical_hs6_codes() -> frozenset[str]:
    """Every HS6 code listed in commodities.csv."""
    return frozenset(commodities()["hs6"].to_list())


def clean_country_name(raw: str) -> str:
    """Collapse whitespace (including no-break spaces) and strip trailing footnote digits.

    `"China6"` -> `"China"`, `"United\\xa0States1"` -> `"United States"`.
    """
    collapsed = _WHITESPACE.sub(" ", raw.replace("\u00a0", " ")).strip()
    return _FOOTNOTE_DIGITS.sub("", collapsed).strip()


def country_iso3_from_name(name: str) -> str | None:
    """ISO3 code for a country name or alias, or None when the name is not a country.

    Matching ignores case, whitespace, accents, apostrophes and punctuation, and strips trailing
    footnote digits (`China6`). When the name itself is unknown, publisher decorations are tried
    off in turn: a trailing footnote letter `e` (USGS "estimated": `Chinae`), a trailing
    parenthetical qualifier (`Brazil (beneficiated)`), and a trailing comma qualifier
    (`Kazakhstan, concentrate`). Aggregates such as `World total` or `Other countries` return None.
    """
    index = _name_index()
    for candidate in _name_candidates(clean_country_name(name)):
        iso3 = index.get(_name_key(candidate))
        if iso3 is not None:
            return iso3
    return None


def country_iso3_from_m49(code: int) -> str | None:
    """ISO3 code for a UN M49 country code (e.g. 156 -> CHN, 158 -> TWN), or None."""
    return _m49_index().get(int(code))


def country_iso3_from_baci(code: int) -> str | None:
    """ISO3 code for a CEPII BACI country code (842 -> USA, 699 -> IND, 490 -> TWN), or None."""
    return _baci_index().get(int(code))


def _name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    lowered = _APOSTROPHES.sub("", without_accents.casefold()).replace("&", " and ")
    return _NON_ALNUM.sub(" ", lowered).strip()


def _name_candidates(cleaned: str) -> Iterator[str]:
    yield cleaned
    if _ends_with_footnote_e(cleaned):
        yield cleaned[:-1]
    qualified = _TRAILING_QUALIFIER.match(cleaned)
    if qualified:
        base = qualified.group("base")
        yield base
        if _ends_with_footnote_e(base):
            yield base[:-1]
    if "," in cleaned:
        yield cleaned.split(",", 1)[0]


def _ends_with_footnote_e(name: str) -> bool:
    return len(name) > 3 and name.endswith("e") and name[-2].isalpha()


@cache
def _name_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for row in countries().select("country_iso3", "country_name", "aliases").iter_rows():
        iso3, name, aliases = row
        for alias in [name, *aliases]:
            key = _name_key(alias)
            known = index.setdefault(key, iso3)
            if known != iso3:
                raise ValueError(
                    f"{COUNTRIES_CSV}: name {alias!r} of {iso3} is already a name of {known}; "
                    "expected each name or alias to identify one country"
                )
    return index


@cache
def _m49_index() -> dict[int, str]:
    table = countries().filter(pl.col("m49_code").is_not_null())
    return dict(zip(table["m49_code"].to_list(), table["country_iso3"].to_list(), strict=True))


@cache
def _baci_index() -> dict[int, str]:
    table = countries().filter(pl.col("baci_code").is_not_null())
    return dict(zip(table["baci_code"].to_list(), table["country_iso3"].to_list(), strict=True))


def _check_unique(table: pl.DataFrame, column: str, path: Path) -> None:
    duplicated = table.filter(pl.col(column).is_duplicated())[column].unique().to_list()
    if duplicated:
        raise ValueError(f"{path}: column {column} has duplicate values {duplicated}")


def _mineral_problems(table: pl.DataFrame) -> list[str]:
    problems: list[str] = []
    groups = set(table.filter(pl.col("is_group"))["mineral"].to_list())
    for line, row in enumerate(table.iter_rows(named=True), start=2):
        if not _MINERAL_ID.fullmatch(row["mineral"] or ""):
            problems.append(f"line {line}: mineral {row['mineral']!r}, expected snake_case")
        if row["mineral_group"] is not None and row["mineral_group"] not in groups:
            problems.append(
                f"line {line}: mineral_group {row['mineral_group']!r}, expected one of {groups}"
            )
        for column in ("is_group", *LIST_FLAGS):
            if row[column] is None:
                problems.append(f"line {line}: {column} is empty, expected true or false")
    duplicated = table.filter(pl.col("mineral").is_duplicated())["mineral"].unique().to_list()
    if duplicated:
        problems.append(f"duplicate minerals {duplicated}")
    return problems


def _commodity_problems(table: pl.DataFrame) -> list[str]:
    problems: list[str] = []
    per_code = table.group_by("hs6").len()
    shared = set(per_code.filter(pl.col("len") > 1)["hs6"].to_list())
    for line, row in enumerate(table.iter_rows(named=True), start=2):
        if row["hs_revision"] not in HS_REVISIONS:
            problems.append(
                f"line {line}: hs_revision {row['hs_revision']!r}, expected one of {HS_REVISIONS}"
            )
        if row["is_shared_code"] != (row["hs6"] in shared):
            problems.append(
                f"line {line}: is_shared_code {row['is_shared_code']} for {row['hs6']}, expected "
                "true exactly when the code is listed for several minerals"
            )
        if not re.fullmatch(r"\d{6}", row["hs6"] or ""):
            problems.append(f"line {line}: hs6 {row['hs6']!r}, expected 6 digits")
        if row["mineral"] not in MINERALS:
            problems.append(f"line {line}: mineral {row['mineral']!r}, expected one of {MINERALS}")
        if row["stage"] not in STAGES:
            problems.append(f"line {line}: stage {row['stage']!r}, expected one of {STAGES}")
    duplicated = table.filter(pl.struct("hs6", "mineral").is_duplicated())
    if duplicated.height:
        problems.append(
            f"duplicate (hs6, mineral) keys: {duplicated.select('hs6', 'mineral').rows()}"
        )
    return problems
