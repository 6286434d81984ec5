"""`critmin fetch baci` and `critmin fetch usgs` end to end through `critmin.cli.main`, against
the local static-file server of tests/test_downloads.py (127.0.0.1 only, URLs passed with --url /
--url-template). The BACI zip is built here in the published layout (one CSV per year plus the
code files and a readme); the USGS bodies are the MCS fixture files in tests/fixtures/usgs_mcs/.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from bulk_server import BulkServer, Fault, Resource, build_zip, corrupt_member
from repo_paths import FIXTURES

from critmin import fetch
from critmin.cli import main
from ingest.baci import download as baci_download
from ingest.baci.reader import read_baci_folder
from ingest.usgs_mcs import download as usgs_download
from ingest.usgs_mcs.reader import read_usgs_folder

FIXTURES = FIXTURES
ZIP_TARGET = "/DATA_DOWNLOAD/baci/data/BACI_HS17_V202501.zip"
ZIP_PATTERN = "/DATA_DOWNLOAD/baci/data/BACI_{revision}_{release}.zip"
YEARS = (2019, 2020, 2021, 2022, 2023)


def trade_csv(year: int) -> bytes:
    rows = [
        f"{year},156,699,284690,12.5,3.2",
        f"{year},842,251,260500,7,",
        f"{year},251,842,10121,4.0,1",
    ]
    return ("t,i,j,k,v,q\n" + "\n".join(rows) + "\n").encode()


def baci_members() -> dict[str, bytes]:
    members = {f"BACI_HS17_Y{year}_V202501.csv": trade_csv(year) for year in YEARS}
    members["country_codes_V202501.csv"] = (
        FIXTURES / "baci" / "country_codes_V202501.csv"
    ).read_bytes()
    members["product_codes_HS17_V202501.csv"] = (
        b"code,description\n284690,Compounds of rare-earth metals\n"
        b'260500,"Cobalt ores and concentrates"\n'
    )
    members["Readme.txt"] = b"BACI HS17 V202501\n"
    return members


@pytest.fixture
def server() -> Iterator[BulkServer]:
    running = BulkServer()
    yield running
    running.close()


@pytest.fixture(autouse=True)
def no_url_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(fetch.BACI_URL_ENV, raising=False)
    monkeypatch.delenv(fetch.USGS_URL_ENV, raising=False)


def fetch_baci(server: BulkServer, out: Path, *extra: str) -> int:
    return main(
        [
            "fetch",
            "baci",
            "--release",
            "V202501",
            "--revision",
            "HS17",
            "--out",
            str(out),
            "--url",
            server.url(ZIP_PATTERN),
            "--max-attempts",
            "2",
            *extra,
        ]
    )


def landed(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file())


def test_baci_downloads_the_zip_and_extracts_only_the_requested_years(
    tmp_path: Path, server: BulkServer, capsys: pytest.CaptureFixture[str]
) -> None:
    members = baci_members()
    archive_bytes = build_zip(members)
    server.resources[ZIP_TARGET] = Resource(archive_bytes, content_type="application/zip")

    assert fetch_baci(server, tmp_path, "--years", "2021-2022") == 0

    baci = tmp_path / "baci"
    assert landed(baci) == [
        "BACI_HS17_Y2021_V202501.csv",
        "BACI_HS17_Y2022_V202501.csv",
        "country_codes_V202501.csv",
        "product_codes_HS17_V202501.csv",
    ]
    for name in landed(baci):
        assert (baci / name).read_bytes() == members[name]
    assert (baci / "_downloads" / "BACI_HS17_V202501.zip").read_bytes() == archive_bytes
    captured = capsys.readouterr()
    assert f"sha256 {hashlib.sha256(archive_bytes).hexdigest()}" in captured.out
    assert "4 file(s) extracted" in captured.out
    assert "BACI_HS17_V202501.zip [" in captured.err and "100%" in captured.err
    assert "MB/s" in captured.err

    read = read_baci_folder(baci)
    assert sorted(read.tables["baci_trade"]["year"].unique()) == [2021, 2022]
    assert read.tables["baci_country_codes"].height > 0

    # Re-run: a conditional GET answered 304, nothing downloaded or extracted again.
    assert fetch_baci(server, tmp_path, "--years", "2021-2022") == 0
    rerun = server.requests[-1]
    assert rerun.headers["if-none-match"] == Resource(b"").etag
    assert rerun.status == 304
    out = capsys.readouterr().out
    assert "unchanged on the server (HTTP 304)" in out
    assert "0 file(s) extracted" in out


def test_baci_without_years_extracts_every_year_and_reads_the_url_from_the_environment(
    tmp_path: Path, server: BulkServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.resources[ZIP_TARGET] = Resource(build_zip(baci_members()))
    monkeypatch.setenv(fetch.BACI_URL_ENV, server.url(ZIP_PATTERN))
    args = ["fetch", "baci", "--release", "202501", "--revision", "hs17", "--out", str(tmp_path)]
    assert main(args) == 0
    assert server.requests[0].target == ZIP_TARGET
    years = [n for n in landed(tmp_path / "baci") if n.startswith("BACI_")]
    assert years == [f"BACI_HS17_Y{y}_V202501.csv" for y in YEARS]


def test_baci_resumes_an_interrupted_zip_download(tmp_path: Path, server: BulkServer) -> None:
    archive_bytes = build_zip(baci_members(), zipfile.ZIP_STORED)
    server.resources[ZIP_TARGET] = Resource(archive_bytes)
    server.faults[ZIP_TARGET] = [Fault(cut_after=len(archive_bytes) // 2)] * 2
    # Two attempts, both cut: exit 1, the partial zip kept.
    assert fetch_baci(server, tmp_path, "--years", "2023") == 1
    assert not (tmp_path / "baci" / "BACI_HS17_Y2023_V202501.csv").exists()
    assert fetch_baci(server, tmp_path, "--years", "2023") == 0
    assert server.requests[-1].headers["range"].startswith("bytes=")
    assert server.requests[-1].status == 206
    assert (tmp_path / "baci" / "_downloads" / "BACI_HS17_V202501.zip").read_bytes() == (
        archive_bytes
    )
    assert (tmp_path / "baci" / "BACI_HS17_Y2023_V202501.csv").read_bytes() == trade_csv(2023)


def test_baci_corrupt_zip_extracts_nothing_and_is_deleted_for_a_fresh_download(
    tmp_path: Path, server: BulkServer, capsys: pytest.CaptureFixture[str]
) -> None:
    members = baci_members()
    stored = build_zip(members, zipfile.ZIP_STORED)
    server.resources[ZIP_TARGET] = Resource(corrupt_member(stored, trade_csv(2022)))

    assert fetch_baci(server, tmp_path, "--years", "2021-2022") == 1
    baci = tmp_path / "baci"
    assert landed(baci) == []
    assert landed(baci / "_downloads") == ["_downloads.json"]
    err = capsys.readouterr().err
    assert "member BACI_HS17_Y2022_V202501.csv: Bad CRC-32" in err
    assert "nothing was extracted" in err
    assert "run the command again" in err

    server.resources[ZIP_TARGET] = Resource(stored, etag='"fixed"')
    assert fetch_baci(server, tmp_path, "--years", "2021-2022") == 0
    assert "if-none-match" not in server.requests[-1].headers
    assert len(landed(baci)) == 4


def test_baci_answer_that_is_not_a_zip_is_refused(
    tmp_path: Path, server: BulkServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = b"<!DOCTYPE html><html><body>Page moved</body></html>"
    server.resources[ZIP_TARGET] = Resource(page, content_type="text/html")
    assert fetch_baci(server, tmp_path) == 1
    assert landed(tmp_path / "baci") == []
    assert "not a zip archive" in capsys.readouterr().err


def test_baci_year_not_in_the_release_is_a_usage_error(
    tmp_path: Path, server: BulkServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.resources[ZIP_TARGET] = Resource(build_zip(baci_members()))
    assert fetch_baci(server, tmp_path, "--years", "2023-2024") == 2
    assert landed(tmp_path / "baci") == []
    err = capsys.readouterr().err
    assert "year(s) 2024 not in the zip, which holds 2019-2023" in err


def test_baci_not_found_exits_1_naming_the_url(
    tmp_path: Path, server: BulkServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fetch_baci(server, tmp_path) == 1
    err = capsys.readouterr().err
    assert f"GET {server.url(ZIP_TARGET)}: HTTP 404 Not Found" in err
    assert "check --release, --revision and the URL" in err
    assert len(server.requests) == 1


def test_baci_usage_errors_exit_2(
    tmp_path: Path, server: BulkServer, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["fetch", "baci", "--release", "V202501", "--revision", "HS18"])
    assert caught.value.code == 2
    assert "expected an HS revision" in capsys.readouterr().err
    assert fetch_baci(server, tmp_path, "--url", server.url("/{year}.zip")) == 2
    assert "bad placeholder" in capsys.readouterr().err
    assert server.requests == []


USGS_TEMPLATE = "/sciencebase/mcs{edition}/{file}"


def usgs_main(server: BulkServer, out: Path, *extra: str) -> int:
    args = ["fetch", "usgs", "--out", str(out), "--url-template", server.url(USGS_TEMPLATE)]
    return main([*args, "--max-attempts", "2", *extra])


def test_usgs_per_commodity_files_land_where_the_reader_finds_them(
    tmp_path: Path, server: BulkServer, capsys: pytest.CaptureFixture[str]
) -> None:
    raree = (FIXTURES / "usgs_mcs" / "mcs2024-raree_world.csv").read_bytes()
    nicke = (FIXTURES / "usgs_mcs" / "MCS2024-nicke_world.csv").read_bytes()
    server.resources["/sciencebase/mcs2024/mcs2024-raree_world.csv"] = Resource(raree)
    server.resources["/sciencebase/mcs2024/mcs2024-nicke_world.csv"] = Resource(nicke)

    assert usgs_main(server, tmp_path, "--edition", "2024", "--commodities", "raree,nicke") == 0
    folder = tmp_path / "usgs_mcs"
    assert (folder / "mcs2024-raree_world.csv").read_bytes() == raree
    assert (folder / "mcs2024-nicke_world.csv").read_bytes() == nicke
    out = capsys.readouterr().out
    assert f"sha256 {hashlib.sha256(raree).hexdigest()}" in out
    assert "2 of 2 file(s)" in out
    world = read_usgs_folder(folder).tables["usgs_mcs_world"]
    assert sorted(world["commodity_code"].unique()) == ["nicke", "raree"]
    assert sorted(p.name for p in folder.rglob("*.csv")) == [
        "mcs2024-nicke_world.csv",
        "mcs2024-raree_world.csv",
    ]


def test_usgs_missing_commodity_exits_1_and_a_rerun_fetches_only_what_is_missing(
    tmp_path: Path, server: BulkServer, capsys: pytest.CaptureFixture[str]
) -> None:
    raree = (FIXTURES / "usgs_mcs" / "mcs2024-raree_world.csv").read_bytes()
    server.resources["/sciencebase/mcs2024/mcs2024-raree_world.csv"] = Resource(raree)
    assert usgs_main(server, tmp_path, "--edition", "2024", "--commodities", "raree,lithi") == 1
    err = capsys.readouterr().err
    lithi_url = server.url("/sciencebase/mcs2024/mcs2024-lithi_world.csv")
    assert f"GET {lithi_url}: HTTP 404 Not Found" in err
    assert "run the command again to resume" in err
    assert (tmp_path / "usgs_mcs" / "mcs2024-raree_world.csv").read_bytes() == raree

    server.resources["/sciencebase/mcs2024/mcs2024-lithi_world.csv"] = Resource(b"Source,Country\n")
    assert usgs_main(server, tmp_path, "--edition", "2024", "--commodities", "raree,lithi") == 0
    statuses = {r.target.rsplit("/", 1)[1]: r.status for r in server.requests[2:]}
    assert statuses == {"mcs2024-raree_world.csv": 304, "mcs2024-lithi_world.csv": 200}


def test_usgs_2025_single_file_through_the_sciencebase_item_pattern(
    tmp_path: Path, server: BulkServer, capsys: pytest.CaptureFixture[str]
) -> None:
    world = (FIXTURES / "usgs_mcs" / "MCS2025_World_Data.csv").read_bytes()
    item = usgs_download.USGS_SCIENCEBASE_ITEMS[2025]
    server.resources[f"/catalog/file/get/{item}?name=MCS2025_World_Data.csv"] = Resource(world)
    template = server.url("/catalog/file/get/{item}?name={file}")
    args = [
        "fetch",
        "usgs",
        "--edition",
        "2025",
        "--out",
        str(tmp_path),
        "--url-template",
        template,
    ]
    assert main(args) == 0
    assert (tmp_path / "usgs_mcs" / "MCS2025_World_Data.csv").read_bytes() == world
    assert len(server.requests) == 1
    assert "one file covering every commodity" in capsys.readouterr().out
    rows = read_usgs_folder(tmp_path / "usgs_mcs").tables["usgs_mcs_world"]
    assert rows.filter(pl.col("edition") == 2025).height > 0


def test_usgs_default_template_without_a_known_item_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["fetch", "usgs", "--edition", "2024", "--out", str(tmp_path)]) == 2
    assert "pass --item ID" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["fetch", "usgs", "--edition", "2019"])
    assert caught.value.code == 2


def test_argument_parsers() -> None:
    assert fetch.parse_baci_release("202401b") == "V202401b"
    assert fetch.parse_baci_revision("hs22") == "HS22"
    assert fetch.parse_usgs_commodities("RAREE, lithi,raree") == ("raree", "lithi")
    assert usgs_download.usgs_files(2024, ("raree",)) == [("mcs2024-raree_world.csv", "raree")]
    assert usgs_download.usgs_files(2025, ("raree",)) == [("MCS2025_World_Data.csv", None)]
    assert baci_download.baci_url(baci_download.DEFAULT_BACI_URL, "HS17", "V202501") == (
        "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS17_V202501.zip"
    )
