"""The DR network's layout (`postgres.drVpcCidr`, `drNetwork`) and the failover stack's
`failoverFrom`: pure config, each bad value refused with its key named."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StackConfig, SubnetTier, load_stack_config
from components.config.dr_network import dr_subnets
from components.config.errors import ConfigError
from components.reachability import Role
from tests.stack_values import P, base_values

DR = "ap-northeast-1"


def load(values: dict[str, Any] | None = None, tier: str = "scale") -> StackConfig:
    environment = "prod" if tier == "scale" else "dev"
    merged = {**base_values(tier, environment=environment), **(values or {})}
    return load_stack_config({k: v for k, v in merged.items() if v is not None}, stack="test")


def errors_of(values: dict[str, Any], tier: str = "scale") -> dict[str, str]:
    """Each refused key (without the project prefix) and its problem."""
    with pytest.raises(ConfigError) as info:
        load(values, tier)
    errors = getattr(info.value, "errors", (info.value,))
    return {e.key.removeprefix(f"{P}:"): e.problem for e in errors}


def test_the_dr_vpc_takes_the_primary_subnets_at_their_offsets() -> None:
    config = load()
    dr = config.dr_network_config
    assert dr is not None
    assert dr.vpc_cidr == "10.1.0.0/16"
    for tier in SubnetTier:
        assert [c.replace("10.1.", "10.0.", 1) for c in dr.subnets[tier]] == list(
            config.network.subnets[tier]
        )
    assert dr.availability_zones == config.dr_availability_zones
    # Nothing that bills by the hour while standing by.
    assert dr.nat_strategy.value == "none"
    assert dr.interface_endpoints == ()


def test_custom_primary_subnets_move_by_the_vpcs_distance() -> None:
    primary = load(
        {
            f"{P}:network": {
                "vpcCidr": "10.0.0.0/18",
                "subnets": {"public": ["10.0.40.0/26", "10.0.40.64/26", "10.0.40.128/26"]},
            },
            f"{P}:postgres": {"drVpcCidr": "172.16.0.0/18"},
        }
    )
    moved = dr_subnets(primary.network, "172.16.0.0/18")
    assert moved[SubnetTier.PUBLIC] == ("172.16.40.0/26", "172.16.40.64/26", "172.16.40.128/26")
    assert moved[SubnetTier.DATABASE][0] == "172.16.21.0/24"


def test_only_the_scale_tier_has_a_dr_network() -> None:
    assert load(tier="startup").dr_network_config is None
    assert load().dr_network_config is not None


def test_a_dr_vpc_too_small_for_the_primary_layout_is_refused() -> None:
    problems = errors_of(
        {
            f"{P}:network": {
                "subnets": {"matchingEngine": ["10.0.201.0/24", "10.0.202.0/24", "10.0.203.0/24"]}
            },
            f"{P}:postgres": {"drVpcCidr": "10.1.0.0/18"},
        }
    )
    assert problems["postgres.drVpcCidr"].startswith(
        "10.1.0.0/18 cannot hold the primary's matchingEngine subnet 10.0.201.0/24"
    )


def test_a_dr_vpc_overlapping_the_primary_is_refused() -> None:
    problems = errors_of({f"{P}:postgres": {"drVpcCidr": "10.0.0.0/16"}})
    assert "overlaps network.vpcCidr" in problems["postgres.drVpcCidr"]


def test_a_promotion_without_a_dr_replica_is_refused() -> None:
    problems = errors_of({f"{P}:drNetwork": {"failover": True}}, "startup")
    assert problems["drNetwork.failover"].startswith("is true but there is no DR replica")


def test_an_unknown_dr_network_key_is_refused() -> None:
    assert "drNetwork.natStrategy" in errors_of({f"{P}:drNetwork": {"natStrategy": "per-az"}})


def network_ids(az_count: int = 3) -> dict[str, Any]:
    def ids(prefix: str, count: int) -> list[str]:
        return [f"{prefix}-0123456789abcdef{i}" for i in range(count)]

    return {
        "region": DR,
        "vpcId": "vpc-0123456789abcdef0",
        "subnetIds": {tier.value: ids("subnet", az_count) for tier in SubnetTier},
        "routeTableIds": {tier.value: ids("rtb", 1) for tier in SubnetTier},
        "securityGroupIds": {role.value: "sg-0123456789abcdef0" for role in Role},
        "dbSubnetGroupName": "data-dr-network-db-4b3da13",
        "cacheSubnetGroupName": "data-dr-network-cache-58f27eb",
        "flowLogGroupName": "/trading-prod-dr/vpc-flow-logs",
    }


DATABASE = {
    "identifier": "trading-prod-postgres-dr",
    "address": "trading-prod-postgres-dr.c9ba9c616a9d0.ap-northeast-1.rds.amazonaws.com",
    "resourceId": "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "kmsKeyArn": f"arn:aws:kms:{DR}:123456789012:key/c2580f5c-7247-3408-1b38-530bdb8c6724",
    "masterSecretArn": f"arn:aws:secretsmanager:{DR}:123456789012:secret:rds!db-1a2b",
}


def failover_values(**changes: Any) -> dict[str, Any]:
    """A failover stack in the DR region (what ``python -m offline.failover`` writes)."""
    return {
        "aws:region": DR,
        f"{P}:drRegion": None,
        f"{P}:postgres": {"crossRegionReplica": False},
        f"{P}:dr": {"backupCopies": False, "replicateArtifacts": False},
        f"{P}:failoverFrom": {
            "primaryStack": "prod",
            "network": network_ids(),
            "database": DATABASE,
        },
        **changes,
    }


def test_a_failover_stack_attaches_to_the_dr_network_and_database() -> None:
    config = load(failover_values())
    assert config.failover_from is not None
    assert config.failover_from.network.security_group_ids[Role.DATABASE].startswith("sg-")
    assert config.failover_from.database.identifier == "trading-prod-postgres-dr"
    assert config.dr_network_config is None  # no DR of its own


@pytest.mark.parametrize(
    ("changes", "key", "problem"),
    [
        ({f"{P}:drRegion": "ap-northeast-3"}, "drRegion", "must be unset"),
        (
            {f"{P}:postgres": {"crossRegionReplica": True}},
            "postgres.crossRegionReplica",
            "must be false",
        ),
        ({f"{P}:dr": {"replicateArtifacts": True}}, "dr.replicateArtifacts", "must be false"),
        ({f"{P}:dr": {"backupCopies": True}}, "dr.backupCopies", "must be false"),
        (
            {f"{P}:postgres": {"crossRegionReplica": False, "engine": "aurora-postgresql"}},
            "postgres.engine",
            "must be postgres",
        ),
        ({"aws:region": "ap-northeast-2"}, "failoverFrom.network.region", "is ap-northeast-1"),
    ],
    ids=[
        "dr-region",
        "own-replica",
        "replicated-builds",
        "backup-copies",
        "aurora",
        "wrong-region",
    ],
)
def test_a_failover_stack_that_contradicts_itself_is_refused(
    changes: dict[str, Any], key: str, problem: str
) -> None:
    assert errors_of(failover_values(**changes))[key].startswith(problem)


def with_network(**network: Any) -> dict[str, Any]:
    attached = {**network_ids(), **network}
    return failover_values(
        **{f"{P}:failoverFrom": {"primaryStack": "prod", "network": attached, "database": DATABASE}}
    )


@pytest.mark.parametrize(
    ("network", "key", "problem"),
    [
        ({"vpcId": "vpc-XYZ"}, "failoverFrom.network.vpcId", "malformed id 'vpc-XYZ'"),
        (
            {"securityGroupIds": {r.value: "sg-0123456789abcdef0" for r in Role if r != "cache"}},
            "failoverFrom.network.securityGroupIds.cache",
            "is missing",
        ),
        (
            {"subnetIds": network_ids(2)["subnetIds"]},
            "failoverFrom.network.subnetIds.public",
            "has 2 subnets but network.azCount is 3",
        ),
    ],
    ids=["malformed-id", "missing-role", "az-count"],
)
def test_attached_ids_of_the_wrong_shape_are_refused_with_their_key(
    network: dict[str, Any], key: str, problem: str
) -> None:
    assert errors_of(with_network(**network))[key].startswith(problem)


def test_a_secret_that_is_not_an_arn_is_refused_with_its_key() -> None:
    database = {**DATABASE, "masterSecretArn": "rds!db-1a2b"}
    values = failover_values(
        **{
            f"{P}:failoverFrom": {
                "primaryStack": "prod",
                "network": network_ids(),
                "database": database,
            }
        }
    )
    assert "failoverFrom.database.masterSecretArn" in errors_of(values)
