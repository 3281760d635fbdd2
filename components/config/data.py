"""``trading-platform:postgres`` and ``trading-platform:cache``: the system of record and state."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from .errors import ConfigError
from .reader import ConfigReader, parse_cidr
from .windows import read_windows

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_POSTGRES_VERSION = re.compile(r"^\d{2}(\.\d{1,2})?$")
_CACHE_VERSION = re.compile(r"^\d\.\d$")
_DAILY_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# gp3 below 400 GB runs at a fixed 3000 IOPS / 125 MiB/s; RDS rejects other figures there.
GP3_PROVISIONED_FROM_GB = 400
# Names PostgreSQL and RDS keep for themselves; a master user cannot take them.
_RESERVED_USERS = frozenset({"postgres", "rdsadmin", "rdsrepladmin", "admin", "public"})


class PostgresEngine(StrEnum):
    POSTGRES = "postgres"  # RDS for PostgreSQL: one instance (+ Multi-AZ standby) and replicas
    AURORA = "aurora-postgresql"  # an Aurora cluster: writer + reader instances on shared storage


class ProxyIamAuth(StrEnum):
    REQUIRED = "REQUIRED"  # clients connect with IAM tokens; no database password in apps
    DISABLED = "DISABLED"  # clients send the database user's password


E = TypeVar("E", bound=StrEnum)


class _EngineVersion(Generic[E]):
    """Engine and version of a data store, and the parameter-group family they imply."""

    engine: E
    engine_version: str

    @property
    def major_version(self) -> str:
        return self.engine_version.split(".")[0]

    @property
    def parameter_family(self) -> str:
        """e.g. ``postgres16``, ``aurora-postgresql16``, ``valkey8``."""
        return f"{self.engine.value}{self.major_version}"


@dataclass(frozen=True)
class ProxyConfig:
    iam_auth: ProxyIamAuth
    max_connections_percent: int
    borrow_timeout_seconds: int
    idle_client_timeout_seconds: int


@dataclass(frozen=True)
class ServerlessCapacity:
    """Aurora Serverless v2 capacity in ACUs (1 ACU is about 2 GiB of memory)."""

    min_acu: float
    max_acu: float


@dataclass(frozen=True)
class PostgresConfig(_EngineVersion[PostgresEngine]):
    engine: PostgresEngine
    engine_version: str
    instance_class: str
    multi_az: bool
    replica_count: int
    replica_instance_class: str
    allocated_storage_gb: int
    max_allocated_storage_gb: int
    iops: int
    storage_throughput: int
    backup_retention_days: int
    backup_window: str
    maintenance_window: str
    cross_region_replica: bool
    dr_vpc_cidr: str
    database_name: str
    master_username: str
    max_connections: int
    work_mem_kb: int
    maintenance_work_mem_kb: int
    slow_query_ms: int
    monitoring_interval_seconds: int
    serverless: ServerlessCapacity | None
    proxy: ProxyConfig


class CacheMode(StrEnum):
    REPLICATION_GROUP = "replication-group"  # provisioned nodes, sized by the tier
    SERVERLESS = "serverless"  # ElastiCache Serverless, scales within usage limits


class CacheEngine(StrEnum):
    REDIS = "redis"
    VALKEY = "valkey"


class CacheAuth(StrEnum):
    TOKEN = "token"  # one AUTH token (replication groups only)
    RBAC = "rbac"  # an application user in a user group, with an access string


# The newest version of each engine this project is tested against.
DEFAULT_CACHE_VERSION = {CacheEngine.REDIS: "7.1", CacheEngine.VALKEY: "8.0"}


@dataclass(frozen=True)
class CacheServerlessConfig:
    min_storage_gb: int
    max_storage_gb: int
    min_ecpu_per_second: int
    max_ecpu_per_second: int
    daily_snapshot_time: str


@dataclass(frozen=True)
class CacheConfig(_EngineVersion[CacheEngine]):
    mode: CacheMode
    engine: CacheEngine
    engine_version: str
    auth: CacheAuth
    node_type: str
    cluster_mode: bool
    shards: int
    replicas_per_shard: int
    snapshot_retention_days: int
    snapshot_window: str
    maintenance_window: str
    log_retention_days: int
    serverless: CacheServerlessConfig


def parse_postgres(section: ConfigReader) -> PostgresConfig:
    engine = PostgresEngine(section.string("engine", "postgres", choices=list(PostgresEngine)))
    allocated = section.integer("allocatedStorageGb", minimum=20, maximum=65536)
    maximum = section.integer("maxAllocatedStorageGb", minimum=20, maximum=65536)
    if maximum < allocated:
        raise ConfigError(
            section.key("maxAllocatedStorageGb"),
            f"({maximum}) is below allocatedStorageGb ({allocated}); storage autoscaling "
            "needs a ceiling at or above the starting size",
        )
    iops = section.integer("iops", minimum=3000, maximum=64000)
    throughput = section.integer("storageThroughput", minimum=125, maximum=4000)
    if allocated < GP3_PROVISIONED_FROM_GB and (iops, throughput) != (3000, 125):
        raise ConfigError(
            section.key("iops"),
            f"{iops} IOPS / {throughput} MiB/s needs allocatedStorageGb >= "
            f"{GP3_PROVISIONED_FROM_GB}; below that gp3 runs at 3000 / 125",
        )
    multi_az = section.boolean("multiAz")
    replica_count = section.integer("replicaCount", minimum=0, maximum=15)
    # Aurora has no hidden standby: a Multi-AZ Aurora cluster fails over to a reader instance.
    if engine is PostgresEngine.AURORA and multi_az and replica_count == 0:
        raise ConfigError(
            section.key("replicaCount"),
            "is 0 but multiAz is on; an Aurora cluster fails over to a reader instance, so "
            "Multi-AZ needs at least one",
            ">= 1 with engine aurora-postgresql and multiAz",
        )
    cross_region = section.boolean("crossRegionReplica")
    if engine is PostgresEngine.AURORA and cross_region:
        raise ConfigError(
            section.key("crossRegionReplica"),
            "is on with engine aurora-postgresql; cross-region Aurora needs a global database, "
            "which cannot use the RDS-managed master password this project requires",
            "false with aurora-postgresql, or engine postgres",
        )

    # RDS wants at least 30 minutes for each window (seed 002's windows are the defaults).
    backup, maintenance = read_windows(
        section, "backupWindow", "03:00-04:00", "mon:04:00-mon:05:00", minimum_minutes=30
    )

    dr_vpc_cidr = section.string("drVpcCidr", "10.1.0.0/16")
    dr_vpc = parse_cidr(section.key("drVpcCidr"), dr_vpc_cidr)
    if not 16 <= dr_vpc.prefixlen <= 18:
        raise ConfigError(
            section.key("drVpcCidr"),
            f"/{dr_vpc.prefixlen} is too small for the /24 database subnets",
            "/16 to /18",
        )

    master_username = section.string(
        "masterUsername",
        "trading_admin",
        pattern=_IDENTIFIER,
        describe="a lowercase PostgreSQL identifier, e.g. trading_admin",
    )
    if master_username in _RESERVED_USERS:
        raise ConfigError(section.key("masterUsername"), f"{master_username!r} is reserved")

    config = PostgresConfig(
        engine=engine,
        engine_version=section.string(
            "engineVersion", "16.6", pattern=_POSTGRES_VERSION, describe="e.g. '16.6' or '16'"
        ),
        instance_class=section.instance_type("instanceClass", prefix="db."),
        multi_az=multi_az,
        replica_count=replica_count,
        replica_instance_class=section.instance_type("replicaInstanceClass", prefix="db."),
        allocated_storage_gb=allocated,
        max_allocated_storage_gb=maximum,
        iops=iops,
        storage_throughput=throughput,
        # RDS keeps automated backups for 1-35 days; 0 would turn backups off.
        backup_retention_days=section.integer("backupRetentionDays", minimum=1, maximum=35),
        backup_window=backup.text,
        maintenance_window=maintenance.text,
        cross_region_replica=cross_region,
        dr_vpc_cidr=dr_vpc_cidr,
        database_name=section.string(
            "databaseName",
            "exchange",
            pattern=_IDENTIFIER,
            describe="a lowercase PostgreSQL identifier, e.g. exchange",
        ),
        master_username=master_username,
        max_connections=section.integer("maxConnections", minimum=20, maximum=10000),
        work_mem_kb=section.integer("workMemKb", minimum=64, maximum=2147483647),
        maintenance_work_mem_kb=section.integer(
            "maintenanceWorkMemKb", minimum=1024, maximum=2147483647
        ),
        slow_query_ms=section.integer("slowQueryMs", minimum=0, maximum=60000),
        monitoring_interval_seconds=_monitoring_interval(section),
        serverless=_serverless_capacity(section, engine),
        proxy=_proxy(section.section("proxy")),
    )
    section.done()
    return config


def _monitoring_interval(section: ConfigReader) -> int:
    interval = section.integer("monitoringIntervalSeconds", 60)
    allowed = (1, 5, 10, 15, 30, 60)  # 0 would turn enhanced monitoring off
    if interval not in allowed:
        raise ConfigError(
            section.key("monitoringIntervalSeconds"),
            f"{interval} is not an enhanced-monitoring interval",
            ", ".join(map(str, allowed)),
        )
    return interval


def _serverless_capacity(
    section: ConfigReader, engine: PostgresEngine
) -> ServerlessCapacity | None:
    """Both ``serverlessMinAcu`` and ``serverlessMaxAcu``, or neither (provisioned instances)."""
    has_min, has_max = section.has("serverlessMinAcu"), section.has("serverlessMaxAcu")
    if not has_min and not has_max:
        return None
    key = section.key("serverlessMinAcu" if has_min else "serverlessMaxAcu")
    if engine is not PostgresEngine.AURORA:
        raise ConfigError(key, "Serverless v2 capacity needs engine aurora-postgresql")
    if not (has_min and has_max):
        missing = "serverlessMaxAcu" if has_min else "serverlessMinAcu"
        raise ConfigError(section.key(missing), "is required when the other ACU bound is set")
    min_acu = section.number("serverlessMinAcu", minimum=0.5, maximum=256)
    max_acu = section.number("serverlessMaxAcu", minimum=1, maximum=256)
    for name, value in (("serverlessMinAcu", min_acu), ("serverlessMaxAcu", max_acu)):
        if value * 2 != int(value * 2):
            raise ConfigError(section.key(name), f"{value} is not a multiple of 0.5 ACU")
    if min_acu > max_acu:
        raise ConfigError(
            section.key("serverlessMinAcu"),
            f"({min_acu}) is above serverlessMaxAcu ({max_acu})",
        )
    return ServerlessCapacity(min_acu=min_acu, max_acu=max_acu)


def _proxy(section: ConfigReader) -> ProxyConfig:
    """RDS Proxy pool settings; defaults are seed 000's (80%, 120 s, 1800 s)."""
    config = ProxyConfig(
        iam_auth=ProxyIamAuth(section.string("iamAuth", "REQUIRED", choices=list(ProxyIamAuth))),
        max_connections_percent=section.integer(
            "maxConnectionsPercent", 80, minimum=1, maximum=100
        ),
        borrow_timeout_seconds=section.integer(
            "borrowTimeoutSeconds", 120, minimum=0, maximum=3600
        ),
        idle_client_timeout_seconds=section.integer(
            "idleClientTimeoutSeconds", 1800, minimum=1, maximum=28800
        ),
    )
    section.done()
    return config


def parse_cache(section: ConfigReader) -> CacheConfig:
    mode = CacheMode(section.string("mode", choices=list(CacheMode)))
    engine = CacheEngine(section.string("engine", "valkey", choices=list(CacheEngine)))
    engine_version = section.string(
        "engineVersion",
        DEFAULT_CACHE_VERSION[engine],
        pattern=_CACHE_VERSION,
        describe="major.minor, e.g. '8.0' for valkey or '7.1' for redis",
    )
    if engine is CacheEngine.REDIS and engine_version.split(".")[0] != "7":
        raise ConfigError(section.key("engineVersion"), "redis needs 7.x here", "7.0, 7.1")
    if engine is CacheEngine.VALKEY and engine_version.split(".")[0] not in ("7", "8"):
        raise ConfigError(section.key("engineVersion"), "valkey needs 7.x or 8.x", "7.2, 8.0, 8.1")

    serverless = mode is CacheMode.SERVERLESS
    auth = CacheAuth(
        section.string("auth", "rbac" if serverless else "token", choices=list(CacheAuth))
    )
    if serverless and auth is CacheAuth.TOKEN:
        raise ConfigError(section.key("auth"), "Serverless has no AUTH token", "rbac")
    # Valkey user groups need no "default" user; Redis ones would need a disabled one as well.
    if auth is CacheAuth.RBAC and engine is not CacheEngine.VALKEY:
        raise ConfigError(
            section.key("engine"),
            f"is {engine.value} but RBAC users (auth rbac, implied by mode serverless) are "
            "valkey users here",
            "valkey",
        )
    cluster_mode = section.boolean("clusterMode")
    shards = section.integer("shards", minimum=1, maximum=500)
    replicas = section.integer("replicasPerShard", minimum=0, maximum=5)
    if not cluster_mode and shards != 1:
        raise ConfigError(
            section.key("shards"),
            f"is {shards} but clusterMode is off; only cluster mode shards",
            "1 without cluster mode",
        )
    # Multi-AZ with automatic failover promotes a replica; with none there is nothing to promote.
    if mode is CacheMode.REPLICATION_GROUP and replicas == 0:
        raise ConfigError(
            section.key("replicasPerShard"),
            "is 0; automatic failover and Multi-AZ need at least one replica per shard",
            "1..5",
        )

    # ElastiCache wants at least 60 minutes for each window (seed 001's are the defaults).
    snapshot, maintenance = read_windows(
        section, "snapshotWindow", "03:00-05:00", "mon:05:00-mon:07:00", minimum_minutes=60
    )

    config = CacheConfig(
        mode=mode,
        engine=engine,
        engine_version=engine_version,
        auth=auth,
        node_type=section.instance_type("nodeType", prefix="cache."),
        cluster_mode=cluster_mode,
        shards=shards,
        replicas_per_shard=replicas,
        snapshot_retention_days=section.integer("snapshotRetentionDays", minimum=1, maximum=35),
        snapshot_window=snapshot.text,
        maintenance_window=maintenance.text,
        log_retention_days=section.log_retention_days("logRetentionDays", 30),
        serverless=_cache_serverless(section.section("serverless")),
    )
    section.done()
    return config


def _cache_serverless(section: ConfigReader) -> CacheServerlessConfig:
    """Usage limits for ``mode: serverless``; defaults are seed 000's (1-10 GB, 1K-100K ECPU/s)."""
    min_gb = section.integer("minStorageGb", 1, minimum=1, maximum=5000)
    max_gb = section.integer("maxStorageGb", 10, minimum=1, maximum=5000)
    if min_gb > max_gb:
        raise ConfigError(
            section.key("minStorageGb"), f"({min_gb}) is above maxStorageGb ({max_gb})"
        )
    min_ecpu = section.integer("minEcpuPerSecond", 1000, minimum=1000, maximum=15_000_000)
    max_ecpu = section.integer("maxEcpuPerSecond", 100_000, minimum=1000, maximum=15_000_000)
    if min_ecpu > max_ecpu:
        raise ConfigError(
            section.key("minEcpuPerSecond"), f"({min_ecpu}) is above maxEcpuPerSecond ({max_ecpu})"
        )
    config = CacheServerlessConfig(
        min_storage_gb=min_gb,
        max_storage_gb=max_gb,
        min_ecpu_per_second=min_ecpu,
        max_ecpu_per_second=max_ecpu,
        daily_snapshot_time=section.string(
            "dailySnapshotTime", "03:00", pattern=_DAILY_TIME, describe="'hh:mm' in UTC"
        ),
    )
    section.done()
    return config
