"""``trading-platform:dr`` and ``drRegion``: per-tier DR defaults, the derived DR region, and bad
config refused with the key named."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StackConfig, StackConfigError, load_stack_config
from components.config.dr import DR_PARTNERS, resolve_dr_region
from components.regions import REGIONS
from tests.stack_values import base_values

P = "trading-platform"


def load(tier: str, values: dict[str, Any] | None = None) -> StackConfig:
    """``tier`` with no drRegion set (unless ``values`` sets one): the default is what's tested."""
    raw = {k: v for k, v in base_values(tier).items() if k != f"{P}:drRegion"}
    return load_stack_config({**raw, **(values or {})}, stack="test")


@pytest.mark.parametrize(
    ("tier", "replica", "copies"),
    [("startup", False, True), ("growth", False, True), ("scale", True, False)],
)
def test_each_tier_has_one_database_dr_mechanism(tier: str, replica: bool, copies: bool) -> None:
    config = load(tier)
    assert config.has_dr_replica is replica
    assert config.has_backup_copies is copies
    assert config.replicates_artifacts
    # Seoul's partner, as prod sets it explicitly.
    assert config.dr_region == "ap-northeast-1"


@pytest.mark.parametrize(("tier", "days"), [("startup", 7), ("growth", 14), ("scale", 35)])
def test_copies_are_kept_as_long_as_the_database_backups_unless_set(tier: str, days: int) -> None:
    assert load(tier).backup_copy_retention_days == days
    configured = load(tier, {f"{P}:dr": {"backupCopyRetentionDays": 30}})
    assert configured.backup_copy_retention_days == 30


def test_scale_may_add_backup_copies_to_its_replica() -> None:
    config = load("scale", {f"{P}:dr": {"backupCopies": True}})
    assert config.has_dr_replica
    assert config.has_backup_copies


def test_nothing_copied_means_no_dr_region() -> None:
    config = load("startup", {f"{P}:dr": {"backupCopies": False, "replicateArtifacts": False}})
    assert config.dr_region is None
    assert not config.has_backup_copies
    assert not config.replicates_artifacts


def test_a_configured_dr_region_wins_over_the_partner() -> None:
    assert load("startup", {f"{P}:drRegion": "ap-northeast-3"}).dr_region == "ap-northeast-3"


def test_every_partner_is_a_known_other_region() -> None:
    for primary, partner in DR_PARTNERS.items():
        assert primary in REGIONS
        assert partner in REGIONS
        assert partner != primary


def errors_of(tier: str, values: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(StackConfigError) as caught:
        load(tier, values)
    return [(e.key, e.problem) for e in caught.value.errors]


@pytest.mark.parametrize(
    ("tier", "values", "key", "words"),
    [
        ("startup", {"drRegion": "ap-northeast-2"}, "drRegion", "is the primary region"),
        ("startup", {"drRegion": "ap-northeast-9"}, "drRegion", "unknown region 'ap-northeast-9'"),
        ("startup", {"drRegion": "tokyo"}, "drRegion", "malformed"),
        ("startup", {"dr": {"backupCopies": "daily"}}, "dr.backupCopies", "true or false"),
        ("growth", {"dr": {"backupCopyRetentionDays": 0}}, "dr.backupCopyRetentionDays", "1..365"),
        ("startup", {"dr": {"replicate": True}}, "dr.replicate", "unknown setting"),
        (
            "startup",
            {"aws:region": "sa-east-1"},
            "drRegion",
            "is required because dr.backupCopies and dr.replicateArtifacts are on",
        ),
    ],
)
def test_bad_dr_config_names_its_key(
    tier: str, values: dict[str, Any], key: str, words: str
) -> None:
    full = {k if ":" in k else f"{P}:{k}": v for k, v in values.items()}
    problems = errors_of(tier, full)
    assert [k for k, _ in problems] == [f"{P}:{key}"]
    assert words in problems[0][1]


def test_replica_is_refused_where_postgres_cannot_have_one() -> None:
    # Aurora: the existing rule names the key; DR falls back to backup copies by setting them.
    problems = errors_of("scale", {f"{P}:postgres": {"engine": "aurora-postgresql"}})
    assert [k for k, _ in problems] == [f"{P}:postgres.crossRegionReplica"]
    config = load(
        "scale",
        {
            f"{P}:postgres": {"engine": "aurora-postgresql", "crossRegionReplica": False},
            f"{P}:dr": {"backupCopies": True},
        },
    )
    assert config.has_backup_copies
    assert not config.has_dr_replica


@pytest.mark.parametrize(
    ("region", "configured", "wanted", "expected"),
    [
        ("ap-northeast-2", None, ["dr.backupCopies"], "ap-northeast-1"),
        ("ap-northeast-2", None, [], None),
        ("ap-northeast-2", "us-west-2", [], "us-west-2"),  # a set region is kept and checked
        ("us-east-1", None, ["dr.replicateArtifacts"], "us-west-2"),
    ],
)
def test_resolve_dr_region(
    region: str, configured: str | None, wanted: list[str], expected: str | None
) -> None:
    assert resolve_dr_region(region, configured, wanted) == (expected, [])


def test_resolve_dr_region_suggests_a_near_miss() -> None:
    _, (problem,) = resolve_dr_region("ap-northeast-2", "ap-northeest-1", ["dr.backupCopies"])
    assert problem.at == ("drRegion",)
    assert "did you mean 'ap-northeast-1'?" in problem.problem
