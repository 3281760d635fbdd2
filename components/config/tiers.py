"""Sizing tiers: the seed's figures (seed 002, sections 10-13) as config defaults.

A stack picks a tier with ``trading-platform:tier``; each object below is the default for the
config key of the same name (``trading-platform:network``, ``trading-platform:postgres``, ...)
and the stack YAML overrides it key by key. Each tier is a partial config: its keys and values
are the schema's (the models in this package), and ``tests/config`` validates every tier against
it. Where the seed gives no figure (min/max of a growth node group, say) the value is ours and
marked so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Tier = dict[str, dict[str, Any]]

# Seed 002 section 4's topics and partitions. Replication factor, min ISR and retention come
# from the cluster's defaults (kafka.defaultReplicationFactor etc.) unless a topic sets them.
# Ours: market data is transient (a day), positions keep the latest update per key (compacted).
TOPICS: dict[str, dict[str, Any]] = {
    "orders.commands": {"partitions": 24},
    "trades.events": {"partitions": 24},
    "market.data": {"partitions": 12, "retentionHours": 24},
    "positions.updates": {"partitions": 12, "cleanupPolicy": "compact"},
}


def _observability(
    p99_ms: int, lag: int, retention_days: int, monitoring: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Seed 002 section 13.1's scale-up triggers as alarm thresholds; seed 001's evictions.

    Ours: the 5xx rate and log retention. The lag alarms' groups come from ``ACCESS``.
    """
    return {
        **({"monitoring": monitoring} if monitoring is not None else {}),
        "logRetentionDays": retention_days,
        "apiLatencyP99Ms": p99_ms,
        "api5xxPercent": 1,
        "cpuPercent": 70,
        "memoryPercent": 80,
        "dbConnectionsPercent": 80,
        "cacheEvictionsPerMinute": 100,
        "consumerLagMessages": lag,
    }


# Who produces and consumes what (seed 002's flows), the same in every tier. Ours: the database
# users and which services use the cache. The consumer lag alarms watch the shared groups.
ACCESS: dict[str, dict[str, Any]] = {
    "api": {"produces": ["orders.commands"], "databaseUser": "trading_api", "cache": True},
    "websocket": {
        "consumes": ["market.data", "positions.updates"],
        # Every pod pushes every update to its own clients: one group per pod.
        "consumerGroup": "websocket-*",
        "cache": True,
    },
    "consumer": {
        "consumes": ["trades.events"],
        "consumerGroup": "trading-consumers",
        "produces": ["positions.updates"],
        "databaseUser": "trading_consumer",
    },
    "matchingEngine": {
        "consumes": ["orders.commands"],
        "consumerGroup": "matching-engine",
        "produces": ["trades.events", "market.data"],
        "databaseUser": "trading_engine",
        "cache": True,
    },
}


def _monitoring(*, storage_gb: int, memory_gb: int) -> dict[str, Any]:
    """Prometheus, Alertmanager and Grafana in the cluster (seed 002 section 6.2). The startup
    tier has none: seed 002 section 11.9 keeps it to CloudWatch."""
    return {
        "mode": "self-hosted",
        "retentionDays": 15,
        "prometheusStorageGb": storage_gb,
        "prometheusMemoryGb": memory_gb,
        "alertmanagerStorageGb": 10,
        "grafanaStorageGb": 20,
    }


def _usage(
    *,
    transfer_gb: int,
    nat_gb: int,
    cloud_front_gb: int,
    s3_gb: int,
    logs_gb: int,
    alb_lcu: int,
    waf_millions: int,
    secrets_calls: int,
    kafka_messages_per_second: int,
) -> dict[str, Any]:
    """The monthly usage the cost estimate assumes (``trading-platform:usage``)."""
    kafka_gib = _kafka_gib_a_month(kafka_messages_per_second)
    return {
        "dataTransferOutGb": transfer_gb,
        "natProcessedGb": nat_gb,
        "cloudFrontGb": cloud_front_gb,
        "s3StorageGb": s3_gb,
        "logIngestionGb": logs_gb,
        "albLcu": alb_lcu,
        "wafRequestsMillions": waf_millions,
        "secretsApiCalls": secrets_calls,
        "kafkaInGib": kafka_gib,
        "kafkaOutGib": kafka_gib,
    }


# Ours: the seed gives message rates, not sizes. 512 bytes is an order or trade event with its
# headers; each message is read once (out = in). Set both from BytesIn/OutPerSec once running.
_KAFKA_MESSAGE_BYTES = 512
_SECONDS_A_MONTH = 730 * 3600


def _kafka_gib_a_month(messages_per_second: int) -> int:
    return round(messages_per_second * _KAFKA_MESSAGE_BYTES * _SECONDS_A_MONTH / 2**30)


STARTUP: Tier = {  # 5K TPS, ~$1,362/month (seed 002 section 11)
    "network": {"azCount": 2, "natStrategy": "single"},
    "eks": {
        "nodeGroups": {
            "general": {"instanceType": "c6i.xlarge", "min": 2, "desired": 3, "max": 6},
        },
    },
    "matchingEngine": {
        "instanceType": "c6i.large",
        "min": 1,
        "desired": 2,
        "max": 2,
        "tenancy": "default",
        "clusterPlacement": False,
        "heapGb": 3,
        "volumeGb": 30,
        "volumeIops": 3000,
        "volumeThroughput": 125,
        "logRetentionDays": 14,  # ours
    },
    "postgres": {
        "instanceClass": "db.t4g.large",
        "multiAz": False,
        "replicaCount": 1,
        "replicaInstanceClass": "db.t4g.medium",
        "allocatedStorageGb": 100,
        "maxAllocatedStorageGb": 200,
        "iops": 3000,
        "storageThroughput": 125,
        "backupRetentionDays": 7,
        "crossRegionReplica": False,
        "maxConnections": 100,
        # ours: seed 002 section 11.4 tunes only max_connections and shared_buffers
        "workMemKb": 16384,
        "maintenanceWorkMemKb": 262144,
        "slowQueryMs": 200,
    },
    "cache": {
        "mode": "replication-group",
        "nodeType": "cache.t4g.medium",
        "clusterMode": False,
        "shards": 1,
        "replicasPerShard": 1,
        "snapshotRetentionDays": 1,
    },
    "kafka": {"mode": "serverless", "topics": TOPICS},
    # Ours (issue #16): no replica at this size; a daily snapshot copy in the DR region.
    "dr": {"backupCopies": True},
    "budget": {"monthlyUsd": 1362},
    "observability": _observability(p99_ms=500, lag=10_000, retention_days=14),
    "access": ACCESS,
    "edge": {"logRetentionDays": 30, "accessLogExpirationDays": 30},  # ours
    # Seed 002 section 11.7: 1 TB out, NAT +1 TB, 500 GB CloudFront, 50 GB S3. Ours: the log GB
    # and the ALB's LCUs are what the seed's CloudWatch and ALB dollars buy at list price (README,
    # "Cost estimate"); the WAF requests and Secrets Manager calls. Kafka: the seed's MSK
    # Serverless row, "~5K msg/sec".
    "usage": _usage(
        transfer_gb=1000,
        nat_gb=1000,
        cloud_front_gb=500,
        s3_gb=50,
        logs_gb=90,
        alb_lcu=2,
        waf_millions=2,
        secrets_calls=100_000,
        kafka_messages_per_second=5000,
    ),
}

GROWTH: Tier = {  # 10K TPS, ~$3,421/month (seed 002 section 10)
    "network": {"azCount": 2, "natStrategy": "single"},
    "eks": {
        "nodeGroups": {
            "api": {"instanceType": "c6i.xlarge", "min": 2, "desired": 2, "max": 6},
            "websocket": {
                "instanceType": "r6i.large",
                "min": 2,
                "desired": 2,
                "max": 5,
                "taint": "dedicated=websocket:NoSchedule",
            },
            "consumer": {"instanceType": "c6i.large", "min": 2, "desired": 2, "max": 6},
        },
    },
    "matchingEngine": {
        "instanceType": "c6i.xlarge",
        "min": 2,
        "desired": 2,
        "max": 4,
        "tenancy": "default",
        "clusterPlacement": True,
        "heapGb": 6,
        "volumeGb": 50,
        "volumeIops": 3000,
        "volumeThroughput": 125,
        "logRetentionDays": 30,  # ours
    },
    "postgres": {
        "instanceClass": "db.r6i.xlarge",
        "multiAz": True,
        "replicaCount": 1,
        "replicaInstanceClass": "db.r6i.large",
        "allocatedStorageGb": 200,
        "maxAllocatedStorageGb": 500,
        "iops": 3000,
        "storageThroughput": 125,
        "backupRetentionDays": 14,
        "crossRegionReplica": False,
        "maxConnections": 200,
        "workMemKb": 65536,
        "maintenanceWorkMemKb": 524288,
        "slowQueryMs": 200,
    },
    "cache": {
        "mode": "replication-group",
        "nodeType": "cache.r6g.large",
        "clusterMode": False,
        "shards": 1,
        "replicasPerShard": 2,
        "snapshotRetentionDays": 7,
    },
    "kafka": {
        "mode": "provisioned",
        # The seed's 3 brokers cannot spread evenly over the tier's 2 AZs (MSK needs a multiple of
        # the client subnets), so ours is the next even count.
        "brokerCount": 4,
        "instanceType": "kafka.m5.large",
        "ebsVolumeGb": 500,
        "provisionedThroughputMiBps": 0,
        "retentionHours": 72,
        "enhancedMonitoring": "PER_BROKER",  # ours
        "logRetentionDays": 14,
        "topics": TOPICS,
    },
    "dr": {"backupCopies": True},  # ours, as in startup
    "budget": {"monthlyUsd": 3421},
    # Seed 002 section 10 keeps open monitoring (JMX); the Prometheus volume and memory are ours,
    # half the scale tier's for a tenth of its traffic.
    "observability": _observability(
        p99_ms=300,
        lag=50_000,
        retention_days=30,
        monitoring=_monitoring(storage_gb=50, memory_gb=4),
    ),
    "access": ACCESS,
    "edge": {"logRetentionDays": 90, "accessLogExpirationDays": 90},  # ours
    # Seed 002 section 10.7: 3 TB out, NAT +3 TB, 2 TB CloudFront, 200 GB S3. Ours as in startup;
    # Kafka at the tier's 10K TPS (billed only if the stack runs MSK Serverless).
    "usage": _usage(
        transfer_gb=3000,
        nat_gb=3000,
        cloud_front_gb=2000,
        s3_gb=200,
        logs_gb=190,
        alb_lcu=6,
        waf_millions=5,
        secrets_calls=300_000,
        kafka_messages_per_second=10_000,
    ),
}

SCALE: Tier = {  # 100K TPS, ~$21,895/month (seed 002 sections 1-8)
    "network": {"azCount": 3, "natStrategy": "per-az"},
    "eks": {
        "nodeGroups": {
            "api": {"instanceType": "c6i.2xlarge", "min": 3, "desired": 6, "max": 20},
            "websocket": {
                "instanceType": "r6i.xlarge",
                "min": 2,
                "desired": 4,
                "max": 10,
                "taint": "dedicated=websocket:NoSchedule",
            },
            "consumer": {"instanceType": "c6i.xlarge", "min": 3, "desired": 6, "max": 15},
            # Seed 002 section 8.2: Spot for work that can be interrupted, with its types and
            # taint. Ours: from zero to 10 nodes; nothing runs on it until a job tolerates the
            # taint (README, "Spot capacity").
            "batch": {
                "capacityType": "spot",
                "instanceTypes": ["c6i.xlarge", "c5.xlarge", "c5a.xlarge"],
                "min": 0,
                "desired": 0,
                "max": 10,
                "taint": "spot=true:NoSchedule",
            },
        },
    },
    "matchingEngine": {
        "instanceType": "c6i.4xlarge",
        "min": 3,
        "desired": 3,
        "max": 9,
        "tenancy": "dedicated",
        "clusterPlacement": True,
        "heapGb": 24,
        "volumeGb": 100,
        "volumeIops": 16000,
        "volumeThroughput": 1000,
        "logRetentionDays": 90,  # ours
    },
    "postgres": {
        "instanceClass": "db.r6i.4xlarge",
        "multiAz": True,
        "replicaCount": 2,
        "replicaInstanceClass": "db.r6i.2xlarge",
        "allocatedStorageGb": 500,
        "maxAllocatedStorageGb": 2000,
        "iops": 12000,
        "storageThroughput": 500,
        "backupRetentionDays": 35,
        "crossRegionReplica": True,
        "maxConnections": 500,
        "workMemKb": 262144,
        "maintenanceWorkMemKb": 2097152,
        "slowQueryMs": 100,
    },
    "cache": {
        "mode": "replication-group",
        "nodeType": "cache.r6g.xlarge",
        "clusterMode": True,
        "shards": 3,
        "replicasPerShard": 2,
        "snapshotRetentionDays": 7,
    },
    "kafka": {
        "mode": "provisioned",
        "brokerCount": 6,
        # The seed's kafka.m5.2xlarge cannot have provisioned storage throughput (MSK offers it
        # from m5.4xlarge or m7g.2xlarge); m7g.2xlarge is the same 8 vCPU / 32 GiB and can.
        "instanceType": "kafka.m7g.2xlarge",
        "ebsVolumeGb": 1000,
        "provisionedThroughputMiBps": 250,
        "retentionHours": 168,
        "enhancedMonitoring": "PER_TOPIC_PER_BROKER",
        "logRetentionDays": 30,
        "topics": TOPICS,
    },
    # The cross-region replica is the DR copy (seed 002); the replica keeps its own backups.
    "dr": {"backupCopies": False},
    "budget": {"monthlyUsd": 21895},
    # Seed 002 section 6.2: 15 days on 100 GiB, Alertmanager 10 GiB, Grafana 20 GiB. Ours: memory.
    "observability": _observability(
        p99_ms=100,
        lag=100_000,
        retention_days=90,
        monitoring=_monitoring(storage_gb=100, memory_gb=8),
    ),
    "access": ACCESS,
    "edge": {"logRetentionDays": 365, "accessLogExpirationDays": 365},  # ours
    # Seed 002 section 8: 10 TB out, 10 TB from CloudFront, 1 TB in S3, 10M WAF requests. Ours as
    # in startup, and the NAT GB (the seed's row says only "3x (+ data transfer)"). Kafka at the
    # tier's 100K TPS (billed only if the stack runs MSK Serverless).
    "usage": _usage(
        transfer_gb=10_000,
        nat_gb=4000,
        cloud_front_gb=10_000,
        s3_gb=1000,
        waf_millions=10,
        logs_gb=390,
        alb_lcu=23,
        secrets_calls=1_000_000,
        kafka_messages_per_second=100_000,
    ),
}

TIERS: dict[str, Tier] = {"startup": STARTUP, "growth": GROWTH, "scale": SCALE}


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merges ``override`` into a copy of ``base``; lists and scalars replace, and ``null``
    removes the entry (a tier's node group, topic or consumer group, or a key's tier value)."""
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        elif isinstance(value, Mapping):
            merged[key] = merge({}, value)
        else:
            merged[key] = value
    return merged
