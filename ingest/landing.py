"""A landing directory's own description: `landing.toml` at its top.

```toml
[landing]
label = "starter"        # a name for the directory, shown in the run summary
synthetic = false        # true: every row read from it carries `source = label`
description = "..."      # what it covers, shown in the run summary
lacks = "..."            # what it does not cover, shown in the run summary and the report
```

A directory without the file is a landing directory of published files: rows carry their
publisher's name as `source`. Only a directory that declares itself synthetic labels its rows
otherwise, so nothing downstream needs to know how a directory was made.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

MANIFEST_NAME = "landing.toml"


@dataclass(frozen=True)
class LandingInfo:
    label: str = ""
    synthetic: bool = False
    description: str = ""
    lacks: str = ""

    def row_source(self, published_source: str) -> str:
        """The `source` value rows read from this directory carry."""
        return self.label if self.synthetic and self.label else published_source


def read_landing_info(landing: Path) -> LandingInfo:
    """The `[landing]` table of `landing/landing.toml`; defaults when the file is absent.

    Raises ValueError naming the file when it is present but not valid TOML.
    """
    path = Path(landing) / MANIFEST_NAME
    if not path.is_file():
        return LandingInfo()
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("landing", {})
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path}: not valid TOML ({error}); expected a [landing] table") from None
    return LandingInfo(
        label=str(table.get("label", "")),
        synthetic=bool(table.get("synthetic", False)),
        description=str(table.get("description", "")),
        lacks=str(table.get("lacks", "")),
    )


def landing_toml(label: str, synthetic: bool, description: str = "", lacks: str = "") -> str:
    """The text of a `landing.toml` declaring these values."""

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return (
        "# A critmin landing directory (see `critmin run --help`).\n"
        "[landing]\n"
        f"label = {quoted(label)}\n"
        f"synthetic = {'true' if synthetic else 'false'}\n"
        f"description = {quoted(description)}\n"
        f"lacks = {quoted(lacks)}\n"
    )
