"""Inline SVG charts for the HTML report: self-contained, no JavaScript, no external resources.

Every chart is a function from plain Python values to one `<svg>` string that carries an accessible
`<title>` and `<desc>`, and a `<title>` on each mark (a tooltip in browsers, read by screen
readers). All text is XML-escaped. Charts have a fixed pixel size (`width`, `height`) and a
`viewBox`, so a stylesheet can scale them down (`max-width: 100%; height: auto`).

- `line_chart`: several series over a numeric x axis (years), with a legend.
- `bar_chart`: vertical bars per category, stacked or grouped, with a legend.
- `horizontal_bar_chart`: a ranking, one labelled bar per row with its value and a note.
- `timeline`: lanes of dated markers with shaded windows, and bands across all lanes.

Layout: the plot area is the chart minus `Margins`; a legend, when there is one, sits in a column
on the right of the plot area (`LEGEND_WIDTH` pixels).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"
AXIS_COLOUR = "#5f6368"
GRID_COLOUR = "#e3e3e3"
TEXT_COLOUR = "#202124"
LEGEND_WIDTH = 150
CHAR_WIDTH = 6.6  # average width of one character at 12 px, for layout only
LABEL_CHAR_WIDTH = 7.4  # a safe (wide) character width for labels that must not overflow

NumberFormat = Callable[[float], str]


def esc(text: object) -> str:
    """Text escaped for XML content and attribute values."""
    return escape(str(text), quote=True)


def _num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (`12.5`, `40`)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _default_format(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True)
class LinearScale:
    """Maps the interval `domain` linearly onto the pixel interval `range` (either may descend)."""

    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        d0, d1 = self.domain
        r0, r1 = self.range
        if d1 == d0:
            return (r0 + r1) / 2
        return r0 + (value - d0) / (d1 - d0) * (r1 - r0)


@dataclass(frozen=True)
class DateScale:
    """Maps dates linearly onto a pixel interval (by day number)."""

    start: dt.date
    end: dt.date
    range: tuple[float, float]

    def __call__(self, value: dt.date) -> float:
        scale = LinearScale((self.start.toordinal(), self.end.toordinal()), self.range)
        return scale(value.toordinal())


TICK_GAP = 12  # at least this many pixels between two neighbouring x-axis labels
TICK_STEPS = (1, 2, 5, 10, 20, 25, 50, 100)


def label_width(text: str) -> float:
    """A safe (wide) pixel width of an axis label at 12 px."""
    return len(text) * LABEL_CHAR_WIDTH


def tick_step(pixels_per_unit: float, widest_label: float) -> int:
    """The smallest step of TICK_STEPS (1, 2, 5, 10, ...) whose labels, centred `pixels_per_unit`
    x step apart, leave TICK_GAP pixels between labels `widest_label` pixels wide."""
    needed = widest_label + TICK_GAP
    for step in TICK_STEPS:
        if step * pixels_per_unit >= needed:
            return step
    return max(TICK_STEPS[-1], math.ceil(needed / max(pixels_per_unit, 1e-9)))


def thin_year_ticks(
    values: Sequence[float], pixels_per_unit: float, fmt: Callable[[float], str]
) -> list[float]:
    """The x ticks that fit: the integer values among `values` divisible by the step that keeps
    labels apart (every year when they fit; else every 2nd, 5th, 10th ... year), at least one."""
    if not values:
        return []
    widest = max(label_width(fmt(v)) for v in values)
    step = tick_step(pixels_per_unit, widest)
    if step == 1:
        return list(values)
    kept = [v for v in values if float(v).is_integer() and int(v) % step == 0]
    return kept or [values[0]]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values (steps of 1, 2, 2.5 or 5 x 10^k) covering [low, high]."""
    if high < low:
        low, high = high, low
    if high == low:
        high = low + 1
    raw_step = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw_step)
    first = math.floor(low / step + 1e-9) * step
    ticks = []
    value = first
    while value < high + step * 1e-9 or not ticks:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high - step * 1e-9:
        ticks.append(round(value, 10))
    return ticks


@dataclass(frozen=True)
class Margins:
    top: float = 36
    right: float = 16
    bottom: float = 40
    left: float = 56


@dataclass(frozen=True)
class Series:
    """A named series of (x, y) points; y None leaves a gap. `dashed` draws the line dashed."""

    name: str
    points: Sequence[tuple[float, float | None]]
    colour: str
    dashed: bool = False


@dataclass(frozen=True)
class BarSeries:
    """One value per category (None or 0 draws nothing)."""

    name: str
    values: Sequence[float | None]
    colour: str


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    shape: str = "square"  # square | line | dashed | circle | diamond | band


def _chart_id(title: str, salt: str) -> str:
    return "c" + hashlib.sha1(f"{title}|{salt}".encode()).hexdigest()[:10]


def _open_svg(width: float, height: float, title: str, description: str, kind: str) -> list[str]:
    chart_id = _chart_id(title, f"{kind}{description}{width}{height}")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" font-family="{esc(FONT)}" '
        f'font-size="12" fill="{TEXT_COLOUR}">',
        f'<title id="{chart_id}-t">{esc(title)}</title>',
        f'<desc id="{chart_id}-d">{esc(description or title)}</desc>',
        f'<text x="0" y="16" font-size="14" font-weight="600">{esc(title)}</text>',
    ]


def _empty_chart(width: float, height: float, title: str, message: str, kind: str) -> str:
    parts = _open_svg(width, height, title, message, kind)
    parts.append(
        f'<text x="{_num(width / 2)}" y="{_num(height / 2)}" text-anchor="middle" '
        f'fill="{AXIS_COLOUR}">{esc(message)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


def legend(
    items: Sequence[LegendItem],
    x: float,
    y: float,
    row_height: float = 18,
    max_chars: int | None = 20,
) -> str:
    """A vertical legend: one swatch and label per row, starting at (x, y).

    Labels longer than `max_chars` are shortened with an ellipsis (the full label is the tooltip).
    """
    parts = ['<g class="legend">']
    for index, item in enumerate(items):
        top = y + index * row_height
        middle = top + row_height / 2
        colour = esc(item.colour)
        if item.shape in ("line", "dashed"):
            dash = ' stroke-dasharray="6 3"' if item.shape == "dashed" else ""
            parts.append(
                f'<line x1="{_num(x)}" y1="{_num(middle)}" x2="{_num(x + 16)}" '
                f'y2="{_num(middle)}" stroke="{colour}" stroke-width="3"{dash}/>'
            )
        elif item.shape == "circle":
            parts.append(
                f'<circle cx="{_num(x + 8)}" cy="{_num(middle)}" r="5" fill="white" '
                f'stroke="{colour}" stroke-width="2"/>'
            )
        elif item.shape == "diamond":
            parts.append(_diamond(x + 8, middle, 6, item.colour))
        else:
            parts.append(
                f'<rect x="{_num(x + 2)}" y="{_num(middle - 6)}" width="12" height="12" '
                f'fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{_num(x + 22)}" y="{_num(middle + 4)}">{esc(_clip(item.label, max_chars))}'
            f"<title>{esc(item.label)}</title></text>"
        )
    parts.append("</g>")
    return "\n".join(parts)


def _clip(text: str, max_chars: int | None) -> str:
    if max_chars is None or len(text) <= max_chars:
        return text
    return text[: max_chars - 1] + "…"


def _diamond(cx: float, cy: float, r: float, colour: str) -> str:
    points = f"{_num(cx)},{_num(cy - r)} {_num(cx + r)},{_num(cy)} {_num(cx)},{_num(cy + r)} "
    points += f"{_num(cx - r)},{_num(cy)}"
    return f'<polygon points="{points}" fill="{esc(colour)}"/>'


def _y_axis(
    scale: LinearScale, ticks: Sequence[float], left: float, right: float, fmt: NumberFormat
) -> list[str]:
    parts = ['<g class="y-axis">']
    for tick in ticks:
        y = scale(tick)
        parts.append(
            f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}" y2="{_num(y)}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{_num(left - 6)}" y="{_num(y + 4)}" text-anchor="end" '
            f'fill="{AXIS_COLOUR}">{esc(fmt(tick))}</text>'
        )
    parts.append("</g>")
    return parts


def _axis_label(text: str, x: float, y: float, rotate: bool = False) -> str:
    if not text:
        return ""
    transform = f' transform="rotate(-90 {_num(x)} {_num(y)})"' if rotate else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="middle" fill="{AXIS_COLOUR}"'
        f"{transform}>{esc(text)}</text>"
    )


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    description: str = "",
    width: float = 640,
    height: float = 300,
    y_format: NumberFormat = _default_format,
    x_format: NumberFormat = lambda x: f"{x:.0f}",
    y_min: float | None = None,
    y_max: float | None = None,
    x_ticks: Sequence[float] | None = None,
    y_label: str = "",
    margins: Margins = Margins(),
    show_legend: bool = True,
) -> str:
    """Lines with a dot at each point.

    X ticks default to every distinct x (e.g. each year) when their labels fit side by side, else
    to the x values divisible by a round step (every 2nd, 5th, 10th ... year: `thin_year_ticks`).
    """
    xs = sorted({x for s in series for x, y in s.points if y is not None})
    ys = [y for s in series for _, y in s.points if y is not None]
    if not xs:
        return _empty_chart(width, height, title, "no data", "line")
    legend_width = LEGEND_WIDTH if show_legend else 0
    left, top = margins.left, margins.top
    right = width - margins.right - legend_width
    bottom = height - margins.bottom
    low = min(ys) if y_min is None else y_min
    high = max(ys) if y_max is None else y_max
    y_ticks = nice_ticks(low, high)
    y_scale = LinearScale((y_ticks[0], y_ticks[-1]), (bottom, top))
    pad = 14 if len(xs) > 1 else 0
    x_scale = LinearScale((xs[0], xs[-1]), (left + pad, right - pad))

    parts = _open_svg(width, height, title, description, "line")
    parts.extend(_y_axis(y_scale, y_ticks, left, right, y_format))
    parts.append('<g class="x-axis">')
    parts.append(
        f'<line x1="{_num(left)}" y1="{_num(bottom)}" x2="{_num(right)}" y2="{_num(bottom)}" '
        f'stroke="{AXIS_COLOUR}"/>'
    )
    if x_ticks is None:
        span = xs[-1] - xs[0]
        per_unit = (right - left - 2 * pad) / span if span else right - left
        x_ticks = thin_year_ticks(xs, per_unit, x_format)
    for tick in x_ticks:
        x = x_scale(tick)
        parts.append(
            f'<text x="{_num(x)}" y="{_num(bottom + 16)}" text-anchor="middle" '
            f'fill="{AXIS_COLOUR}">{esc(x_format(tick))}</text>'
        )
    parts.append("</g>")
    parts.append(_axis_label(y_label, 14, (top + bottom) / 2, rotate=True))
    radius = 4 if len(xs) <= 15 else 2.5  # smaller dots on long series, so they do not touch
    for item in series:
        parts.append(f'<g class="series" data-series="{esc(item.name)}">')
        dash = ' stroke-dasharray="7 4"' if item.dashed else ""
        for run in _runs(item.points):
            coords = " ".join(f"{_num(x_scale(x))},{_num(y_scale(y))}" for x, y in run)
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{coords}" fill="none" stroke="{esc(item.colour)}" '
                    f'stroke-width="3" stroke-linejoin="round"{dash}/>'
                )
        for x, y in item.points:
            if y is None:
                continue
            parts.append(
                f'<circle cx="{_num(x_scale(x))}" cy="{_num(y_scale(y))}" r="{_num(radius)}" '
                f'fill="{esc(item.colour)}"><title>{esc(item.name)}, {esc(x_format(x))}: '
                f"{esc(y_format(y))}</title></circle>"
            )
        parts.append("</g>")
    if show_legend:
        shapes = [LegendItem(s.name, s.colour, "dashed" if s.dashed else "line") for s in series]
        parts.append(legend(shapes, right + 16, top))
    parts.append("</svg>")
    return "\n".join(parts)


def _runs(
    points: Sequence[tuple[float, float | None]],
) -> list[list[tuple[float, float]]]:
    """Consecutive points (sorted by x) without a None y, split at the gaps."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in sorted(points, key=lambda p: p[0]):
        if y is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((x, y))
    return [run for run in runs if run]


def bar_chart(
    categories: Sequence[str],
    series: Sequence[BarSeries],
    *,
    title: str,
    description: str = "",
    stacked: bool = True,
    width: float = 640,
    height: float = 300,
    y_format: NumberFormat = _default_format,
    y_max: float | None = None,
    y_label: str = "",
    margins: Margins = Margins(),
    show_legend: bool = True,
) -> str:
    """Vertical bars per category; stacked (series on top of each other) or grouped (side by side).

    Every category is labelled when the labels fit their bands, else every 2nd, 5th, 10th ...
    (for years: the years divisible by that step); each bar's tooltip names its category.
    Negative values are not supported (drawn as 0).
    """
    if not categories or not series:
        return _empty_chart(width, height, title, "no data", "bar")
    for item in series:
        if len(item.values) != len(categories):
            raise ValueError(
                f"bar series {item.name!r} has {len(item.values)} values for "
                f"{len(categories)} categories"
            )
    values = [[max(v or 0.0, 0.0) for v in s.values] for s in series]
    if stacked:
        peak = max(sum(column) for column in zip(*values, strict=True))
    else:
        peak = max(max(row) for row in values)
    legend_width = LEGEND_WIDTH if show_legend else 0
    left, top = margins.left, margins.top
    right = width - margins.right - legend_width
    bottom = height - margins.bottom
    y_ticks = nice_ticks(0, y_max if y_max is not None else (peak or 1))
    y_scale = LinearScale((0, y_ticks[-1]), (bottom, top))
    band = (right - left) / len(categories)
    bar_width = band * 0.7

    parts = _open_svg(width, height, title, description, "bar")
    parts.extend(_y_axis(y_scale, y_ticks, left, right, y_format))
    parts.append(_axis_label(y_label, 14, (top + bottom) / 2, rotate=True))
    parts.append('<g class="bars">')
    for c_index, category in enumerate(categories):
        band_left = left + c_index * band + (band - bar_width) / 2
        base = 0.0
        for s_index, item in enumerate(series):
            value = values[s_index][c_index]
            if value <= 0:
                continue
            if stacked:
                y_top, y_bottom = y_scale(base + value), y_scale(base)
                x, w = band_left, bar_width
                base += value
            else:
                w = bar_width / len(series)
                x = band_left + s_index * w
                y_top, y_bottom = y_scale(value), y_scale(0)
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y_top)}" width="{_num(w)}" '
                f'height="{_num(y_bottom - y_top)}" fill="{esc(item.colour)}">'
                f"<title>{esc(item.name)}, {esc(category)}: {esc(y_format(value))}</title></rect>"
            )
    parts.append("</g>")
    parts.append('<g class="x-axis">')
    parts.append(
        f'<line x1="{_num(left)}" y1="{_num(bottom)}" x2="{_num(right)}" y2="{_num(bottom)}" '
        f'stroke="{AXIS_COLOUR}"/>'
    )
    for c_index in _labelled_categories(categories, band):
        category = categories[c_index]
        x = left + (c_index + 0.5) * band
        parts.append(
            f'<text x="{_num(x)}" y="{_num(bottom + 16)}" text-anchor="middle" '
            f'fill="{AXIS_COLOUR}">{esc(category)}</text>'
        )
    parts.append("</g>")
    if show_legend:
        items = [LegendItem(s.name, s.colour) for s in series]
        # Stacked: the legend lists the series top-down, as they are piled in the bars.
        parts.append(legend(items[::-1] if stacked else items, right + 16, top))
    parts.append("</svg>")
    return "\n".join(parts)


def _labelled_categories(categories: Sequence[str], band: float) -> list[int]:
    """Indexes of the categories whose x-axis label is drawn: all when the labels fit their band,
    else every k-th (k from TICK_STEPS); year categories keep the years divisible by k."""
    widest = max(label_width(c) for c in categories)
    step = tick_step(band, widest)
    if step == 1:
        return list(range(len(categories)))
    if all(c.strip().isdigit() for c in categories):
        kept = [i for i, c in enumerate(categories) if int(c) % step == 0]
        if kept:
            return kept
    return list(range(0, len(categories), step))


@dataclass(frozen=True)
class RankedBar:
    """One row of a horizontal ranking: label, value, optional note right of the value."""

    label: str
    value: float
    colour: str
    note: str = ""


def horizontal_bar_chart(
    bars: Sequence[RankedBar],
    *,
    title: str,
    description: str = "",
    width: float = 640,
    row_height: float = 26,
    label_width: float = 150,
    note_width: float = 230,
    value_format: NumberFormat = _default_format,
    x_max: float | None = None,
    legend_items: Sequence[LegendItem] = (),
) -> str:
    """A ranking, one bar per row in the given order, value printed after the bar, note after it.

    The height follows from the rows: 36 px title + rows + 24 px axis (+ legend rows).
    """
    legend_height = 20 if legend_items else 0
    top = 36 + legend_height
    height = top + row_height * max(len(bars), 1) + 24
    if not bars:
        return _empty_chart(width, 120, title, "no data", "hbar")
    left = label_width
    right = width - note_width - 56  # room for the value text after the longest bar
    peak = x_max if x_max is not None else max(max(b.value for b in bars), 0) or 1
    x_scale = LinearScale((0, peak), (left, right))

    parts = _open_svg(width, height, title, description, "hbar")
    if legend_items:
        x = 0.0
        for item in legend_items:
            parts.append(legend([item], x, 24, max_chars=None))
            x += 40 + len(item.label) * CHAR_WIDTH
    for index, bar in enumerate(bars):
        y = top + index * row_height
        bar_height = row_height * 0.66
        y_bar = y + (row_height - bar_height) / 2
        end = x_scale(max(bar.value, 0))
        parts.append(f'<g class="row" data-label="{esc(bar.label)}">')
        parts.append(
            f'<text x="{_num(left - 8)}" y="{_num(y_bar + bar_height / 2 + 4)}" '
            f'text-anchor="end">{esc(_clip(bar.label, int(label_width / LABEL_CHAR_WIDTH)))}'
            f"<title>{esc(bar.label)}</title></text>"
        )
        parts.append(
            f'<rect x="{_num(left)}" y="{_num(y_bar)}" width="{_num(end - left)}" '
            f'height="{_num(bar_height)}" fill="{esc(bar.colour)}"><title>{esc(bar.label)}: '
            f"{esc(value_format(bar.value))}</title></rect>"
        )
        parts.append(
            f'<text x="{_num(end + 6)}" y="{_num(y_bar + bar_height / 2 + 4)}" '
            f'fill="{AXIS_COLOUR}">{esc(value_format(bar.value))}</text>'
        )
        if bar.note:
            parts.append(
                f'<text x="{_num(width - note_width)}" y="{_num(y_bar + bar_height / 2 + 4)}" '
                f'fill="{AXIS_COLOUR}">{esc(bar.note)}</text>'
            )
        parts.append("</g>")
    bottom = top + row_height * len(bars)
    parts.append(
        f'<line x1="{_num(left)}" y1="{_num(top)}" x2="{_num(left)}" y2="{_num(bottom)}" '
        f'stroke="{AXIS_COLOUR}"/>'
    )
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class Marker:
    """A dated point in a timeline lane: `shape` circle (hollow) or diamond (filled)."""

    date: dt.date
    label: str
    colour: str
    shape: str = "diamond"


@dataclass(frozen=True)
class Window:
    """A shaded date interval (inclusive of both ends' days)."""

    start: dt.date
    end: dt.date
    label: str
    colour: str


@dataclass(frozen=True)
class Lane:
    label: str
    markers: Sequence[Marker] = ()
    windows: Sequence[Window] = ()


@dataclass(frozen=True)
class Timeline:
    lanes: Sequence[Lane]
    start: dt.date
    end: dt.date
    bands: Sequence[Window] = ()  # shaded across every lane (e.g. event-study years)
    legend_items: Sequence[LegendItem] = field(default_factory=tuple)


def timeline(
    spec: Timeline,
    *,
    title: str,
    description: str = "",
    width: float = 960,
    lane_height: float = 26,
    label_width: float = 260,
) -> str:
    """Lanes (one per event) of markers over a date axis with yearly ticks.

    Windows are drawn inside their lane, bands over the whole plot, behind the lanes. A window or
    band reaching past the axis is clipped to it. Height: 36 px title + legend row + lanes + axis.
    """
    if not spec.lanes:
        return _empty_chart(width, 120, title, "no events", "timeline")
    legend_height = 22 if spec.legend_items else 0
    top = 36 + legend_height
    left, right = label_width, width - 16
    bottom = top + lane_height * len(spec.lanes)
    height = bottom + 30
    scale = DateScale(spec.start, spec.end, (left, right))

    def clip(day: dt.date) -> float:
        return min(max(scale(day), left), right)

    parts = _open_svg(width, height, title, description, "timeline")
    if spec.legend_items:
        x = 0.0
        for item in spec.legend_items:
            parts.append(legend([item], x, 22, max_chars=None))
            x += 40 + len(item.label) * CHAR_WIDTH
    parts.append('<g class="bands">')
    for band in spec.bands:
        x0, x1 = clip(band.start), clip(band.end + dt.timedelta(days=1))
        if x1 <= x0:
            continue
        parts.append(
            f'<rect x="{_num(x0)}" y="{_num(top)}" width="{_num(x1 - x0)}" '
            f'height="{_num(bottom - top)}" fill="{esc(band.colour)}"><title>{esc(band.label)}: '
            f"{band.start.isoformat()} to {band.end.isoformat()}</title></rect>"
        )
    parts.append("</g>")
    parts.append('<g class="x-axis">')
    years = [
        year
        for year in range(spec.start.year, spec.end.year + 2)
        if spec.start <= dt.date(year, 1, 1) <= spec.end
    ]
    per_year = scale(dt.date(2001, 1, 1)) - scale(dt.date(2000, 1, 1))
    labelled = set(thin_year_ticks(years, per_year, lambda y: f"{y:.0f}"))
    for year in years:  # a grid line at every 1 January, a label where it fits
        x = scale(dt.date(year, 1, 1))
        parts.append(
            f'<line x1="{_num(x)}" y1="{_num(top)}" x2="{_num(x)}" y2="{_num(bottom)}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        if year in labelled:
            parts.append(
                f'<text x="{_num(x)}" y="{_num(bottom + 16)}" text-anchor="middle" '
                f'fill="{AXIS_COLOUR}">{year}</text>'
            )
    parts.append(
        f'<line x1="{_num(left)}" y1="{_num(bottom)}" x2="{_num(right)}" y2="{_num(bottom)}" '
        f'stroke="{AXIS_COLOUR}"/>'
    )
    parts.append("</g>")
    for index, lane in enumerate(spec.lanes):
        y = top + index * lane_height
        middle = y + lane_height / 2
        parts.append(f'<g class="lane" data-label="{esc(lane.label)}">')
        parts.append(
            f'<text x="{_num(left - 8)}" y="{_num(middle + 4)}" text-anchor="end">'
            f"{esc(_clip(lane.label, int(label_width / LABEL_CHAR_WIDTH)))}"
            f"<title>{esc(lane.label)}</title></text>"
        )
        parts.append(
            f'<line x1="{_num(left)}" y1="{_num(middle)}" x2="{_num(right)}" '
            f'y2="{_num(middle)}" stroke="{GRID_COLOUR}" stroke-dasharray="2 3"/>'
        )
        for window in lane.windows:
            x0, x1 = clip(window.start), clip(window.end + dt.timedelta(days=1))
            if x1 <= x0:
                continue
            parts.append(
                f'<rect x="{_num(x0)}" y="{_num(y + 4)}" width="{_num(x1 - x0)}" '
                f'height="{_num(lane_height - 8)}" fill="{esc(window.colour)}">'
                f"<title>{esc(window.label)}: {window.start.isoformat()} to "
                f"{window.end.isoformat()}</title></rect>"
            )
        for marker in lane.markers:
            if not spec.start <= marker.date <= spec.end:
                continue
            x = scale(marker.date)
            tip = f"<title>{esc(marker.label)}: {marker.date.isoformat()}</title>"
            if marker.shape == "circle":
                parts.append(
                    f'<circle cx="{_num(x)}" cy="{_num(middle)}" r="5" fill="white" '
                    f'stroke="{esc(marker.colour)}" stroke-width="2">{tip}</circle>'
                )
            else:
                parts.append(
                    _diamond(x, middle, 7, marker.colour).replace("/>", f">{tip}</polygon>")
                )
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts)
