"""The price table (``prices.json`` beside this file): on-demand list prices as data, each with
its source and date, read once and looked up by key and region.

A key the table lacks, or a region it has no figure for, is `None`: the estimate reports the item
as unpriced, never as free.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

PRICES_FILE: Final = Path(__file__).with_name("prices.json")
ANY_REGION: Final = "*"


class PriceTableError(Exception):
    """A price table that is not the documented shape."""


@dataclass(frozen=True)
class Price:
    key: str
    unit: str
    usd: float
    source: str
    source_date: str


@dataclass(frozen=True)
class PriceTable:
    hours_per_month: int
    entries: dict[str, dict[str, Price]]  # key -> region (or "*") -> price
    unsourced: dict[str, str]  # key -> what could not be sourced

    def price(self, key: str, region: str) -> Price | None:
        """The price of ``key`` in ``region``; a price given for every region counts too."""
        regions = self.entries.get(key, {})
        return regions.get(region) or regions.get(ANY_REGION)


def _entry(raw: Any) -> dict[str, Price]:
    """One entry's prices by region. ``regionSources`` (optional) gives a region its own source
    and date, as ``python -m offline.cost.refresh --write`` sets them; the entry's ``source`` and
    ``sourceDate`` cover its other regions."""
    try:
        key, unit, source, when = raw["key"], raw["unit"], raw["source"], raw["sourceDate"]
        regions = raw["regions"]
        own = raw.get("regionSources", {})
        if not set(own) <= set(regions):
            raise ValueError(f"regionSources for regions it has no price for: {sorted(own)}")
        prices = {
            region: Price(
                key,
                unit,
                float(usd),
                own[region]["source"] if region in own else source,
                own[region]["sourceDate"] if region in own else when,
            )
            for region, usd in regions.items()
        }
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise PriceTableError(f"malformed price entry {raw!r}: {error}") from error
    if not prices or any(price.usd < 0 for price in prices.values()):
        raise PriceTableError(f"price entry {key!r} needs a non-negative price per region")
    return prices


def parse_table(document: Any) -> PriceTable:
    if not isinstance(document, dict) or document.get("schema") != "trading-platform/cost-prices":
        raise PriceTableError("not a trading-platform/cost-prices document")
    entries: dict[str, dict[str, Price]] = {}
    for raw in document.get("prices", []):
        prices = _entry(raw)
        key = next(iter(prices.values())).key
        if key in entries:
            raise PriceTableError(f"price {key!r} is listed twice")
        entries[key] = prices
    unsourced = {str(item["key"]): str(item["what"]) for item in document.get("unsourced", [])}
    return PriceTable(int(document["hoursPerMonth"]), entries, unsourced)


@cache
def load_table(path: Path = PRICES_FILE) -> PriceTable:
    return parse_table(json.loads(path.read_text()))


def render_entry(entry: dict[str, Any]) -> str:
    """One price entry in the file's layout: key, unit and regions on its first line, then its
    source, any per-region sources, then its date and description (no trailing comma)."""
    dump = functools.partial(json.dumps, ensure_ascii=False)
    head = f'    {{"key": {dump(entry["key"])}, "unit": {dump(entry["unit"])}, '
    lines = [
        head + f'"regions": {dump(entry["regions"])},',
        f'     "source": {dump(entry["source"])},',
    ]
    if entry.get("regionSources"):
        lines.append(f'     "regionSources": {dump(entry["regionSources"])},')
    tail = f'     "sourceDate": {dump(entry["sourceDate"])}, "what": {dump(entry["what"])}}}'
    return "\n".join([*lines, tail])


_ENTRY_START = re.compile(r'^    \{"key": (?P<key>"(?:[^"\\]|\\.)*")')


def _entry_ends_before(line: str) -> bool:
    return bool(_ENTRY_START.match(line)) or not line.strip() or line == "  ],"


def rewrite_entries(text: str, entries: list[dict[str, Any]]) -> str:
    """``text`` (a price table in its own layout) with ``entries`` in place of the entries of the
    same keys, and those it lacks appended to ``prices``; every other byte stays as it was.

    An entry spans from its ``    {"key": ...`` line to the line before the next entry, a blank
    line or the list's end. The result must parse to the same document as the edit made on the
    parsed document, or this refuses (a layout it does not know), and must pass `parse_table`.
    """
    document = json.loads(text)
    expected = copy.deepcopy(document)
    by_key = {entry["key"]: index for index, entry in enumerate(expected["prices"])}
    for entry in entries:
        if entry["key"] in by_key:
            expected["prices"][by_key[entry["key"]]] = entry
        else:
            expected["prices"].append(entry)
    lines = text.split("\n")
    spans: dict[str, tuple[int, int]] = {}  # key -> its lines [start, stop)
    start_of_prices = lines.index('  "prices": [') if '  "prices": [' in lines else len(lines)
    index = start_of_prices + 1
    while index < len(lines) and lines[index] != "  ],":
        match = _ENTRY_START.match(lines[index])
        stop = index + 1
        while match and stop < len(lines) and not _entry_ends_before(lines[stop]):
            stop += 1
        if match:
            spans[json.loads(match["key"])] = (index, stop)
        index = stop
    if index >= len(lines):
        raise PriceTableError("price table layout not recognised: no prices list of its own")
    end_of_prices = index
    replaced = {spans[e["key"]][0]: e for e in entries if e["key"] in spans}
    added = [entry for entry in entries if entry["key"] not in spans]
    out: list[str] = []
    index = 0
    while index < len(lines):
        if index == end_of_prices and added:
            out[-1] = out[-1] if out[-1].endswith(",") else out[-1] + ","
            out += ",\n".join(render_entry(entry) for entry in added).split("\n")
        if index in replaced:
            stop = spans[replaced[index]["key"]][1]
            comma = "," if lines[stop - 1].endswith(",") else ""
            out += (render_entry(replaced[index]) + comma).split("\n")
            index = stop
            continue
        out.append(lines[index])
        index += 1
    result = "\n".join(out)
    if json.loads(result) != expected:
        raise PriceTableError("price table layout not recognised: the edit would change more")
    parse_table(expected)
    return result
