"""`critmin report`: the page for India and rare earths, built on a real demo warehouse.

The warehouse is built once for the module from the synthetic demo data. The tests check the
page is self-contained, shows every section with figures read back from the marts, handles a
country without imports and bad arguments, and renders in headless Chromium: each chart's
distinctive series colour is found in the screenshot between the right section rules.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from critmin import report
from critmin.demo_data import write_demo_data
from critmin.pipeline import run_pipeline
from warehouse import access
from warehouse.paths import build_path

CHROMIUM = Path("/usr/bin/chromium")
SECTIONS = ("suppliers", "concentration", "policy", "alternatives", "shocks")
INK = (0x20, 0x21, 0x24)  # the colour of the rule above each section heading (CSS --ink)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    landing = root / "landing"
    write_demo_data(landing)
    saved = dict(os.environ)  # run_pipeline points the environment at this warehouse
    try:
        outcome = run_pipeline(landing, root / "critmin.duckdb", echo=lambda _: None)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    # The report reads any warehouse it is given. When a check another part of the project
    # owns fails, the run is not published; the report is still tested on the build file.
    if outcome.published:
        return outcome.warehouse
    assert build_path(outcome.warehouse).exists(), outcome.summary(0)
    return build_path(outcome.warehouse)


@pytest.fixture(scope="module")
def india(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("page") / "report.html"
    report.build_report(warehouse, "IND", ["rare_earths"], out)
    return out, out.read_text(encoding="utf-8")


def section(html: str, key: str, mineral: str = "rare_earths") -> str:
    match = re.search(rf'<section id="{key}-{mineral}">(.*?)</section>', html, flags=re.DOTALL)
    assert match, f"section {key}-{mineral} missing"
    return match.group(1)


def one(warehouse: Path, sql: str) -> object:
    rows = access.run_query(warehouse, sql).rows
    assert len(rows) == 1, sql
    return rows[0][0]


def test_page_is_self_contained(india):
    _, html = india
    assert "<script" not in html.lower()
    assert "<link" not in html.lower()
    assert "@import" not in html and "url(" not in html
    assert not re.search(r"<(img|iframe|object|embed|video|audio|source)\b", html, re.I)
    assert not re.search(r"\bsrc\s*=", html, re.I)
    # The only external addresses are the register's source links (navigation, not loaded).
    for tag in re.findall(r"<[^>]*https?://[^>]*>", html):
        assert tag.startswith("<a ") or 'xmlns="http://www.w3.org/2000/svg"' in tag, tag


def test_page_has_every_section_banner_and_caveat(india):
    _, html = india
    for key in SECTIONS:
        assert "<svg" in section(html, key), f"section {key} has no chart"
        assert "<table" in section(html, key), f"section {key} has no table"
    assert 'class="banner"' in html and "Synthetic demo data" in html
    assert report.HS6_CAVEAT in html


def test_suppliers_section_shows_chinas_2024_compound_share(warehouse, india):
    _, html = india
    share = one(
        warehouse,
        "select china_share from marts.mart_import_dependency where importer_iso3 = 'IND' "
        "and mineral = 'rare_earths' and stage = 'compound' and year = 2024",
    )
    also = one(
        warehouse,
        "select share from marts.mart_supplier_shares where importer_iso3 = 'IND' and "
        "mineral = 'rare_earths' and stage = 'compound' and year = 2024 and exporter_iso3 = 'CHN'",
    )
    assert share == pytest.approx(also)
    body = section(html, "suppliers")
    # In the China-share table, row "Compounds", column 2024 (the last year column).
    row = re.search(r"<tr><td>Compounds \(HS 284610, 284690\)</td>(.*?)</tr>", body).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert cells[5] == report.fmt_share(share)  # 2019..2024 -> the sixth year column
    # One stacked chart per stage, China drawn in its colour, with a tooltip per bar.
    assert body.count('class="chart chart-bar"') == 4
    assert f"<title>China, 2024: {report.fmt_share(share, 0)}</title>" in body


def test_concentration_section_shows_hhi_and_world_production(warehouse, india):
    _, html = india
    body = section(html, "concentration")
    hhi = one(
        warehouse,
        "select hhi from marts.mart_import_dependency where importer_iso3 = 'IND' and "
        "mineral = 'rare_earths' and stage = 'component' and year = 2024",
    )
    assert f'<td class="num">{report.fmt_hhi(hhi)}</td>' in body
    world = one(
        warehouse,
        "select china_share from marts.mart_production_concentration where "
        "mineral = 'rare_earths' and production_type = 'mine' and year = 2023",
    )
    assert f'<td class="num">{report.fmt_share(world)}</td>' in body


def test_policy_section_shows_the_april_2025_measure_and_its_exposure(warehouse, india):
    _, html = india
    body = section(html, "policy")
    assert "MOFCOM/GACC Announcement 2025 No. 18" in body
    assert "2025-04-04" in body
    # The suspension of the October 2025 measures is shaded in the timeline.
    assert "<title>Suspended: 2025-11-07 to 2026-11-10</title>" in body
    exposure = one(
        warehouse,
        "select exposure_share from marts.mart_policy_exposure where importer_iso3 = 'IND' "
        "and event_id = 'CHN-2025-018-heavy-rare-earths'",
    )
    row = re.search(r"<tr><td>\d+</td><td>CHN-2025-018-heavy-rare-earths</td>(.*?)</tr>", body)
    assert row and f'<td class="num">{report.fmt_share(exposure)}</td>' in row.group(1)
    # No rare-earth measure has both event-study years loaded in the demo data: said so.
    assert "No event study for these measures" in body


def test_alternatives_section_ranks_the_top_candidate_first(warehouse, india):
    _, html = india
    body = section(html, "alternatives")
    best = one(
        warehouse,
        "select candidate_iso3 from marts.mart_alternative_suppliers where importer_iso3 = 'IND' "
        "and mineral = 'rare_earths' and stage = 'component' and candidate_rank = 1 and year = "
        "(select max(year) from marts.mart_alternative_suppliers)",
    )
    name = one(
        warehouse, f"select country_name from marts.dim_country where country_iso3 = '{best}'"
    )
    charts_html = re.findall(r"<svg.*?</svg>", body, flags=re.DOTALL)
    component = next(c for c in charts_html if "Components (HS 850511)" in c)
    first_row = re.search(r'<g class="row" data-label="([^"]+)"', component).group(1)
    assert first_row == report.SHORT_NAMES.get(best, name)
    assert component.count('class="row"') == 10
    # China restricts rare-earth exports: its bar is drawn in the restriction colour.
    china_bar = re.search(r'data-label="China">.*?<rect [^>]*fill="([^"]+)"', component, re.DOTALL)
    assert china_bar.group(1) == report.RESTRICTING_COLOUR


def test_shocks_section_shows_shortfall_and_months_of_cover(warehouse, india):
    _, html = india
    body = section(html, "shocks")
    shortfall, months = access.run_query(
        warehouse,
        "select shortfall_usd, months_of_cover from marts.mart_supply_shock where "
        "importer_iso3 = 'IND' and scenario_id = 'chn_halts_2025_018_scope' "
        "and stage = 'component'",
    ).rows[0]
    assert report.fmt_usd(shortfall) in body
    assert f'<td class="num">{report.fmt_months(months)}</td>' in body
    assert "(illustrative)" in body


def test_country_without_imports_still_renders_with_a_note(warehouse, tmp_path):
    country = one(
        warehouse,
        "select min(importer_iso3) from marts.mart_import_dependency where importer_iso3 not in "
        "(select importer_iso3 from marts.mart_import_dependency where mineral = 'rare_earths')",
    )
    out = tmp_path / "none.html"
    data = report.build_report(warehouse, country, ["rare_earths"], out)
    html = out.read_text(encoding="utf-8")
    assert not data.minerals[0].has_imports
    assert f"No imports of rare earths recorded for {data.country_name}" in html
    for key in SECTIONS:
        section(html, key)  # every section is there, with a note where it has nothing to show
    assert 'class="chart chart-bar"' not in section(html, "suppliers")
    # World production and the register do not depend on the country's imports.
    assert "<svg" in section(html, "concentration")
    assert "<svg" in section(html, "policy")


def test_mineral_without_hs6_code_or_production_says_so(warehouse, tmp_path):
    """Dysprosium is on the lists but has no HS6 code of its own (HS6 does not separate the
    rare-earth elements) and no USGS production (MCS publishes rare-earth oxide totals): the page
    renders every section with notes instead of empty charts."""
    out = tmp_path / "dy.html"
    data = report.build_report(warehouse, "IND", ["dysprosium"], out)
    html = out.read_text(encoding="utf-8")
    (dysprosium,) = data.minerals
    assert dysprosium.stage_codes == {} and not dysprosium.has_imports
    assert dysprosium.production == []
    suppliers = section(html, "suppliers", "dysprosium")
    assert "Dysprosium has no HS6 code in the warehouse" in suppliers
    assert "traded within the rare_earths codes" in suppliers
    concentration = section(html, "concentration", "dysprosium")
    assert "No USGS production figures for dysprosium" in concentration
    assert 'class="chart' not in suppliers and 'class="chart' not in concentration
    for key in SECTIONS:
        section(html, key, "dysprosium")  # every section is there


def parse_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="critmin")
    report.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["report", *argv])


def test_command_writes_the_page(warehouse, tmp_path, capsys):
    out = tmp_path / "r.html"
    args = parse_args(
        "--country",
        "ind",
        "--mineral",
        "rare_earths",
        "--out",
        str(out),
        "--warehouse",
        str(warehouse),
    )
    assert report.run_report(args) == 0
    assert out.exists() and "India (IND)" in out.read_text(encoding="utf-8")
    assert str(out) in capsys.readouterr().out


def test_unknown_country_says_how_to_find_codes(warehouse, tmp_path, capsys):
    args = parse_args(
        "--country", "XYZ", "--out", str(tmp_path / "r.html"), "--warehouse", str(warehouse)
    )
    assert report.run_report(args) == 2
    error = capsys.readouterr().err
    assert "unknown country code 'XYZ'" in error
    assert report.FIND_CODES in error
    assert not (tmp_path / "r.html").exists()


def test_unknown_mineral_lists_the_known_ones(warehouse, tmp_path, capsys):
    args = parse_args(
        "--country",
        "IND",
        "--mineral",
        "unobtainium",
        "--out",
        str(tmp_path / "r.html"),
        "--warehouse",
        str(warehouse),
    )
    assert report.run_report(args) == 2
    error = capsys.readouterr().err
    assert "unknown mineral unobtainium" in error and "rare_earths" in error


def test_missing_warehouse_is_a_usage_error(tmp_path, capsys):
    args = parse_args(
        "--country",
        "IND",
        "--out",
        str(tmp_path / "r.html"),
        "--warehouse",
        str(tmp_path / "absent.duckdb"),
    )
    assert report.run_report(args) == 2
    assert "critmin run" in capsys.readouterr().err


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def screenshot(page: Path, png: Path, profile: Path) -> None:
    """Full page: a window taller than the page, then cropped below the last drawn pixel."""
    subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--hide-scrollbars", f"--user-data-dir={profile}",
            f"--screenshot={png}", "--window-size=1280,12000", f"file://{page}",
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="headless Chromium not installed at /usr/bin/chromium"
)
def test_charts_render_in_chromium(india, tmp_path):
    import numpy as np
    from PIL import Image, ImageOps

    page, _ = india
    png = tmp_path / "report.png"
    screenshot(page, png, tmp_path / "profile")
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
    image = Image.open(png).convert("RGB")
    content = ImageOps.invert(image).getbbox()
    assert content is not None, "the screenshot is blank"
    assert content[3] < image.height - 50, "the page is taller than the screenshot window"
    pixels = np.asarray(image.crop((0, 0, image.width, content[3])))  # rows x columns x RGB
    height = pixels.shape[0]
    assert len(np.unique(pixels[::4, ::4].reshape(-1, 3), axis=0)) > 50, "blank or flat page"

    # The heading rule of each section: the ink colour right across the content column.
    rules = np.flatnonzero((pixels[:, 200:1000] == INK).all(axis=2).all(axis=1)).tolist()
    tops: list[int] = []
    for y in rules:  # a rule is 3 px thick: keep its first row
        if not tops or y - tops[-1] > 5:
            tops.append(y)
    assert len(tops) == len(SECTIONS), tops
    bands = dict(zip(SECTIONS, zip(tops, [*tops[1:], height], strict=True), strict=True))

    # Each chart's distinctive colour: (section, colour, minimum pixels).
    expected = [
        ("suppliers", report.CHINA_COLOUR, 20_000),  # China's stacked bars, four stage charts
        ("concentration", report.STAGE_COLOURS["component"], 300),  # a 3 px line and its dots
        ("concentration", report.PRODUCTION_COLOURS["china"], 3_000),  # two bars
        ("policy", report.SUSPENSION_COLOUR, 3_000),  # four suspension windows
        ("alternatives", report.ALTERNATIVE_COLOUR, 30_000),  # 4 x up to 10 bars
        ("shocks", report.SHOCK_COLOURS["shortfall"], 3_000),  # six bars
    ]
    for key, colour, minimum in expected:
        ys, xs = np.nonzero((pixels == hex_rgb(colour)).all(axis=2))
        assert len(ys) >= minimum, f"{key}: {len(ys)} pixels of {colour}"
        top, bottom = bands[key]
        assert top < ys.min() and ys.max() < bottom, (
            f"{colour} drawn at y {ys.min()}-{ys.max()}, outside section {key} ({top}-{bottom})"
        )
        assert 80 < xs.min() and xs.max() < 1200, f"{colour} outside the content column"
