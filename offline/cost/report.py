"""The estimate as text (``--cost``) and as the ``cost`` section of the JSON plan, and the cost
delta against an earlier plan (``--diff``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .estimate import Estimate, Line
from .price_list import filter_for
from .seed import EXPLAINED, SEED_TOTALS, compare


@dataclass(frozen=True)
class Budget:
    tier: str
    budget_usd: int

    @property
    def seed_usd(self) -> int | None:
        return SEED_TOTALS.get(self.tier)


def _money(value: float | None) -> str:
    return "unpriced" if value is None else f"${value:,.2f}"


def _line_json(line: Line) -> dict[str, Any]:
    return {
        "component": line.component,
        "resource": line.resource,
        "type": line.type,
        "item": line.item,
        "quantity": line.quantity,
        "unit": line.unit,
        "priceKey": line.price_key,
        "region": line.region,
        "unitPriceUsd": line.unit_price,
        "monthlyUsd": line.monthly,
        "note": line.note,
    }


def line_from_json(raw: Mapping[str, Any]) -> Line:
    return Line(
        raw["component"],
        raw["resource"],
        raw["type"],
        raw["item"],
        float(raw["quantity"]),
        raw["unit"],
        raw["priceKey"],
        raw["region"],
        None if raw["unitPriceUsd"] is None else float(raw["unitPriceUsd"]),
        raw.get("note", ""),
    )


@dataclass(frozen=True)
class LineChange:
    line: str  # "<component> <resource>: <item> [<price key>]"
    status: str  # "added", "removed" or "changed"
    before: float | None  # None: unpriced, or absent when added
    after: float | None  # None: unpriced, or absent when removed


@dataclass(frozen=True)
class Delta:
    earlier_total: float
    total: float
    changes: tuple[LineChange, ...]

    @property
    def change(self) -> float:
        return round(self.total - self.earlier_total, 2)


def _key(line: Line) -> str:
    return f"{line.component} {line.resource}: {line.item} [{line.price_key}]"


def delta(earlier: Sequence[Line], current: Sequence[Line]) -> Delta:
    before = {_key(line): line.monthly for line in earlier}
    after = {_key(line): line.monthly for line in current}
    changes: list[LineChange] = []
    for key in sorted(before.keys() | after.keys()):
        if key not in before:
            changes.append(LineChange(key, "added", None, after[key]))
        elif key not in after:
            changes.append(LineChange(key, "removed", before[key], None))
        elif before[key] != after[key]:
            changes.append(LineChange(key, "changed", before[key], after[key]))
    total_before = round(sum(v or 0.0 for v in before.values()), 2)
    return Delta(total_before, round(sum(v or 0.0 for v in after.values()), 2), tuple(changes))


def cost_document(estimate: Estimate, budget: Budget, change: Delta | None) -> dict[str, Any]:
    """The ``cost`` section of the JSON plan (README, "Offline plan JSON")."""
    return {
        "region": estimate.region,
        "tier": budget.tier,
        "currency": "USD",
        "totalMonthlyUsd": estimate.total,
        "unpricedCount": len(estimate.unpriced),
        "seedMonthlyUsd": budget.seed_usd,
        "budgetMonthlyUsd": budget.budget_usd,
        "budgetBelowEstimate": budget.budget_usd < estimate.total,
        "byComponent": estimate.by_component(),
        "lines": [_line_json(line) for line in estimate.lines],
        "nonBillable": estimate.non_billable,
        "usageBilled": estimate.usage_billed,
        "seedComparison": [
            {
                "row": c.row.label,
                "seedUsd": c.row.usd,
                "estimateUsd": c.estimate,
                "explained": EXPLAINED.get((budget.tier, c.row.label)),
            }
            for c in compare(budget.tier, estimate.lines)
        ],
        "delta": None
        if change is None
        else {
            "earlierTotalMonthlyUsd": change.earlier_total,
            "changeMonthlyUsd": change.change,
            "lines": [
                {"line": c.line, "status": c.status, "beforeUsd": c.before, "afterUsd": c.after}
                for c in change.changes
            ],
        },
    }


def _refresh_hints(unpriced: Sequence[Line]) -> list[str]:
    """Per region, the command that lists the Price List downloads for the unpriced keys the
    refresh can match (README, "Refreshing prices"); usage-less items have no matcher."""
    keys: dict[str, set[str]] = {}
    for line in unpriced:
        if line.price_key and filter_for(line.price_key) is not None:
            keys.setdefault(line.region, set()).add(line.price_key)
    return [
        f"  to price them from AWS's Price List, in {region}: python -m offline.cost.refresh "
        f"--commands {region} " + " ".join(f"--key {key}" for key in sorted(keys[region]))
        for region in sorted(keys)
    ]


def render_cost(estimate: Estimate, budget: Budget, change: Delta | None = None) -> str:
    lines = [f"Cost estimate ({estimate.region}, on-demand list prices, 730 hours a month)"]
    component = None
    for line in estimate.lines:
        if line.component != component:
            component = line.component
            lines.append(f"  {component}  ({_money(estimate.by_component()[component])})")
        price = "unpriced" if line.unit_price is None else f"${line.unit_price:g}"
        lines.append(
            f"    {line.resource}: {line.item}  {line.quantity:g} {line.unit} x {price}"
            f" = {_money(line.monthly)}"
        )
    unpriced = estimate.unpriced
    lines.append(f"  total (priced lines): {_money(estimate.total)} a month")
    if unpriced:
        lines.append(f"  unpriced: {len(unpriced)} lines, not in the total:")
        lines += [f"    {line.resource}: {line.item} ({line.note})" for line in unpriced]
        lines += _refresh_hints(unpriced)
    seed = budget.seed_usd
    lines.append(
        f"  tier {budget.tier}: seed figure {_money(seed)}; budget {_money(budget.budget_usd)};"
        f" estimate {_money(estimate.total)}" + (f" + {len(unpriced)} unpriced" if unpriced else "")
    )
    if budget.budget_usd < estimate.total:
        lines.append(
            f"  warning: the budget ({_money(budget.budget_usd)}) is below the estimate "
            f"({_money(estimate.total)}); raise budget.monthlyUsd or expect the budget alert"
        )
    elif unpriced:
        lines.append(
            f"  note: the budget covers the priced lines; the {len(unpriced)} unpriced ones could "
            "take the estimate over it"
        )
    lines.append(f"  non-billable: {sum(estimate.non_billable.values())} resources")
    if change is not None:
        lines.append(
            f"  change against the earlier plan: {_money(change.earlier_total)} -> "
            f"{_money(change.total)} ({change.change:+,.2f} a month)"
        )
        for c in change.changes:
            before = "(none)" if c.status == "added" else _money(c.before)
            after = "(none)" if c.status == "removed" else _money(c.after)
            lines.append(f"    {c.status} {c.line}: {before} -> {after}")
    return "\n".join(lines)
