"""A stack's estimate as ``python -m offline <stack> --cost`` makes it: the run's resources, the
stack's config (tier, usage, budget), today's date (EKS support), and the delta against an
earlier plan when there is one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from components.config import load_stack_config
from offline.runner import ProgramRun
from offline.stack_files import read_stack_files

from .estimate import Context, Estimate, KafkaTopics, estimate
from .prices import load_table
from .report import Budget, Delta, delta, line_from_json
from .resources import from_document, from_run


@dataclass(frozen=True)
class StackCost:
    estimate: Estimate
    budget: Budget
    delta: Delta | None


def stack_cost(
    run: ProgramRun,
    *,
    project_dir: Path,
    earlier: dict[str, Any] | None = None,
    today: date | None = None,
) -> StackCost:
    files = read_stack_files(run.stack, project_dir=project_dir)
    config = load_stack_config(files.values, stack=run.stack)
    table = load_table()
    topics = KafkaTopics.of(config.kafka.topics, table.hours_per_month)
    context = Context(config.region, config.usage, today or date.today(), topics)
    current = estimate(from_run(run), table, context)
    change = None
    if earlier is not None:
        recorded = earlier.get("cost")
        if isinstance(recorded, dict):
            before = [line_from_json(line) for line in recorded.get("lines", [])]
        else:  # a plan made without --cost: estimate its resources with today's prices
            before = list(
                estimate(from_document(earlier.get("resources", [])), table, context).lines
            )
        change = delta(before, current.lines)
    return StackCost(current, Budget(config.tier, config.budget.monthly_usd), change)
