"""``trading-platform:postgres`` / ``trading-platform:cache``: tier defaults and every bad input."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import (
    CacheAuth,
    CacheEngine,
    CacheMode,
    ConfigError,
    PostgresEngine,
    ProxyIamAuth,
    StackConfig,
    load_stack_config,
)
from tests.stack_values import base_values

P = "trading-platform:"


def load(
    tier: str = "startup",
    *,
    postgres: dict[str, Any] | None = None,
    cache: dict[str, Any] | None = None,
    **root: Any,
) -> StackConfig:
    values: dict[str, Any] = base_values(tier)
    if postgres is not None:
        values[f"{P}postgres"] = postgres
    if cache is not None:
        values[f"{P}cache"] = cache
    values.update({f"{P}{key}": value for key, value in root.items()})
    return load_stack_config({k: v for k, v in values.items() if v is not None}, stack="test")


def error(**kwargs: Any) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(**kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("tier", "max_connections", "slow_ms", "cross_region", "cluster_mode", "shards", "replicas"),
    [
        ("startup", 100, 200, False, False, 1, 1),
        ("growth", 200, 200, False, False, 1, 2),
        ("scale", 500, 100, True, True, 3, 2),
    ],
)
def test_tier_defaults(
    tier: str,
    max_connections: int,
    slow_ms: int,
    cross_region: bool,
    cluster_mode: bool,
    shards: int,
    replicas: int,
) -> None:
    config = load(tier)
    pg, cache = config.postgres, config.cache
    assert pg.engine is PostgresEngine.POSTGRES
    assert pg.parameter_family == "postgres16"
    assert (pg.backup_window, pg.maintenance_window) == ("03:00-04:00", "mon:04:00-mon:05:00")
    assert (pg.max_connections, pg.slow_query_ms) == (max_connections, slow_ms)
    assert pg.cross_region_replica is cross_region
    assert pg.serverless is None
    assert pg.proxy.iam_auth is ProxyIamAuth.REQUIRED
    assert (pg.proxy.max_connections_percent, pg.proxy.borrow_timeout_seconds) == (80, 120)
    assert pg.proxy.idle_client_timeout_seconds == 1800
    assert cache.mode is CacheMode.REPLICATION_GROUP
    # Valkey: IAM authentication, so no static cache secret exists.
    assert cache.auth is CacheAuth.IAM
    assert cache.parameter_family == "valkey8"
    assert (cache.cluster_mode, cache.shards, cache.replicas_per_shard) == (
        cluster_mode,
        shards,
        replicas,
    )
    assert (cache.snapshot_window, cache.maintenance_window) == (
        "03:00-05:00",
        "mon:05:00-mon:07:00",
    )


def test_aurora_serverless_v2_from_cli_strings() -> None:
    config = load(
        postgres={
            "engine": "aurora-postgresql",
            "serverlessMinAcu": "0.5",
            "serverlessMaxAcu": 16,
        }
    )
    assert config.postgres.engine is PostgresEngine.AURORA
    assert config.postgres.parameter_family == "aurora-postgresql16"
    assert config.postgres.serverless is not None
    assert (config.postgres.serverless.min_acu, config.postgres.serverless.max_acu) == (0.5, 16.0)


def test_serverless_valkey_cache_with_custom_limits() -> None:
    config = load(
        cache={
            "mode": "serverless",
            "serverless": {"maxStorageGb": 50, "dailySnapshotTime": "02:00"},
        }
    )
    assert config.cache.mode is CacheMode.SERVERLESS
    assert config.cache.engine is CacheEngine.VALKEY
    assert config.cache.auth is CacheAuth.IAM
    assert config.cache.serverless.max_storage_gb == 50
    assert config.cache.serverless.min_ecpu_per_second == 1000
    assert config.cache.serverless.daily_snapshot_time == "02:00"


def test_redis_engine_gets_its_own_version_and_family() -> None:
    config = load(cache={"engine": "redis"})
    assert (config.cache.engine_version, config.cache.parameter_family) == ("7.1", "redis7")
    # Redis user groups would need a default user of their own: an AUTH token instead.
    assert config.cache.auth is CacheAuth.TOKEN


@pytest.mark.parametrize("auth", ["token", "rbac"])
def test_a_stored_cache_credential_can_still_be_chosen(auth: str) -> None:
    assert load(cache={"auth": auth}).cache.auth is CacheAuth(auth)


@pytest.mark.parametrize(
    ("kwargs", "key", "fragment"),
    [
        ({"cache": {"shards": 0}}, "cache.shards", "must be 1..500"),
        ({"cache": {"replicasPerShard": 6}}, "cache.replicasPerShard", "must be 0..5"),
        ({"cache": {"replicasPerShard": 0}}, "cache.replicasPerShard", "automatic failover"),
        ({"cache": {"shards": 2}}, "cache.shards", "clusterMode is off"),
        ({"cache": {"mode": "cluster"}}, "cache.mode", "unknown value"),
        ({"cache": {"engine": "memcached"}}, "cache.engine", "unknown value"),
        ({"cache": {"engine": "redis", "engineVersion": "8.0"}}, "cache.engineVersion", "7.x"),
        ({"cache": {"engineVersion": "8"}}, "cache.engineVersion", "malformed"),
        (
            {"cache": {"mode": "serverless", "engine": "redis"}},
            "cache.engine",
            "RBAC users",
        ),
        ({"cache": {"auth": "rbac", "engine": "redis"}}, "cache.engine", "RBAC users"),
        ({"cache": {"auth": "iam", "engine": "redis"}}, "cache.engine", "(auth iam)"),
        ({"cache": {"mode": "serverless", "auth": "token"}}, "cache.auth", "no AUTH token"),
        ({"cache": {"auth": "acl"}}, "cache.auth", "unknown value"),
        (
            {"cache": {"serverless": {"minStorageGb": 20}}},
            "cache.serverless.minStorageGb",
            "above maxStorageGb",
        ),
        (
            {"cache": {"serverless": {"minEcpuPerSecond": 200000}}},
            "cache.serverless.minEcpuPerSecond",
            "above maxEcpuPerSecond",
        ),
        (
            {"cache": {"serverless": {"dailySnapshotTime": "3am"}}},
            "cache.serverless.dailySnapshotTime",
            "malformed",
        ),
        (
            {"cache": {"serverless": {"maxStorage": 5}}},
            "cache.serverless.maxStorage",
            "did you mean 'maxStorageGb'",
        ),
        ({"cache": {"snapshotWindow": "03:00-03:30"}}, "cache.snapshotWindow", "lasts 30"),
        (
            {"cache": {"snapshotWindow": "04:00-06:00"}},
            "cache.maintenanceWindow",
            "overlaps the backup window '04:00-06:00'",
        ),
        ({"postgres": {"engine": "mysql"}}, "postgres.engine", "unknown value 'mysql'"),
        ({"postgres": {"engineVersion": "sixteen"}}, "postgres.engineVersion", "malformed"),
        (
            {"postgres": {"engine": "aurora-postgresql", "multiAz": True, "replicaCount": 0}},
            "postgres.replicaCount",
            "Multi-AZ needs at least one",
        ),
        (
            {"postgres": {"engine": "aurora-postgresql", "crossRegionReplica": True}},
            "postgres.crossRegionReplica",
            "global database",
        ),
        (
            {"postgres": {"serverlessMinAcu": 1, "serverlessMaxAcu": 4}},
            "postgres.serverlessMinAcu",
            "needs engine aurora-postgresql",
        ),
        (
            {"postgres": {"engine": "aurora-postgresql", "serverlessMinAcu": 8}},
            "postgres.serverlessMaxAcu",
            "is required",
        ),
        (
            {
                "postgres": {
                    "engine": "aurora-postgresql",
                    "serverlessMinAcu": 8,
                    "serverlessMaxAcu": 4,
                }
            },
            "postgres.serverlessMinAcu",
            "above serverlessMaxAcu",
        ),
        (
            {
                "postgres": {
                    "engine": "aurora-postgresql",
                    "serverlessMinAcu": 0.7,
                    "serverlessMaxAcu": 4,
                }
            },
            "postgres.serverlessMinAcu",
            "multiple of 0.5",
        ),
        (
            {"postgres": {"maintenanceWindow": "monday:04:00-monday:05:00"}},
            "postgres.maintenanceWindow",
            "ddd:hh:mm-ddd:hh:mm",
        ),
        ({"postgres": {"backupWindow": "3:00-4:00"}}, "postgres.backupWindow", "hh:mm-hh:mm"),
        ({"postgres": {"backupWindow": "03:00-03:10"}}, "postgres.backupWindow", "lasts 10"),
        (
            {"postgres": {"backupWindow": "04:30-05:30"}},
            "postgres.maintenanceWindow",
            "overlaps the backup window",
        ),
        (
            # Sunday night into Monday: the week wraps, and Monday's daily backup is hit.
            {
                "postgres": {
                    "maintenanceWindow": "sun:23:30-mon:00:30",
                    "backupWindow": "00:00-01:00",
                }
            },
            "postgres.maintenanceWindow",
            "overlaps",
        ),
        (
            {"postgres": {"iops": 6000}},
            "postgres.iops",
            "needs allocatedStorageGb >= 400",
        ),
        ({"postgres": {"masterUsername": "postgres"}}, "postgres.masterUsername", "reserved"),
        ({"postgres": {"masterUsername": "Admin-1"}}, "postgres.masterUsername", "malformed"),
        (
            {"postgres": {"monitoringIntervalSeconds": 0}},
            "postgres.monitoringIntervalSeconds",
            "not an enhanced-monitoring interval",
        ),
        ({"postgres": {"proxy": {"iamAuth": "OPTIONAL"}}}, "postgres.proxy.iamAuth", "unknown"),
        (
            {"postgres": {"proxy": {"maxConnectionsPercent": 120}}},
            "postgres.proxy.maxConnectionsPercent",
            "must be 1..100",
        ),
        ({"postgres": {"drVpcCidr": "10.1.0.0/20"}}, "postgres.drVpcCidr", "too small"),
        ({"postgres": {"replicaCount": 16}}, "postgres.replicaCount", "must be 0..15"),
        ({"drRegion": "ap-northeast-2"}, "drRegion", "is the primary region"),
        (
            {"tier": "scale", "postgres": {"drVpcCidr": "10.0.0.0/16"}},
            "postgres.drVpcCidr",
            "overlaps network.vpcCidr",
        ),
        ({"tier": "scale", "drRegion": "ap-northeast-9"}, "drRegion", "unknown region"),
    ],
)
def test_bad_input_names_its_key(kwargs: dict[str, Any], key: str, fragment: str) -> None:
    caught = error(**kwargs)
    assert caught.key == f"{P}{key}"
    assert fragment in str(caught)


def test_adjacent_windows_are_fine() -> None:
    """Seed 002's backup ends when maintenance starts; touching is not overlapping."""
    config = load(
        postgres={"backupWindow": "03:00-04:00", "maintenanceWindow": "mon:04:00-mon:05:00"}
    )
    assert config.postgres.maintenance_window == "mon:04:00-mon:05:00"


def test_maintenance_window_is_normalised_to_lower_case() -> None:
    config = load(postgres={"maintenanceWindow": "Mon:04:00-Mon:05:00"})
    assert config.postgres.maintenance_window == "mon:04:00-mon:05:00"


def test_master_password_rotation_defaults_to_weekly_outside_the_busy_windows() -> None:
    rotation = load().postgres.rotation
    assert (rotation.schedule_expression, rotation.duration) == ("cron(0 18 ? * SAT *)", "2h")
    (window,) = rotation.windows()
    assert (window.daily, window.start, window.length) == (False, 5 * 24 * 60 + 18 * 60, 120)
    assert load().postgres.self_managed_master_password  # every tier has a replica


@pytest.mark.parametrize(
    ("schedule", "hours", "daily"),
    [
        ("rate(30 days)", 3, True),
        ("cron(0 20 ? * MON,THU *)", 1, False),
        ("cron(0 6 * * ? *)", 4, True),
    ],
)
def test_rotation_schedules_secrets_manager_accepts(schedule: str, hours: int, daily: bool) -> None:
    rotation = load(postgres={"rotation": {"scheduleExpression": schedule, "windowHours": hours}})
    windows = rotation.postgres.rotation.windows()
    assert windows
    assert {w.daily for w in windows} == {daily}
    assert rotation.postgres.rotation.duration == f"{hours}h"


@pytest.mark.parametrize(
    ("rotation", "key", "fragment"),
    [
        ({"scheduleExpression": "every week"}, "scheduleExpression", "malformed schedule"),
        ({"scheduleExpression": "rate(2000 days)"}, "scheduleExpression", "allows 1..1000"),
        ({"scheduleExpression": "cron(*/5 18 ? * SAT *)"}, "scheduleExpression", "malformed"),
        # Secrets Manager's window must end within the UTC day it starts.
        ({"scheduleExpression": "cron(0 23 ? * SAT *)"}, "windowHours", "past midnight"),
        ({"windowHours": 0}, "windowHours", "must be 1..24"),
        # The default backup window is 03:00-04:00 UTC and maintenance mon:04:00-mon:05:00.
        ({"scheduleExpression": "cron(30 3 ? * * *)"}, "scheduleExpression", "'03:00-04:00'"),
        (
            {"scheduleExpression": "cron(0 4 ? * 2 *)", "windowHours": 1},
            "scheduleExpression",
            "'mon:04:00-mon:05:00'",
        ),
        (
            {"scheduleExpression": "rate(7 days)", "windowHours": 4},
            "scheduleExpression",
            "overlaps",
        ),
    ],
)
def test_bad_rotation_names_its_key(rotation: dict[str, Any], key: str, fragment: str) -> None:
    caught = error(postgres={"rotation": rotation})
    assert caught.key == f"{P}postgres.rotation.{key}"
    assert fragment in str(caught)
