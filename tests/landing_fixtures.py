"""Landing directories for tests, written byte for byte in the publishers' formats."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.policy_events.reader import default_register_path

RE_TYPE = '"Rare earths, mine production, rare-earth-oxide equivalent, metric tons"'
BACI_ROWS = [
    "t,i,j,k,v,q",
    "2023,156,699,284690,600.000,10.000",  # China -> India, compounds
    "2023,104,699,284690,300.000,5.000",  # Myanmar -> India, compounds
    "2023,156,699,850511,100.000,",  # China -> India, magnets, quantity not reported
    "2023,392,699,850511,300.000,2.000",  # Japan -> India, magnets
    "2023,156,842,284690,50.000,1.000",  # China -> USA, compounds
    "2023,156,699,10121,999.000,1.000",  # horses: outside the critical-mineral list
    "2023,999,699,284690,5.000,1.000",  # exporter 999 is no BACI country: quarantined
]
USGS_ROWS = [
    "Source,Country,Type,Prod_t_2022,Prod_t_est_2023,Prod_notes,Reserves_t,Reserves_notes,,",
    f'MCS2024,United States,{RE_TYPE},W,"43,000",,"1,800,000",,,',
    f"MCS2024,China6,{RE_TYPE},210000,240000,Production quota.,44000000,,,",
    f"MCS2024,Burma,{RE_TYPE},12000,38000,,NA,,,",
    f"MCS2024,Australia,{RE_TYPE},18000,19000,,5700000,,,",
    f"MCS2024,Other countries,{RE_TYPE},1000,10000,,1000000,,,",
    f"MCS2024,World total (rounded),{RE_TYPE},300000,350000,,110000000,,,",
    ",,,,,,,,,",
]


def tiny_landing(root: Path, extra_baci_rows: list[str] | None = None) -> Path:
    """The tiny landing directory of the end-to-end test (see its docstring for the answers);
    `extra_baci_rows` are appended to its BACI file."""
    (root / "baci").mkdir(parents=True)
    (root / "usgs_mcs").mkdir()
    (root / "policy_events").mkdir()
    (root / "baci" / "BACI_HS17_Y2023_V202501.csv").write_bytes(
        ("\n".join([*BACI_ROWS, *(extra_baci_rows or [])]) + "\n").encode()
    )
    (root / "usgs_mcs" / "mcs2024-raree_world.csv").write_bytes(
        b"\xef\xbb\xbf" + ("\r\n".join(USGS_ROWS) + "\r\n").encode()
    )
    shutil.copy(default_register_path(), root / "policy_events" / "policy_events.yaml")
    return root
