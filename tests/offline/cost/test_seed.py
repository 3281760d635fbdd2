"""Calibration: at the sourced us-east-1 prices, every seed row the program matches and the
table prices agrees with the seed's figure within 10%, except the rows README explains."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from offline.cost.estimate import Context, KafkaTopics, estimate
from offline.cost.prices import load_table
from offline.cost.seed import EXPLAINED, SEED_ROWS, SEED_TOTALS, Comparison, compare
from tests.offline.cost.tier_runs import REGION, tier_config, tier_resources

TOLERANCE = 0.10
# The rows the sourced prices cover today, per tier: a row must not silently drop out.
PRICED_ROWS = {
    "startup": {
        "EKS Cluster", "EC2 (EKS Nodes) 3x c6i.xlarge", "EC2 (Matching Engine) 2x c6i.large",
        "RDS PostgreSQL db.t4g.large", "RDS Replica db.t4g.medium", "RDS Storage 100GB gp3",
        "MSK Serverless", "NAT Gateway 1x (+ 1TB)", "ALB 1x",
        "CloudFront 500GB", "S3 50GB",
        "CloudWatch Basic", "Data Transfer 1TB", "Other (Route 53...)",
    },
    "growth": {
        "EKS Cluster", "EC2 (API Nodes) 2x c6i.xlarge", "EC2 (WebSocket) 2x r6i.large",
        "EC2 (Consumer) 2x c6i.large", "EC2 (Matching Engine) 2x c6i.xlarge",
        "RDS Storage 200GB gp3", "MSK 3x kafka.m5.large", "MSK Storage 500GB x 3",
        "NAT Gateway 1x (+ 3TB)", "ALB 1x (+ LCU)", "CloudFront 2TB", "S3 200GB",
        "CloudWatch Logs + Metrics", "Data Transfer 3TB", "Other (Route 53, ACM...)",
    },
    "scale": {
        "EKS Cluster", "EC2 (API Nodes) 6x c6i.2xlarge", "EC2 (WebSocket) 4x r6i.xlarge",
        "EC2 (Consumer) 6x c6i.xlarge", "MSK 6x kafka.m5.2xlarge",
        "NAT Gateway 3x (+ data transfer)", "ALB 1x (+ LCU)", "CloudFront 10TB", "S3 1TB",
        "CloudWatch Logs + Metrics", "Secrets Manager 10 secrets", "WAF 10M requests",
        "Data Transfer 10TB", "Other (Route 53, ACM...)",
    },
}  # fmt: skip


def _comparisons(tier: str) -> list[Comparison]:
    config = tier_config(tier)
    topics = KafkaTopics.of(config.kafka.topics)
    context = Context(REGION, config.usage, date(2026, 12, 1), topics)
    result = estimate(tier_resources(tier), load_table(), context)
    return compare(tier, result.lines)


@pytest.mark.parametrize("tier", sorted(SEED_ROWS))
def test_matched_seed_rows_agree_within_ten_percent(tier: str) -> None:
    priced = [c for c in _comparisons(tier) if c.difference is not None]
    assert {c.row.label for c in priced} == PRICED_ROWS[tier]
    for comparison in priced:
        difference = comparison.difference
        assert difference is not None
        explained = (tier, comparison.row.label) in EXPLAINED
        # An explained row must still be off (or its explanation is stale); the others within.
        assert (abs(difference) > TOLERANCE) is explained, (comparison.row.label, difference)


@pytest.mark.parametrize("tier", sorted(SEED_ROWS))
def test_every_seed_row_matches_a_program_resource(tier: str) -> None:
    unmatched = [c.row.label for c in _comparisons(tier) if c.matched == 0]
    assert unmatched == []


def test_seed_rows_add_up_to_the_seed_totals_within_rounding() -> None:
    # Section 8 lists S3 and a $23 row the others lack; each table sums to its total +- 1%.
    for tier, rows in SEED_ROWS.items():
        assert abs(sum(r.usd for r in rows) - SEED_TOTALS[tier]) <= 0.01 * SEED_TOTALS[tier]


def test_the_tiers_budgets_are_the_seed_totals() -> None:
    for tier, total in SEED_TOTALS.items():
        assert tier_config(tier).budget.monthly_usd == total


def test_the_readme_explains_every_explained_row_in_its_calibration_table() -> None:
    readme = (Path(__file__).parents[3] / "README.md").read_text()
    section = readme.split("#### Calibration against the seed", 1)[1].split("\n### ", 1)[0]
    explained_rows = [
        line for line in section.splitlines() if line.startswith("| ") and "explained:" in line
    ]
    for tier, label in EXPLAINED:
        assert any(row.startswith(f"| {label} |") for row in explained_rows), (tier, label)
