"""Tests for ingest.reference.lookup: the country and commodity reference tables and lookups."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import polars as pl
import pytest
from repo_paths import REALDATA

from ingest.reference import lookup as reference

REALDATA = REALDATA
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


# The 9 minerals of the first reference and their 32 rows: adding minerals leaves them as they were.
ORIGINAL_ROWS = {
    "rare_earths": {"253090", "261220", "284610", "284690", "280530", "850511"},
    "lithium": {"253090", "282520", "283691", "280519", "850760"},
    "cobalt": {"260500", "282200", "810520"},
    "graphite": {"250410", "250490", "380110"},
    "gallium": {"811292"},
    "germanium": {"282560", "811292"},
    "nickel": {"260400", "750110", "750120", "283324", "750210", "750220"},
    "tungsten": {"261100", "284180", "810194", "810110"},
    "antimony": {"261710", "282580", "811010"},
}


def test_commodities_table() -> None:
    table = reference.commodities()
    by_mineral = {
        mineral: set(codes) for mineral, codes in table.group_by("mineral").agg("hs6").iter_rows()
    }
    # The original 32 rows plus tungsten powders 810110 (a code of the real HS92 BACI rows).
    assert {m: by_mineral[m] for m in ORIGINAL_ROWS} == ORIGINAL_ROWS
    assert set(table["mineral"].to_list()) <= set(reference.MINERALS)
    assert set(table["stage"].to_list()) == set(reference.STAGES)
    assert set(table["hs_revision"].to_list()) == {"HS17"}
    # A code is shared exactly when several minerals list it.
    counts = table.group_by("hs6").len()
    shared = set(counts.filter(pl.col("len") > 1)["hs6"].to_list())
    assert shared == set(table.filter(pl.col("is_shared_code"))["hs6"].to_list())
    assert {"253090", "811292", "261690", "711041", "280450", "261590", "282560"} <= shared
    assert set(table.filter(pl.col("hs6") == "811292")["mineral"].to_list()) == {
        "gallium",
        "germanium",
        "hafnium",
        "indium",
        "niobium",
        "rhenium",
        "vanadium",
    }
    magnets = table.filter(pl.col("hs6") == "850511").row(0, named=True)
    assert (magnets["mineral"], magnets["stage"]) == ("rare_earths", "component")
    assert magnets["is_broader_than_mineral"] is True
    # A shared code is broader than each of its minerals.
    assert table.filter(pl.col("is_shared_code") & ~pl.col("is_broader_than_mineral")).height == 0
    copper = table.filter(pl.col("mineral") == "copper").sort("hs6")
    assert copper.select("hs6", "stage").rows() == [
        ("260300", "ore_concentrate"),
        ("740100", "compound"),
        ("740200", "compound"),
        ("740311", "metal"),
        ("740811", "component"),
    ]


def _list_entries(column: str) -> set[str]:
    entries = reference.minerals()[column].drop_nulls().to_list()
    return {entry for cell in entries for entry in cell.split(reference.LIST_SEPARATOR)}


def test_mineral_reference_holds_each_list_as_published() -> None:
    """Counts of the published lists (docs/minerals.md): USGS 2025 60 minerals, USGS 2022 50,
    EU 2023 34 critical entries of which 17 strategic, IEA 6 focus minerals. The USGS lists name
    the rare-earth elements one by one, so the group row rare_earths is not counted."""
    minerals = reference.minerals()
    members = minerals.filter(~pl.col("is_group"))
    assert members.filter(pl.col("usgs_2025")).height == 60
    assert members.filter(pl.col("usgs_2022")).height == 50
    assert len(_list_entries("eu_2023_entry")) == 34
    assert len(_list_entries("eu_2023_strategic_entry")) == 17
    assert set(minerals.filter(pl.col("iea_focus"))["mineral"].to_list()) == {
        "copper",
        "lithium",
        "nickel",
        "cobalt",
        "graphite",
        "rare_earths",
    }
    # A flag is set exactly when the entry as published is recorded.
    for flag, entry in (
        ("usgs_2025", "usgs_2025_entry"),
        ("usgs_2022", "usgs_2022_entry"),
        ("eu_2023_critical", "eu_2023_entry"),
        ("eu_2023_strategic", "eu_2023_strategic_entry"),
    ):
        assert members.filter(pl.col(flag) != pl.col(entry).is_not_null()).height == 0, flag
    # Strategic implies critical (CRMA Article 4: every strategic raw material is critical).
    assert minerals.filter(pl.col("eu_2023_strategic") & ~pl.col("eu_2023_critical")).height == 0
    # USGS 2025 = USGS 2022 + the ten minerals the final 2025 list added.
    added = set(members.filter(pl.col("usgs_2025") & ~pl.col("usgs_2022"))["mineral"].to_list())
    assert added == {
        "boron",
        "copper",
        "lead",
        "coking_coal",
        "phosphate_rock",
        "potash",
        "rhenium",
        "silicon",
        "silver",
        "uranium",
    }
    assert members.filter(pl.col("usgs_2022") & ~pl.col("usgs_2025")).height == 0
    # The original ids are kept; every id is snake_case; the elements point at their group.
    assert set(ORIGINAL_ROWS) <= set(reference.MINERALS)
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", m) for m in reference.MINERALS)
    groups = minerals.filter(pl.col("mineral_group").is_not_null())
    assert set(groups["mineral_group"].to_list()) == {"rare_earths"}
    assert groups.height == 16  # 15 lanthanides without promethium, plus scandium and yttrium


def test_minerals_without_an_hs6_code_of_their_own_are_flagged() -> None:
    """A mineral with no HS6 code, or only codes shared with or broader than it, carries an
    hs6_note saying where its trade is; a mineral with a code of its own carries none."""
    codes = reference.commodities()
    own = set(codes.filter(~pl.col("is_broader_than_mineral"))["mineral"].to_list())
    minerals = reference.minerals()
    without_own = minerals.filter(~pl.col("mineral").is_in(sorted(own)))
    assert without_own.filter(pl.col("hs6_note").is_null()).height == 0
    assert (
        minerals.filter(
            pl.col("mineral").is_in(sorted(own)) & pl.col("hs6_note").is_not_null()
        ).height
        == 0
    )
    listed = set(codes["mineral"].to_list())
    no_code = set(minerals.filter(~pl.col("mineral").is_in(sorted(listed)))["mineral"].to_list())
    # The rare-earth elements trade within the rare_earths codes; the others have no HS6 code.
    elements = set(minerals.filter(pl.col("mineral_group") == "rare_earths")["mineral"].to_list())
    assert no_code == elements | {"dimension_stone", "wollastonite", "zeolites"}
    only_broader = set(without_own["mineral"].to_list()) - no_code
    assert only_broader == {
        "bromine",
        "cesium",
        "coking_coal",
        "gallium",
        "garnet",
        "germanium",
        "hafnium",
        "helium",
        "indium",
        "iridium",
        "osmium",
        "perlite",
        "rhenium",
        "rubidium",
        "ruthenium",
        "tellurium",
        "vermiculite",
    }


def test_usgs_codes_map_each_file_once() -> None:
    by_code = reference.minerals_by_usgs_code()
    assert by_code["coppe"] == ("copper",)
    assert by_code["plati"] == ("palladium", "platinum")
    assert by_code["timin"] == by_code["titan"] == ("titanium",)
    assert [code for code, minerals in by_code.items() if len(minerals) > 1] == ["plati"]


@pytest.mark.skipif(not USGS_2024_WORLD.is_dir(), reason=f"real USGS MCS absent: {USGS_2024_WORLD}")
def test_every_usgs_2024_commodity_is_a_mineral_or_unmapped_with_a_reason() -> None:
    from ingest.usgs_mcs.world import UNMAPPED_COMMODITY_CODES, commodity_code_from_name

    codes = {commodity_code_from_name(path.name) for path in USGS_2024_WORLD.glob("*_world.csv")}
    assert len(codes) == 77
    mapped = set(reference.minerals_by_usgs_code())
    assert mapped.isdisjoint(UNMAPPED_COMMODITY_CODES)
    assert codes == mapped | set(UNMAPPED_COMMODITY_CODES)
    assert len(mapped) == 71


@pytest.mark.skipif(not HS2017.exists(), reason=f"real HS 2017 nomenclature absent: {HS2017}")
def test_every_commodity_code_is_an_hs2017_subheading_with_its_description() -> None:
    """Each code is a six-digit subheading of the HS 2017 nomenclature and its description is
    the nomenclature's text, word for word."""
    with HS2017.open(encoding="utf-8-sig", newline="") as handle:
        subheadings = {
            row["hscode"]: row["description"]
            for row in csv.DictReader(handle)
            if row["level"] == "6"
        }
    table = reference.commodities()
    assert set(table["hs_revision"].to_list()) == {"HS17"}
    assert reference.critical_hs6_codes() <= set(subheadings)
    wrong = [
        (hs6, description, subheadings[hs6])
        for hs6, description in table.select("hs6", "description").iter_rows()
        if description != subheadings[hs6]
    ]
    assert wrong == []


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


def test_reference_problems_name_the_line() -> None:
    """The loader's checks of minerals.csv and commodities.csv catch what they promise, each
    naming the line: a mineral id not in snake_case, an unknown group, an empty list flag, a
    duplicate id, an unknown HS revision, a shared code not flagged as shared."""
    minerals = (
        reference.minerals()
        .head(2)
        .with_columns(
            pl.Series("mineral", ["Copper", "Copper"]),
            pl.Series("mineral_group", ["nothing", None]),
            pl.Series("usgs_2025", [None, True], dtype=pl.Boolean),
        )
    )
    problems = reference._mineral_problems(minerals)
    assert "line 2: mineral 'Copper', expected snake_case" in problems
    assert any(p.startswith("line 2: mineral_group 'nothing'") for p in problems)
    assert "line 2: usgs_2025 is empty, expected true or false" in problems
    assert "duplicate minerals ['Copper']" in problems
    codes = (
        reference.commodities()
        .filter(pl.col("hs6") == "253090")
        .with_columns(pl.lit("HS99").alias("hs_revision"), pl.lit(False).alias("is_shared_code"))
    )
    problems = reference._commodity_problems(codes)
    assert any(p.startswith("line 2: hs_revision 'HS99'") for p in problems)
    assert any(p.startswith("line 2: is_shared_code False for 253090") for p in problems)
