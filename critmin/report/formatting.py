"""Numbers, dates and names as the report prints them (plain text; the template escapes it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

STAGES = ("ore_concentrate", "compound", "metal", "component")
STAGE_NAMES = {
    "ore_concentrate": "Ore & concentrate",
    "compound": "Compounds",
    "metal": "Metal",
    "component": "Components",
}

# Shorter display names for countries whose dim_country name is long.
SHORT_NAMES = {
    "BOL": "Bolivia",
    "COD": "DR Congo",
    "GBR": "United Kingdom",
    "HKG": "Hong Kong",
    "IRN": "Iran",
    "KOR": "South Korea",
    "LAO": "Laos",
    "PRK": "North Korea",
    "RUS": "Russia",
    "TZA": "Tanzania",
    "USA": "United States",
    "VEN": "Venezuela",
}


def fmt_usd(value: float | None) -> str:
    """US dollars for people: `$195.8 M`, `$1.58 bn`, `$884.6 k`, `−$11.9 k`."""
    if value is None:
        return "–"
    sign = "−" if value < 0 else ""
    size = abs(value)
    if size >= 1e9:
        text = f"{size / 1e9:,.2f} bn"
    elif size >= 1e6:
        text = f"{size / 1e6:,.1f} M"
    elif size >= 1e3:
        text = f"{size / 1e3:,.1f} k"
    else:
        text = f"{size:,.0f}"
    return f"{sign}${text}"


def fmt_usd_axis(value: float) -> str:
    """US dollars for axis ticks, without needless decimals: `$150 M`, `$2.5 bn`."""
    return fmt_usd(value).replace(".0 ", " ")


def fmt_share(value: float | None, digits: int = 1) -> str:
    """A 0-1 share as a percentage: 0.834694 -> `83.5%`."""
    if value is None:
        return "–"
    return f"{value * 100:.{digits}f}%"


def fmt_change(value: float | None) -> str:
    """A relative change with its sign: 0.0142 -> `+1.4%`, -0.49 -> `−49.0%`."""
    if value is None:
        return "–"
    return f"{value * 100:+.1f}%".replace("-", "−")


def fmt_hhi(value: float | None) -> str:
    """A 0-1 HHI on the points scale (x 10,000): 0.485154 -> `4,852`."""
    if value is None:
        return "–"
    return f"{value * 10_000:,.0f}"


def fmt_tonnes(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f} t" if abs(value) >= 100 else f"{value:,.1f} t"


def fmt_months(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.1f}"


def fmt_number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def fmt_date(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else "–"


def mineral_name(mineral: str) -> str:
    return mineral.replace("_", " ")


def stage_name(stage: str) -> str:
    """`Compounds` for `compound`; an unknown stage keeps its code."""
    return STAGE_NAMES.get(stage, stage)


def span(years: Sequence[int]) -> str:
    """`2019–2024`, or `none` when there are no years."""
    return f"{years[0]}–{years[-1]}" if years else "none"
