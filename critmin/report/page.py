"""The page: `ReportData` rendered through `templates/report.html.j2` (Jinja2, autoescaped) with
the stylesheet `static/report.css` inlined, so the file needs nothing else to be viewed."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from critmin.report.blocks import Block
from critmin.report.data import ReportData, load_report_data
from critmin.report.formatting import mineral_name, span
from critmin.report.sections import (
    FETCH_FULL_BACI,
    HS6_CAVEAT,
    RUN_FULL_BACI,
    SECTIONS,
    headline,
    no_imports,
)

TEMPLATE = "report.html.j2"


@dataclass(frozen=True)
class SectionView:
    key: str
    number: int
    heading: str
    blocks: list[Block]


@dataclass(frozen=True)
class MineralView:
    mineral: str
    name: str
    title: str
    intro: list[Block]  # the no-imports sentence and the headline figures
    sections: list[SectionView]


@dataclass(frozen=True)
class Coverage:
    """What the landing data covers and lacks, as its `landing.toml` declared (stamped in
    meta.warehouse_version); `recorded` is False when the warehouse does not record it."""

    label: str
    covers: str
    lacks: str
    landing_dir: str | None

    @property
    def recorded(self) -> bool:
        return bool(self.label or self.covers or self.lacks)


def code_spans(text: str) -> Markup:
    """Escaped text with `backticked` spans set as code."""
    parts = str(escape(text)).split("`")
    spans = (f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts))
    return Markup("".join(spans))  # noqa: S704 - every part is escaped above


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("critmin.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["code_spans"] = code_spans
    return env


def stylesheet() -> Markup:
    """The page's CSS, shipped with the package (`static/report.css`)."""
    css = resources.files("critmin.report").joinpath("static", "report.css").read_text("utf-8")
    return Markup(css)  # noqa: S704 - a file of the package, not data


def page_context(report: ReportData, generated: dt.datetime) -> dict[str, Any]:
    """What the template shows: plain values, blocks per section."""
    version = report.version or {}
    several = len(report.minerals) > 1
    minerals = [
        MineralView(
            mineral=data.mineral,
            name=mineral_name(data.mineral),
            title=mineral_name(data.mineral).capitalize(),
            intro=[
                *([] if data.has_imports else [no_imports(report, data)]),
                *headline(report, data),
            ],
            sections=[
                SectionView(key, number, heading, render(report, data))
                for number, (key, heading, render) in enumerate(SECTIONS, start=1)
            ],
        )
        for data in report.minerals
    ]
    names = ", ".join(m.name for m in minerals)
    return {
        "title": f"{report.country_name} ({report.country_iso3}): supply dependency, {names}",
        "css": stylesheet(),
        "caveat": HS6_CAVEAT,
        "fetch_full_baci": FETCH_FULL_BACI,
        "run_full_baci": RUN_FULL_BACI,
        "heading_tag": "h3" if several else "h2",
        "page": {
            "warehouse": report.warehouse,
            "version_id": version.get("version_id", "unknown"),
            "built_at": version.get("built_at", "unknown"),
            "generated": generated,
            "trade_years": span(report.trade_years),
            "trade_sources": ", ".join(report.trade_sources) or "none",
            "production_sources": ", ".join(report.production_sources) or "none",
            "is_demo": report.is_demo,
            "coverage": Coverage(
                label=report.landing("label"),
                covers=report.landing("coverage"),
                lacks=report.landing("lacks").rstrip("."),
                landing_dir=version.get("landing_dir"),
            ),
            "minerals": minerals,
        },
    }


def render_report(report: ReportData, generated: dt.datetime | None = None) -> str:
    """The whole page as one HTML string (inline CSS and SVG, nothing external)."""
    generated = generated or dt.datetime.now(dt.UTC).replace(microsecond=0)
    template = environment().get_template(TEMPLATE)
    return template.render(page_context(report, generated))


def build_report(
    warehouse: Path, country: str, minerals: Sequence[str] | None, out: Path
) -> ReportData:
    """Read the warehouse and write the page to `out`; returns the data shown."""
    data = load_report_data(warehouse, country, minerals)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(data), encoding="utf-8")
    return data
