"""``trading-platform:postgres`` and ``trading-platform:cache``: the system of record and state."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Generic, Self, TypeVar

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from components.versions import (
    DEFAULT_AURORA_POSTGRES_VERSION,
    DEFAULT_RDS_POSTGRES_VERSION,
    Product,
    creation_problem,
)

from .errors import SettingError, raise_all
from .schema import (
    CHOICE,
    FLAG,
    RETENTION_DAYS,
    SCHEMA,
    Cidr,
    InstanceType,
    Integer,
    Number,
    OneOfIntegers,
    Text,
    Version,
    derived,
    with_sections,
)
from .windows import (
    DAILY_RULE,
    DAYS,
    WEEKLY_RULE,
    Window,
    parse_daily,
    parse_weekly,
    window_problems,
)

IDENTIFIER = Text(r"[a-z][a-z0-9_]{0,62}", "a lowercase PostgreSQL identifier, e.g. exchange")
# gp3 below 400 GB runs at a fixed 3000 IOPS / 125 MiB/s; RDS rejects other figures there.
GP3_PROVISIONED_FROM_GB = 400
# Names PostgreSQL and RDS keep for themselves; a master user cannot take them.
RESERVED_USERS = frozenset({"postgres", "rdsadmin", "rdsrepladmin", "admin", "public"})
_STORAGE_GB = Integer(20, 65536)


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


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class ProxyConfig:
    """RDS Proxy pool settings; defaults are seed 000's (80%, 120 s, 1800 s)."""

    iam_auth: Annotated[ProxyIamAuth, CHOICE] = Field(
        ProxyIamAuth.REQUIRED, description="clients authenticate with IAM tokens or passwords"
    )
    max_connections_percent: Annotated[int, Integer(1, 100)] = Field(
        80, description="share of `max_connections` the pool may use"
    )
    borrow_timeout_seconds: Annotated[int, Integer(0, 3600)] = Field(
        120, description="wait for a pooled connection"
    )
    idle_client_timeout_seconds: Annotated[int, Integer(1, 28800)] = Field(
        1800, description="idle client connections are closed after"
    )


# Secrets Manager's rotation schedules (API reference, RotationRulesType): rate(N days) with N
# 1..1000, whose window starts at midnight UTC, or a six-field cron (minutes hours day-of-month
# month day-of-week year), UTC. Minutes and hours are fixed numbers here so the window can be
# checked against the database's backup and maintenance windows.
_RATE = re.compile(r"rate\((?P<days>[1-9]\d{0,3}) days?\)")
_CRON = re.compile(
    r"cron\((?P<minute>[0-5]?\d) (?P<hour>[01]?\d|2[0-3]) (?P<dom>\S+) (?P<month>\S+) "
    r"(?P<dow>\S+) (?P<year>\S+)\)"
)
SCHEDULE_RULE = (
    "rate(N days) with N 1..1000, or cron(M H day-of-month month day-of-week year) with fixed "
    "minute M and hour H, UTC"
)
# AWS cron day-of-week numbers: 1 is Sunday.
_CRON_DAYS = {
    **{day.upper(): day for day in DAYS},
    **{str((index + 1) % 7 + 1): day for index, day in enumerate(DAYS)},
}


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class RotationConfig:
    """When Secrets Manager rotates the PostgreSQL master password (either engine's secret)."""

    # Weekly, as RDS does for the secrets it manages; Saturday 18:00 UTC is Sunday 03:00 in Seoul,
    # clear of seed 002's backup (03:00-04:00) and maintenance (mon:04:00-05:00) windows.
    schedule_expression: Annotated[str, Text(rule=SCHEDULE_RULE)] = Field(
        "cron(0 18 ? * SAT *)", description="Secrets Manager `rate(N days)` or `cron(...)`, UTC"
    )
    window_hours: Annotated[int, Integer(1, 24)] = Field(
        2, description="rotation runs within this many hours of the schedule's start"
    )

    @property
    def duration(self) -> str:
        """Secrets Manager's ``Duration``: the window's length in hours."""
        return f"{self.window_hours}h"

    def windows(self) -> list[Window]:
        """The rotation windows in a week (daily, or on the cron's days), or [] when the
        expression is malformed (reported by ``_check``)."""
        text, length = self.schedule_expression, self.window_hours * 60
        if _RATE.fullmatch(text):
            return [Window(text, 0, length, daily=True)]
        cron = _CRON.fullmatch(text)
        if cron is None:
            return []
        start = int(cron["hour"]) * 60 + int(cron["minute"])
        days = [day.upper() for day in cron["dow"].split(",")]
        if all(day in _CRON_DAYS for day in days):
            return [
                Window(text, DAYS.index(_CRON_DAYS[day]) * 24 * 60 + start, length, daily=False)
                for day in days
            ]
        # Ranges, steps, "?" or "*": checked as if it ran every day, never too lenient.
        return [Window(text, start, length, daily=True)]

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[SettingError] = []
        rate = _RATE.fullmatch(self.schedule_expression)
        cron = _CRON.fullmatch(self.schedule_expression)
        if rate is None and cron is None:
            problems.append(
                SettingError(
                    f"malformed schedule {self.schedule_expression!r}",
                    SCHEDULE_RULE,
                    at=("scheduleExpression",),
                )
            )
        elif rate is not None and not 1 <= int(rate["days"]) <= 1000:
            problems.append(
                SettingError(
                    f"rotates every {rate['days']} days; Secrets Manager allows 1..1000",
                    at=("scheduleExpression",),
                )
            )
        elif cron is not None:
            start = int(cron["hour"]) * 60 + int(cron["minute"])
            if start + self.window_hours * 60 > 24 * 60:
                problems.append(
                    SettingError(
                        f"({self.window_hours}) runs the window from {cron['hour']}:"
                        f"{int(cron['minute']):02d} past midnight UTC; Secrets Manager's window "
                        "must end within the UTC day it starts",
                        at=("windowHours",),
                    )
                )
        raise_all(problems)
        return self


@dataclass(frozen=True)
class ServerlessCapacity:
    """Aurora Serverless v2 capacity in ACUs (1 ACU is about 2 GiB of memory)."""

    min_acu: float
    max_acu: float


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class PostgresConfig(_EngineVersion[PostgresEngine]):
    engine: Annotated[PostgresEngine, CHOICE] = Field(
        PostgresEngine.POSTGRES, description="`postgres` (RDS) or `aurora-postgresql`"
    )
    # "": the engine's default (components/versions.py), filled in below.
    engine_version: Annotated[
        str, Version(r"\d{2}(\.\d{1,2})?", "e.g. '16' or '16.11'", decimals=2)
    ] = Field(
        "",
        description="postgres: the major, RDS picks the minor; aurora-postgresql: a full "
        "version, AWS's minor upgrades ignored; minors AWS no longer creates are refused",
        json_schema_extra=derived(
            f"{DEFAULT_RDS_POSTGRES_VERSION} for postgres, "
            f"{DEFAULT_AURORA_POSTGRES_VERSION} for aurora-postgresql"
        ),
    )
    instance_class: Annotated[str, InstanceType("db.")] = Field(description="writer")
    multi_az: Annotated[bool, FLAG] = Field(description="standby (RDS) or reader failover")
    replica_count: Annotated[int, Integer(0, 15)] = Field(description="read replicas")
    replica_instance_class: Annotated[str, InstanceType("db.")] = Field(description="replicas")
    allocated_storage_gb: Annotated[int, _STORAGE_GB] = Field(description="gp3 at start")
    max_allocated_storage_gb: Annotated[int, _STORAGE_GB] = Field(
        description="storage autoscaling ceiling"
    )
    iops: Annotated[int, Integer(3000, 64000)] = Field(
        description=f"gp3; only 3000 below {GP3_PROVISIONED_FROM_GB} GB"
    )
    storage_throughput: Annotated[int, Integer(125, 4000)] = Field(
        description=f"gp3 MiB/s; only 125 below {GP3_PROVISIONED_FROM_GB} GB"
    )
    # RDS keeps automated backups for 1-35 days; 0 would turn backups off.
    backup_retention_days: Annotated[int, Integer(1, 35)] = Field(description="automated backups")
    # RDS wants at least 30 minutes for each window (seed 002's windows are the defaults).
    backup_window: Annotated[str, Text(rule=DAILY_RULE)] = Field(
        "03:00-04:00", description="daily, UTC; at least 30 minutes"
    )
    maintenance_window: Annotated[str, Text(rule=WEEKLY_RULE)] = Field(
        "mon:04:00-mon:05:00", description="weekly, UTC; must not overlap the backup window"
    )
    cross_region_replica: Annotated[bool, FLAG] = Field(description="DR replica in `drRegion`")
    dr_vpc_cidr: Annotated[str, Cidr((16, 18), "is too small for the /24 database subnets")] = (
        Field("10.1.0.0/16", description="DR VPC; must not overlap `network.vpcCidr`")
    )
    database_name: Annotated[str, IDENTIFIER] = Field("exchange", description="initial database")
    master_username: Annotated[str, IDENTIFIER] = Field(
        "trading_admin", description="RDS-managed master user (not a reserved name)"
    )
    max_connections: Annotated[int, Integer(20, 10000)] = Field(description="parameter group")
    work_mem_kb: Annotated[int, Integer(64, 2147483647)] = Field(description="parameter group")
    maintenance_work_mem_kb: Annotated[int, Integer(1024, 2147483647)] = Field(
        description="parameter group"
    )
    slow_query_ms: Annotated[int, Integer(0, 60000)] = Field(
        description="`log_min_duration_statement`"
    )
    # 0 would turn enhanced monitoring off.
    monitoring_interval_seconds: Annotated[
        int, OneOfIntegers((1, 5, 10, 15, 30, 60), "an enhanced-monitoring interval")
    ] = Field(60, description="enhanced monitoring")
    serverless_min_acu: Annotated[float, Number(0.5, 256, step=0.5)] | None = Field(
        None, description="Aurora Serverless v2 floor, with `serverlessMaxAcu`"
    )
    serverless_max_acu: Annotated[float, Number(1, 256, step=0.5)] | None = Field(
        None, description="Aurora Serverless v2 ceiling, with `serverlessMinAcu`"
    )
    proxy: ProxyConfig = Field(description="RDS Proxy")
    rotation: RotationConfig = Field(description="master password rotation")

    @property
    def self_managed_master_password(self) -> bool:
        """RDS refuses read replicas (same- or cross-region) of an instance whose master
        password it manages, so then the password is ours and a rotation function rotates it;
        otherwise RDS (or Aurora) manages it and Secrets Manager's managed rotation does."""
        return self.engine is PostgresEngine.POSTGRES and (
            self.replica_count > 0 or self.cross_region_replica
        )

    @property
    def pins_minor(self) -> bool:
        """A full version (``16.11``) rather than the major alone: AWS's minor upgrades then
        differ from the config, and the database ignores that drift."""
        return "." in self.engine_version

    @property
    def serverless(self) -> ServerlessCapacity | None:
        """Serverless v2 capacity, or None for provisioned instances."""
        if self.serverless_min_acu is None or self.serverless_max_acu is None:
            return None
        return ServerlessCapacity(self.serverless_min_acu, self.serverless_max_acu)

    @model_validator(mode="before")
    @classmethod
    def _sections(cls, data: Any) -> Any:
        return with_sections(data, "proxy", "rotation")

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems, maintenance = window_problems(
            "backupWindow", self.backup_window, self.maintenance_window, minimum_minutes=30
        )
        aurora = self.engine is PostgresEngine.AURORA
        version = self.engine_version or (
            DEFAULT_AURORA_POSTGRES_VERSION if aurora else DEFAULT_RDS_POSTGRES_VERSION
        )
        problems += _version_problems(aurora, version)
        if self.max_allocated_storage_gb < self.allocated_storage_gb:
            problems.append(
                SettingError(
                    f"({self.max_allocated_storage_gb}) is below allocatedStorageGb "
                    f"({self.allocated_storage_gb}); storage autoscaling needs a ceiling at or "
                    "above the starting size",
                    at=("maxAllocatedStorageGb",),
                )
            )
        if self.allocated_storage_gb < GP3_PROVISIONED_FROM_GB and (
            self.iops,
            self.storage_throughput,
        ) != (3000, 125):
            problems.append(
                SettingError(
                    f"{self.iops} IOPS / {self.storage_throughput} MiB/s needs "
                    f"allocatedStorageGb >= {GP3_PROVISIONED_FROM_GB}; below that gp3 runs at "
                    "3000 / 125",
                    at=("iops",),
                )
            )
        # Aurora has no hidden standby: a Multi-AZ Aurora cluster fails over to a reader.
        if aurora and self.multi_az and self.replica_count == 0:
            problems.append(
                SettingError(
                    "is 0 but multiAz is on; an Aurora cluster fails over to a reader instance, "
                    "so Multi-AZ needs at least one",
                    ">= 1 with engine aurora-postgresql and multiAz",
                    at=("replicaCount",),
                )
            )
        if aurora and self.cross_region_replica:
            problems.append(
                SettingError(
                    "is on with engine aurora-postgresql; cross-region Aurora needs a global "
                    "database, which cannot use the RDS-managed master password this project "
                    "requires",
                    "false with aurora-postgresql, or engine postgres",
                    at=("crossRegionReplica",),
                )
            )
        if self.master_username in RESERVED_USERS:
            problems.append(
                SettingError(f"{self.master_username!r} is reserved", at=("masterUsername",))
            )
        problems += self._serverless_problems()
        if not problems:
            problems += self._rotation_problems()
        raise_all(problems)
        object.__setattr__(self, "engine_version", version)
        object.__setattr__(self, "maintenance_window", maintenance)
        return self

    def _rotation_problems(self) -> list[SettingError]:
        """A rotation restarts no instance, but it logs in and changes the password: not while
        RDS takes the backup or patches the instance."""
        busy = {
            "backupWindow": parse_daily(self.backup_window, minimum_minutes=30),
            "maintenanceWindow": parse_weekly(self.maintenance_window, minimum_minutes=30),
        }
        clashes = {
            f"{key} {other.text!r}"
            for key, other in busy.items()
            if any(window.overlaps(other) for window in self.rotation.windows())
        }
        if not clashes:
            return []
        return [
            SettingError(
                f"{self.rotation.schedule_expression!r} with a {self.rotation.window_hours} h "
                f"window overlaps {' and '.join(sorted(clashes))}",
                at=("rotation", "scheduleExpression"),
            )
        ]

    def _serverless_problems(self) -> list[SettingError]:
        """Both ``serverlessMinAcu`` and ``serverlessMaxAcu``, or neither (provisioned)."""
        low, high = self.serverless_min_acu, self.serverless_max_acu
        if low is None and high is None:
            return []
        name = "serverlessMinAcu" if low is not None else "serverlessMaxAcu"
        if self.engine is not PostgresEngine.AURORA:
            return [
                SettingError("Serverless v2 capacity needs engine aurora-postgresql", at=(name,))
            ]
        if low is None or high is None:
            missing = "serverlessMaxAcu" if low is not None else "serverlessMinAcu"
            return [SettingError("is required when the other ACU bound is set", at=(missing,))]
        if low > high:
            return [
                SettingError(
                    f"({low}) is above serverlessMaxAcu ({high})", at=("serverlessMinAcu",)
                )
            ]
        return []


def _version_problems(aurora: bool, version: str) -> list[SettingError]:
    at = ("engineVersion",)
    # Aurora clusters are created at an exact version; the major alone names none.
    if aurora and "." not in version:
        return [
            SettingError(
                f"is the major {version!r} alone; aurora-postgresql needs a full version",
                f"e.g. '{DEFAULT_AURORA_POSTGRES_VERSION}'",
                at=at,
            )
        ]
    product = Product.AURORA_POSTGRES if aurora else Product.RDS_POSTGRES
    problem = creation_problem(product, version)
    return [SettingError(problem, at=at)] if problem else []


class CacheMode(StrEnum):
    REPLICATION_GROUP = "replication-group"  # provisioned nodes, sized by the tier
    SERVERLESS = "serverless"  # ElastiCache Serverless, scales within usage limits


class CacheEngine(StrEnum):
    REDIS = "redis"
    VALKEY = "valkey"


class CacheAuth(StrEnum):
    TOKEN = "token"  # one AUTH token (replication groups only)
    RBAC = "rbac"  # an application user in a user group, with an access string and a password
    # The same user, authenticated by a short-lived SigV4 token its IAM role signs: no static
    # secret exists (ElastiCache user guide, "Authenticating with IAM": Valkey 7.2+ or Redis OSS
    # 7.0+, TLS required).
    IAM = "iam"

    @property
    def has_user(self) -> bool:
        """An RBAC user in a user group (password or IAM), rather than an AUTH token."""
        return self is not CacheAuth.TOKEN


# The newest version of each engine this project is tested against.
DEFAULT_CACHE_VERSION = {CacheEngine.REDIS: "7.1", CacheEngine.VALKEY: "8.0"}
_ECPU = Integer(1000, 15_000_000)
_CACHE_GB = Integer(1, 5000)


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class CacheServerlessConfig:
    """Usage limits for ``mode: serverless``; defaults are seed 000's (1-10 GB, 1K-100K ECPU/s)."""

    min_storage_gb: Annotated[int, _CACHE_GB] = Field(1, description="storage floor")
    max_storage_gb: Annotated[int, _CACHE_GB] = Field(10, description="storage ceiling")
    min_ecpu_per_second: Annotated[int, _ECPU] = Field(1000, description="ECPU/s floor")
    max_ecpu_per_second: Annotated[int, _ECPU] = Field(100_000, description="ECPU/s ceiling")
    daily_snapshot_time: Annotated[str, Text(r"([01]\d|2[0-3]):[0-5]\d", "'hh:mm' in UTC")] = Field(
        "03:00", description="daily snapshot, UTC"
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems: list[SettingError] = []
        if self.min_storage_gb > self.max_storage_gb:
            problems.append(
                SettingError(
                    f"({self.min_storage_gb}) is above maxStorageGb ({self.max_storage_gb})",
                    at=("minStorageGb",),
                )
            )
        if self.min_ecpu_per_second > self.max_ecpu_per_second:
            problems.append(
                SettingError(
                    f"({self.min_ecpu_per_second}) is above maxEcpuPerSecond "
                    f"({self.max_ecpu_per_second})",
                    at=("minEcpuPerSecond",),
                )
            )
        raise_all(problems)
        return self


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class CacheConfig(_EngineVersion[CacheEngine]):
    mode: Annotated[CacheMode, CHOICE] = Field(
        description="`replication-group` (tier-sized nodes) or `serverless`"
    )
    engine: Annotated[CacheEngine, CHOICE] = Field(
        CacheEngine.VALKEY, description="`valkey` or `redis`"
    )
    # "": the engine's default version (DEFAULT_CACHE_VERSION), filled in below.
    engine_version: Annotated[str, Version(r"\d\.\d", "major.minor, e.g. '8.0'", decimals=1)] = (
        Field(
            "",
            description="valkey 7.x or 8.x, redis 7.x",
            json_schema_extra=derived("8.0 for valkey, 7.1 for redis"),
        )
    )
    # None: iam for valkey or Serverless (no static secret), else token; filled in below.
    auth: Annotated[CacheAuth, CHOICE] | None = Field(
        None,
        description="`iam`: an RBAC user that signs IAM tokens, no password; `rbac`: the same "
        "user with a password; `token`: one AUTH token (not on Serverless)",
        json_schema_extra=derived("`iam` with valkey or serverless, else `token`"),
    )
    node_type: Annotated[str, InstanceType("cache.")] = Field(description="replication group")
    cluster_mode: Annotated[bool, FLAG] = Field(description="shard the keyspace")
    shards: Annotated[int, Integer(1, 500)] = Field(description="1 without cluster mode")
    replicas_per_shard: Annotated[int, Integer(0, 5)] = Field(
        description="at least 1 for Multi-AZ failover"
    )
    snapshot_retention_days: Annotated[int, Integer(1, 35)] = Field(description="daily snapshots")
    # ElastiCache wants at least 60 minutes for each window (seed 001's are the defaults).
    snapshot_window: Annotated[str, Text(rule=DAILY_RULE)] = Field(
        "03:00-05:00", description="daily, UTC; at least 60 minutes"
    )
    maintenance_window: Annotated[str, Text(rule=WEEKLY_RULE)] = Field(
        "mon:05:00-mon:07:00", description="weekly, UTC; must not overlap the snapshot window"
    )
    log_retention_days: Annotated[int, RETENTION_DAYS] = Field(
        30, description="slow-log and engine-log groups"
    )
    serverless: CacheServerlessConfig = Field(description="`mode: serverless` usage limits")

    @property
    def is_serverless(self) -> bool:
        """ElastiCache Serverless rather than a replication group."""
        return self.mode is CacheMode.SERVERLESS

    @model_validator(mode="before")
    @classmethod
    def _sections(cls, data: Any) -> Any:
        return with_sections(data, "serverless")

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems, maintenance = window_problems(
            "snapshotWindow", self.snapshot_window, self.maintenance_window, minimum_minutes=60
        )
        version = self.engine_version or DEFAULT_CACHE_VERSION[self.engine]
        major = version.split(".")[0]
        if self.engine is CacheEngine.REDIS and major != "7":
            problems.append(SettingError("redis needs 7.x here", "7.0, 7.1", at=("engineVersion",)))
        if self.engine is CacheEngine.VALKEY and major not in ("7", "8"):
            problems.append(
                SettingError("valkey needs 7.x or 8.x", "7.2, 8.0, 8.1", at=("engineVersion",))
            )
        auth = self.auth or (
            CacheAuth.IAM
            if self.engine is CacheEngine.VALKEY or self.is_serverless
            else CacheAuth.TOKEN
        )
        if self.is_serverless and auth is CacheAuth.TOKEN:
            problems.append(SettingError("Serverless has no AUTH token", "iam, rbac", at=("auth",)))
        # Valkey user groups need no "default" user; Redis ones would need a disabled one too.
        if auth.has_user and self.engine is not CacheEngine.VALKEY:
            problems.append(
                SettingError(
                    f"is {self.engine.value} but RBAC users (auth {auth.value}) are valkey "
                    "users here",
                    "valkey",
                    at=("engine",),
                )
            )
        if not self.cluster_mode and self.shards != 1:
            problems.append(
                SettingError(
                    f"is {self.shards} but clusterMode is off; only cluster mode shards",
                    "1 without cluster mode",
                    at=("shards",),
                )
            )
        # Multi-AZ with automatic failover promotes a replica; with none there is nothing to.
        if self.mode is CacheMode.REPLICATION_GROUP and self.replicas_per_shard == 0:
            problems.append(
                SettingError(
                    "is 0; automatic failover and Multi-AZ need at least one replica per shard",
                    "1..5",
                    at=("replicasPerShard",),
                )
            )
        raise_all(problems)
        object.__setattr__(self, "engine_version", version)
        object.__setattr__(self, "auth", auth)
        object.__setattr__(self, "maintenance_window", maintenance)
        return self
