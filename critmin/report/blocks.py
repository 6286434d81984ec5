"""The pieces a section is made of; `templates/report.html.j2` renders each kind.

Text is plain `str` (the template escapes it) or `markupsafe.Markup` for text with inline markup,
built with `Markup(...).format(...)`, which escapes every value it is given. Charts are `Markup`:
`critmin.report.charts` escapes the text it draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from markupsafe import Markup

Text = str | Markup


@dataclass(frozen=True)
class Paragraph:
    """A paragraph; `css` names its class (`empty` and `caveat` notes, `meta` lines)."""

    kind: ClassVar[str] = "paragraph"
    text: Text
    css: str = ""


@dataclass(frozen=True)
class Heading:
    """A heading inside a section."""

    kind: ClassVar[str] = "heading"
    text: Text


@dataclass(frozen=True)
class Link:
    """A table cell that links to a page (navigation only: nothing is loaded from it)."""

    text: str
    url: str


@dataclass(frozen=True)
class Column:
    header: str
    numeric: bool = False
    nowrap: bool = False  # dates: never broken at their hyphens

    @property
    def css(self) -> str:
        """The cells' class names, `""` for none."""
        return " ".join(name for name, on in (("num", self.numeric), ("nowrap", self.nowrap)) if on)


@dataclass(frozen=True)
class Table:
    """A table; cells are text or `Link`s, numeric columns right-aligned. A `compact` table is
    as wide as its content, not the page."""

    kind: ClassVar[str] = "table"
    columns: Sequence[Column]
    rows: Sequence[Sequence[Text | Link]]
    caption: str = ""
    compact: bool = False

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.caption!r}: a row has {len(row)} cells for "
                    f"{len(self.columns)} columns"
                )


@dataclass(frozen=True)
class Figures:
    """Charts (or a note where a chart cannot be drawn), each in a `<figure>`; `layout` is the
    class of the `<div>` around them (`grid`: two a row, `stack`: one a row), "" for none."""

    kind: ClassVar[str] = "figures"
    items: Sequence[Markup | Paragraph]
    layout: str = ""


@dataclass(frozen=True)
class Card:
    value: str
    label: str


@dataclass(frozen=True)
class Cards:
    """Headline figures in a row of boxes."""

    kind: ClassVar[str] = "cards"
    cards: Sequence[Card]


@dataclass(frozen=True)
class Scenario:
    label: str
    scenario_id: str
    description: str


@dataclass(frozen=True)
class Scenarios:
    """The shock scenarios' labels (S1, S2 ...), ids and descriptions."""

    kind: ClassVar[str] = "scenarios"
    items: Sequence[Scenario]


Block = Paragraph | Heading | Table | Figures | Cards | Scenarios
