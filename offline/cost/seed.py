"""Seed 002's monthly cost tables (sections 8, 10.7 and 11.7) and which estimate lines each of
its rows covers, for the side-by-side report and the calibration tests.

A row's figure is the seed's; the estimate's figure for it is the sum of the lines it matches.
`EXPLAINED` lists the rows whose figures the estimate is known not to meet, and why (README,
"Cost estimate").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .estimate import Line


@dataclass(frozen=True)
class SeedRow:
    label: str
    usd: int
    types: frozenset[str]
    keys: tuple[str, ...] = ()  # price-key prefixes the row covers; empty: every line of the types
    resources: tuple[str, ...] = ()  # resource names it covers; empty: any

    def matches(self, line: Line) -> bool:
        return (
            line.type in self.types
            and (not self.keys or line.price_key.startswith(self.keys))
            and (not self.resources or line.resource in self.resources)
        )


def _row(
    label: str, usd: int, *types: str, keys: tuple[str, ...] = (), resources: tuple[str, ...] = ()
) -> SeedRow:
    return SeedRow(label, usd, frozenset(types), keys, resources)


_EKS = "eks:index:Cluster"
_NODES = "aws:eks/nodeGroup:NodeGroup"


def _nodes(label: str, usd: int, group: str) -> SeedRow:
    """A seed row for one service's EKS node group."""
    return _row(label, usd, _NODES, keys=("ec2.",), resources=(f"services-{group}",))


_ASG = "aws:autoscaling/group:Group"
_RDS = "aws:rds/instance:Instance"
_CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
_NAT = "aws:ec2/natGateway:NatGateway"
_LB = "aws:lb/loadBalancer:LoadBalancer"
_CDN = "aws:cloudfront/distribution:Distribution"
_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
_DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
_USAGE = "usage"
_SECRET = "aws:secretsmanager/secret:Secret"
_WAF = "aws:wafv2/webAcl:WebAcl"
_PRIMARY = ("data-postgres-primary",)
_REPLICAS = ("data-postgres-replica-0", "data-postgres-replica-1")
_CLOUDWATCH = (_ALARM, _DASHBOARD, _USAGE)
_CLOUDWATCH_KEYS = ("cloudwatch.",)
_EDGE_ALB = ("edge-alb",)
_ALB_KEYS = ("alb.",)  # the seed predates the public IPv4 charge (February 2024)


def _rds(label: str, usd: int, keys: str, resources: tuple[str, ...]) -> SeedRow:
    return _row(label, usd, _RDS, keys=(keys,), resources=resources)


def _usage(label: str, usd: int, keys: str) -> SeedRow:
    """A row the stack-wide usage lines cover (S3 storage, data transfer)."""
    return _row(label, usd, _USAGE, keys=(keys,))


def _msk(label: str, usd: int, keys: str) -> SeedRow:
    return _row(label, usd, "aws:msk/cluster:Cluster", keys=(keys,))


def _engine(label: str, usd: int) -> SeedRow:
    return _row(label, usd, _ASG, keys=("ec2.",))


def _edge_alb(label: str, usd: int) -> SeedRow:
    return _row(label, usd, _LB, keys=_ALB_KEYS, resources=_EDGE_ALB)


def _cloudwatch(label: str, usd: int) -> SeedRow:
    return _row(label, usd, *_CLOUDWATCH, keys=_CLOUDWATCH_KEYS)


def _other(label: str, usd: int) -> SeedRow:
    """The seed's lump sum for Route 53 and the like: the health checks and hosted zones."""
    return _row(label, usd, "aws:route53/healthCheck:HealthCheck", "aws:route53/zone:Zone")


SEED_TOTALS: Final = {"startup": 1362, "growth": 3421, "scale": 21895}

SEED_ROWS: Final[dict[str, tuple[SeedRow, ...]]] = {
    "startup": (  # section 11.7
        _row("EKS Cluster", 73, _EKS),
        _row("EC2 (EKS Nodes) 3x c6i.xlarge", 368, _NODES, keys=("ec2.",)),
        _engine("EC2 (Matching Engine) 2x c6i.large", 122),
        _rds("RDS PostgreSQL db.t4g.large", 117, "rds.postgres.", _PRIMARY),
        _rds("RDS Replica db.t4g.medium", 58, "rds.postgres.", _REPLICAS),
        _rds("RDS Storage 100GB gp3", 12, "rds.gp3.", _PRIMARY),
        _row("ElastiCache 2x cache.t4g.medium", 97, _CACHE),
        _row("MSK Serverless", 200, "aws:msk/serverlessCluster:ServerlessCluster"),
        _row("NAT Gateway 1x (+ 1TB)", 78, _NAT),
        _edge_alb("ALB 1x", 30),
        _row("CloudFront 500GB", 45, _CDN),
        _usage("S3 50GB", 2, "s3."),
        _cloudwatch("CloudWatch Basic", 50),
        _usage("Data Transfer 1TB", 90, "transfer."),
        _other("Other (Route 53...)", 20),
    ),
    "growth": (  # section 10.7
        _row("EKS Cluster", 73, _EKS),
        _nodes("EC2 (API Nodes) 2x c6i.xlarge", 245, "api"),
        _nodes("EC2 (WebSocket) 2x r6i.large", 183, "websocket"),
        _nodes("EC2 (Consumer) 2x c6i.large", 122, "consumer"),
        _engine("EC2 (Matching Engine) 2x c6i.xlarge", 245),
        _rds("RDS PostgreSQL db.r6i.xlarge Multi-AZ", 548, "rds.postgres.", _PRIMARY),
        _rds("RDS Read Replica db.r6i.large", 182, "rds.postgres.", _REPLICAS),
        _rds("RDS Storage 200GB gp3", 23, "rds.gp3.", _PRIMARY),
        _row("ElastiCache 3x cache.r6g.large", 405, _CACHE),
        _msk("MSK 3x kafka.m5.large", 540, "msk.kafka"),
        _msk("MSK Storage 500GB x 3", 75, "msk.storage"),
        _row("NAT Gateway 1x (+ 3TB)", 135, _NAT),
        _edge_alb("ALB 1x (+ LCU)", 50),
        _row("CloudFront 2TB", 170, _CDN),
        _usage("S3 200GB", 5, "s3."),
        _cloudwatch("CloudWatch Logs + Metrics", 100),
        _usage("Data Transfer 3TB", 270, "transfer."),
        _other("Other (Route 53, ACM...)", 50),
    ),
    "scale": (  # section 8.1
        _row("EKS Cluster", 73, _EKS),
        _nodes("EC2 (API Nodes) 6x c6i.2xlarge", 1470, "api"),
        _nodes("EC2 (WebSocket) 4x r6i.xlarge", 730, "websocket"),
        _nodes("EC2 (Consumer) 6x c6i.xlarge", 735, "consumer"),
        _engine("EC2 (Matching Engine) 3x c6i.4xlarge dedicated", 2940),
        _rds("RDS PostgreSQL db.r6i.4xlarge Multi-AZ", 4380, "rds.postgres.", _PRIMARY),
        _rds("RDS Read Replicas 2x db.r6i.2xlarge", 2190, "rds.postgres.", _REPLICAS),
        _row("ElastiCache 9x cache.r6g.xlarge", 2430, _CACHE),
        _msk("MSK 6x kafka.m5.2xlarge", 4320, "msk.kafka"),
        _row("NAT Gateway 3x (+ data transfer)", 300, _NAT),
        _edge_alb("ALB 1x (+ LCU)", 150),
        _row("CloudFront 10TB", 850, _CDN),
        _usage("S3 1TB", 23, "s3."),
        _cloudwatch("CloudWatch Logs + Metrics", 200),
        _row("Secrets Manager 10 secrets", 4, _SECRET, _USAGE, keys=("secrets.",)),
        _row("WAF 10M requests", 100, _WAF),
        _usage("Data Transfer 10TB", 900, "transfer."),
        _other("Other (Route 53, ACM...)", 100),
    ),
}

_OTHER = (
    "the one billable item under the seed's lump sum is an HTTPS health check: $0.75 + $2.00 for "
    "HTTPS at the non-AWS-endpoint rate ($1.50 at the AWS rate); ACM public certificates are free "
    "and the hosted zone exists before the stack"
)

EXPLAINED: Final[dict[tuple[str, str], str]] = {
    ("startup", "RDS PostgreSQL db.t4g.large"): (
        "the seed's $117 is $0.160/hour; the sourced us-east-1 price is $0.129 ($94.17)"
    ),
    ("startup", "RDS Replica db.t4g.medium"): (
        "the seed's $58 is $0.079/hour; the sourced us-east-1 price is $0.065 ($47.45)"
    ),
    ("growth", "RDS Storage 200GB gp3"): (
        "the program's primary is Multi-AZ, so its storage is billed twice; the seed prices "
        "one copy"
    ),
    ("growth", "NAT Gateway 1x (+ 3TB)"): (
        "the seed's own quantities (one gateway, 3 TB processed) cost $167.85 at the list price"
    ),
    (
        "startup",
        "S3 50GB",
    ): "50 GB at the sourced $0.023/GB-month is $1.15; the seed rounds it to $2",
    ("startup", "Other (Route 53...)"): _OTHER,
    ("startup", "MSK Serverless"): (
        "MSK Serverless bills $0.75 a cluster-hour ($547.50 a month) before any partition or "
        "byte, more than the seed's $200; its 72 partitions add $78.84, and the seed's ~5K "
        "messages/s (of 512 bytes: ours) $626.60 in, $313.30 out and $204.01 stored"
    ),
    ("growth", "MSK 3x kafka.m5.large"): (
        "the program runs 4 brokers (3 cannot spread evenly over 2 AZs); the seed's $540 is "
        "$0.247/broker-hour, the sourced price $0.21 (3 brokers: $459.90)"
    ),
    ("growth", "MSK Storage 500GB x 3"): (
        "4 brokers x 500 GB at the sourced $0.10/GB-month; the seed's $75 is $0.05/GB-month for "
        "3 (its 1,500 GB cost $150 at $0.10)"
    ),
    ("growth", "Other (Route 53, ACM...)"): _OTHER,
    ("scale", "MSK 6x kafka.m5.2xlarge"): (
        "the program runs kafka.m7g.2xlarge ($0.816/hour sourced), not the seed's m5.2xlarge; the "
        "seed's $4,320 is $0.986/broker-hour, the sourced m5.2xlarge $0.84 ($3,679.20)"
    ),
    ("scale", "Other (Route 53, ACM...)"): _OTHER,
    ("scale", "Secrets Manager 10 secrets"): (
        "the program creates 4 secrets, not 10, and the usage adds 1M API calls ($5)"
    ),
    ("scale", "WAF 10M requests"): (
        "the seed's $100 is not what 10M requests cost: the ACL, its rules and 10M requests at "
        "list price come to $19"
    ),
}


@dataclass(frozen=True)
class Comparison:
    row: SeedRow
    estimate: float | None  # None: some matched line is unpriced, or none matched
    matched: int

    @property
    def difference(self) -> float | None:
        if self.estimate is None:
            return None
        return (self.estimate - self.row.usd) / self.row.usd


def compare(tier: str, lines: tuple[Line, ...]) -> list[Comparison]:
    comparisons: list[Comparison] = []
    for row in SEED_ROWS.get(tier, ()):
        matched = [line for line in lines if row.matches(line)]
        priced = matched and all(line.monthly is not None for line in matched)
        total = round(sum(line.monthly or 0.0 for line in matched), 2) if priced else None
        comparisons.append(Comparison(row, total, len(matched)))
    return comparisons
