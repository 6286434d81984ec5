"""Tests for ingest.usgs_mcs.world: the USGS Mineral Commodity Summaries world-file reader."""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from repo_paths import FIXTURES, REALDATA

from ingest._result import REJECT_SCHEMA
from ingest.usgs_mcs.reader import read_usgs_folder
from ingest.usgs_mcs.schema import USGS_MCS_WORLD_SCHEMA
from ingest.usgs_mcs.world import (
    UNMAPPED_COMMODITY_CODES,
    commodity_code_from_name,
    parse_measure_column,
    read_usgs_world_file,
    unmapped_reason,
)

FIXTURES = FIXTURES / "usgs_mcs"
RAREE = FIXTURES / "mcs2024-raree_world.csv"
NICKE = FIXTURES / "MCS2024-nicke_world.csv"
REALDATA = REALDATA
MCS2024_WORLD = REALDATA / "usgs_mcs" / "mcs2024_world"
needs_mcs2024 = pytest.mark.skipif(
    not MCS2024_WORLD.is_dir(),
    reason=f"real USGS MCS 2024 world files not present at {MCS2024_WORLD}",
)

ROW_FIELDS = ("country_name", "measure", "year", "quantity", "is_estimate", "value_flag")


def _rows_of_line(rows: pl.DataFrame, line: int) -> list[tuple[object, ...]]:
    return rows.filter(pl.col("source_line") == line).select(ROW_FIELDS).rows()


def _write_world(path: Path, lines: list[str]) -> Path:
    """Write a world file the way USGS does: UTF-8 BOM and CRLF line ends."""
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


# --- fixture files in the real layout ---------------------------------------------------------


def test_rare_earth_fixture_schema_and_line_coverage() -> None:
    result = read_usgs_world_file(RAREE)
    assert result.rows.schema == pl.Schema(USGS_MCS_WORLD_SCHEMA)
    assert result.rejects.schema == pl.Schema(REJECT_SCHEMA)
    assert result.rejects.height == 0
    # Lines 5, 10 and 11 are lines of commas; every other line after the header has 3 values.
    assert sorted(result.rows["source_line"].unique().to_list()) == [2, 3, 4, 6, 7, 8, 9]
    assert result.rows.height == 7 * 3


def test_rare_earth_fixture_values_computed_by_hand() -> None:
    rows = read_usgs_world_file(RAREE).rows
    assert _rows_of_line(rows, 3) == [
        ("China", "production", 2022, 210000.0, False, None),
        ("China", "production", 2023, 240000.0, True, None),
        ("China", "reserves", None, 44000000.0, False, None),
    ]
    # Refinery line of the same country: quoted thousands, withheld, not available.
    assert _rows_of_line(rows, 4) == [
        ("China", "production", 2022, 7900.0, False, None),
        ("China", "production", 2023, None, True, "W"),
        ("China", "reserves", None, None, False, "NA"),
    ]
    # A bound is a flag, never a quantity; `e3,100` is an estimate of 3100.
    assert _rows_of_line(rows, 6)[2] == ("Burma", "reserves", None, None, False, ">95")
    assert _rows_of_line(rows, 7)[1] == ("India", "production", 2023, 3100.0, True, "e")
    assert _rows_of_line(rows, 8) == [
        ("Other countries", "production", 2022, None, False, "NA"),
        ("Other countries", "production", 2023, None, True, "XX"),
        ("Other countries", "reserves", None, None, False, ">9,100,000"),
    ]


def test_rare_earth_fixture_identity_columns() -> None:
    rows = read_usgs_world_file(RAREE).rows
    first = rows.row(0, named=True)
    assert (first["edition"], first["commodity_code"], first["mineral"]) == (
        2024,
        "raree",
        "rare_earths",
    )
    assert (first["unit"], first["source"], first["source_file"]) == (
        "t",
        "usgs_mcs",
        "mcs2024-raree_world.csv",
    )
    per_line = rows.unique("source_line").sort("source_line")
    assert per_line.select("country_raw", "country_iso3", "row_kind", "production_type").rows() == [
        ("United States", "USA", "country", "mine"),
        ("China6", "CHN", "country", "mine"),
        ("China6", "CHN", "country", "refinery"),
        ("Burma", "MMR", "country", "mine"),
        ("India", "IND", "country", "mine"),
        ("Other countries4", None, "other_countries", "mine"),
        ("World total (rounded)", None, "world_total", "mine"),
    ]


def test_notes_follow_their_measure() -> None:
    rows = read_usgs_world_file(RAREE).rows
    us = rows.filter(pl.col("source_line") == 2)
    assert us["notes"].to_list() == [None, None, "Reserves revised, based on company reports."]
    china = rows.filter(pl.col("source_line") == 3)
    assert china["notes"].to_list() == ["Production quota.", "Production quota.", None]


def test_bad_lines_are_rejected_whole_with_line_and_reason() -> None:
    result = read_usgs_world_file(NICKE)
    assert result.rows["source_line"].unique().to_list() == [2]
    assert result.rows["commodity_code"].unique().to_list() == ["nicke"]
    assert result.rows["mineral"].unique().to_list() == ["nickel"]
    rejects = result.rejects.sort("source_line")
    assert rejects["source_line"].to_list() == [3, 4, 5]
    reasons = rejects["reason"].to_list()
    assert reasons[0].startswith("column Prod_t_2022: value '12x4' is not a number")
    assert reasons[1].startswith("Country is empty")
    assert reasons[2].startswith("no value in any measure column (Prod_t_2022")
    assert rejects["raw_record"][0].startswith("MCS2024,Philippines,")
    assert (rejects["source_file"] == "MCS2024-nicke_world.csv").all()
    # Line 6 is a footnote (no country, no value): not a data line, so neither kept nor rejected.
    assert 6 not in result.rows["source_line"].to_list() + rejects["source_line"].to_list()


def test_fluorspar_style_header_and_unnamed_extra_cells(tmp_path: Path) -> None:
    path = _write_world(
        tmp_path / "mcs2024-fluor_world.csv",
        [
            'Source,Country,"Mine production, fluorspar",Prod_kt_2022,Prod_kt_Est_2023,'
            "Prod_notes,Reserves_kt,Reserves_notes,,",
            'MCS2024,Mexico,"Mine production, fluorspar",1000,1000,,68000,,"99,999",',
        ],
    )
    rows = read_usgs_world_file(path).rows
    assert rows.select("type_raw", "measure", "year", "quantity", "is_estimate").rows() == [
        ("Mine production, fluorspar", "production", 2022, 1000.0, False),
        ("Mine production, fluorspar", "production", 2023, 1000.0, True),
        ("Mine production, fluorspar", "reserves", None, 68000.0, False),
    ]
    assert rows["mineral"].to_list() == ["fluorspar"] * 3


def test_capacity_columns_qualified_units_and_source_fallback(tmp_path: Path) -> None:
    titan = _write_world(
        tmp_path / "mcs2024-titan_world.csv",
        [
            "Source,Country,Type,Prod_Sponge_t_Est_2023,Prod_notes,Cap_Sponge_t_2023,"
            "Cap_Pigment_t_2023",
            ",Japan,Sponge Metal Production and Sponge and Pigment Capacity,60000,,65200,322000",
        ],
    )
    rows = read_usgs_world_file(titan).rows
    assert rows.select("edition", "measure", "unit", "year", "quantity").rows() == [
        (2024, "production", "Sponge_t", 2023, 60000.0),
        (2024, "capacity", "Sponge_t", 2023, 65200.0),
        (2024, "capacity", "Pigment_t", 2023, 322000.0),
    ]
    assert rows["production_type"].unique().to_list() == ["refinery"]


def test_capacity_type_on_production_columns(tmp_path: Path) -> None:
    cement = _write_world(
        tmp_path / "mcs2024-cemen_world.csv",
        [
            "Source,Country,Type,Prod_kt_est_2022,Prod_kt_est_2023,Prod_notes",
            'MCS 2024,Brazil,"Cement production, estimated",64000,63000',
            'MCS 2024,Brazil,"Clinker capacity, estimated",60000,60000',
        ],
    )
    rows = read_usgs_world_file(cement).rows
    assert rows.select("source_line", "measure", "production_type").rows() == [
        (2, "production", "other"),
        (2, "production", "other"),
        (3, "capacity", "other"),
        (3, "capacity", "other"),
    ]
    assert rows["edition"].unique().to_list() == [2024]


def test_capacity_only_file_takes_its_prod_notes(tmp_path: Path) -> None:
    abras = _write_world(
        tmp_path / "mcs2024-abras_world.csv",
        [
            "Source,Country,Type,Cap_t_est_2022,Cap_t_est_2023,Prod_notes",
            'MCS2024,Austria,"Plant capacity, fused aluminum oxide",90000,90000,Revised.',
        ],
    )
    rows = read_usgs_world_file(abras).rows
    assert rows.select("measure", "notes", "production_type").rows() == [
        ("capacity", "Revised.", "other"),
        ("capacity", "Revised.", "other"),
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Country,Source,Type,Prod_t_2022", "header starts `Country,Source,Type`"),
        ("Source,Country,Type,Output_2022,Notes", "no Prod_, Reserves_ or Cap_ value column"),
        ("Source,Country,Prod_t_2022,Prod_notes", "no Type column"),
    ],
)
def test_header_outside_the_layout_raises_naming_the_file(
    tmp_path: Path, header: str, message: str
) -> None:
    path = _write_world(tmp_path / "mcs2024-odd_world.csv", [header, "MCS2024,Chile,x,1"])
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        read_usgs_world_file(path)
    assert "mcs2024-odd_world.csv" in str(error.value)


def test_empty_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "mcs2024-empty_world.csv"
    path.write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(ValueError, match="mcs2024-empty_world.csv: file is empty"):
        read_usgs_world_file(path)


def test_measure_column_names() -> None:
    estimate = parse_measure_column(4, "Prod_kt_Est_2023")
    assert estimate is not None
    assert (estimate.measure, estimate.unit, estimate.year, estimate.is_estimate) == (
        "production",
        "kt",
        2023,
        True,
    )
    reserves = parse_measure_column(6, "Reserves_kt_2023")
    assert reserves is not None
    assert (reserves.measure, reserves.unit, reserves.year) == ("reserves", "kt", 2023)
    assert parse_measure_column(5, "Prod_note") is None
    assert parse_measure_column(7, "Reserves_notes") is None
    assert commodity_code_from_name("MCS2024-bismu_world.csv") == "bismu"
    assert commodity_code_from_name("mcs2024-raree_salient.csv") == "raree"
    assert commodity_code_from_name("cobalt_mcs2022-cobal_world.csv") == "cobal"
    assert commodity_code_from_name("MCS2025_World_Data.csv") is None


# --- folders ----------------------------------------------------------------------------------


def test_folder_reads_every_csv_by_its_header(tmp_path: Path) -> None:
    for fixture in (RAREE, NICKE):
        shutil.copy(fixture, tmp_path / fixture.name)
    (tmp_path / "mcs2024-raree_meta.xml").write_text("<metadata/>")
    # A salient name whose header is no USGS layout: quarantined whole, with the reason.
    (tmp_path / "mcs2024-raree_salient.csv").write_text("Source,Year\nMCS2024,2023\n")
    read = read_usgs_folder(tmp_path)
    assert list(read.tables) == ["usgs_mcs_world", "usgs_mcs_salient"]
    assert [f.source_file for f in read.files] == [
        NICKE.name,
        "mcs2024-raree_salient.csv",
        RAREE.name,
    ]
    assert [(f.rows_in, f.rows_loaded, f.rows_rejected) for f in read.files] == [
        (4, 1, 3),
        (1, 0, 1),
        (7, 7, 0),
    ]
    assert read.tables["usgs_mcs_world"].height == 3 + 21
    assert read.tables["usgs_mcs_salient"].height == 0
    assert read.rejects.height == 3 + 1
    bad = read.rejects.filter(pl.col("source_file") == "mcs2024-raree_salient.csv")
    assert bad["source_line"].to_list() == [2]
    assert "not a USGS MCS layout" in bad["reason"][0]


def test_absent_folder_gives_empty_frames(tmp_path: Path) -> None:
    read = read_usgs_folder(tmp_path / "missing")
    assert read.files == ()
    assert read.tables["usgs_mcs_world"].schema == pl.Schema(USGS_MCS_WORLD_SCHEMA)
    assert read.tables["usgs_mcs_world"].height == 0
    assert read.tables["usgs_mcs_salient"].height == 0
    assert read.rejects.schema == pl.Schema(REJECT_SCHEMA)


# --- the real 2024 edition --------------------------------------------------------------------


def _values_per_data_line(path: Path) -> dict[int, int]:
    """Physical line -> non-empty value cells, for lines after the header with a country or a
    value; counted with the csv module, independently of the reader."""
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader)]
    value_columns = [
        index
        for index, name in enumerate(header)
        if re.match(r"(?i)^(prod|reserves|cap)_", name) and not re.search(r"(?i)_notes?$", name)
    ]
    values: dict[int, int] = {}
    start = reader.line_num + 1
    for cells in reader:
        filled = [i for i in value_columns if i < len(cells) and cells[i].strip()]
        if filled or (len(cells) > 1 and cells[1].strip()):
            values[start] = len(filled)
        start = reader.line_num + 1
    return values


@needs_mcs2024
def test_every_real_world_file_parses_and_keeps_every_line() -> None:
    paths = sorted(p for p in MCS2024_WORLD.iterdir() if p.name.lower().endswith("_world.csv"))
    assert len(paths) == 77
    total_rows = total_lines = 0
    for path in paths:
        result = read_usgs_world_file(path)
        kept = set(result.rows["source_line"].to_list())
        rejected = set(result.rejects["source_line"].to_list())
        expected = _values_per_data_line(path)
        assert kept.isdisjoint(rejected), path.name
        assert kept | rejected == set(expected), path.name
        assert len(kept) + result.rejects.height == len(expected), path.name
        # One row per non-empty value cell of every kept line.
        assert result.rows.height == sum(expected[line] for line in kept), path.name
        assert result.rows.schema == pl.Schema(USGS_MCS_WORLD_SCHEMA), path.name
        assert result.rows["edition"].null_count() == 0, path.name
        total_rows += result.rows.height
        total_lines += len(expected)
    # Counts of the 2024 edition as published (77 world files, revision of 2024-03-06).
    assert (total_lines, total_rows) == (1227, 3477)


@needs_mcs2024
def test_real_rare_earths_lithium_and_folder_counts() -> None:
    read = read_usgs_folder(MCS2024_WORLD)
    world = read.tables["usgs_mcs_world"]
    assert read.rejects.height == 0
    assert len(read.files) == 77
    assert all(f.rows_in == f.rows_loaded + f.rows_rejected for f in read.files)

    china = world.filter(
        pl.col("commodity_code") == "raree",
        pl.col("country_iso3") == "CHN",
        pl.col("measure") == "production",
        pl.col("year") == 2023,
    )
    assert china.select("quantity", "unit", "is_estimate", "production_type").rows() == [
        (240000.0, "t", True, "mine")
    ]
    totals = world.filter(pl.col("commodity_code") == "raree", pl.col("row_kind") == "world_total")
    assert totals.select("country_raw", "measure", "year", "quantity").rows() == [
        ("World total (rounded)", "production", 2022, 300000.0),
        ("World total (rounded)", "production", 2023, 350000.0),
        ("World total (rounded)", "reserves", None, 110000000.0),
    ]
    assert totals["country_iso3"].null_count() == 3

    us_lithium = world.filter(
        pl.col("commodity_code") == "lithi",
        pl.col("country_iso3") == "USA",
        pl.col("year") == 2022,
    )
    assert us_lithium.select("mineral", "quantity", "value_flag").rows() == [("lithium", None, "W")]
    bismuth = world.filter(pl.col("source_file") == "MCS2024-bismu_world.csv")
    assert bismuth["commodity_code"].unique().to_list() == ["bismu"]
    assert bismuth["production_type"].unique().to_list() == ["refinery"]
    assert bismuth["mineral"].unique().to_list() == ["bismuth"]


@needs_mcs2024
def test_every_real_2024_world_file_maps_to_a_mineral_or_says_why_not() -> None:
    """Each of the 77 files of MCS 2024 loads with its commodity code, units and production types;
    71 codes map to 71 minerals (platinum and palladium share the `plati` file, titanium has
    `timin` and `titan`), the 6 others (abrasives, cement, iron oxide pigments, iron and steel,
    lime, nitrogen) load with mineral NULL and a reason. Production lines with a country, a
    quantity and a mine or refinery type, by mineral, counted from the files: 68 minerals
    (boron's only refinery line and kyanite/sulfur, typed `other`, do not count; magnesium
    compounds map to magnesite, magnesium metal to magnesium)."""
    read = read_usgs_folder(MCS2024_WORLD)
    world = read.tables["usgs_mcs_world"]
    by_file = world.group_by("source_file").agg(
        pl.col("commodity_code").unique(), pl.col("mineral").unique(), pl.col("unit").unique()
    )
    assert by_file.height == 77
    assert all(len(codes) == 1 for codes in by_file["commodity_code"].to_list())
    assert by_file.filter(pl.col("unit").list.drop_nulls().list.len() == 0).height == 0
    unmapped = world.filter(pl.col("mineral").is_null())
    assert sorted(unmapped["commodity_code"].unique().to_list()) == sorted(UNMAPPED_COMMODITY_CODES)
    assert all(
        unmapped_reason(code) == UNMAPPED_COMMODITY_CODES[code]
        for code in unmapped["commodity_code"].unique().to_list()
    )
    assert unmapped_reason("xxxxx").startswith("commodity code 'xxxxx' is not in")
    assert world.filter(pl.col("mineral").is_not_null())["mineral"].n_unique() == 71
    # The platinum-group file holds two minerals, told apart by the Type text.
    platinum_group = world.filter(pl.col("commodity_code") == "plati", pl.col("year") == 2023)
    south_africa = platinum_group.filter(pl.col("country_iso3") == "ZAF").sort("mineral")
    assert south_africa.select("mineral", "type_raw", "quantity", "unit").rows() == [
        ("palladium", "Mine production: Palladium", 71000.0, "kg"),
        ("platinum", "Mine production: Platinum", 120000.0, "kg"),
    ]
    producing = world.filter(
        pl.col("measure") == "production",
        pl.col("production_type").is_in(["mine", "refinery"]),
        pl.col("row_kind") == "country",
        pl.col("country_iso3").is_not_null(),
        pl.col("quantity").is_not_null(),
        pl.col("mineral").is_not_null(),
    )
    assert producing["mineral"].n_unique() == 68


# --- every edition's layout -------------------------------------------------------------------

MCS2025 = FIXTURES / "MCS2025_World_Data.csv"
USGS_TREE = REALDATA / "usgs_mcs"
MCS2022_WORLD = USGS_TREE / "mcs2022_individual_cmm"


def test_2025_single_file_layout_values_computed_by_hand() -> None:
    result = read_usgs_world_file(MCS2025)
    rows = result.rows
    # "PROD_EST_ 2024" (stray space) is the 2024 estimate; RESERVES_2024 has year 2024.
    assert _rows_of_line(rows, 3) == [
        ("China", "production", 2023, 255000.0, False, None),
        ("China", "production", 2024, 270000.0, True, None),
        ("China", "reserves", 2024, 44000000.0, False, None),
    ]
    per_line = rows.unique("source_line").sort("source_line")
    assert per_line.select("source_line", "commodity_code", "mineral", "unit").rows() == [
        (2, "raree", "rare_earths", "t"),
        (3, "raree", "rare_earths", "t"),
        (4, "raree", "rare_earths", "t"),
        (5, "lithi", "lithium", "t"),
        (6, "lithi", "lithium", "t"),
        (7, "germa", "germanium", "kg"),  # kilograms
        (8, "nicke", "nickel", "kt"),  # thousand metric tons
        (10, "gemst", "gem_diamond", "mct"),  # million carats of gem-quality diamond
    ]
    assert rows["edition"].unique().to_list() == [2025]
    assert _rows_of_line(rows, 5)[0] == ("United States", "production", 2023, None, False, "W")
    assert rows.filter(pl.col("source_line") == 3)["notes"].to_list() == [
        "Production quota.",
        "Production quota.",
        None,
    ]
    rejects = result.rejects.sort("source_line")
    assert rejects["source_line"].to_list() == [11, 12]
    assert rejects["reason"][0].startswith("UNIT_MEAS is empty next to a number")
    assert rejects["reason"][1].startswith("COMMODITY is empty")


def test_edition_and_layout_come_from_the_content_not_the_name(tmp_path: Path) -> None:
    renamed = tmp_path / "world_data_download.csv"
    shutil.copy(MCS2025, renamed)
    read = read_usgs_folder(tmp_path)
    world = read.tables["usgs_mcs_world"]
    assert world["edition"].unique().to_list() == [2025]
    assert world.height == read_usgs_world_file(MCS2025).rows.height
    # A 2024 world table under a `_salient` name and a name with another year: still MCS2024.
    misnamed = _write_world(
        tmp_path / "mcs2023-cobal_salient.csv",
        [
            "Source,Country,Type,Prod_t_est_2022,Prod_t_est_2023,Prod_notes,Reserves_t",
            "MCS2024,Cuba,Mine production,3700,3200,,500000",
        ],
    )
    rows = read_usgs_world_file(misnamed).rows
    assert rows["edition"].to_list() == [2024, 2024, 2024]
    assert rows["commodity_code"].unique().to_list() == ["cobal"]


def test_2022_layout_with_prefixed_name_and_no_reserves(tmp_path: Path) -> None:
    path = _write_world(
        tmp_path / "cobalt_mcs2022-cobal_world.csv",
        [
            "Source,Country,Type,Prod_t_2020,Prod_t_Est_2021",
            'MCS2022,Congo (Kinshasa),"Mine production, contained cobalt",98000,120000',
            'MCS2022,Germany,Primary and secondary refinery production,W,"1,500"',
        ],
    )
    rows = read_usgs_world_file(path).rows
    assert rows.select("edition", "commodity_code", "mineral", "country_iso3", "year").rows() == [
        (2022, "cobal", "cobalt", "COD", 2020),
        (2022, "cobal", "cobalt", "COD", 2021),
        (2022, "cobal", "cobalt", "DEU", 2020),
        (2022, "cobal", "cobalt", "DEU", 2021),
    ]
    assert rows["quantity"].to_list() == [98000.0, 120000.0, None, 1500.0]
    assert rows["production_type"].to_list() == ["mine", "mine", "refinery", "refinery"]


def test_unit_revision_of_2024_03_06_is_applied_to_a_pre_revision_file(tmp_path: Path) -> None:
    """The revision note: barite field names changed to kt rather than t; PGM to kg rather
    than kt. A pre-revision download still says `_t` / `_kt`: its unit is corrected."""
    barite = _write_world(
        tmp_path / "mcs2024-barit_world.csv",
        [
            "Source,Country,Type,Prod_t_2022,Prod_t_est_2023,Prod_note,Reserves_t,Reserves_notes",
            "MCS2024,India,Mine production,2700,2700,,51000,",
        ],
    )
    rows = read_usgs_world_file(barite).rows
    assert rows["unit"].to_list() == ["kt", "kt", "kt"]
    assert rows["notes"][0] == (
        "unit corrected from t to kt by the MCS 2024 data release revision of 2024-03-06"
    )
    plati = _write_world(
        tmp_path / "mcs2024-plati_world.csv",
        [
            "Source,Country,Type,Prod_kt_2022,Prod_notes",
            "MCS2024,South Africa,Mine production: Platinum,140000,Revised.",
        ],
    )
    rows = read_usgs_world_file(plati).rows
    assert rows.select("unit", "notes").rows() == [
        (
            "kg",
            "Revised.; unit corrected from kt to kg by the MCS 2024 data release revision "
            "of 2024-03-06",
        ),
    ]
    # The revised file (kt already) and other editions are left as published.
    revised = _write_world(
        tmp_path / "mcs2024-clays_world.csv",
        ["Source,Country,Type,Prod_kt_2022,Prod_note,Reserves_t", "MCS2024,Chile,Mine,10,,Large"],
    )
    assert read_usgs_world_file(revised).rows["unit"].to_list() == ["kt", "t"]
    older = _write_world(
        tmp_path / "mcs2022-barit_world.csv",
        ["Source,Country,Type,Prod_t_2020", "MCS2022,India,Mine production,2700"],
    )
    assert read_usgs_world_file(older).rows["unit"].to_list() == ["t"]


# --- bad input ---------------------------------------------------------------------------------


def test_semicolon_file_is_quarantined_whole_with_the_reason(tmp_path: Path) -> None:
    _write_world(
        tmp_path / "mcs2024-lithi_world.csv",
        ["Source;Country;Type;Prod_t_2022", "MCS2024;Chile;Mine;39000", "MCS2024;China;Mine;W"],
    )
    with pytest.raises(ValueError, match=r"separated by ';'; expected comma-separated"):
        read_usgs_world_file(tmp_path / "mcs2024-lithi_world.csv")
    read = read_usgs_folder(tmp_path)
    assert read.rejects["source_line"].to_list() == [2, 3]
    assert all("line 1: header fields are separated by ';'" in r for r in read.rejects["reason"])
    assert [(f.rows_in, f.rows_loaded, f.rows_rejected) for f in read.files] == [(2, 0, 2)]


def test_missing_column_of_the_2025_file_names_it(tmp_path: Path) -> None:
    path = _write_world(
        tmp_path / "MCS2025_World_Data.csv",
        ["SOURCE,COMMODITY,COUNTRY,TYPE,PROD_2023", "MCS2025,Lithium,Chile,Mine,49000"],
    )
    with pytest.raises(ValueError, match="header lacks column\\(s\\) UNIT_MEAS") as error:
        read_usgs_world_file(path)
    assert "MCS2025_World_Data.csv, line 1" in str(error.value)


def test_cp1252_bytes_reject_their_line_only(tmp_path: Path) -> None:
    path = tmp_path / "mcs2024-cobal_world.csv"
    path.write_bytes(
        b"Source,Country,Type,Prod_t_2022\r\n"
        b"MCS2024,C\xf4te d'Ivoire,Mine production,100\r\n"
        b"MCS2024,Cuba,Mine production,3700\r\n"
    )
    result = read_usgs_world_file(path)
    assert result.rows.select("country_iso3", "quantity").rows() == [("CUB", 3700.0)]
    assert result.rejects["source_line"].to_list() == [2]
    assert result.rejects["reason"][0].startswith("byte 0xF4 at character 10 is not UTF-8")
    assert result.rejects["raw_record"][0] == "MCS2024,C\ufffdte d'Ivoire,Mine production,100"


def test_truncated_file_rejects_its_cut_last_line(tmp_path: Path) -> None:
    path = tmp_path / "mcs2024-nicke_world.csv"
    path.write_bytes(
        b"Source,Country,Type,Prod_t_2022,Prod_notes\r\n"
        b"MCS2024,Indonesia,Mine,1580000,\r\n"
        b'MCS2024,Philippines,"Mine prod'
    )
    result = read_usgs_world_file(path)
    assert result.rows["source_line"].unique().to_list() == [2]
    assert result.rejects["source_line"].to_list() == [3]
    assert "looks truncated" in result.rejects["reason"][0]
    cut = tmp_path / "mcs2024-graph_world.csv"
    cut.write_bytes(b"Source,Country,Type,Prod_t_2022\r\nMCS2024,China,Mine,850000\r\nMCS2024")
    result = read_usgs_world_file(cut)
    assert result.rejects.select("source_line", "raw_record").rows() == [(3, "MCS2024")]
    assert "looks truncated" in result.rejects["reason"][0]


# --- the whole real release tree ---------------------------------------------------------------


@pytest.mark.skipif(
    not USGS_TREE.is_dir(), reason=f"real USGS MCS files not present at {USGS_TREE}"
)
def test_every_real_usgs_file_parses_and_is_accounted_for() -> None:
    read = read_usgs_folder(USGS_TREE)
    world = read.tables["usgs_mcs_world"]
    salient = read.tables["usgs_mcs_salient"]
    counts = {
        "files_read": len(read.files),
        "lines_in": sum(f.rows_in for f in read.files),
        "world_rows": world.height,
        "salient_rows": salient.height,
        "rejected": read.rejects.height,
    }
    rejects_by_reason = read.rejects.group_by("reason").len().rows()
    print(counts, rejects_by_reason)
    assert all(f.rows_in == f.rows_loaded + f.rows_rejected for f in read.files)
    # 77 world + 12 MCS2022 world + 85 MCS2024 salient-named (3 hold world tables) + 12 MCS2022
    # salient + T5 = 187 read; the trends Fig/T1-T4 tables, metadata XML and notes are ignored.
    assert counts == {
        "files_read": 187,
        "lines_in": 1961,
        "world_rows": 3986,
        "salient_rows": 5582,
        "rejected": 0,
    }
    assert world["edition"].null_count() == 0 and salient["edition"].null_count() == 0
    assert sorted(world["edition"].unique().to_list()) == [2022, 2024]
    assert salient.filter(pl.col("source_file") == "MCS2024_T5_Critical_Minerals_Salient.csv")[
        "year"
    ].unique().to_list() == [2023]
