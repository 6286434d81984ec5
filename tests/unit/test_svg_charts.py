"""Unit tests of the inline SVG charts: structure, scales (pixel positions computed by hand),
legends and escaping. Every chart is parsed as XML, so a stray `<` or `&` fails the test."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from critmin.report import charts

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def find_all(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(f"{NS}{tag}"))


def legend_labels(root: ET.Element) -> list[str]:
    legend = next(g for g in find_all(root, "g") if g.get("class") == "legend")
    return [t.text for t in legend.iter(f"{NS}text")]


def test_linear_scale_maps_known_values():
    assert charts.LinearScale((0, 10), (100, 200))(2.5) == 125
    # A descending pixel range, as for a y axis: 0.25 of the way from 300 towards 100.
    assert charts.LinearScale((0, 1), (300, 100))(0.25) == 250
    assert charts.LinearScale((5, 5), (0, 100))(5) == 50  # degenerate domain: the middle


def test_date_scale_counts_days():
    scale = charts.DateScale(dt.date(2020, 1, 1), dt.date(2020, 12, 31), (0, 365))
    # 2020 is a leap year: 1 July is day 182 after 1 January, and 31 December is day 365.
    assert scale(dt.date(2020, 7, 1)) == 182
    assert scale(dt.date(2020, 12, 31)) == 365


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 100, [0, 20, 40, 60, 80, 100]),
        (0, 7075, [0, 2000, 4000, 6000, 8000]),
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (0.12, 0.87, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),  # step 0.75 / 5 = 0.15 -> 0.2
        (3, 3, [3, 3.2, 3.4, 3.6, 3.8, 4]),  # a single value gets a unit range
    ],
)
def test_nice_ticks_are_round_and_cover_the_range(low, high, expected):
    assert charts.nice_ticks(low, high) == pytest.approx(expected)


def test_line_chart_places_points_where_computed_by_hand():
    svg = charts.line_chart(
        [
            charts.Series("Alpha", [(2019, 0), (2021, 50), (2023, 100)], "#123456"),
            charts.Series("Beta", [(2019, 20), (2021, None), (2023, 40)], "#654321", dashed=True),
        ],
        title="Two series",
        width=640,
        height=300,
        y_min=0,
        y_max=100,
    )
    root = parse(svg)
    # Plot area: x from 56 + 14 (padding) to 640 - 16 - 150 (legend) - 14 = 460;
    # y from 300 - 40 = 260 (value 0) up to 36 (value 100).
    alpha = [c for c in find_all(root, "circle") if c.get("fill") == "#123456"]
    assert [(c.get("cx"), c.get("cy")) for c in alpha] == [
        ("70", "260"),
        ("265", "148"),
        ("460", "36"),
    ]
    # Beta has a gap at 2021: two dots, and no line drawn across the gap (runs of one point).
    beta_dots = [c for c in find_all(root, "circle") if c.get("fill") == "#654321"]
    assert len(beta_dots) == 2
    lines = find_all(root, "polyline")
    assert [line.get("stroke") for line in lines] == ["#123456"]
    assert lines[0].get("points") == "70,260 265,148 460,36"
    assert legend_labels(root) == ["Alpha", "Beta"]
    # The dashed series is drawn dashed in the legend.
    dashed = [ln for ln in find_all(root, "line") if ln.get("stroke") == "#654321"]
    assert dashed and dashed[0].get("stroke-dasharray")
    # Y ticks 0, 20, ..., 100 labelled with the default format.
    y_axis = next(g for g in find_all(root, "g") if g.get("class") == "y-axis")
    assert [t.text for t in y_axis.iter(f"{NS}text")] == ["0", "20", "40", "60", "80", "100"]


def test_line_chart_has_accessible_title_and_point_tooltips():
    svg = charts.line_chart(
        [charts.Series("Alpha", [(2019, 1), (2020, 2)], "#123456")],
        title="HHI by stage",
        description="what it shows",
        y_format=lambda v: f"{v:.1f} pts",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    titles = {t.get("id"): t.text for t in root.findall(f"{NS}title")}
    assert titles[title_id] == "HHI by stage"
    assert root.find(f"{NS}desc").get("id") == desc_id
    tips = [c.find(f"{NS}title").text for c in find_all(root, "circle")]
    assert tips == ["Alpha, 2019: 1.0 pts", "Alpha, 2020: 2.0 pts"]


def test_stacked_bar_chart_rectangles_computed_by_hand():
    svg = charts.bar_chart(
        ["A", "B"],
        [
            charts.BarSeries("first", [0.5, 1.0], "#aa0000"),
            charts.BarSeries("second", [0.5, 0.0], "#00aa00"),
        ],
        title="Stacked",
        width=640,
        height=300,
        y_max=1.0,
    )
    root = parse(svg)
    bars = next(g for g in find_all(root, "g") if g.get("class") == "bars")
    rects = [(r.get("fill"), r.get("x"), r.get("y"), r.get("height")) for r in bars]
    # Plot 56..474 wide, two bands of 209 px, bars 70% = 146.3 px centred: A starts at 87.35.
    # y: 260 at 0, 36 at 1 (224 px per unit). A: first 0-0.5 (y 148, h 112), second 0.5-1.
    # B: first 0-1 (y 36, h 224); its 0 for "second" draws nothing.
    assert rects == [
        ("#aa0000", "87.35", "148", "112"),
        ("#00aa00", "87.35", "36", "112"),
        ("#aa0000", "296.35", "36", "224"),
    ]
    assert all(r.get("width") == "146.3" for r in bars)
    # The legend lists the stack top-down.
    assert legend_labels(root) == ["second", "first"]


def test_grouped_bar_chart_puts_series_side_by_side():
    svg = charts.bar_chart(
        ["2023"],
        [charts.BarSeries("x", [2.0], "#111111"), charts.BarSeries("y", [4.0], "#222222")],
        title="Grouped",
        stacked=False,
        width=640,
        height=300,
    )
    bars = next(g for g in find_all(parse(svg), "g") if g.get("class") == "bars")
    x_bar, y_bar = list(bars)
    # One band of 418 px, bars 292.6 px wide in all, split in two of 146.3.
    assert float(y_bar.get("x")) - float(x_bar.get("x")) == pytest.approx(146.3)
    # Ticks 0..4: y=4 reaches the top (36), x=2 half-way (height 112).
    assert y_bar.get("y") == "36"
    assert x_bar.get("height") == "112"
    assert legend_labels(parse(svg)) == ["x", "y"]


def test_bar_chart_rejects_series_of_the_wrong_length():
    with pytest.raises(ValueError, match="'short' has 1 values for 2 categories"):
        charts.bar_chart(["a", "b"], [charts.BarSeries("short", [1.0], "#000000")], title="bad")


def test_horizontal_bar_chart_scales_values_and_prints_notes():
    svg = charts.horizontal_bar_chart(
        [
            charts.RankedBar("Japan", 1.0, "#0f7b6c", "supplies 8.9% now"),
            charts.RankedBar("China", 0.5, "#e9a39b", "restricts exports"),
        ],
        title="Ranking",
        width=640,
        label_width=150,
        note_width=230,
        value_format=lambda v: f"{v:.2f}",
    )
    root = parse(svg)
    rects = find_all(root, "rect")
    # Bars from x=150 to 640 - 230 - 56 = 354 for the largest value: 0.5 -> 102 px.
    assert [(r.get("x"), r.get("width"), r.get("fill")) for r in rects] == [
        ("150", "204", "#0f7b6c"),
        ("150", "102", "#e9a39b"),
    ]
    texts = [t.text for t in find_all(root, "text")]
    assert {"Japan", "China", "1.00", "0.50", "supplies 8.9% now", "restricts exports"} <= set(
        texts
    )
    assert root.get("height") == str(36 + 2 * 26 + 24)


def test_timeline_markers_windows_and_bands():
    spec = charts.Timeline(
        lanes=[
            charts.Lane(
                "Export licensing",
                markers=[
                    charts.Marker(dt.date(2020, 3, 1), "Announced", "#3d405b", "circle"),
                    charts.Marker(dt.date(2020, 7, 1), "Effective", "#5b2a86"),
                ],
                windows=[
                    charts.Window(dt.date(2020, 7, 1), dt.date(2022, 6, 30), "Suspended", "#f6c85f")
                ],
            ),
            charts.Lane("Cooperation"),
        ],
        start=dt.date(2020, 1, 1),
        end=dt.date(2020, 12, 31),
        bands=[charts.Window(dt.date(2019, 1, 1), dt.date(2019, 12, 31), "Before", "#cfe3f5")],
        legend_items=(charts.LegendItem("Suspended", "#f6c85f"),),
    )
    root = parse(charts.timeline(spec, title="Events", width=960, label_width=260))
    lanes = [g for g in find_all(root, "g") if g.get("class") == "lane"]
    assert [g.get("data-label") for g in lanes] == ["Export licensing", "Cooperation"]
    # x = 260 + days / 365 x 684: 1 July 2020 is day 182 -> 601.06. Lanes start below the
    # title (36) and legend row (22) at 58; the first lane's middle is 58 + 26 / 2 = 71.
    diamond = find_all(root, "polygon")[-1]
    assert diamond.get("points").split()[0] == "601.06,64"  # top vertex: 71 - 7
    assert diamond.find(f"{NS}title").text == "Effective: 2020-07-01"
    circle = find_all(root, "circle")[-1]
    assert circle.get("fill") == "white" and circle.get("stroke") == "#3d405b"
    # The suspension window runs past the axis end: clipped at x = 944.
    window = next(r for r in lanes[0].iter(f"{NS}rect"))
    assert (window.get("x"), window.get("width")) == ("601.06", "342.94")
    # The band lies wholly before the axis: not drawn.
    bands = next(g for g in find_all(root, "g") if g.get("class") == "bands")
    assert list(bands) == []
    assert legend_labels(root) == ["Suspended"]


def test_text_is_escaped_everywhere():
    nasty = 'R&D <script>alert("x")</script>'
    svgs = [
        charts.line_chart([charts.Series(nasty, [(1, 1), (2, 2)], "#000000")], title=nasty),
        charts.bar_chart([nasty], [charts.BarSeries(nasty, [1.0], "#000000")], title=nasty),
        charts.horizontal_bar_chart([charts.RankedBar(nasty, 1.0, "#000000", nasty)], title=nasty),
        charts.timeline(
            charts.Timeline(
                [charts.Lane(nasty, [charts.Marker(dt.date(2020, 5, 1), nasty, "#000000")])],
                dt.date(2020, 1, 1),
                dt.date(2020, 12, 31),
            ),
            title=nasty,
        ),
    ]
    for svg in svgs:
        assert "<script" not in svg
        assert "R&amp;D &lt;script&gt;" in svg
        root = parse(svg)  # well-formed XML
        assert root.find(f"{NS}title").text == nasty


def test_long_legend_labels_are_shortened_with_the_full_label_as_tooltip():
    name = "Democratic Republic of the Congo"
    root = parse(charts.line_chart([charts.Series(name, [(1, 1)], "#000000")], title="t"))
    legend = next(g for g in find_all(root, "g") if g.get("class") == "legend")
    text = legend.find(f"{NS}text")
    assert text.text == "Democratic Republic…"
    assert text.find(f"{NS}title").text == name


def test_empty_inputs_give_a_labelled_empty_chart():
    for svg in (
        charts.line_chart([], title="Nothing"),
        charts.bar_chart([], [], title="Nothing"),
        charts.horizontal_bar_chart([], title="Nothing"),
        charts.timeline(charts.Timeline([], dt.date(2020, 1, 1), dt.date(2021, 1, 1)), title="N"),
    ):
        root = parse(svg)
        assert any(t.text in ("no data", "no events") for t in find_all(root, "text"))


def x_labels(root: ET.Element) -> list[tuple[float, str]]:
    axis = next(g for g in find_all(root, "g") if g.get("class") == "x-axis")
    return [(float(t.get("x")), t.text) for t in axis.iter(f"{NS}text")]


def assert_apart(labels: list[tuple[float, str]]) -> None:
    """Neighbouring labels (centred at x) leave at least TICK_GAP px between them, at the wide
    character width the layout assumes."""
    for (x0, t0), (x1, t1) in zip(labels, labels[1:], strict=False):
        room = x1 - x0 - (charts.label_width(t0) + charts.label_width(t1)) / 2
        assert room >= charts.TICK_GAP, (t0, t1, room)


@pytest.mark.parametrize(
    ("pixels_per_unit", "widest", "step"),
    [
        (60, 29.6, 1),  # 60 >= 29.6 + 12
        (30, 29.6, 2),  # 30 < 41.6 <= 60
        (8.97, 29.6, 5),  # 17.9 < 41.6 <= 44.8
        (4, 29.6, 20),  # 40 < 41.6 <= 80
        (0.1, 29.6, 416),  # beyond the list: the exact number of units
    ],
)
def test_tick_step_is_the_smallest_round_step_that_fits(pixels_per_unit, widest, step):
    assert charts.tick_step(pixels_per_unit, widest) == step


def test_thirty_year_line_chart_labels_every_fifth_year_without_overlap():
    years = list(range(1995, 2025))
    svg = charts.line_chart(
        [charts.Series("HHI", [(y, float(y % 7)) for y in years], "#123456")],
        title="Thirty years",
        width=510,
        height=280,
    )
    root = parse(svg)
    labels = x_labels(root)
    # Plot 56 + 14 to 510 - 16 - 150 - 14 = 330: 260 px for 29 years, 8.97 px a year. A label
    # "1995" is 4 x 7.4 = 29.6 px wide and needs 41.6 px with its gap: every 2nd year (17.9 px)
    # does not fit, every 5th (44.8 px) does.
    assert [text for _, text in labels] == ["1995", "2000", "2005", "2010", "2015", "2020"]
    assert labels[0][0] == 70
    assert_apart(labels)
    # Every year still has its point, with a smaller dot on a long series.
    dots = find_all(root, "circle")
    assert len(dots) == 30 and {c.get("r") for c in dots} == {"2.5"}


def test_short_line_chart_labels_every_year():
    svg = charts.line_chart(
        [charts.Series("a", [(y, 1.0) for y in range(2019, 2025)], "#123456")], title="Six"
    )
    labels = x_labels(parse(svg))
    assert [text for _, text in labels] == [str(y) for y in range(2019, 2025)]
    assert_apart(labels)


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        # 510 wide: bands of (510 - 56 - 16 - 150) / 30 = 9.6 px; 5 bands (48 px) fit a label.
        (510, [str(y) for y in range(1995, 2025, 5)]),
        # 1040 wide: bands of 818 / 30 = 27.27 px; 2 bands (54.5 px) fit: the even years.
        (1040, [str(y) for y in range(1996, 2025, 2)]),
    ],
)
def test_thirty_year_bar_chart_thins_its_category_labels(width, expected):
    years = [str(y) for y in range(1995, 2025)]
    svg = charts.bar_chart(
        years, [charts.BarSeries("China", [0.5] * 30, "#c3112b")], title="Shares", width=width
    )
    root = parse(svg)
    labels = x_labels(root)
    assert [text for _, text in labels] == expected
    assert_apart(labels)
    # Every year keeps its bar, whose tooltip names the year.
    bars = next(g for g in find_all(root, "g") if g.get("class") == "bars")
    assert [r.find(f"{NS}title").text for r in bars] == [f"China, {y}: 0.5" for y in years]


def test_bar_chart_thins_text_categories_by_position():
    categories = [f"{y} refinery" for y in range(2015, 2025)]  # 13 characters: 96.2 px
    svg = charts.bar_chart(
        categories, [charts.BarSeries("s", [1.0] * 10, "#000000")], title="t", width=640
    )
    labels = x_labels(parse(svg))
    # Bands of 418 / 10 = 41.8 px; a label needs 96.2 + 12 = 108.2 px: every 5th (209 px).
    assert [text for _, text in labels] == ["2015 refinery", "2020 refinery"]
    assert_apart(labels)


def test_timeline_over_three_decades_labels_every_other_year():
    spec = charts.Timeline(
        lanes=[charts.Lane("a", [charts.Marker(dt.date(2010, 6, 1), "Effective", "#5b2a86")])],
        start=dt.date(1995, 1, 1),
        end=dt.date(2026, 12, 31),
    )
    root = parse(charts.timeline(spec, title="Events", width=960, label_width=260))
    labels = x_labels(root)
    # 684 px for 32 years: 21.4 px a year, 42.8 px for two (>= 41.6): the even years.
    assert [text for _, text in labels] == [str(y) for y in range(1996, 2027, 2)]
    assert_apart(labels)
    # A grid line still marks every 1 January.
    axis = next(g for g in find_all(root, "g") if g.get("class") == "x-axis")
    assert len(axis.findall(f"{NS}line")) == 32 + 1  # 1995..2026 and the axis itself
