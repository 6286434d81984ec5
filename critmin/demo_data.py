"""Synthetic demo landing directory: the embedded default data of `critmin run`.

`write_demo_data(out_dir, seed)` writes a landing directory in the published file formats:

- `baci/BACI_HS17_Y{year}_V202501.csv` (2019-2024): seeded synthetic bilateral flows shaped like
  the real market (China the dominant supplier of rare-earth compounds, metals and magnets; cobalt
  from Congo (Kinshasa); Indonesian nickel-ore exports collapsing after the 2020 ban; China's
  gallium/germanium and graphite exports to the United States falling in 2023-2024), plus
  non-critical HS6 codes for the HS filter to drop.
- `baci/country_codes_V202501.csv`, `baci/product_codes_HS17_V202501.csv`: companion code files.
- `usgs_mcs/mcs2024-<code>_world.csv`: USGS MCS 2024 world production tables with the real
  quirks (BOM, CRLF, trailing empty columns, footnote digits, `W`, `NA`, quoted thousands),
  production figures within a couple of percent of the published ones.
- `policy_events/policy_events.yaml`: a byte copy of the curated register shipped with `ingest`.
- `wgi/WGI_DataBank_synthetic.csv`: synthetic World Bank Worldwide Governance Indicators in the
  DataBank CSV export format (`..` for missing years, footer lines) for every country of the
  demo trade and production files: six estimates per country, 2019-2023.
- `README.txt`: the marker saying what is synthetic, with the seed and generator version.

Same seed -> byte-identical files. Everything is drawn from one `random.Random(seed)` in a fixed
order, so the output depends on nothing else (no clock, no hash order).
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

import ingest
from ingest.landing import MANIFEST_NAME as LANDING_MANIFEST
from ingest.landing import landing_toml
from ingest.reference import lookup as reference

DEMO_SOURCE = "demo"
DEFAULT_SEED = 20250404
GENERATOR_VERSION = 3
YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024)
BACI_RELEASE = "V202501"
HS_REVISION = "HS17"
README_NAME = "README.txt"
README_MARKER = "critmin demo landing directory"
EMPTY_QUANTITY_SHARE = 0.02
BACI_HEADER = ("t", "i", "j", "k", "v", "q")

# ---------------------------------------------------------------------------------------------
# Trade markets. Importer values are 2019 import values in thousand USD; supplier weights are
# relative. Figures are synthetic, chosen to give the familiar shape of the real market.
# ---------------------------------------------------------------------------------------------

Pairs = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Market:
    """One HS6 product: who imports how much (2019, thousand USD) and from whom."""

    hs6: str
    usd_per_kg: float
    growth: float
    importers: Pairs
    suppliers: Pairs
    supplier_overrides: tuple[tuple[str, Pairs], ...] = ()
    china_dominant: bool = False


# China's share of a dominant market, drawn per importer, product and year.
CHINA_SHARE_RANGE = (0.66, 0.84)
EU_RE_IMPORTERS: Pairs = (("DEU", 1.0), ("FRA", 0.5), ("ITA", 0.3), ("NLD", 0.35), ("AUT", 0.15))
RE_IMPORTERS: Pairs = (
    ("JPN", 3.0),
    ("USA", 2.0),
    ("KOR", 0.8),
    ("IND", 0.6),
    ("GBR", 0.2),
    *EU_RE_IMPORTERS,
)
RE_INDIA_SUPPLIERS: Pairs = (("CHN", 1.0), ("JPN", 0.4), ("VNM", 0.3), ("MYS", 0.3))
RE_CHINA_SUPPLIERS: Pairs = (
    ("MMR", 0.45),
    ("MYS", 0.25),
    ("LAO", 0.1),
    ("VNM", 0.08),
    ("USA", 0.04),
)


def _scaled(pairs: Pairs, factor: float) -> Pairs:
    return tuple((iso3, weight * factor) for iso3, weight in pairs)


MARKETS: tuple[Market, ...] = (
    # rare earths
    Market(
        "253090",
        0.8,
        1.06,
        (("CHN", 260000.0), ("USA", 30000.0), ("JPN", 25000.0), ("DEU", 20000.0), ("KOR", 9000.0)),
        (("CHN", 0.3), ("TUR", 0.15), ("AUS", 0.15), ("DEU", 0.1), ("USA", 0.1), ("BRA", 0.05)),
        (
            (
                "CHN",
                (
                    ("AUS", 0.5),
                    ("USA", 0.16),
                    ("MMR", 0.12),
                    ("BRA", 0.06),
                    ("ZWE", 0.05),
                    ("LAO", 0.04),
                    ("MDG", 0.03),
                ),
            ),
        ),
    ),
    Market(
        "261220",
        1.5,
        1.03,
        (("CHN", 9000.0), ("IND", 800.0), ("MYS", 1500.0)),
        (("MDG", 0.3), ("THA", 0.2), ("VNM", 0.2), ("BRA", 0.15), ("AUS", 0.15)),
    ),
    Market(
        "284610",
        6.0,
        1.04,
        _scaled(RE_IMPORTERS, 9000.0),
        (("CHN", 1.0), ("JPN", 0.3), ("EST", 0.2), ("FRA", 0.2), ("MYS", 0.3), ("AUT", 0.1)),
        (("IND", RE_INDIA_SUPPLIERS),),
        china_dominant=True,
    ),
    Market(
        "284690",
        20.0,
        1.07,
        (*_scaled(RE_IMPORTERS, 40000.0), ("CHN", 420000.0)),
        (("CHN", 1.0), ("MYS", 0.4), ("VNM", 0.2), ("EST", 0.15), ("JPN", 0.15), ("USA", 0.1)),
        (("IND", RE_INDIA_SUPPLIERS), ("CHN", RE_CHINA_SUPPLIERS)),
        china_dominant=True,
    ),
    Market(
        "280530",
        60.0,
        1.06,
        _scaled(RE_IMPORTERS, 15000.0),
        (("CHN", 1.0), ("VNM", 0.35), ("JPN", 0.25), ("EST", 0.1), ("GBR", 0.05)),
        (("IND", RE_INDIA_SUPPLIERS),),
        china_dominant=True,
    ),
    Market(
        "850511",
        50.0,
        1.12,
        (
            ("USA", 600000.0),
            ("DEU", 500000.0),
            ("KOR", 200000.0),
            ("JPN", 150000.0),
            ("IND", 120000.0),
            ("ITA", 90000.0),
            ("FRA", 80000.0),
            ("GBR", 70000.0),
            ("NLD", 60000.0),
            ("POL", 50000.0),
            ("ESP", 40000.0),
        ),
        (
            ("CHN", 1.0),
            ("JPN", 0.35),
            ("DEU", 0.25),
            ("VNM", 0.15),
            ("KOR", 0.1),
            ("THA", 0.08),
            ("PHL", 0.05),
        ),
        (("IND", (("CHN", 1.0), ("JPN", 0.5), ("VNM", 0.3), ("DEU", 0.15))),),
        china_dominant=True,
    ),
    # lithium
    Market(
        "282520",
        12.0,
        1.15,
        (
            ("KOR", 180000.0),
            ("JPN", 150000.0),
            ("USA", 40000.0),
            ("DEU", 25000.0),
            ("BEL", 20000.0),
            ("IND", 6000.0),
            ("FIN", 5000.0),
        ),
        (("CHN", 0.7), ("CHL", 0.1), ("USA", 0.08), ("RUS", 0.05), ("ARG", 0.04), ("BEL", 0.03)),
    ),
    Market(
        "283691",
        10.0,
        1.15,
        (
            ("CHN", 600000.0),
            ("KOR", 300000.0),
            ("JPN", 250000.0),
            ("USA", 60000.0),
            ("DEU", 30000.0),
            ("BEL", 25000.0),
            ("IND", 15000.0),
            ("NLD", 10000.0),
        ),
        (("CHL", 0.55), ("ARG", 0.2), ("CHN", 0.15), ("USA", 0.05), ("DEU", 0.03)),
    ),
    Market(
        "280519",
        90.0,
        1.08,
        (
            ("USA", 30000.0),
            ("JPN", 25000.0),
            ("KOR", 20000.0),
            ("DEU", 12000.0),
            ("IND", 4000.0),
            ("FRA", 8000.0),
            ("GBR", 6000.0),
        ),
        (("CHN", 0.6), ("USA", 0.12), ("RUS", 0.08), ("DEU", 0.08), ("JPN", 0.06), ("FRA", 0.06)),
    ),
    Market(
        "850760",
        25.0,
        1.25,
        (
            ("USA", 5000000.0),
            ("DEU", 4500000.0),
            ("NLD", 1200000.0),
            ("JPN", 900000.0),
            ("IND", 800000.0),
            ("KOR", 700000.0),
            ("FRA", 700000.0),
            ("GBR", 900000.0),
            ("ITA", 500000.0),
            ("POL", 600000.0),
            ("CHN", 1500000.0),
        ),
        (
            ("CHN", 0.55),
            ("KOR", 0.18),
            ("JPN", 0.1),
            ("POL", 0.07),
            ("HUN", 0.04),
            ("DEU", 0.03),
            ("USA", 0.03),
        ),
    ),
    # cobalt
    Market(
        "260500",
        8.0,
        1.02,
        (("CHN", 300000.0), ("FIN", 20000.0), ("BEL", 15000.0), ("IND", 3000.0), ("JPN", 4000.0)),
        (("COD", 0.7), ("ZMB", 0.1), ("MAR", 0.1), ("AUS", 0.05), ("PHL", 0.05)),
    ),
    Market(
        "282200",
        25.0,
        1.08,
        (
            ("CHN", 2500000.0),
            ("KOR", 90000.0),
            ("JPN", 70000.0),
            ("USA", 30000.0),
            ("IND", 20000.0),
            ("DEU", 15000.0),
            ("BEL", 40000.0),
            ("FIN", 60000.0),
            ("NLD", 8000.0),
        ),
        (("COD", 0.75), ("CHN", 0.12), ("BEL", 0.05), ("FIN", 0.04), ("ZMB", 0.04)),
        (("CHN", (("COD", 0.92), ("ZMB", 0.05), ("MAR", 0.03))),),
    ),
    Market(
        "810520",
        35.0,
        1.04,
        (
            ("USA", 400000.0),
            ("JPN", 250000.0),
            ("NLD", 200000.0),
            ("KOR", 120000.0),
            ("DEU", 90000.0),
            ("FRA", 60000.0),
            ("GBR", 50000.0),
            ("IND", 30000.0),
            ("CHN", 300000.0),
        ),
        (
            ("CHN", 0.3),
            ("COD", 0.25),
            ("FIN", 0.1),
            ("NOR", 0.08),
            ("BEL", 0.06),
            ("CAN", 0.06),
            ("JPN", 0.05),
            ("MDG", 0.05),
            ("RUS", 0.05),
        ),
        (("CHN", (("COD", 0.85), ("ZMB", 0.1), ("RUS", 0.05))),),
    ),
    # graphite
    Market(
        "250410",
        0.7,
        1.07,
        (
            ("USA", 40000.0),
            ("JPN", 35000.0),
            ("IND", 30000.0),
            ("KOR", 20000.0),
            ("DEU", 30000.0),
            ("NLD", 10000.0),
            ("POL", 8000.0),
            ("CHN", 60000.0),
        ),
        (("CHN", 0.55), ("MOZ", 0.15), ("MDG", 0.12), ("BRA", 0.08), ("CAN", 0.04), ("TZA", 0.03)),
        (("CHN", (("MOZ", 0.55), ("MDG", 0.3), ("TZA", 0.1), ("BRA", 0.05))),),
    ),
    Market(
        "250490",
        0.9,
        1.04,
        (("USA", 8000.0), ("JPN", 6000.0), ("IND", 5000.0), ("DEU", 7000.0), ("KOR", 3000.0)),
        (("CHN", 0.6), ("BRA", 0.1), ("MDG", 0.1), ("MOZ", 0.1), ("LKA", 0.05)),
    ),
    Market(
        "380110",
        3.0,
        1.12,
        (
            ("USA", 180000.0),
            ("JPN", 90000.0),
            ("KOR", 120000.0),
            ("IND", 60000.0),
            ("DEU", 80000.0),
            ("FRA", 30000.0),
            ("ITA", 25000.0),
            ("NLD", 20000.0),
            ("GBR", 15000.0),
        ),
        (
            ("CHN", 0.45),
            ("JPN", 0.15),
            ("DEU", 0.1),
            ("IND", 0.08),
            ("RUS", 0.05),
            ("ESP", 0.04),
            ("POL", 0.04),
        ),
    ),
    # gallium, germanium
    Market(
        "282560",
        15.0,
        1.05,
        (
            ("USA", 60000.0),
            ("JPN", 70000.0),
            ("KOR", 25000.0),
            ("DEU", 40000.0),
            ("FRA", 15000.0),
            ("IND", 10000.0),
            ("ITA", 12000.0),
            ("NLD", 8000.0),
            ("GBR", 9000.0),
            ("CHN", 30000.0),
        ),
        (("CHN", 0.55), ("JPN", 0.1), ("DEU", 0.1), ("AUS", 0.1), ("USA", 0.08), ("FRA", 0.07)),
    ),
    Market(
        "811292",
        250.0,
        1.05,
        (
            ("USA", 90000.0),
            ("JPN", 80000.0),
            ("DEU", 60000.0),
            ("KOR", 40000.0),
            ("GBR", 20000.0),
            ("FRA", 15000.0),
            ("IND", 8000.0),
            ("NLD", 12000.0),
        ),
        (
            ("CHN", 0.5),
            ("JPN", 0.1),
            ("DEU", 0.1),
            ("USA", 0.08),
            ("RUS", 0.07),
            ("BEL", 0.05),
            ("CAN", 0.05),
            ("KOR", 0.05),
        ),
    ),
    # nickel
    Market(
        "260400",
        0.06,
        1.05,
        (("CHN", 1400000.0), ("JPN", 120000.0), ("KOR", 40000.0)),
        (("IDN", 0.7), ("PHL", 0.25), ("NCL", 0.05)),
        (("JPN", (("PHL", 0.6), ("NCL", 0.4))), ("KOR", (("NCL", 0.7), ("PHL", 0.3)))),
    ),
    Market(
        "750110",
        12.0,
        1.05,
        (("CHN", 400000.0), ("JPN", 150000.0), ("FIN", 200000.0), ("NOR", 300000.0)),
        (("IDN", 0.3), ("CAN", 0.25), ("AUS", 0.2), ("RUS", 0.15), ("BWA", 0.1)),
    ),
    Market(
        "750120",
        10.0,
        1.05,
        (("CHN", 500000.0), ("JPN", 100000.0), ("KOR", 60000.0), ("FIN", 40000.0)),
        (("IDN", 0.3), ("PHL", 0.2), ("AUS", 0.15), ("CUB", 0.15), ("NCL", 0.1), ("PNG", 0.1)),
    ),
    Market(
        "283324",
        4.0,
        1.1,
        (
            ("KOR", 200000.0),
            ("JPN", 120000.0),
            ("CHN", 150000.0),
            ("USA", 20000.0),
            ("IND", 15000.0),
            ("DEU", 10000.0),
        ),
        (("CHN", 0.3), ("FIN", 0.15), ("JPN", 0.15), ("BEL", 0.1), ("AUS", 0.1), ("IDN", 0.1)),
    ),
    Market(
        "750210",
        16.0,
        1.03,
        (
            ("USA", 1200000.0),
            ("CHN", 1500000.0),
            ("NLD", 900000.0),
            ("DEU", 600000.0),
            ("IND", 400000.0),
            ("JPN", 500000.0),
            ("KOR", 300000.0),
            ("ITA", 300000.0),
            ("GBR", 150000.0),
            ("FRA", 150000.0),
        ),
        (
            ("RUS", 0.25),
            ("CAN", 0.15),
            ("AUS", 0.12),
            ("NOR", 0.12),
            ("JPN", 0.06),
            ("FIN", 0.06),
            ("CHN", 0.06),
            ("MDG", 0.05),
            ("BRA", 0.05),
        ),
    ),
    Market(
        "750220",
        18.0,
        1.02,
        (("USA", 60000.0), ("DEU", 40000.0), ("JPN", 30000.0), ("GBR", 20000.0), ("CHN", 25000.0)),
        (("USA", 0.2), ("GBR", 0.15), ("DEU", 0.15), ("JPN", 0.15), ("CHN", 0.15), ("FRA", 0.1)),
    ),
    # tungsten
    Market(
        "261100",
        12.0,
        1.02,
        (("CHN", 60000.0), ("AUT", 30000.0), ("USA", 10000.0), ("VNM", 15000.0), ("JPN", 5000.0)),
        (
            ("RWA", 0.2),
            ("BOL", 0.15),
            ("RUS", 0.15),
            ("PRT", 0.1),
            ("ESP", 0.1),
            ("MMR", 0.1),
            ("AUS", 0.05),
            ("COD", 0.1),
        ),
    ),
    Market(
        "284180",
        30.0,
        1.03,
        (("JPN", 50000.0), ("USA", 40000.0), ("KOR", 20000.0), ("DEU", 30000.0), ("IND", 8000.0)),
        (("CHN", 0.6), ("VNM", 0.25), ("DEU", 0.05), ("USA", 0.05), ("AUT", 0.05)),
    ),
    Market(
        "810194",
        45.0,
        1.03,
        (
            ("USA", 60000.0),
            ("JPN", 40000.0),
            ("DEU", 50000.0),
            ("KOR", 20000.0),
            ("IND", 10000.0),
            ("FRA", 10000.0),
            ("ITA", 8000.0),
            ("GBR", 9000.0),
        ),
        (("CHN", 0.55), ("VNM", 0.15), ("DEU", 0.1), ("AUT", 0.08), ("JPN", 0.07), ("USA", 0.05)),
    ),
    # antimony
    Market(
        "261710",
        6.0,
        1.02,
        (("CHN", 150000.0), ("VNM", 8000.0), ("THA", 5000.0), ("BEL", 3000.0)),
        (
            ("RUS", 0.3),
            ("TJK", 0.25),
            ("BOL", 0.1),
            ("MMR", 0.1),
            ("AUS", 0.1),
            ("TUR", 0.1),
            ("KGZ", 0.05),
        ),
    ),
    Market(
        "282580",
        8.0,
        1.04,
        (
            ("USA", 60000.0),
            ("JPN", 30000.0),
            ("KOR", 20000.0),
            ("DEU", 25000.0),
            ("IND", 15000.0),
            ("NLD", 12000.0),
            ("ITA", 10000.0),
            ("FRA", 8000.0),
            ("GBR", 8000.0),
        ),
        (("CHN", 0.55), ("BEL", 0.1), ("THA", 0.1), ("VNM", 0.05), ("BOL", 0.05), ("FRA", 0.05)),
    ),
    Market(
        "811010",
        9.0,
        1.04,
        (
            ("USA", 40000.0),
            ("JPN", 20000.0),
            ("KOR", 15000.0),
            ("NLD", 15000.0),
            ("IND", 12000.0),
            ("DEU", 10000.0),
            ("BEL", 8000.0),
        ),
        (("CHN", 0.45), ("TJK", 0.25), ("VNM", 0.1), ("RUS", 0.05), ("MMR", 0.05), ("BOL", 0.05)),
    ),
)

# Price indices (value and unit value move together): the 2021-2022 lithium price spike.
LITHIUM_PRICE = {2019: 1.0, 2020: 0.75, 2021: 1.4, 2022: 4.0, 2023: 2.8, 2024: 1.2}
PRICE_INDEX: dict[str, dict[int, float]] = {
    "282520": LITHIUM_PRICE,
    "283691": LITHIUM_PRICE,
}


@dataclass(frozen=True)
class TradeShock:
    """A multiplier on the flows of `hs6` from `exporter` (to `importer`, or to all when None)."""

    hs6: frozenset[str]
    exporter: str
    importer: str | None
    factor_by_year: tuple[tuple[int, float], ...]


GA_GE = frozenset({"282560", "811292"})
GRAPHITE = frozenset({"250410", "250490", "380110"})
ANTIMONY = frozenset({"261710", "282580", "811010"})
TRADE_SHOCKS: tuple[TradeShock, ...] = (
    # China's gallium/germanium licensing (2023-08) and the 2024-12 denial to the United States.
    TradeShock(GA_GE, "CHN", "USA", ((2023, 0.5), (2024, 0.15))),
    # China's graphite controls (2023-12).
    TradeShock(GRAPHITE, "CHN", "USA", ((2023, 0.8), (2024, 0.45))),
    # China's antimony licensing (2024-09).
    TradeShock(ANTIMONY, "CHN", None, ((2024, 0.7),)),
    TradeShock(ANTIMONY, "CHN", "USA", ((2024, 0.5),)),
    # Indonesia's nickel-ore export ban in force 2020-01-01; downstream matte and MHP ramp up.
    TradeShock(
        frozenset({"260400"}), "IDN", None, ((2020, 0.03), (2021, 0.0), (2022, 0.0), (2023, 0.0))
    ),
    TradeShock(frozenset({"260400"}), "IDN", None, ((2024, 0.0),)),
    TradeShock(frozenset({"260400"}), "PHL", None, ((2020, 1.4), (2021, 1.6), (2022, 1.7))),
    TradeShock(frozenset({"260400"}), "PHL", None, ((2023, 1.7), (2024, 1.6))),
    TradeShock(
        frozenset({"750110", "750120"}),
        "IDN",
        None,
        ((2019, 0.1), (2020, 0.3), (2022, 2.0), (2023, 3.0), (2024, 3.5)),
    ),
)

# Central Asian exporters: small rare-earth and other exports appearing in some years only.
CENTRAL_ASIA_ROUTES: tuple[tuple[str, str, str, float], ...] = (
    ("KAZ", "284690", "CHN", 900.0),
    ("KAZ", "280530", "RUS", 300.0),
    ("KAZ", "284690", "KOR", 150.0),
    ("KAZ", "811292", "DEU", 400.0),
    ("KAZ", "810194", "RUS", 200.0),
    ("UZB", "284690", "RUS", 120.0),
    ("UZB", "261100", "CHN", 250.0),
    ("UZB", "253090", "CHN", 180.0),
    ("KGZ", "253090", "CHN", 220.0),
    ("KGZ", "284690", "CHN", 90.0),
    ("KGZ", "811010", "RUS", 150.0),
    ("TJK", "284690", "CHN", 60.0),
    ("TJK", "282580", "RUS", 300.0),
    ("TKM", "280530", "RUS", 40.0),
    ("TKM", "253090", "TUR", 70.0),
)
CENTRAL_ASIA_PRESENCE = 0.55

# Minor trade: small flows among countries outside the main importer list.
MINOR_EXPORTERS: tuple[str, ...] = (
    "CHN",
    "USA",
    "DEU",
    "JPN",
    "KOR",
    "BEL",
    "NLD",
    "FRA",
    "GBR",
    "IND",
    "SGP",
    "TWN",
    "ZAF",
    "BRA",
    "TUR",
    "CAN",
    "AUS",
    "RUS",
)
MINOR_IMPORTERS: tuple[str, ...] = (
    "MEX",
    "BRA",
    "TUR",
    "THA",
    "IDN",
    "ZAF",
    "SWE",
    "CZE",
    "HUN",
    "SGP",
    "ARE",
    "SAU",
    "EGY",
    "ISR",
    "PAK",
    "BGD",
    "NZL",
    "CHE",
    "CAN",
    "TWN",
)
MINOR_FLOWS_PER_YEAR = 300

# Non-critical HS6 codes, so the HS filter has something to drop.
NON_CRITICAL_PRODUCTS: tuple[tuple[str, str, float], ...] = (
    ("010121", "Horses: live, pure-bred breeding animals", 40000.0),
    (
        "100630",
        "Cereals: rice, semi-milled or wholly milled, whether or not polished or glazed",
        300000.0,
    ),
    ("260300", "Copper ores and concentrates", 900000.0),
    ("270900", "Oils: petroleum oils and oils obtained from bituminous minerals, crude", 5000000.0),
    ("300490", "Medicaments: packaged for retail sale, n.e.c. in heading no. 3004", 800000.0),
    ("720260", "Ferro-alloys: ferro-nickel", 400000.0),
    ("740311", "Copper: refined, unwrought, cathodes and sections of cathodes", 700000.0),
    ("854231", "Electronic integrated circuits: processors and controllers", 2000000.0),
    (
        "870323",
        "Vehicles: spark-ignition engine, cylinder capacity over 1500 but not over 3000cc",
        3000000.0,
    ),
)
NON_CRITICAL_TRADERS: tuple[str, ...] = (
    "CHN",
    "USA",
    "DEU",
    "JPN",
    "KOR",
    "IND",
    "FRA",
    "GBR",
    "ITA",
    "NLD",
    "SAU",
    "CHL",
    "PER",
    "THA",
    "VNM",
    "MEX",
    "CAN",
    "BRA",
)
NON_CRITICAL_FLOWS_PER_PRODUCT = 10


# ---------------------------------------------------------------------------------------------
# USGS MCS 2024 world tables. Mine production and reserves: rounded from USGS MCS 2024 world
# data release (mcs2024-<code>_world.csv). Refinery rows for cobalt, nickel and graphite are not
# in the MCS 2024 world files: they are illustrative figures in line with the shares quoted in
# the MCS 2024 commodity summaries, marked as such in the demo README.
# ---------------------------------------------------------------------------------------------

Value = int | str  # a number, or a token as printed (W, NA, ">9,100,000", ...)


@dataclass(frozen=True)
class UsgsRow:
    country: str
    prod_prev: Value
    prod_est: Value
    prod_note: str
    reserves: Value
    reserves_note: str = ""


@dataclass(frozen=True)
class UsgsBlock:
    type_text: str
    rows: tuple[UsgsRow, ...]
    world: UsgsRow


@dataclass(frozen=True)
class UsgsTable:
    code: str
    mineral: str
    header: tuple[str, ...]
    trailing_columns: int
    blank_rows: int
    blocks: tuple[UsgsBlock, ...]


WORLD = "World total (rounded)"
USGS_HEADER_T = ("Prod_t_2022", "Prod_t_est_2023", "Prod_notes", "Reserves_t", "Reserves_notes")
USGS_HEADER_T_EST = (
    "Prod_t_est_2022",
    "Prod_t_est_2023",
    "Prod_notes",
    "Reserves_t",
    "Reserves_notes",
)
REVISED = "Reserves for {} were revised based on company and Government reports."
EST_2022 = "Also estimated in 2022"

RAREE_TYPE = "Rare earths, mine production, rare-earth-oxide equivalent, metric tons"
RAREE_NOTE = REVISED.format("Australia, Russia, Thailand, and the United States")
LITHI_TYPE = "Mine production, lithium content"
LITHI_NOTE = REVISED.format(
    "Argentina, Australia, Brazil, China, the United States, and \u201cOther countries\u201d"
)
COBAL_TYPE = "Mine production, metric tons of contained cobalt"
COBAL_NOTE = REVISED.format(
    "Australia, Canada, Congo (Kinshasa), Indonesia, Papua New Guinea, Turkey, "
    "and \u201cOther countries\u201d"
)
NICKE_TYPE = "Mine production - nickel, metric tons contained"
NICKE_NOTE = REVISED.format(
    "Australia, China, Indonesia, Russia, the United States, and \u201cOther countries\u201d"
)
TUNGS_TYPE = "Mine production, tungsten content"
ANTIM_TYPE = "Mine production, contained antimony"
REFINERY = "Refinery production"
ILLUSTRATIVE = "Illustrative refinery figure (demo data)."

R = UsgsRow
USGS_TABLES: tuple[UsgsTable, ...] = (
    UsgsTable(
        "raree",
        "rare_earths",
        USGS_HEADER_T_EST,
        36,
        21,
        (
            UsgsBlock(
                RAREE_TYPE,
                (
                    R("United States", 42000, 43000, "", 1800000, RAREE_NOTE),
                    R("Australia", 18000, 18000, "", 5700000, RAREE_NOTE),
                    R("Brazil", 80, 80, "", 21000000),
                    R("Burma", 12000, 38000, "", "NA"),
                    R("Canada", 0, 0, "", 830000),
                    R(
                        "China6",
                        210000,
                        240000,
                        "Production quota; does not include undocumented production.",
                        44000000,
                    ),
                    R("Greenland", 0, 0, "", 1500000),
                    R("India", 2900, 2900, "", 6900000),
                    R("Madagascar", 960, 960, "", "NA"),
                    R("Malaysia", 80, 80, "", "NA"),
                    R("Russia", 2600, 2600, "", 10000000, RAREE_NOTE),
                    R("South Africa", 0, 0, "", 790000),
                    R("Tanzania", 0, 0, "", 890000),
                    R("Thailand", 7100, 7100, "", 4500, RAREE_NOTE),
                    R("Vietnam", 1200, 600, "", 22000000),
                    R("Other countries7", 3000, 1000, "", "NA"),
                ),
                R(WORLD, 300000, 350000, "", 110000000),
            ),
        ),
    ),
    UsgsTable(
        "lithi",
        "lithium",
        USGS_HEADER_T,
        12,
        14,
        (
            UsgsBlock(
                LITHI_TYPE,
                (
                    R("United States", "W", "W", "", 1100000, LITHI_NOTE),
                    R("Argentina", 6590, 9600, "", 3600000, LITHI_NOTE),
                    R("Australia", 74700, 86000, "", 6200000, LITHI_NOTE),
                    R("Brazil", 2630, 4900, EST_2022, 390000, LITHI_NOTE),
                    R("Canada", 520, 3400, EST_2022, 930000),
                    R("Chile", 38000, 44000, "", 9300000, LITHI_NOTE),
                    R("China", 22600, 33000, EST_2022, 3000000),
                    R("Portugal", 380, 380, EST_2022, 60000),
                    R("Zimbabwe", 1030, 3400, EST_2022, 310000),
                    R("Other countries6", 0, 0, "", 2800000, LITHI_NOTE),
                ),
                R(WORLD, 146000, 180000, "Excludes U.S. production.", 28000000),
            ),
        ),
    ),
    UsgsTable(
        "cobal",
        "cobalt",
        USGS_HEADER_T_EST,
        4,
        6,
        (
            UsgsBlock(
                COBAL_TYPE,
                (
                    R("United States", 500, 500, "", 69000),
                    R("Australia", 5790, 4600, "", 1700000, COBAL_NOTE),
                    R("Canada", 3060, 2100, "", 230000, COBAL_NOTE),
                    R("Congo (Kinshasa)", 144000, 170000, "", 6000000, COBAL_NOTE),
                    R("Cuba", 3700, 3200, "", 500000),
                    R("Indonesia", 9600, 17000, "", 500000, COBAL_NOTE),
                    R("Madagascar", 3500, 4000, "", 100000),
                    R(
                        "New Caledonia11",
                        2000,
                        3000,
                        "Overseas territory of France.",
                        "NA",
                        "Overseas territory of France.",
                    ),
                    R("Papua New Guinea", 2990, 2900, "", 49000),
                    R("Philippines", 3900, 3800, "", 260000),
                    R("Russia", 9200, 8800, "", 250000),
                    R("Turkey", 2100, 2800, "", 91000, COBAL_NOTE),
                    R("Other countries", 6600, 6600, "", 780000, COBAL_NOTE),
                ),
                R(WORLD, 197000, 230000, "", 11000000),
            ),
            UsgsBlock(
                REFINERY,
                (
                    R("Belgium", 6000, 6000, ILLUSTRATIVE, "NA"),
                    R("Canada", 3300, 3000, ILLUSTRATIVE, "NA"),
                    R("China", 140000, 160000, ILLUSTRATIVE, "NA"),
                    R("Finland", 14000, 13000, ILLUSTRATIVE, "NA"),
                    R("Japan", 4000, 4000, ILLUSTRATIVE, "NA"),
                    R("Norway", 4300, 4300, ILLUSTRATIVE, "NA"),
                    R("Other countries", 12000, 12000, ILLUSTRATIVE, "NA"),
                ),
                R(WORLD, 184000, 202000, ILLUSTRATIVE, "NA"),
            ),
        ),
    ),
    UsgsTable(
        "graph",
        "graphite",
        ("Prod_t_2022", "Prod_t_est_2023", "Prod_notes", "Reserves_t", "Reserves_notes"),
        4,
        6,
        (
            UsgsBlock(
                "Mine production, graphite",
                (
                    R("United States", 0, 0, "", "NA"),
                    R("Austria", 500, 500, "", "NA"),
                    R("Brazil", 72000, 73000, EST_2022, 74000000),
                    R("Canada", 13000, 3500, "", 5700000),
                    R("China", 1210000, 1230000, "", 78000000),
                    R("Germany", 170, 150, "", "NA"),
                    R("India", 11000, 11500, "", 8600000),
                    R("Korea, North", 8100, 8100, EST_2022, 2000000),
                    R("Korea, Republic of", 23800, 27000, "", 1800000),
                    R("Madagascar", 130000, 100000, EST_2022, 24000000),
                    R("Mexico", 2000, 2000, "", 3100000),
                    R("Mozambique", 166000, 96000, "", 25000000),
                    R("Norway", 10380, 7200, "", 600000),
                    R("Russia", 16000, 16000, EST_2022, 14000000),
                    R("Sri Lanka", 2600, 2200, "", 1500000),
                    R("Tanzania", 6120, 6000, EST_2022, 18000000),
                    R("Turkey", 2800, 2000, "", 6900000),
                    R("Ukraine", 1000, 2000, "", "NA"),
                    R("Vietnam", 500, 500, "", "NA"),
                    R("Other countries5", 4000, 10000, "", "NA"),
                ),
                R(WORLD, 1680000, 1600000, "", 280000000),
            ),
            UsgsBlock(
                REFINERY,
                (
                    R("China", 1100000, 1250000, ILLUSTRATIVE, "NA"),
                    R("Japan", 30000, 30000, ILLUSTRATIVE, "NA"),
                    R("Korea, Republic of", 20000, 25000, ILLUSTRATIVE, "NA"),
                    R("Other countries", 40000, 45000, ILLUSTRATIVE, "NA"),
                ),
                R(WORLD, 1190000, 1350000, ILLUSTRATIVE, "NA"),
            ),
        ),
    ),
    UsgsTable(
        "galli",
        "gallium",
        ("Prod_kg_2022", "Prod_kg_est_2023", "Prod_notes", "Cap_kg_2023", "Cap_notes"),
        4,
        8,
        (
            UsgsBlock(
                "Primary production",
                (
                    R("United States", 0, 0, "", 0),
                    R("China", 600000, 600000, "estimated in 2022 also", 1000000),
                    R("Japane", 3000, 3000, "estimated in 2022 also", 10000),
                    R("Korea, Republic ofe", 2000, 2000, "estimated in 2022 also", 16000),
                    R("Russiae", 5000, 5000, "estimated in 2022 also", 10000),
                    R("Other countries4", 0, 0, "", 88000, "estimated"),
                ),
                R(
                    WORLD,
                    610000,
                    610000,
                    "Other countries estimated to still have primary low-purity gallium "
                    "production capacity include Germany, Hungary, Kazakhstan, and Ukraine.",
                    1100000,
                    "estimated",
                ),
            ),
        ),
    ),
    UsgsTable(
        # The MCS 2024 germanium table withholds every country figure (NA), as published.
        "germa",
        "germanium",
        ("Prod_kg_2022", "Prod_kg_est_2023", "Prod_notes", "Reserves_kg", "Reserves_notes"),
        4,
        4,
        (
            UsgsBlock(
                "Primary and secondary refinery production",
                (
                    R("United States", "W", "W", "", "NA"),
                    R("Belgium", "NA", "NA", "", "NA"),
                    R("Canada", "NA", "NA", "", "NA"),
                    R("China3", "NA", "NA", "leading producer", "NA"),
                    R("Germany", "NA", "NA", "", "NA"),
                    R("Russia", "NA", "NA", "", "NA"),
                    R("Other countries", "NA", "NA", "", "NA"),
                ),
                R(WORLD, "NA", "NA", "", "NA"),
            ),
        ),
    ),
    UsgsTable(
        "nicke",
        "nickel",
        USGS_HEADER_T,
        35,
        25,
        (
            UsgsBlock(
                NICKE_TYPE,
                (
                    R("United States", 17500, 17000, "", 340000, NICKE_NOTE),
                    R("Australia", 155000, 160000, "", 24000000, NICKE_NOTE),
                    R("Brazil", 88500, 89000, "", 16000000),
                    R("Canada", 143000, 180000, "", 2200000),
                    R("China", 114000, 110000, EST_2022, 4200000, NICKE_NOTE),
                    R("Indonesia", 1580000, 1800000, "", 55000000, NICKE_NOTE),
                    R("New Caledonia9", 200000, 230000, "", 7100000),
                    R("Philippines", 345000, 400000, EST_2022, 4800000),
                    R("Russia", 222000, 200000, "", 8300000, NICKE_NOTE),
                    R("Other countries", 404000, 380000, "", "    >9,100,000", NICKE_NOTE),
                ),
                R(WORLD, 3270000, 3600000, "", ">130,000,000"),
            ),
            UsgsBlock(
                REFINERY,
                (
                    R("Australia", 110000, 100000, ILLUSTRATIVE, "NA"),
                    R("Canada", 135000, 130000, ILLUSTRATIVE, "NA"),
                    R("China", 870000, 950000, ILLUSTRATIVE, "NA"),
                    R("Finland", 60000, 65000, ILLUSTRATIVE, "NA"),
                    R("Indonesia", 1000000, 1250000, ILLUSTRATIVE, "NA"),
                    R("Japan", 97000, 100000, ILLUSTRATIVE, "NA"),
                    R("Norway", 90000, 90000, ILLUSTRATIVE, "NA"),
                    R("Russia", 160000, 150000, ILLUSTRATIVE, "NA"),
                    R("Other countries", 350000, 340000, ILLUSTRATIVE, "NA"),
                ),
                R(WORLD, 2870000, 3180000, ILLUSTRATIVE, "NA"),
            ),
        ),
    ),
    UsgsTable(
        "tungs",
        "tungsten",
        USGS_HEADER_T_EST,
        34,
        20,
        (
            UsgsBlock(
                TUNGS_TYPE,
                (
                    R("United States", 0, 0, "", "NA"),
                    R("Australia", 200, 800, "", 570000),
                    R("Austria", 910, 910, "", 10000),
                    R("Bolivia", 1360, 1500, "", "NA"),
                    R("China", 66000, 63000, "", 2300000),
                    R("Korea, North", 1520, 1700, "", 29000),
                    R("Portugal", 500, 500, "", 4000),
                    R("Russia", 2000, 2000, "", 400000),
                    R("Rwanda", 1400, 1400, "", "NA"),
                    R("Spain", 800, 1500, "", 66000),
                    R("Vietnam", 4000, 3500, "", 74000),
                    R("Other countries8", 1080, 1100, "", 950000),
                ),
                R(WORLD, 79800, 78000, "", 4400000),
            ),
        ),
    ),
    UsgsTable(
        "antim",
        "antimony",
        ("Prod_t_2022", "Prod_t_est_2023", "Prod_note", "Reserves_t", "Reserves_notes"),
        4,
        6,
        (
            UsgsBlock(
                ANTIM_TYPE,
                (
                    R("United States", 0, 0, "", 60000),
                    R("Australia", 2290, 2300, "", 140000),
                    R("Bolivia", 3000, 3000, "", 310000),
                    R("Burma", 4600, 4600, EST_2022, 140000),
                    R("Canada", 2, 2, EST_2022, 78000),
                    R("China", 40000, 40000, EST_2022, 640000),
                    R("Guatemala", 24, 24, "", "NA"),
                    R("Iran", 500, 500, EST_2022, "NA"),
                    R("Kazakhstan", 300, 300, EST_2022, "NA"),
                    R("Kyrgyzstan", 40, 40, "", 260000),
                    R("Laos", 220, 220, EST_2022, "NA"),
                    R("Mexico", 700, 700, EST_2022, 18000),
                    R("Pakistan", 79, 80, EST_2022, 26000),
                    R("Russia", 4300, 4300, "", 350000),
                    R("Tajikistan", 21000, 21000, "", 50000),
                    R("Turkey", 5800, 6000, EST_2022, 99000),
                    R("Vietnam", 250, 250, "", "             NA"),
                    R("Other countries9", "NA", "NA", "", "NA"),
                ),
                R(
                    "World total (rounded)10",
                    83100,
                    83000,
                    "",
                    "             NA",
                    ">2,000,000. In addition to the countries listed, antimony may have been "
                    "produced in other countries, but available information was inadequate to "
                    "make reliable estimates of output.",
                ),
            ),
        ),
    ),
)
USGS_NOISE = 0.015
USGS_THOUSANDS_SHARE = 0.3


# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoFile:
    """One written file: path relative to the landing directory, and its data rows.

    `data_rows` counts CSV records after the header, excluding blank padding rows; None for
    files that are not tables (README, policy register).
    """

    relative_path: str
    data_rows: int | None


@dataclass(frozen=True)
class DemoSummary:
    out_dir: Path
    seed: int
    generator_version: int
    files: tuple[DemoFile, ...]

    @property
    def rows_by_file(self) -> dict[str, int | None]:
        return {file.relative_path: file.data_rows for file in self.files}

    @property
    def baci_trade_rows(self) -> int:
        return sum(
            file.data_rows or 0
            for file in self.files
            if file.relative_path.startswith("baci/BACI_")
        )


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def write_demo_data(out_dir: Path, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Write the synthetic demo landing directory under `out_dir` and say what was written."""
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    baci_codes = _baci_codes()
    written: list[DemoFile] = []

    flows_by_year = _trade_flows(rng)
    used_hs6: set[str] = set()
    for year in YEARS:
        rows = _baci_rows(flows_by_year[year], baci_codes, year, rng)
        used_hs6.update(hs6 for hs6 in flows_by_year[year])
        relative = f"baci/BACI_{HS_REVISION}_Y{year}_{BACI_RELEASE}.csv"
        _write_bytes(out_dir / relative, _csv_bytes(BACI_HEADER, rows, "\n"))
        written.append(DemoFile(relative, len(rows)))

    country_rows = _country_code_rows()
    relative = f"baci/country_codes_{BACI_RELEASE}.csv"
    header = ("country_code", "country_name", "country_iso2", "country_iso3")
    _write_bytes(out_dir / relative, _csv_bytes(header, country_rows, "\n"))
    written.append(DemoFile(relative, len(country_rows)))

    product_rows = _product_code_rows(used_hs6)
    relative = f"baci/product_codes_{HS_REVISION}_{BACI_RELEASE}.csv"
    _write_bytes(out_dir / relative, _csv_bytes(("code", "description"), product_rows, "\n"))
    written.append(DemoFile(relative, len(product_rows)))

    for table in USGS_TABLES:
        content, data_rows = _usgs_file(table, rng)
        relative = f"usgs_mcs/mcs2024-{table.code}_world.csv"
        _write_bytes(out_dir / relative, content)
        written.append(DemoFile(relative, data_rows))

    register = policy_register_path()
    if register.is_file():
        relative = "policy_events/policy_events.yaml"
        _write_bytes(out_dir / relative, register.read_bytes())
        written.append(DemoFile(relative, None))

    wgi_rows = _wgi_rows(_demo_countries(flows_by_year), rng)
    relative = f"wgi/{WGI_FILE_NAME}"
    _write_bytes(out_dir / relative, _wgi_bytes(wgi_rows))
    written.append(DemoFile(relative, len(wgi_rows)))

    written.append(DemoFile(LANDING_MANIFEST, None))
    _write_bytes(
        out_dir / LANDING_MANIFEST,
        landing_toml(
            label=DEMO_SOURCE,
            synthetic=True,
            description="synthetic demo data (seeded generator, real formats): not real figures",
        ).encode("utf-8"),
    )
    written.append(DemoFile(README_NAME, None))
    _write_bytes(out_dir / README_NAME, _readme_text(seed, written).encode("utf-8"))
    return DemoSummary(out_dir, seed, GENERATOR_VERSION, tuple(written))


def is_demo_dir(path: Path) -> bool:
    """True when `path` is a directory holding the demo README marker."""
    return _read_marker(Path(path)) is not None


def ensure_demo_data(out_dir: Path, seed: int = DEFAULT_SEED) -> Path:
    """Write the demo data into `out_dir` unless it already holds this seed and version.

    The data is (re)written when the README marker is missing, names another seed or generator
    version, a listed file is missing, or the policy register copy differs from the source.
    """
    out_dir = Path(out_dir)
    if not _demo_dir_is_current(out_dir, seed):
        write_demo_data(out_dir, seed)
    return out_dir


def policy_register_path() -> Path:
    """The curated policy-event register shipped with the `ingest` package."""
    return Path(ingest.__file__).parent / "data" / "policy_events.yaml"


# ---------------------------------------------------------------------------------------------
# Trade flows
# ---------------------------------------------------------------------------------------------

FlowKey = tuple[str, str, str]  # exporter iso3, importer iso3, hs6
Flow = tuple[float, float]  # value (thousand USD), unit value (USD per kg)


def _trade_flows(rng: random.Random) -> dict[int, dict[str, dict[FlowKey, Flow]]]:
    """Flows per year, per hs6, keyed by (exporter, importer, hs6)."""
    by_year: dict[int, dict[str, dict[FlowKey, Flow]]] = {year: {} for year in YEARS}
    for market in MARKETS:
        for year, flows in _market_flows(market, rng).items():
            _merge(by_year[year].setdefault(market.hs6, {}), flows)
    for year, flows in _central_asia_flows(rng).items():
        for key, flow in flows.items():
            _merge(by_year[year].setdefault(key[2], {}), {key: flow})
    for year, flows in _minor_flows(rng).items():
        for key, flow in flows.items():
            _merge(by_year[year].setdefault(key[2], {}), {key: flow}, keep_existing=True)
    for year, flows in _non_critical_flows(rng).items():
        for key, flow in flows.items():
            _merge(by_year[year].setdefault(key[2], {}), {key: flow}, keep_existing=True)
    return by_year


def _merge(
    target: dict[FlowKey, Flow], flows: Mapping[FlowKey, Flow], keep_existing: bool = False
) -> None:
    """Add `flows` into `target`, summing values on a repeated key (or keeping the first)."""
    for key, (value, unit_value) in flows.items():
        if key in target:
            if not keep_existing:
                target[key] = (target[key][0] + value, target[key][1])
        else:
            target[key] = (value, unit_value)


def _market_flows(market: Market, rng: random.Random) -> dict[int, dict[FlowKey, Flow]]:
    overrides = dict(market.supplier_overrides)
    by_year: dict[int, dict[FlowKey, Flow]] = {year: {} for year in YEARS}
    for importer, base_value in market.importers:
        suppliers = tuple(
            (iso3, w) for iso3, w in overrides.get(importer, market.suppliers) if iso3 != importer
        )
        route_factor = [rng.lognormvariate(0.0, 0.35) for _ in suppliers]
        unit_factor = [rng.lognormvariate(0.0, 0.2) for _ in suppliers]
        for offset, year in enumerate(YEARS):
            price = PRICE_INDEX.get(market.hs6, {}).get(year, 1.0)
            total = base_value * market.growth**offset * price * rng.lognormvariate(0.0, 0.08)
            weights = [
                weight * factor * rng.lognormvariate(0.0, 0.15)
                for (_, weight), factor in zip(suppliers, route_factor, strict=True)
            ]
            china_share = rng.uniform(*CHINA_SHARE_RANGE)
            shares = _supplier_shares(
                [iso3 for iso3, _ in suppliers],
                weights,
                china_share if market.china_dominant and importer != "CHN" else None,
            )
            for (exporter, _), share, unit in zip(suppliers, shares, unit_factor, strict=True):
                value = total * share * _shock(market.hs6, exporter, importer, year)
                if value >= 0.5:
                    key = (exporter, importer, market.hs6)
                    by_year[year][key] = (value, market.usd_per_kg * unit * price)
    return by_year


def _supplier_shares(
    exporters: Sequence[str], weights: Sequence[float], china_share: float | None
) -> list[float]:
    """Normalise weights to shares; with `china_share`, China gets exactly that share."""
    if china_share is None or "CHN" not in exporters:
        total = sum(weights)
        return [weight / total for weight in weights]
    others = sum(w for iso3, w in zip(exporters, weights, strict=True) if iso3 != "CHN")
    return [
        china_share if iso3 == "CHN" else (1.0 - china_share) * w / others
        for iso3, w in zip(exporters, weights, strict=True)
    ]


def _shock(hs6: str, exporter: str, importer: str, year: int) -> float:
    factor = 1.0
    for shock in TRADE_SHOCKS:
        if hs6 in shock.hs6 and exporter == shock.exporter and shock.importer in (None, importer):
            factor *= dict(shock.factor_by_year).get(year, 1.0)
    return factor


def _central_asia_flows(rng: random.Random) -> dict[int, dict[FlowKey, Flow]]:
    unit_values = {market.hs6: market.usd_per_kg for market in MARKETS}
    by_year: dict[int, dict[FlowKey, Flow]] = {year: {} for year in YEARS}
    for exporter, hs6, importer, base_value in CENTRAL_ASIA_ROUTES:
        for year in YEARS:
            present = rng.random() < CENTRAL_ASIA_PRESENCE
            value = base_value * rng.lognormvariate(0.0, 0.4)
            if present:
                by_year[year][(exporter, importer, hs6)] = (value, unit_values[hs6])
    return by_year


def _minor_flows(rng: random.Random) -> dict[int, dict[FlowKey, Flow]]:
    markets = [(market.hs6, market.usd_per_kg) for market in MARKETS]
    by_year: dict[int, dict[FlowKey, Flow]] = {year: {} for year in YEARS}
    for year in YEARS:
        for _ in range(MINOR_FLOWS_PER_YEAR):
            exporter = rng.choice(MINOR_EXPORTERS)
            importer = rng.choice(MINOR_IMPORTERS)
            hs6, usd_per_kg = rng.choice(markets)
            value = rng.lognormvariate(math.log(150.0), 1.2)
            if exporter != importer:
                by_year[year].setdefault((exporter, importer, hs6), (value, usd_per_kg))
    return by_year


def _non_critical_flows(rng: random.Random) -> dict[int, dict[FlowKey, Flow]]:
    by_year: dict[int, dict[FlowKey, Flow]] = {year: {} for year in YEARS}
    for year in YEARS:
        for hs6, _, typical_value in NON_CRITICAL_PRODUCTS:
            for _ in range(NON_CRITICAL_FLOWS_PER_PRODUCT):
                exporter = rng.choice(NON_CRITICAL_TRADERS)
                importer = rng.choice(NON_CRITICAL_TRADERS)
                value = typical_value * rng.lognormvariate(0.0, 0.8) / 10.0
                unit = rng.uniform(0.5, 30.0)
                if exporter != importer:
                    by_year[year].setdefault((exporter, importer, hs6), (value, unit))
    return by_year


def _baci_rows(
    flows_by_hs6: Mapping[str, Mapping[FlowKey, Flow]],
    baci_codes: Mapping[str, int],
    year: int,
    rng: random.Random,
) -> list[tuple[str, ...]]:
    """BACI records `t,i,j,k,v,q`, sorted by (i, j, k); about 2% have an empty quantity."""
    records: list[tuple[int, int, int, float, float]] = []
    for flows in flows_by_hs6.values():
        for (exporter, importer, hs6), (value, usd_per_kg) in flows.items():
            quantity_t = value / usd_per_kg
            records.append(
                (
                    _baci_code(baci_codes, exporter),
                    _baci_code(baci_codes, importer),
                    int(hs6),
                    value,
                    quantity_t,
                )
            )
    records.sort(key=lambda record: record[:3])
    empty = set(rng.sample(range(len(records)), round(EMPTY_QUANTITY_SHARE * len(records))))
    year_text = str(year)
    return [
        (
            year_text,
            str(exporter),
            str(importer),
            str(k),
            f"{max(value, 0.001):.3f}",
            "" if index in empty else f"{max(quantity, 0.001):.3f}",
        )
        for index, (exporter, importer, k, value, quantity) in enumerate(records)
    ]


def _baci_code(baci_codes: Mapping[str, int], iso3: str) -> int:
    code = baci_codes.get(iso3)
    if code is None:
        raise ValueError(
            f"{reference.COUNTRIES_CSV}: no baci_code for {iso3}; the demo generator expects "
            "every country it trades to have one"
        )
    return code


def _baci_codes() -> dict[str, int]:
    table = reference.countries().filter(pl.col("baci_code").is_not_null())
    return dict(zip(table["country_iso3"].to_list(), table["baci_code"].to_list(), strict=True))


def _country_code_rows() -> list[tuple[str, ...]]:
    """`country_code,country_name,country_iso2,country_iso3`; iso2 empty (not in the reference)."""
    table = (
        reference.countries()
        .filter(pl.col("baci_code").is_not_null())
        .sort("baci_code")
        .select("baci_code", "country_name", "country_iso3")
    )
    return [(str(code), name, "", iso3) for code, name, iso3 in table.iter_rows()]


def _product_code_rows(used_hs6: Iterable[str]) -> list[tuple[str, ...]]:
    descriptions: dict[str, str] = {}
    for hs6, description in reference.commodities().select("hs6", "description").iter_rows():
        descriptions.setdefault(hs6, description)
    for hs6, description, _ in NON_CRITICAL_PRODUCTS:
        descriptions.setdefault(hs6, description)
    codes = sorted(set(used_hs6), key=int)
    return [(str(int(hs6)), descriptions[hs6]) for hs6 in codes]


# ---------------------------------------------------------------------------------------------
# USGS tables
# ---------------------------------------------------------------------------------------------


def _usgs_file(table: UsgsTable, rng: random.Random) -> tuple[bytes, int]:
    """The file's bytes (BOM, CRLF, padded columns, blank rows at the end) and its data rows."""
    padding = ("",) * table.trailing_columns
    header = ("Source", "Country", "Type", *table.header, *padding)
    records: list[tuple[str, ...]] = []
    for block in table.blocks:
        for row in _noisy_block(block, rng):
            records.append(
                ("MCS2024", row.country, block.type_text, *_usgs_cells(row, rng), *padding)
            )
    blank = ("",) * len(header)
    body = _csv_bytes(header, [*records, *([blank] * table.blank_rows)], "\r\n")
    return b"\xef\xbb\xbf" + body, len(records)


def _noisy_block(block: UsgsBlock, rng: random.Random) -> list[UsgsRow]:
    """Country rows with small seeded noise; the world total scaled by the same overall change."""
    rows = [
        UsgsRow(
            row.country,
            _jitter(row.prod_prev, rng),
            _jitter(row.prod_est, rng),
            row.prod_note,
            row.reserves,
            row.reserves_note,
        )
        for row in block.rows
    ]
    world = block.world
    scaled = UsgsRow(
        world.country,
        _scale_total(
            world.prod_prev, [r.prod_prev for r in block.rows], [r.prod_prev for r in rows]
        ),
        _scale_total(world.prod_est, [r.prod_est for r in block.rows], [r.prod_est for r in rows]),
        world.prod_note,
        world.reserves,
        world.reserves_note,
    )
    return [*rows, scaled]


def _jitter(value: Value, rng: random.Random) -> Value:
    factor = rng.uniform(1.0 - USGS_NOISE, 1.0 + USGS_NOISE)
    if isinstance(value, str) or value == 0:
        return value
    return _round_significant(value * factor, 3)


def _scale_total(total: Value, published: Sequence[Value], noisy: Sequence[Value]) -> Value:
    if isinstance(total, str):
        return total
    published_sum = sum(v for v in published if isinstance(v, int))
    noisy_sum = sum(v for v in noisy if isinstance(v, int))
    if published_sum == 0:
        return total
    return _round_significant(total * noisy_sum / published_sum, 3)


def _round_significant(value: float, digits: int) -> int:
    if value < 1:
        return round(value)
    magnitude = math.floor(math.log10(value))
    step = 10 ** max(magnitude - digits + 1, 0)
    return int(round(value / step) * step)


def _usgs_cells(row: UsgsRow, rng: random.Random) -> tuple[str, ...]:
    """Value cells as printed: world totals always with thousands separators, others sometimes."""
    is_world = row.country.startswith("World total")
    with_commas = is_world or rng.random() < USGS_THOUSANDS_SHARE
    return (
        _usgs_value(row.prod_prev, with_commas),
        _usgs_value(row.prod_est, with_commas),
        row.prod_note,
        _usgs_value(row.reserves, with_commas),
        row.reserves_note,
    )


def _usgs_value(value: Value, with_commas: bool) -> str:
    if isinstance(value, str):
        return value
    return f"{value:,}" if with_commas and value >= 1000 else str(value)


# ---------------------------------------------------------------------------------------------
# Files and marker
# ---------------------------------------------------------------------------------------------


def _csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]], line_end: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _write_bytes(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _readme_text(seed: int, files: Sequence[DemoFile]) -> str:
    listing = "\n".join(f"  {file.relative_path}" for file in files)
    return (
        f"{README_MARKER}\n"
        f"seed: {seed}\n"
        f"generator_version: {GENERATOR_VERSION}\n"
        "\n"
        "The BACI trade files (baci/) and the USGS world production tables (usgs_mcs/) are\n"
        "SYNTHETIC, drawn from a seeded random generator (critmin.demo_data). They follow the\n"
        "published formats (CEPII BACI HS17 release V202501; USGS Mineral Commodity Summaries\n"
        "2024 world data release, with its BOM, CRLF, trailing empty columns and footnotes).\n"
        "USGS mine production figures are within about 2% of the published MCS 2024 figures;\n"
        "refinery rows for cobalt, nickel and graphite are illustrative. Trade values are\n"
        "made up: do not cite them.\n"
        "\n"
        "policy_events/policy_events.yaml is the real curated policy-event register shipped\n"
        "with critmin (ingest/data/policy_events.yaml), copied byte for byte.\n"
        "\n"
        "wgi/ holds SYNTHETIC governance estimates in the World Bank WGI DataBank export\n"
        "format: levels loosely shaped like the published ones, not the World Bank's numbers.\n"
        "\n"
        "files:\n"
        f"{listing}\n"
    )


# ---------------------------------------------------------------------------------------------
# Governance indicators (synthetic WGI)
# ---------------------------------------------------------------------------------------------

WGI_FILE_NAME = "WGI_DataBank_synthetic.csv"
WGI_YEARS: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023)
WGI_SERIES: tuple[tuple[str, str], ...] = (
    ("CC.EST", "Control of Corruption: Estimate"),
    ("GE.EST", "Government Effectiveness: Estimate"),
    ("PV.EST", "Political Stability and Absence of Violence/Terrorism: Estimate"),
    ("RQ.EST", "Regulatory Quality: Estimate"),
    ("RL.EST", "Rule of Law: Estimate"),
    ("VA.EST", "Voice and Accountability: Estimate"),
)
# Synthetic governance levels (WGI scale, about -2.5 .. 2.5, higher = better governance) for the
# countries the demo is about; every other demo country gets a seeded level in [-1.2, 1.2].
WGI_LEVELS: dict[str, float] = {
    "AUS": 1.4, "CAN": 1.4, "DEU": 1.4, "FRA": 1.1, "GBR": 1.2, "JPN": 1.3, "KOR": 0.9,
    "USA": 1.0, "NLD": 1.6, "AUT": 1.4, "ITA": 0.5, "BEL": 1.2, "CHL": 0.8, "SGP": 1.6,
    "TWN": 1.1, "IND": -0.1, "CHN": -0.4, "RUS": -1.0, "MMR": -1.6, "COD": -1.6, "IDN": -0.2,
    "PHL": -0.3, "VNM": -0.3, "MYS": 0.3, "BRA": -0.3, "ARG": -0.2, "BOL": -0.6, "ZAF": 0.0,
    "KAZ": -0.4, "UZB": -0.9, "KGZ": -0.7, "TJK": -1.2, "TKM": -1.4, "TUR": -0.6,
    "MDG": -0.7, "THA": -0.1, "ZWE": -1.1, "NCL": 0.8, "MOZ": -0.9, "GAB": -0.6,
}  # fmt: skip
WGI_MISSING_SHARE = 0.03


def _demo_countries(flows_by_year: Mapping[int, Mapping[str, Mapping[FlowKey, Flow]]]) -> list[str]:
    """Every country of the demo trade flows and of the USGS tables, sorted."""
    countries = {
        country
        for flows in flows_by_year.values()
        for by_key in flows.values()
        for exporter, importer, _ in by_key
        for country in (exporter, importer)
    }
    for table in USGS_TABLES:
        for block in table.blocks:
            for row in block.rows:
                iso3 = reference.country_iso3_from_name(row.country)
                if iso3 is not None:
                    countries.add(iso3)
    return sorted(countries)


def _wgi_rows(countries: Sequence[str], rng: random.Random) -> list[tuple[str, ...]]:
    """One DataBank line per country x series; about 3% of the cells are `..` (missing)."""
    names = dict(reference.countries().select("country_iso3", "country_name").iter_rows())
    rows: list[tuple[str, ...]] = []
    for iso3 in countries:
        level = WGI_LEVELS.get(iso3)
        if level is None:
            level = round(rng.uniform(-1.2, 1.2), 2)
        for code, series_name in WGI_SERIES:
            series_level = level + rng.uniform(-0.3, 0.3)
            cells = [
                ".."
                if rng.random() < WGI_MISSING_SHARE
                else f"{max(-2.5, min(2.5, series_level + rng.uniform(-0.1, 0.1))):.4f}"
                for _ in WGI_YEARS
            ]
            rows.append((names.get(iso3, iso3), iso3, series_name, code, *cells))
    return rows


def _wgi_bytes(rows: Sequence[Sequence[str]]) -> bytes:
    """DataBank CSV: header, lines, then the blank line and footer lines DataBank appends."""
    header = (
        "Country Name",
        "Country Code",
        "Series Name",
        "Series Code",
        *(f"{year} [YR{year}]" for year in WGI_YEARS),
    )
    footer = [
        ("",) * len(header),
        ("",) * len(header),
        ("Data from database: Worldwide Governance Indicators (SYNTHETIC demo)",),
        ("Last Updated: synthetic",),
    ]
    return _csv_bytes(header, [*rows, *footer], "\r\n")


def _read_marker(path: Path) -> dict[str, str] | None:
    readme = path / README_NAME
    if not readme.is_file():
        return None
    lines = readme.read_text(encoding="utf-8").splitlines()
    if not lines or lines[0] != README_MARKER:
        return None
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, separator, value = line.partition(": ")
        if separator and name in ("seed", "generator_version"):
            fields[name] = value.strip()
    files = [line.strip() for line in lines if line.startswith("  ")]
    fields["files"] = "\n".join(files)
    return fields


def _demo_dir_is_current(out_dir: Path, seed: int) -> bool:
    marker = _read_marker(out_dir)
    if marker is None:
        return False
    if marker.get("seed") != str(seed) or marker.get("generator_version") != str(GENERATOR_VERSION):
        return False
    listed = [name for name in marker["files"].split("\n") if name]
    if not all((out_dir / name).is_file() for name in listed):
        return False
    register = policy_register_path()
    if register.is_file():
        copy = out_dir / "policy_events" / "policy_events.yaml"
        if not copy.is_file() or copy.read_bytes() != register.read_bytes():
            return False
    return True


__all__ = [
    "DEFAULT_SEED",
    "DEMO_SOURCE",
    "DemoFile",
    "DemoSummary",
    "YEARS",
    "ensure_demo_data",
    "is_demo_dir",
    "policy_register_path",
    "write_demo_data",
]
