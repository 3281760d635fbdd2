"""``trading-platform:postgres`` and ``trading-platform:cache``: the system of record and state."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ConfigError
from .reader import ConfigReader


@dataclass(frozen=True)
class PostgresConfig:
    instance_class: str
    multi_az: bool
    replica_count: int
    replica_instance_class: str
    allocated_storage_gb: int
    max_allocated_storage_gb: int
    iops: int
    storage_throughput: int
    backup_retention_days: int
    cross_region_replica: bool


@dataclass(frozen=True)
class CacheConfig:
    node_type: str
    cluster_mode: bool
    shards: int
    replicas_per_shard: int
    snapshot_retention_days: int


def parse_postgres(section: ConfigReader) -> PostgresConfig:
    allocated = section.integer("allocatedStorageGb", minimum=20, maximum=65536)
    maximum = section.integer("maxAllocatedStorageGb", minimum=20, maximum=65536)
    if maximum < allocated:
        raise ConfigError(
            section.key("maxAllocatedStorageGb"),
            f"({maximum}) is below allocatedStorageGb ({allocated}); storage autoscaling "
            "needs a ceiling at or above the starting size",
        )
    config = PostgresConfig(
        instance_class=section.instance_type("instanceClass", prefix="db."),
        multi_az=section.boolean("multiAz"),
        replica_count=section.integer("replicaCount", minimum=0, maximum=15),
        replica_instance_class=section.instance_type("replicaInstanceClass", prefix="db."),
        allocated_storage_gb=allocated,
        max_allocated_storage_gb=maximum,
        iops=section.integer("iops", minimum=3000, maximum=64000),
        storage_throughput=section.integer("storageThroughput", minimum=125, maximum=4000),
        # RDS keeps automated backups for 1-35 days; 0 would turn backups off.
        backup_retention_days=section.integer("backupRetentionDays", minimum=1, maximum=35),
        cross_region_replica=section.boolean("crossRegionReplica"),
    )
    section.done()
    return config


def parse_cache(section: ConfigReader) -> CacheConfig:
    config = CacheConfig(
        node_type=section.instance_type("nodeType", prefix="cache."),
        cluster_mode=section.boolean("clusterMode"),
        shards=section.integer("shards", minimum=1, maximum=500),
        replicas_per_shard=section.integer("replicasPerShard", minimum=0, maximum=5),
        snapshot_retention_days=section.integer("snapshotRetentionDays", minimum=1, maximum=35),
    )
    if not config.cluster_mode and config.shards != 1:
        raise ConfigError(
            section.key("shards"),
            f"is {config.shards} but clusterMode is off; only cluster mode shards",
            "1 without cluster mode",
        )
    section.done()
    return config
