"""``python -m offline <stack> --cost``: the text section, the JSON ``cost`` section, and the
delta against an earlier plan (with or without its own cost section)."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from offline.__main__ import main
from offline.cost.estimate import Estimate, Line
from offline.cost.report import Budget, cost_document, delta, line_from_json, render_cost
from offline.cost.stack_cost import stack_cost
from offline.plan_document import plan_document, resources_only
from offline.stack_files import PROJECT_DIR
from tests.programs import stack

TODAY = date(2026, 12, 1)


def _line(resource: str, usd: float | None, quantity: float = 1) -> Line:
    return Line("c", resource, "t", "item", quantity, "unit", "k", "r", usd)


def test_cli_prints_the_cost_section_and_writes_it_to_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dev.json"
    assert main(["dev", "--no-policy", "--cost", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Cost estimate (ap-northeast-2" in text
    assert "tier startup: seed figure $1,362.00; budget $1,362.00" in text
    cost = json.loads(out.read_text())["cost"]
    assert cost["tier"] == "startup"
    assert cost["seedMonthlyUsd"] == cost["budgetMonthlyUsd"] == 1362
    assert cost["unpricedCount"] == sum(1 for x in cost["lines"] if x["monthlyUsd"] is None)
    assert cost["totalMonthlyUsd"] == round(sum(x["monthlyUsd"] or 0 for x in cost["lines"]), 2)
    assert cost["delta"] is None


def test_the_plan_without_cost_has_no_cost_section() -> None:
    document = plan_document(
        stack("dev", False), policy=None, deploy_findings=(), diff=None, summary={}
    )
    assert "cost" not in document


def _earlier_plan() -> dict[str, Any]:
    return {"resources": resources_only(stack("dev", False))["resources"]}


def test_delta_of_an_earlier_plan_without_cost_is_estimated_from_its_resources() -> None:
    earlier = _earlier_plan()
    nat = next(r for r in earlier["resources"] if r["name"] == "network-nat-0")
    earlier["resources"].remove(nat)
    cost = stack_cost(stack("dev", False), project_dir=PROJECT_DIR, earlier=earlier, today=TODAY)
    assert cost.delta is not None
    added = {c.line for c in cost.delta.changes if c.status == "added"}
    assert any(line.startswith("network network-nat-0: NAT gateway") for line in added)
    # The launch templates resolve through the plan's property dependencies: no spurious change.
    assert {c.line.split(":")[0] for c in cost.delta.changes} == {"network network-nat-0"}


def test_delta_reads_the_earlier_cost_section_when_there_is_one() -> None:
    run = stack("dev", False)
    current = stack_cost(run, project_dir=PROJECT_DIR, today=TODAY)
    document = cost_document(current.estimate, current.budget, None)
    recorded = copy.deepcopy(document)
    kms = next(x for x in recorded["lines"] if x["priceKey"] == "kms.key")
    kms["unitPriceUsd"] = 2.0  # the earlier plan priced one key at $2
    cost = stack_cost(run, project_dir=PROJECT_DIR, earlier={"cost": recorded}, today=TODAY)
    assert cost.delta is not None
    assert cost.delta.change == -1.0
    (line,) = cost.delta.changes
    assert (line.status, line.before, line.after) == ("changed", 2.0, 1.0)
    assert kms["resource"] in line.line


def test_delta_totals_and_changed_lines() -> None:
    change = delta([_line("a", 10), _line("b", 5)], [_line("a", 12), _line("c", None)])
    assert (change.earlier_total, change.total, change.change) == (15.0, 12.0, -3.0)
    assert [(c.status, c.before, c.after) for c in change.changes] == [
        ("changed", 10.0, 12.0),
        ("removed", 5.0, None),
        ("added", None, None),
    ]
    text = render_cost(Estimate("r", (_line("a", 12),)), Budget("startup", 1362), change)
    assert "removed c b: item [k]: $5.00 -> (none)" in text
    assert "added c c: item [k]: (none) -> unpriced" in text


def test_budget_below_the_estimate_warns() -> None:
    estimate = Estimate("us-east-1", (_line("big", 1000.0),))
    text = render_cost(estimate, Budget("startup", 900))
    assert "warning: the budget ($900.00) is below the estimate ($1,000.00)" in text
    assert "warning" not in render_cost(estimate, Budget("startup", 1362))
    assert cost_document(estimate, Budget("startup", 900), None)["budgetBelowEstimate"] is True


def test_unpriced_keys_the_refresh_can_match_get_its_command_per_region() -> None:
    def unpriced(key: str, region: str) -> Line:
        return Line("c", key, "t", "item", 1, "unit", key, region, None)

    estimate = Estimate(
        "ap-northeast-2",
        (
            unpriced("rds.postgres.db.r6i.2xlarge", "ap-northeast-2"),
            unpriced("ec2.dedicated.c6i.4xlarge", "ap-northeast-2"),
            unpriced("rds.postgres.db.r6i.2xlarge", "ap-northeast-1"),
            unpriced("sns.requests", "ap-northeast-2"),  # no matcher: no usage to price
        ),
    )
    hints = [
        x for x in render_cost(estimate, Budget("scale", 21895)).splitlines() if "--commands" in x
    ]
    assert hints == [
        "  to price them from AWS's Price List, in ap-northeast-1: python -m offline.cost.refresh "
        "--commands ap-northeast-1 --key rds.postgres.db.r6i.2xlarge",
        "  to price them from AWS's Price List, in ap-northeast-2: python -m offline.cost.refresh "
        "--commands ap-northeast-2 --key ec2.dedicated.c6i.4xlarge "
        "--key rds.postgres.db.r6i.2xlarge",
    ]


def test_unpriced_lines_are_listed_and_kept_out_of_the_total() -> None:
    estimate = Estimate("us-east-1", (_line("priced", 3.0), _line("mystery", None)))
    text = render_cost(estimate, Budget("growth", 3421))
    assert "total (priced lines): $3.00" in text
    assert "unpriced: 1 lines, not in the total:" in text
    assert "estimate $3.00 + 1 unpriced" in text
    assert "the 1 unpriced ones could take the estimate over it" in text


def test_a_line_survives_the_json_round_trip() -> None:
    line = _line("x", 0.17, quantity=2190)
    document = cost_document(Estimate("r", (line,)), Budget("scale", 21895), None)
    assert line_from_json(document["lines"][0]) == line
