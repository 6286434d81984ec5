"""The report's sections, per mineral: each a function from the data to a list of blocks.

1. Supplier shares per stage over the years (`mart_supplier_shares`), China's share (a table
   with years as rows: the latest ten and every fifth year before, so it fits the page).
   The trade sections read the BACI annual rows (`trade_source = 'baci'`); the marts' UN Comtrade
   rows (recent years, months) are another source and are not mixed into them.
2. Concentration: import HHI per stage (`mart_import_dependency`), world production concentration
   (`mart_production_concentration`).
3. Policy timeline (`dim_policy_event`, `bridge_policy_event_hs6`, `mart_event_trade_response`,
   `mart_event_trade_response_by_importer`) and exposure (`mart_policy_exposure`).
4. Alternative suppliers (`mart_alternative_suppliers`).
5. Shock scenarios (`mart_supply_shock`).

A mart that is absent or has no rows for the country gives one sentence, not an error or an empty
chart: no HS6 code of its own, codes not in the trade data, no imports by the country, no
production, no events. A stage whose HS6 codes are not in the trade data (e.g. magnets, HS 850511,
in the starter set) is named where its chart would be, with the commands that load the full BACI
release.
"""

from __future__ import annotations

from critmin.report.sections.alternatives import section_alternatives
from critmin.report.sections.common import (
    ALTERNATIVE_COLOUR,
    CHINA_COLOUR,
    FETCH_FULL_BACI,
    FULL_WIDTH,
    HS6_CAVEAT,
    PRODUCTION_COLOURS,
    RESTRICTING_COLOUR,
    RUN_FULL_BACI,
    SHOCK_COLOURS,
    STAGE_COLOURS,
    SUSPENSION_COLOUR,
    Section,
    headline,
    no_imports,
)
from critmin.report.sections.concentration import section_concentration
from critmin.report.sections.policy import section_policy
from critmin.report.sections.shocks import section_shocks
from critmin.report.sections.suppliers import section_suppliers, table_years

SECTIONS: tuple[tuple[str, str, Section], ...] = (
    ("suppliers", "Who supplies: shares by stage", section_suppliers),
    ("concentration", "How concentrated: imports and world production", section_concentration),
    ("policy", "Export restrictions: timeline, exposure and response", section_policy),
    ("alternatives", "Who else could supply", section_alternatives),
    ("shocks", "If a supplier halts exports: shock scenarios", section_shocks),
)

__all__ = [
    "ALTERNATIVE_COLOUR",
    "CHINA_COLOUR",
    "FETCH_FULL_BACI",
    "FULL_WIDTH",
    "HS6_CAVEAT",
    "PRODUCTION_COLOURS",
    "RESTRICTING_COLOUR",
    "RUN_FULL_BACI",
    "SECTIONS",
    "SHOCK_COLOURS",
    "STAGE_COLOURS",
    "SUSPENSION_COLOUR",
    "Section",
    "headline",
    "no_imports",
    "section_alternatives",
    "section_concentration",
    "section_policy",
    "section_shocks",
    "section_suppliers",
    "table_years",
]
