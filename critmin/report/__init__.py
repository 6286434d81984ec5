"""`critmin report`: one self-contained HTML page on a country's supply dependency.

For an importer and one or more minerals the page answers: how exposed is the country, at which
value-chain stage, to whom, what happened when suppliers restricted exports, and who else could
supply. It reads the serving warehouse read-only (`warehouse.access.reader`) and draws its charts
as inline SVG: no script, stylesheet, font or image is fetched at view time.

The page opens with what the landing data covers and lacks (`landing_label`, `landing_coverage`,
`landing_lacks` of meta.warehouse_version, from the landing directory's `landing.toml`).

- `data`: the SQL, read into `ReportData` / `MineralData` (`load_report_data`).
- `sections`: per mineral, the five sections (one module each) as lists of `blocks` (text,
  tables, figures).
- `charts`: the inline SVG charts.
- `formatting`: numbers, dates and names as printed.
- `page`: the page, rendered by Jinja2 with autoescaping from `templates/report.html.j2`, with
  `static/report.css` inlined.

The command line (`critmin report`) is wired in `critmin.cli`.
"""

from critmin.report.data import FIND_CODES, MineralData, ReportData, ReportError, load_report_data
from critmin.report.page import build_report, render_report

__all__ = [
    "FIND_CODES",
    "MineralData",
    "ReportData",
    "ReportError",
    "build_report",
    "load_report_data",
    "render_report",
]
