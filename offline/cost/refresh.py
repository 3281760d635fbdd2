"""``python -m offline.cost.refresh``: refresh ``prices.json`` from AWS Price List data saved to
files, each price with the offer it came from.

examples:
  python -m offline.cost.refresh --commands ap-northeast-2 --key ec2.dedicated.c6i.4xlarge
        what to download for the table's keys (and those named) in Seoul
  python -m offline.cost.refresh AmazonEC2-ap-northeast-2.json AmazonRDS-ap-northeast-2.json
        old -> new per key and region, for every key of the table, in every region the files hold
  python -m offline.cost.refresh *.json --key elasticache.cache.r6g.xlarge --write
        the same, adding a key the table lacks, and written to prices.json

Written prices get a per-region source (``regionSources``: the offer's URL or ``aws pricing
get-products``, its service code, publicationDate and SKU) and date (the publicationDate).
Nothing is removed from ``unsourced``: the notes the new prices may settle are listed for a
person to edit. A key no product matches stays as it is; products at different prices for one
key and region are reported, that key is left as it is, and the exit status is 1.

exit status: 0 done, 1 an ambiguous price (the others are still shown and written), 2 bad input.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .price_list import (
    BULK_URL,
    AmbiguousPriceError,
    Filter,
    Offer,
    PriceListError,
    Quote,
    filter_for,
    quote,
    read_offers,
    regions_in,
)
from .prices import PRICES_FILE, PriceTable, PriceTableError, parse_table, rewrite_entries

# Service codes whose instance keys the Query API can fetch one product at a time. The CLI takes
# the filters in its shorthand (Type=...,Field=...,Value=... per filter) and pages through the
# results itself (https://docs.aws.amazon.com/cli/latest/reference/pricing/get-products.html).
_INSTANCE_SERVICES = ("AmazonEC2", "AmazonRDS", "AmazonElastiCache")


@dataclass(frozen=True)
class Change:
    quote: Quote
    old: float | None
    old_source: str | None

    @property
    def status(self) -> str:
        if self.old is None:
            return "new"
        if self.old != self.quote.usd:
            return "changed"
        return "unchanged" if self.old_source == self.quote.source else "unchanged, new source"


@dataclass(frozen=True)
class Refresh:
    changes: tuple[Change, ...]
    errors: tuple[str, ...]
    unmatched: tuple[str, ...]  # keys no matcher covers


def refresh(table: PriceTable, keys: Sequence[str], offers: Sequence[Offer]) -> Refresh:
    """Every key's price in every region the offers hold, against the table's."""
    changes: list[Change] = []
    errors: list[str] = []
    unmatched = tuple(key for key in keys if filter_for(key) is None)
    for key in (k for k in keys if k not in unmatched):
        for region in regions_in(offers):
            try:
                found = quote(offers, key, region)
            except AmbiguousPriceError as error:
                errors.append(str(error))
                continue
            if found is not None:
                old = table.entries.get(key, {}).get(region)
                if old is None:
                    changes.append(Change(found, None, None))
                else:
                    changes.append(Change(found, old.usd, old.source))
    return Refresh(tuple(changes), tuple(errors), unmatched)


def render(result: Refresh) -> str:
    rows = [("key", "region", "old", "new", "status", "SKU")]
    for c in result.changes:
        old = "-" if c.old is None else f"{c.old:g}"
        q = c.quote
        rows.append((q.key, q.region, old, f"{q.usd:g}", c.status, ", ".join(q.skus)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]).rstrip()
        for row in rows
    ]
    if len(rows) == 1:
        lines = ["no key of the table matched a product in these files"]
    lines += [f"error: {error}" for error in result.errors]
    if result.unmatched:
        lines.append(f"no matcher (left as they are): {', '.join(result.unmatched)}")
    return "\n".join(lines)


def _to_write(change: Change) -> bool:
    return change.status != "unchanged"


def updated_entries(document: dict[str, Any], changes: Sequence[Change]) -> list[dict[str, Any]]:
    """The price entries ``changes`` touch, as they are to be written."""
    existing = {entry["key"]: entry for entry in document.get("prices", [])}
    entries: dict[str, dict[str, Any]] = {}
    for change in filter(_to_write, changes):
        q = change.quote
        if q.key not in entries:
            filtered = filter_for(q.key)
            assert filtered is not None  # a quote is only made for a key with a matcher
            entries[q.key] = copy.deepcopy(existing.get(q.key)) or _new_entry(q.key, filtered)
        entry = entries[q.key]
        entry["regions"][q.region] = q.usd
        entry.setdefault("regionSources", {})[q.region] = {
            "source": q.source,
            "sourceDate": q.offer.publication_date,
        }
    return list(entries.values())


def _new_entry(key: str, found: Filter) -> dict[str, Any]:
    return {
        "key": key,
        "unit": found.matcher.table_unit,
        "regions": {},
        "source": "the AWS Price List, per region (regionSources)",
        "sourceDate": "per region (regionSources)",
        "what": found.what,
    }


def settled_notes(document: dict[str, Any], changes: Sequence[Change]) -> list[str]:
    """The ``unsourced`` notes a written price may settle: its key fits the note's (``<type>``
    standing for any part), or the note names the price's region."""
    written = [c.quote for c in changes if c.status in ("new", "changed")]
    notes = []
    for note in document.get("unsourced", []):
        pattern = re.compile(
            "".join(
                ".+" if part.startswith("<") else re.escape(part)
                for part in re.split(r"(<[^>]+>)", note["key"])
            )
        )
        if any(pattern.fullmatch(q.key) or q.region in note["key"] for q in written):
            notes.append(f"{note['key']}: {note['what']}")
    return notes


def commands(region: str, keys: Sequence[str]) -> str:
    """The downloads that hold ``keys``'s prices in ``region``: one Bulk API offer file per
    service code, and for instance keys the Query API lines that fetch just those products."""
    filters = [(key, f) for key in keys if (f := filter_for(key)) is not None]
    services = list(dict.fromkeys(f.matcher.service_code for _, f in filters))
    lines = [f"# Price List Bulk API offer files for {region}, one per service code:"]
    for service in services:
        url = BULK_URL.format(service=service, where=f"{region}/index.json")
        lines.append(f"curl -o {service}-{region}.json {url}")
    if "AmazonEC2" in services:
        lines.append(
            "# AmazonEC2's region file is very large (hundreds of MB and more: every instance "
            "type, OS and tenancy); for the instance keys the Query API lines below fetch only "
            "their products."
        )
    instance = [(k, f) for k, f in filters if f.matcher.service_code in _INSTANCE_SERVICES]
    instance = [(k, f) for k, f in instance if "instanceType" in f.attributes]
    if instance:
        lines.append(
            "# Price List Query API (needs AWS credentials allowed pricing:GetProducts; it answers "
            "in us-east-1), one file per key:"
        )
    for key, f in instance:
        terms = {"productFamily": f.matcher.product_family, **f.attributes}
        terms[f.matcher.region_attribute] = region
        args = " ".join(
            shlex.quote(f"Type=TERM_MATCH,Field={field},Value={value}")
            for field, value in terms.items()
        )
        lines.append(
            f"aws pricing get-products --region us-east-1 --service-code "
            f"{f.matcher.service_code} --filters {args} --output json > {key}-{region}.json"
        )
    lines.append("# then: python -m offline.cost.refresh <the files> [--key KEY ...] --write")
    unmatched = [key for key in keys if filter_for(key) is None]
    if unmatched:
        lines.append(f"# no matcher, so not refreshed from these: {', '.join(unmatched)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m offline.cost.refresh",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("files", nargs="*", type=Path, metavar="FILE")
    parser.add_argument("--key", action="append", default=[], help="a key to price too")
    parser.add_argument("--write", action="store_true", help="update the price table")
    parser.add_argument("--commands", metavar="REGION", help="print what to download, and stop")
    parser.add_argument("--prices", type=Path, default=PRICES_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        text = args.prices.read_text()
        document = json.loads(text)
        table = parse_table(document)
    except (OSError, ValueError, PriceTableError) as error:
        print(f"{args.prices}: {error}", file=sys.stderr)
        return 2
    keys = list(dict.fromkeys([*(e["key"] for e in document["prices"]), *args.key]))
    if args.commands:
        print(commands(args.commands, args.key or keys))
        return 0
    if not args.files:
        parser.error("FILE is required (or --commands REGION)")
    try:
        offers = [offer for path in args.files for offer in read_offers(path)]
    except PriceListError as error:
        print(error, file=sys.stderr)
        return 2
    result = refresh(table, keys, offers)
    print(render(result))
    notes = settled_notes(document, result.changes)
    if notes:
        print("unsourced notes these prices may settle (edit them by hand):")
        print("\n".join(f"  {note}" for note in notes))
    if args.write:
        entries = updated_entries(document, result.changes)
        if entries:
            args.prices.write_text(rewrite_entries(text, entries))
        print(f"wrote {len(entries)} entries to {args.prices}")
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
