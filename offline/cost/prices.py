"""The price table (``prices.json`` beside this file): on-demand list prices as data, each with
its source and date, read once and looked up by key and region.

A key the table lacks, or a region it has no figure for, is `None`: the estimate reports the item
as unpriced, never as free.
"""

from __future__ import annotations

import json
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
    try:
        key, unit, source, when = raw["key"], raw["unit"], raw["source"], raw["sourceDate"]
        regions = raw["regions"]
        prices = {
            region: Price(key, unit, float(usd), source, when) for region, usd in regions.items()
        }
    except (KeyError, TypeError, ValueError) as error:
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
