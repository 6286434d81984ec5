"""Tests for ingest.reference: the country and commodity reference tables and lookups."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl
import pytest

from ingest import reference

REALDATA = Path(__file__).parents[1] / ".." / "shared" / "realdata"
USGS_2024_WORLD = REALDATA / "usgs_mcs" / "mcs2024_world"
USGS_2022_WORLD = REALDATA / "usgs_mcs" / "mcs2022_individual_cmm"
HS2017 = (
    REALDATA
    / "reference"
    / "hs_nomenclature_datahub"
    / "harmonized-system_HS2017_commit_a72bef2.csv"
)

# Names printed in the USGS world files that are not one country: a residual line of the tantalum
# table and a combined line of the abrasives table. They must stay unresolved.
USGS_NON_COUNTRY_NAMES = frozenset({"Other", "United States and Canada"})
AGGREGATE_ROW = re.compile(r"^(world total|other countries)", re.IGNORECASE)


def test_countries_has_every_iso_country_plus_taiwan() -> None:
    table = reference.countries()
    # ISO 3166-1 lists 249 entries, Taiwan (TWN, 158) among them.
    assert table.height == 249
    assert table["country_iso3"].n_unique() == 249
    assert table.schema["aliases"] == pl.List(pl.Utf8)
    taiwan = table.filter(pl.col("country_iso3") == "TWN").row(0, named=True)
    assert (taiwan["m49_code"], taiwan["baci_code"]) == (158, 490)
    assert "Other Asia, nes" in taiwan["aliases"]


def test_every_name_and_alias_resolves_to_its_own_country() -> None:
    for iso3, name, aliases in (
        reference.countries().select("country_iso3", "country_name", "aliases").iter_rows()
    ):
        for alias in [name, *aliases]:
            assert reference.country_iso3_from_name(alias) == iso3, alias


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Burma", "MMR"),
        ("Congo (Kinshasa)", "COD"),
        ("Congo (Brazzaville)", "COG"),
        ("China6", "CHN"),
        ("  china ", "CHN"),
        ("United\u00a0States1", "USA"),
        ("Korea, Republic of", "KOR"),
        ("Korea, North", "PRK"),
        ("Côte d\u2019Ivoire", "CIV"),
        ("Cote d'Ivoire", "CIV"),
        ("Turkiye", "TUR"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Russia", "RUS"),
        ("Laos", "LAO"),
        ("Vietnam", "VNM"),
        ("Viet Nam", "VNM"),
        ("Rep. of Korea", "KOR"),
        ("Dem. Rep. of the Congo", "COD"),
        # USGS footnote letter "e" (estimated) and qualifiers.
        ("Chinae", "CHN"),
        ("Korea, Republic ofe", "KOR"),
        ("Brazil (beneficiated, marketable)", "BRA"),
        ("Denmark (processed)5", "DNK"),
        ("Kazakhstan, concentrate", "KAZ"),
        ("New Caledonia (overseas territory of France)", "NCL"),
        # Names that are not countries.
        ("World total (rounded)", None),
        ("Other countries", None),
        ("Atlantis", None),
    ],
)
def test_country_iso3_from_name(name: str, iso3: str | None) -> None:
    assert reference.country_iso3_from_name(name) == iso3


def test_country_iso3_from_m49() -> None:
    assert reference.country_iso3_from_m49(156) == "CHN"
    assert reference.country_iso3_from_m49(158) == "TWN"
    assert reference.country_iso3_from_m49(840) == "USA"
    assert reference.country_iso3_from_m49(0) is None


def test_country_iso3_from_baci_uses_baci_codes_not_iso_numeric() -> None:
    assert reference.country_iso3_from_baci(842) == "USA"
    assert reference.country_iso3_from_baci(699) == "IND"
    assert reference.country_iso3_from_baci(490) == "TWN"
    assert reference.country_iso3_from_baci(251) == "FRA"
    assert reference.country_iso3_from_baci(757) == "CHE"
    assert reference.country_iso3_from_baci(579) == "NOR"
    assert reference.country_iso3_from_baci(156) == "CHN"
    # ISO numeric codes of the USA and India are not BACI codes.
    assert reference.country_iso3_from_baci(840) is None
    assert reference.country_iso3_from_baci(356) is None


def test_commodities_table() -> None:
    table = reference.commodities()
    # 6 rare-earth + 5 lithium + 3 cobalt + 3 graphite + 1 gallium + 2 germanium + 6 nickel
    # + 3 tungsten + 3 antimony = 32 rows; 253090 and 811292 appear twice -> 30 distinct codes.
    assert table.height == 32
    assert len(reference.critical_hs6_codes()) == 30
    shared = set(table.filter(pl.col("is_shared_code"))["hs6"].to_list())
    assert shared == {"253090", "811292"}
    assert set(table["mineral"].to_list()) == set(reference.MINERALS)
    assert set(table["stage"].to_list()) <= set(reference.STAGES)
    assert set(table.filter(pl.col("hs6") == "253090")["mineral"].to_list()) == {
        "rare_earths",
        "lithium",
    }
    assert set(table.filter(pl.col("hs6") == "811292")["mineral"].to_list()) == {
        "gallium",
        "germanium",
    }
    magnets = table.filter(pl.col("hs6") == "850511").row(0, named=True)
    assert (magnets["mineral"], magnets["stage"]) == ("rare_earths", "component")


@pytest.mark.skipif(not HS2017.exists(), reason=f"real HS 2017 nomenclature absent: {HS2017}")
def test_every_commodity_code_is_an_hs2017_subheading() -> None:
    with HS2017.open(encoding="utf-8-sig", newline="") as handle:
        subheadings = {row["hscode"] for row in csv.DictReader(handle) if row["level"] == "6"}
    assert reference.critical_hs6_codes() <= subheadings


def _usgs_country_names(folder: Path) -> set[str]:
    names: set[str] = set()
    for path in sorted(folder.glob("*_world.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        country_column = [cell.strip() for cell in rows[0]].index("Country")
        for row in rows[1:]:
            if len(row) > country_column and row[country_column].strip():
                names.add(row[country_column])
    return names


@pytest.mark.skipif(
    not USGS_2024_WORLD.exists(), reason=f"real USGS MCS 2024 world files absent: {USGS_2024_WORLD}"
)
@pytest.mark.parametrize("folder", [USGS_2024_WORLD, USGS_2022_WORLD], ids=["mcs2024", "mcs2022"])
def test_every_usgs_world_country_name_resolves(folder: Path) -> None:
    names = _usgs_country_names(folder)
    assert len(names) > 50
    country_names = {
        name
        for name in names
        if not AGGREGATE_ROW.match(reference.clean_country_name(name))
        and reference.clean_country_name(name) not in USGS_NON_COUNTRY_NAMES
    }
    unresolved = sorted(n for n in country_names if reference.country_iso3_from_name(n) is None)
    assert unresolved == []
    for name in names - country_names:
        assert reference.country_iso3_from_name(name) is None, name
