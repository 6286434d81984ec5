"""`critmin report`: the page for India and rare earths, built on a real demo warehouse.

The warehouse is built once for the module from the synthetic demo data. The tests check the
page is self-contained, shows every section with figures read back from the marts, handles a
country without imports and bad arguments, and renders in headless Chromium: each chart's
distinctive series colour is found in the screenshot between the right section rules.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest
from markupsafe import escape
from mart_fingerprints import assert_marts_are_the_recorded_ones

from critmin import cli, report
from critmin.report import charts, formatting, sections
from warehouse import access

if TYPE_CHECKING:  # the shared runs (tests/e2e/conftest.py)
    from conftest import Run

CHROMIUM = Path("/usr/bin/chromium")
SECTIONS = ("suppliers", "concentration", "policy", "alternatives", "shocks")
INK = (0x20, 0x21, 0x24)  # the colour of the rule above each section heading (CSS --ink)


@pytest.fixture(scope="module")
def warehouse(demo_run: Run) -> Path:
    """The session's published run of the demo landing directory (tests/e2e/conftest.py)."""
    return demo_run.serving


def test_the_demo_marts_are_the_recorded_ones(warehouse: Path) -> None:
    """Every mart of the demo build matches its recorded fingerprint (tests/mart_fingerprints.py):
    refactors of the project, its dbt layout or its engines leave the figures as they were."""
    assert_marts_are_the_recorded_ones(warehouse, "demo")


@pytest.fixture(scope="module")
def india(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("page") / "report.html"
    report.build_report(warehouse, "IND", ["rare_earths"], out)
    return out, out.read_text(encoding="utf-8")


def section(html: str, key: str, mineral: str = "rare_earths") -> str:
    match = re.search(rf'<section id="{key}-{mineral}">(.*?)</section>', html, flags=re.DOTALL)
    assert match, f"section {key}-{mineral} missing"
    return match.group(1)


def china_table(body: str) -> str:
    match = re.search(
        r'<table class="data compact"><caption>China&#39;s share of .*?</table>', body, re.DOTALL
    )
    assert match, "China-share table missing"
    return match.group(0)


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
    assert sections.HS6_CAVEAT in html


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
    # In the China-share table (years as rows), row 2024, column "China, compounds".
    table = china_table(body)
    headers = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", table)
    assert headers == [
        "Year",
        "China, ore &amp; concentrate",
        "China, compounds",
        "China, metal",
        "China, components",
        "Imports, all stages",
    ]
    row = re.search(r"<tr><td>2024</td>(.*?)</tr>", table).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row)
    assert cells[1] == formatting.fmt_share(share)
    # Six years fit: every one is a row, none left out.
    assert re.findall(r"<tr><td>(\d{4})</td>", table) == [str(y) for y in range(2019, 2025)]
    # One stacked chart per stage, China drawn in its colour, with a tooltip per bar.
    assert body.count('class="chart chart-bar"') == 4
    assert f"<title>China, 2024: {formatting.fmt_share(share, 0)}</title>" in body


def test_concentration_section_shows_hhi_and_world_production(warehouse, india):
    _, html = india
    body = section(html, "concentration")
    hhi = one(
        warehouse,
        "select hhi from marts.mart_import_dependency where importer_iso3 = 'IND' and "
        "mineral = 'rare_earths' and stage = 'component' and year = 2024",
    )
    assert f'<td class="num">{formatting.fmt_hhi(hhi)}</td>' in body
    world = one(
        warehouse,
        "select china_share from marts.mart_production_concentration where "
        "mineral = 'rare_earths' and production_type = 'mine' and year = 2023",
    )
    assert f'<td class="num">{formatting.fmt_share(world)}</td>' in body


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
    assert row and f'<td class="num">{formatting.fmt_share(exposure)}</td>' in row.group(1)
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
    assert first_row == formatting.SHORT_NAMES.get(best, name)
    assert component.count('class="row"') == 10
    # China restricts rare-earth exports: its bar is drawn in the restriction colour.
    china_bar = re.search(r'data-label="China">.*?<rect [^>]*fill="([^"]+)"', component, re.DOTALL)
    assert china_bar.group(1) == sections.RESTRICTING_COLOUR


def test_shocks_section_shows_shortfall_and_months_of_cover(warehouse, india):
    _, html = india
    body = section(html, "shocks")
    shortfall, months = access.run_query(
        warehouse,
        "select shortfall_usd, months_of_cover from marts.mart_supply_shock where "
        "importer_iso3 = 'IND' and scenario_id = 'chn_halts_2025_018_scope' "
        "and stage = 'component'",
    ).rows[0]
    assert formatting.fmt_usd(shortfall) in body
    assert f'<td class="num">{formatting.fmt_months(months)}</td>' in body
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
    assert "Dysprosium has no HS6 code of its own in the commodity reference" in suppliers
    assert "traded within the rare_earths codes" in suppliers
    concentration = section(html, "concentration", "dysprosium")
    assert "Neither imports of dysprosium by India nor world production figures" in concentration
    assert 'class="chart' not in suppliers and 'class="chart' not in concentration
    for key in SECTIONS:
        section(html, key, "dysprosium")  # every section is there


def run_report(*argv: str) -> int:
    """`critmin report ARGV...` through the command line's entry point; its exit code."""
    return cli.main(["report", *argv])


def test_command_writes_the_page(warehouse, tmp_path, capsys):
    out = tmp_path / "r.html"
    code = run_report(
        "--country",
        "ind",
        "--mineral",
        "rare_earths",
        "--out",
        str(out),
        "--warehouse",
        str(warehouse),
    )
    assert code == 0
    assert out.exists() and "India (IND)" in out.read_text(encoding="utf-8")
    assert str(out) in capsys.readouterr().out


def test_unknown_country_says_how_to_find_codes(warehouse, tmp_path, capsys):
    code = run_report(
        "--country", "XYZ", "--out", str(tmp_path / "r.html"), "--warehouse", str(warehouse)
    )
    assert code == 2
    error = capsys.readouterr().err
    assert "unknown country code 'XYZ'" in error
    assert report.FIND_CODES in error
    assert not (tmp_path / "r.html").exists()


def test_unknown_mineral_lists_the_known_ones(warehouse, tmp_path, capsys):
    code = run_report(
        "--country",
        "IND",
        "--mineral",
        "unobtainium",
        "--out",
        str(tmp_path / "r.html"),
        "--warehouse",
        str(warehouse),
    )
    assert code == 2
    error = capsys.readouterr().err
    assert "unknown mineral unobtainium" in error and "rare_earths" in error


def test_missing_warehouse_is_a_usage_error(tmp_path, capsys):
    code = run_report(
        "--country",
        "IND",
        "--out",
        str(tmp_path / "r.html"),
        "--warehouse",
        str(tmp_path / "absent.duckdb"),
    )
    assert code == 2
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
        ("suppliers", sections.CHINA_COLOUR, 20_000),  # China's stacked bars, four stage charts
        ("concentration", sections.STAGE_COLOURS["component"], 300),  # a 3 px line and its dots
        ("concentration", sections.PRODUCTION_COLOURS["china"], 3_000),  # two bars
        ("policy", sections.SUSPENSION_COLOUR, 3_000),  # four suspension windows
        ("alternatives", sections.ALTERNATIVE_COLOUR, 30_000),  # 4 x up to 10 bars
        ("shocks", sections.SHOCK_COLOURS["shortfall"], 3_000),  # six bars
    ]
    for key, colour, minimum in expected:
        ys, xs = np.nonzero((pixels == hex_rgb(colour)).all(axis=2))
        assert len(ys) >= minimum, f"{key}: {len(ys)} pixels of {colour}"
        top, bottom = bands[key]
        assert top < ys.min() and ys.max() < bottom, (
            f"{colour} drawn at y {ys.min()}-{ys.max()}, outside section {key} ({top}-{bottom})"
        )
        assert 80 < xs.min() and xs.max() < 1200, f"{colour} outside the content column"


# --------------------------------------------------------------------------- long and sparse data


def test_table_years_keep_the_latest_ten_and_every_fifth_before():
    assert sections.table_years(range(1995, 2025)) == [1995, 2000, 2005, 2010, *range(2015, 2025)]
    assert sections.table_years([2024, 2019, 2020, 2021, 2022, 2023]) == list(range(2019, 2025))


def test_page_says_what_the_landing_data_covers(india):
    _, html = india
    # The demo landing directory's landing.toml, stamped in meta.warehouse_version.
    notice = re.search(r'<div class="coverage" role="note">(.*?)</div>', html, re.DOTALL)
    assert notice, "coverage notice missing"
    assert "<b>What the data covers.</b> <i>demo</i>: synthetic demo data" in notice.group(1)
    assert "What it lacks." not in notice.group(1)  # the demo set declares no gaps


def test_older_warehouse_without_landing_columns_says_so(warehouse):
    data = report.load_report_data(warehouse, "IND", ["rare_earths"])
    older = dataclasses.replace(data, version={"version_id": "v1", "landing_dir": "/data/x"})
    html = report.render_report(older)
    assert 'class="coverage"' not in html
    assert (
        "The warehouse does not record what its landing data covers or lacks (its landing "
        "directory <code>/data/x</code> has no <code>landing.toml</code>"
    ) in html


HOSTILE = "<script>alert('x')</script> & Sons"
# Every '&' of an escaped page starts a character reference.
BARE_AMPERSAND = re.compile(r"&(?!(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);)")


def test_names_with_markup_are_escaped_everywhere(warehouse):
    """Country, supplier, mineral and scenario names and the landing notes are text: a name with
    `<script>` or `&` appears escaped (title, headings, tables, charts), never as markup."""
    data = report.load_report_data(warehouse, "IND", ["rare_earths"])
    (mineral,) = data.minerals
    hostile = dataclasses.replace(
        data,
        country_name=f"India {HOSTILE}",
        names={**data.names, "AUS": f"Australia {HOSTILE}"},
        version={**(data.version or {}), "landing_label": HOSTILE, "landing_lacks": HOSTILE},
        minerals=[
            dataclasses.replace(
                mineral,
                mineral="rare_earths<script>&",
                scenarios={key: HOSTILE for key in mineral.scenarios},
            )
        ],
    )
    html = report.render_report(hostile)
    assert "<script" not in html.lower()
    assert BARE_AMPERSAND.search(html) is None, BARE_AMPERSAND.search(html)
    escaped = str(escape(HOSTILE))  # &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Sons
    assert f"<h1>India {escaped} (IND): supply dependency, rare earths&lt;script&gt;&amp;" in html
    assert f"<caption>China&#39;s share of India {escaped}&#39;s imports by stage</caption>" in html
    assert f"<b>What the data covers.</b> <i>{escaped}</i>" in html
    assert f"</code>: {escaped}</li>" in html  # the shock scenarios' descriptions
    assert 'id="suppliers-rare_earths&lt;script&gt;&amp;"' in html
    # The charts escape their own text (with the standard library's entity for the quote).
    assert "Australia &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Sons" in html
    # The page of the real names has no bare ampersand either.
    assert BARE_AMPERSAND.search(report.render_report(data)) is None


@pytest.fixture(scope="module")
def sparse(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo warehouse made to look like the real starter data, and to hold minerals
    with nothing to show:

    - magnets (HS 850511) are not in the trade data: their rows are deleted from the trade fact
      and every rare-earth component row from the marts, and landing_lacks says so;
    - India's rare-earth supplier shares and import dependency span 30 years, 1995-2024: the
      2019-2024 rows are repeated four times, 6, 12, 18 and 24 years earlier (layout only);
    - beryllium is in the commodity reference (HS 261790, 811212), which no trade row of the demo
      has, and has no production and no policy event;
    - zeolites have world production (2023, mine and refinery, added here) but no HS6 code of
      their own (they trade within 253090).
    """
    path = tmp_path_factory.mktemp("sparse") / "critmin.duckdb"
    shutil.copyfile(warehouse, path)
    con = duckdb.connect(str(path))
    try:
        con.execute("delete from marts.fct_trade_flows where hs6 = '850511'")
        for mart in (
            "mart_supplier_shares",
            "mart_import_dependency",
            "mart_alternative_suppliers",
            "mart_supply_shock",
        ):
            con.execute(
                f"delete from marts.{mart} where mineral = 'rare_earths' and stage = 'component'"
            )
        for mart in ("mart_supplier_shares", "mart_import_dependency"):
            for shift in (6, 12, 18, 24):
                con.execute(
                    f"insert into marts.{mart} by name select * replace (year - ? as year) "
                    f"from marts.{mart} where importer_iso3 = 'IND' and mineral = 'rare_earths' "
                    "and year between 2019 and 2024",
                    [shift],
                )
        con.execute(
            "insert into marts.mart_production_concentration (year, mineral, production_type, "
            "world_total, hhi, top1_iso3, top1_share, top3_share, china_share, country_count, "
            "unit, production_source) values "
            "(2023, 'zeolites', 'refinery', 640, 0.6, 'CHN', 0.75, 0.9, 0.75, 6, 't', 'usgs_mcs'), "
            "(2023, 'zeolites', 'mine', 500, 0.5, 'CHN', 0.7, 0.9, 0.7, 5, 't', 'usgs_mcs')"
        )
        con.execute(
            "update meta.warehouse_version set landing_label = 'starter', landing_lacks = ?",
            [STARTER_LACKS],
        )
    finally:
        con.close()
    return path


STARTER_LACKS = (
    "not in the starter set: HS 850511 (permanent magnets); get them with `critmin fetch baci`"
)


@pytest.fixture(scope="module")
def sparse_india(sparse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("sparse_page") / "report.html"
    report.build_report(sparse, "IND", ["rare_earths"], out)
    return out, out.read_text(encoding="utf-8")


def test_thirty_years_give_a_china_table_of_bounded_width(sparse_india):
    _, html = sparse_india
    table = china_table(section(html, "suppliers"))
    # One column per stage, not per year: Year, three stages (components are gone), imports.
    assert len(re.findall(r"<th(?: [^>]*)?>", table)) == 5
    years = [int(y) for y in re.findall(r"<tr><td>(\d{4})</td>", table)]
    assert years == [1995, 2000, 2005, 2010, *range(2015, 2025)]
    assert "2015–2024, and every 5th year before" in table
    assert "for the figures of every year: <code>critmin query" in section(html, "suppliers")


def test_thirty_year_charts_are_wide_and_their_year_labels_apart(sparse_india):
    _, html = sparse_india
    body = section(html, "suppliers")
    svgs = re.findall(r"<svg.*?</svg>", body, flags=re.DOTALL)
    assert len(svgs) == 3
    ns = "{http://www.w3.org/2000/svg}"
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("width") == str(sections.FULL_WIDTH)
        axis = next(g for g in root.iter(f"{ns}g") if g.get("class") == "x-axis")
        labels = [(float(t.get("x")), t.text) for t in axis.iter(f"{ns}text")]
        # 30 bars in (1040 - 56 - 16 - 150) px: 27.3 px each, a label every 2nd year.
        assert [t for _, t in labels] == [str(y) for y in range(1996, 2025, 2)]
        for (x0, t0), (x1, t1) in zip(labels, labels[1:], strict=False):
            gap = x1 - x0 - (charts.label_width(t0) + charts.label_width(t1)) / 2
            assert gap >= charts.TICK_GAP
    hhi = re.search(r"<svg[^>]*chart-line.*?</svg>", section(html, "concentration"), re.DOTALL)
    axis = re.search(r'<g class="x-axis">(.*?)</g>', hhi.group(0), re.DOTALL).group(1)
    assert re.findall(r">(\d{4})</text>", axis) == ["1995", "2000", "2005", "2010", "2015", "2020"]


def test_missing_magnets_are_said_where_the_component_stage_would_be(sparse_india):
    _, html = sparse_india
    body = section(html, "suppliers")
    assert "Components (HS 850511)" not in body  # no chart for the stage
    gap = re.search(r'<p class="empty">Not in this warehouse.*?</p>', body, re.DOTALL).group(0)
    assert "<b>Components</b> (HS 850511)" in gap
    assert "The landing data (starter) declares HS 850511 missing." in gap
    assert (
        f"<code>{sections.FETCH_FULL_BACI}</code> then <code>{sections.RUN_FULL_BACI}</code>" in gap
    )
    # The measures that name magnets say their exposure leaves them out.
    assert "HS 850511 is in these measures&#39; scope but not in this warehouse&#39;s trade " in (
        section(html, "policy")
    )
    notice = re.search(r'<div class="coverage" role="note">(.*?)</div>', html, re.DOTALL).group(1)
    assert "<b>What it lacks.</b> not in the starter set: HS 850511 (permanent magnets)" in notice
    assert "get them with <code>critmin fetch baci</code>" in notice
    assert sections.FETCH_FULL_BACI in notice


def test_mineral_without_trade_production_or_events_says_so_in_every_section(sparse, tmp_path):
    out = tmp_path / "beryllium.html"
    data = report.build_report(sparse, "IND", ["beryllium"], out)
    html = out.read_text(encoding="utf-8")
    assert sorted(data.minerals[0].codes) == ["261790", "811212"]
    assert not data.minerals[0].loaded_codes
    assert "<svg" not in html
    assert 'class="cards"' not in html
    said = "No trade in the HS6 codes of beryllium (HS "
    for key in ("suppliers", "alternatives", "shocks"):
        assert said in section(html, key, "beryllium"), key
    assert "Neither imports of beryllium by India nor world production figures" in section(
        html, "concentration", "beryllium"
    )
    assert "The register holds no event on beryllium." in section(html, "policy", "beryllium")


def test_mineral_without_an_hs_code_shows_production_only(sparse, tmp_path):
    out = tmp_path / "zeolites.html"
    report.build_report(sparse, "IND", ["zeolites"], out)
    html = out.read_text(encoding="utf-8")
    said = "Zeolites has no HS6 code of its own in the commodity reference"
    assert said in section(html, "suppliers", "zeolites")
    assert "<svg" not in section(html, "suppliers", "zeolites")
    concentration = section(html, "concentration", "zeolites")
    # One chart per production type, each with its year on the axis.
    assert "World zeolites mine production concentration" in concentration
    assert "World zeolites refinery production concentration" in concentration
    assert concentration.count('class="chart chart-bar"') == 2
    assert '<td class="num">6,000</td>' in concentration  # refinery HHI 0.6 on the points scale
    assert '<td class="num">5,000</td>' in concentration  # mine HHI 0.5


def test_country_without_imports_of_a_traded_mineral_gets_one_sentence_per_section(
    warehouse, tmp_path
):
    country = one(
        warehouse,
        "select min(importer_iso3) from marts.mart_import_dependency where importer_iso3 not in "
        "(select importer_iso3 from marts.mart_import_dependency where mineral = 'rare_earths')",
    )
    out = tmp_path / "none.html"
    data = report.build_report(warehouse, country, ["rare_earths"], out)
    html = out.read_text(encoding="utf-8")
    name = escape(data.country_name)
    for key, consequence in [
        ("suppliers", "no supplier shares to show"),
        ("alternatives", "no supply to replace"),
        ("shocks", "no supply for a halt to cut"),
    ]:
        body = section(html, key)
        assert f"No imports of rare earths recorded for {name}" in body
        assert consequence in body and "<svg" not in body, key
    # The register's events are still drawn; exposure and response say there is nothing to show.
    policy = section(html, "policy")
    assert "<svg" in policy and "no imports are exposed to these measures" in policy
    assert "<h4>What happened to trade" not in policy


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="headless Chromium not installed at /usr/bin/chromium"
)
def test_thirty_year_page_fits_the_page_width_in_chromium(sparse_india, tmp_path):
    """Every table header band (#f1f3f4) ends inside the content column: main is at most 1100 px
    wide and centred in the 1280 px window, so its right edge is at (1280 + 1100) / 2 - 28 px
    padding = 1162. A table with a column per year would run past the window's right edge."""
    import numpy as np
    from PIL import Image

    page, _ = sparse_india
    png = tmp_path / "sparse.png"
    screenshot(page, png, tmp_path / "profile")
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
    pixels = np.asarray(Image.open(png).convert("RGB"))
    ys, xs = np.nonzero((pixels == hex_rgb("#f1f3f4")).all(axis=2))
    assert len(xs) > 1_000, "no table header drawn"
    assert xs.max() <= 1162, f"a table reaches x = {xs.max()}, past the content column"
    assert xs.min() >= 118
