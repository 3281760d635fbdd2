"""The monthly estimate: one line per billable item of each captured resource, priced from the
price table, plus the usage-billed items the config's usage assumptions size.

Every resource type is in exactly one place: a pricing rule below (`_RULES`), `NON_BILLABLE`, or
`USAGE_BILLED` (billed through a stack-wide usage line). Any other type is reported as an
unknown billable type, unpriced: a new resource must never vanish from the estimate as free.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

from components.config.messaging import CleanupPolicy, TopicConfig
from components.config.usage import UsageConfig
from components.versions import Product, find_release

from .prices import PriceTable
from .resources import CostResource

GLOBAL: Final = "global"
USAGE_COMPONENT: Final = "(usage)"

NON_BILLABLE: Final = frozenset(
    {
        "aws:acm/certificate:Certificate",  # public certificates are free
        "aws:acm/certificateValidation:CertificateValidation",
        "aws:backup/plan:Plan",  # AWS Backup bills storage, transfer and restores, not plans
        "aws:backup/selection:Selection",
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",  # no charge of its own
        "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
        "aws:cloudwatch/logDeliverySource:LogDeliverySource",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/launchTemplate:LaunchTemplate",  # its instances and volumes: on the groups
        "aws:ec2/placementGroup:PlacementGroup",
        "aws:ec2/route:Route",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/vpc:Vpc",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        "aws:eks/addon:Addon",  # add-ons run on the nodes
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "aws:elasticache/parameterGroup:ParameterGroup",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "aws:elasticache/user:User",
        "aws:elasticache/userGroup:UserGroup",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws:iam/policy:Policy",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/serviceLinkedRole:ServiceLinkedRole",
        "aws:kms/alias:Alias",
        "aws:lb/listener:Listener",
        "aws:lb/listenerRule:ListenerRule",
        "aws:lb/targetGroup:TargetGroup",
        "aws:msk/configuration:Configuration",
        "aws:msk/topic:Topic",  # partitions are billed on the cluster (Serverless) or free
        "aws:rds/parameterGroup:ParameterGroup",
        "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
        "aws:rds/proxyTarget:ProxyTarget",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:route53/record:Record",  # queries are usage; alias queries to AWS targets are free
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLogging:BucketLogging",  # the log objects are in the S3 storage line
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:secretsmanager/secretRotation:SecretRotation",  # its API calls: the usage line
        # The stack is free; its function runs about once a week (a rotation's four steps), a
        # few seconds of Lambda time whose request and duration charges round to $0.00.
        "aws:serverlessrepository/cloudFormationStack:CloudFormationStack",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:wafv2/ipSet:IpSet",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    }
)
NON_BILLABLE_PREFIXES: Final = ("kubernetes:", "random:", "pulumi:providers:")

USAGE_BILLED: Final = {
    "aws:cloudwatch/logGroup:LogGroup": "ingestion: the stack's log ingestion line",
    "aws:cloudwatch/logDelivery:LogDelivery": "vended logs: the stack's log ingestion line",
    "aws:ec2/flowLog:FlowLog": "delivered logs: the stack's log ingestion line",
    "aws:s3/bucket:Bucket": "storage: the stack's S3 storage line",
}


@dataclass(frozen=True)
class Line:
    component: str
    resource: str
    type: str
    item: str
    quantity: float
    unit: str
    price_key: str
    region: str
    unit_price: float | None
    note: str = ""

    @property
    def monthly(self) -> float | None:
        if self.quantity == 0:
            return 0.0  # nothing running (a fleet scaled to zero) costs nothing at any price
        return None if self.unit_price is None else round(self.quantity * self.unit_price, 2)


@dataclass(frozen=True)
class KafkaTopics:
    """What MSK Serverless bills of the config's topics: partition-hours, and how long the data
    written stays stored (the partition-weighted mean retention, at most a month)."""

    partitions: int = 0
    retained_hours: float = 0.0

    @classmethod
    def of(cls, topics: Sequence[TopicConfig], hours_a_month: int = 730) -> KafkaTopics:
        partitions = sum(topic.partitions for topic in topics)
        if not partitions:
            return cls()

        def kept(topic: TopicConfig) -> float:
            # Compacted or kept forever: a month's writes, an upper bound for the first month.
            deletes = topic.cleanup_policy is not CleanupPolicy.COMPACT
            if not deletes or topic.retention_hours < 0:
                return hours_a_month
            return min(topic.retention_hours, hours_a_month)

        weighted = sum(kept(topic) * topic.partitions for topic in topics)
        return cls(partitions, round(weighted / partitions, 2))


@dataclass(frozen=True)
class Context:
    region: str
    usage: UsageConfig
    today: date
    kafka: KafkaTopics = KafkaTopics()  # only MSK Serverless prices these


@dataclass(frozen=True)
class Estimate:
    region: str
    lines: tuple[Line, ...]
    non_billable: dict[str, int] = field(default_factory=dict)  # type -> count
    usage_billed: dict[str, int] = field(default_factory=dict)  # type -> count

    @property
    def total(self) -> float:
        return round(sum(line.monthly or 0.0 for line in self.lines), 2)

    @property
    def unpriced(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.monthly is None)

    def by_component(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for line in self.lines:
            totals[line.component] = round(totals.get(line.component, 0.0) + (line.monthly or 0), 2)
        return dict(sorted(totals.items()))


class _Pricer:
    def __init__(self, table: PriceTable, context: Context) -> None:
        self.table = table
        self.context = context
        self.hours = table.hours_per_month

    def region_of(self, resource: CostResource) -> str:
        region = resource.get("region")
        return region if isinstance(region, str) and region else self.context.region

    def line(
        self,
        resource: CostResource,
        item: str,
        quantity: float,
        unit: str,
        key: str,
        *,
        region: str | None = None,
        component: str | None = None,
    ) -> Line:
        where = region or self.region_of(resource)
        price = self.table.price(key, where)
        note = "" if price is not None else f"no {where} price for {key} in the price table"
        return Line(
            component or resource.component,
            resource.name,
            resource.type,
            item,
            round(quantity, 4),
            unit,
            key,
            where,
            None if price is None else price.usd,
            note,
        )


Rule = Callable[[_Pricer, CostResource, "_Index"], Iterable[Line]]


@dataclass(frozen=True)
class _Index:
    """Lookups across resources: by URN, RDS instances by identifier, the instances each RDS
    Proxy targets (by proxy name), counts by type."""

    by_urn: dict[str, CostResource]
    databases: dict[str, CostResource]
    proxy_targets: dict[str, tuple[str, ...]]  # proxy name -> DB instance identifiers
    counts: dict[str, int]

    @classmethod
    def of(cls, resources: Sequence[CostResource]) -> _Index:
        counts: dict[str, int] = {}
        targets: dict[str, tuple[str, ...]] = {}
        for r in resources:
            counts[r.type] = counts.get(r.type, 0) + 1
            if r.type == "aws:rds/proxyTarget:ProxyTarget" and r.get("dbInstanceIdentifier"):
                proxy = str(r.get("dbProxyName"))
                targets[proxy] = (*targets.get(proxy, ()), str(r.get("dbInstanceIdentifier")))
        return cls(
            {r.urn: r for r in resources},
            {
                str(r.get("identifier")): r
                for r in resources
                if r.type == "aws:rds/instance:Instance" and r.get("identifier")
            },
            targets,
            counts,
        )

    def template_of(self, group: CostResource) -> CostResource | None:
        """The launch template a group's ``launchTemplate`` input depends on."""
        for urn in group.input_dependencies.get("launchTemplate", ()):
            found = self.by_urn.get(urn)
            if found is not None and found.type == "aws:ec2/launchTemplate:LaunchTemplate":
                return found
        return None


def _number(value: Any, default: float = 0.0) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default
    )


def _volumes(
    p: _Pricer, owner: CostResource, template: CostResource | None, count: float
) -> Iterator[Line]:
    """gp3 volumes of ``count`` instances launched from ``template``."""
    if template is None:
        yield p.line(
            owner, "EBS volumes (launch template not resolvable)", count, "instance", "ebs.gp3.gb"
        )
        return
    for mapping in template.get("blockDeviceMappings") or []:
        ebs = mapping.get("ebs") or {}
        size = _number(ebs.get("volumeSize"))
        if ebs.get("volumeType", "gp3") != "gp3" or not size:
            continue
        device = mapping.get("deviceName", "volume")
        yield p.line(owner, f"gp3 {device}", size * count, "GB-month", "ebs.gp3.gb")
        iops = _number(ebs.get("iops"), 3000) - 3000
        if iops > 0:
            yield p.line(
                owner, f"gp3 {device} IOPS over 3000", iops * count, "IOPS-month", "ebs.gp3.iops"
            )
        throughput = _number(ebs.get("throughput"), 125) - 125
        if throughput > 0:
            yield p.line(
                owner,
                f"gp3 {device} MiB/s over 125",
                throughput * count,
                "MiBps-month",
                "ebs.gp3.throughput",
            )


def _node_group(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    desired = _number(r.get("scalingConfig.desiredSize"))
    types = [str(t) for t in r.get("instanceTypes") or ["unknown"]]
    if r.get("capacityType") == "SPOT":
        yield _spot_nodes(p, r, types, desired)
    else:
        yield p.line(
            r,
            f"{desired:g} x {types[0]} (desired)",
            desired * p.hours,
            "instance-hours",
            f"ec2.{types[0]}",
        )
    yield from _volumes(p, r, index.template_of(r), desired)


def _spot_nodes(p: _Pricer, r: CostResource, types: list[str], desired: float) -> Line:
    """Spot nodes at the dearest listed type's On-Demand price: an upper bound, labelled so.

    The Spot price moves with supply and is never above On-Demand (the default maximum price, and
    managed node groups set no other: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-spot-instances.html).
    A type missing from the table leaves the line unpriced, since no bound is known then.
    """
    region = p.region_of(r)
    keys = [f"ec2.{t}" for t in types]
    missing = [key for key in keys if p.table.price(key, region) is None]
    key = missing[0] if missing else max(keys, key=lambda k: _spot_bound(p, k, region))
    label = f"{desired:g} x spot {'/'.join(types)} (desired; On-Demand price, an upper bound)"
    return p.line(r, label, desired * p.hours, "instance-hours", key)


def _spot_bound(p: _Pricer, key: str, region: str) -> float:
    price = p.table.price(key, region)
    return price.usd if price else 0.0


def _auto_scaling_group(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    desired = _number(r.get("desiredCapacity"))
    template = index.template_of(r)
    instance_type = str(template.get("instanceType")) if template else "unknown"
    tenancy = str(template.get("placement.tenancy", "default")) if template else "default"
    key = f"ec2.{instance_type}" if tenancy == "default" else f"ec2.{tenancy}.{instance_type}"
    label = f"{desired:g} x {instance_type} ({tenancy} tenancy, desired)"
    yield p.line(r, label, desired * p.hours, "instance-hours", key)
    yield from _volumes(p, r, template, desired)


def _eks_cluster(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    version = str(r.get("version", ""))
    release = find_release(Product.EKS, version)
    end = release.end_of_standard_support if release else None
    extended = end is not None and p.context.today > end
    support = "extended" if extended else "standard"
    yield p.line(
        r,
        f"control plane, {version} in {support} support",
        p.hours,
        "cluster-hours",
        f"eks.cluster.{support}",
    )


def _rds_instance(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    klass = str(r.get("instanceClass"))
    copies = 2 if r.get("multiAz") is True else 1
    role = "Multi-AZ" if copies == 2 else "Single-AZ"
    source = r.get("replicateSourceDb")
    if source:
        role = "read replica" if p.region_of(r) == p.context.region else "cross-region replica"
    yield p.line(r, f"{klass} {role}", copies * p.hours, "instance-hours", f"rds.postgres.{klass}")
    # A replica's storage is its source's (it has no allocatedStorage of its own).
    origin = index.databases.get(str(source).rsplit(":", 1)[-1], r) if source else r
    storage = _number(origin.get("allocatedStorage"))
    if storage:
        yield p.line(r, f"gp3 storage {storage:g} GB", storage * copies, "GB-month", "rds.gp3.gb")
    iops = _number(origin.get("iops"))
    baseline = 12000 if storage >= 400 else 3000
    if iops > baseline:
        yield p.line(
            r, f"gp3 IOPS over {baseline}", (iops - baseline) * copies, "IOPS-month", "rds.gp3.iops"
        )


# vCPUs per DB instance class, from "Hardware specifications for DB instance classes",
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.Summary.html.
# A class missing here leaves its proxy line unpriced.
DB_CLASS_VCPUS: Final = {
    "db.t4g.medium": 2,
    "db.t4g.large": 2,
    "db.r6i.large": 2,
    "db.r6i.xlarge": 4,
    "db.r6i.2xlarge": 8,
    "db.r6i.4xlarge": 16,
}


def _rds_proxy(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    # RDS Proxy is billed per vCPU-hour of the instance it targets (found through its
    # ProxyTarget), as AWS's own RDS Proxy advisor computes it: "vCPUs x rate x 730 hours"
    # (aws/agent-toolkit-for-aws, skills/specialized-skills/database-skills/rds-oss/references/
    # proxy-advisor-workflow.md). A Multi-AZ standby is not a target and is not counted.
    identifiers = index.proxy_targets.get(str(r.get("name")), ())
    targets = [index.databases[i] for i in identifiers if i in index.databases]
    classes = [str(t.get("instanceClass")) for t in targets]
    vcpus = [DB_CLASS_VCPUS.get(c) for c in classes]
    if not targets or None in vcpus:
        line = p.line(r, "proxy (target's vCPUs unknown)", p.hours, "proxy-hours", "rds.proxy.vcpu")
        why = f"the vCPUs of the proxy's target ({', '.join(classes) or 'none found'}) are unknown"
        yield replace(line, unit_price=None, note=why)
        return
    total = sum(v for v in vcpus if v is not None)
    item = f"proxy, {total} vCPUs of its target {'/'.join(classes)}"
    yield p.line(r, item, total * p.hours, "vCPU-hours", "rds.proxy.vcpu")


def _replication_group(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    node_type = str(r.get("nodeType"))
    if r.get("numNodeGroups") is not None:
        nodes = _number(r.get("numNodeGroups"), 1) * (1 + _number(r.get("replicasPerNodeGroup")))
    else:
        nodes = _number(r.get("numCacheClusters"), 1)
    yield p.line(
        r, f"{nodes:g} x {node_type}", nodes * p.hours, "node-hours", f"elasticache.{node_type}"
    )


def _serverless_cache(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    yield p.line(
        r, "Serverless cache (storage and ECPUs)", p.hours, "cache-hours", "elasticache.serverless"
    )


def _msk_cluster(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    brokers = _number(r.get("numberOfBrokerNodes"))
    info = r.get("brokerNodeGroupInfo") or {}
    broker = str(info.get("instanceType"))
    yield p.line(r, f"{brokers:g} x {broker}", brokers * p.hours, "broker-hours", f"msk.{broker}")
    ebs = (info.get("storageInfo") or {}).get("ebsStorageInfo") or {}
    size = _number(ebs.get("volumeSize"))
    if size:
        yield p.line(
            r,
            f"broker storage {size:g} GB x {brokers:g}",
            size * brokers,
            "GB-month",
            "msk.storage.gb",
        )
    throughput = ebs.get("provisionedThroughput") or {}
    if throughput.get("enabled"):
        mibps = _number(throughput.get("volumeThroughput"))
        yield p.line(
            r,
            f"provisioned throughput {mibps:g} MiB/s x {brokers:g}",
            mibps * brokers,
            "MiBps-month",
            "msk.throughput",
        )


def _msk_serverless(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    """MSK Serverless bills the cluster's hours, each partition's hours, the GiB written and
    read, and the GiB stored (https://aws.amazon.com/msk/pricing/, "MSK Serverless")."""
    topics, usage = p.context.kafka, p.context.usage
    yield p.line(r, "Serverless cluster", p.hours, "cluster-hours", "msk.serverless.cluster")
    yield p.line(
        r,
        f"{topics.partitions} partitions (kafka.topics)",
        topics.partitions * p.hours,
        "partition-hours",
        "msk.serverless.partition",
    )
    yield p.line(r, "data in (usage.kafkaInGib)", usage.kafka_in_gib, "GiB", "msk.serverless.in.gb")
    yield p.line(
        r, "data out (usage.kafkaOutGib)", usage.kafka_out_gib, "GiB", "msk.serverless.out.gb"
    )
    stored = usage.kafka_in_gib * topics.retained_hours / p.hours
    yield p.line(
        r,
        f"storage: data in kept {topics.retained_hours:g} hours on average (topics' retention)",
        stored,
        "GiB-month",
        "msk.serverless.storage.gb",
    )


def _nat_gateway(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    yield p.line(r, "NAT gateway", p.hours, "gateway-hours", "nat.hour")
    share = p.context.usage.nat_processed_gb / max(1, index.counts.get(r.type, 1))
    yield p.line(r, "data processed (usage.natProcessedGb, shared)", share, "GB", "nat.gb")


def _eip(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    yield p.line(r, "public IPv4 address", p.hours, "address-hours", "eip.hour")


def _vpc_endpoint(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    if r.get("vpcEndpointType") == "Gateway":
        return  # gateway endpoints (S3, DynamoDB) are free
    zones = len(r.get("subnetIds") or [])
    service = str(r.get("serviceName", "")).removeprefix(f"com.amazonaws.{p.region_of(r)}.")
    yield p.line(
        r,
        f"interface endpoint {service} in {zones} AZs",
        zones * p.hours,
        "endpoint-AZ-hours",
        "vpce.interface.hour",
    )


def _load_balancer(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    if r.get("loadBalancerType", "application") == "network":
        yield p.line(r, "Network Load Balancer", p.hours, "NLB-hours", "nlb.hour")
        return
    yield p.line(r, "Application Load Balancer", p.hours, "ALB-hours", "alb.hour")
    if r.get("internal") is not True:
        # An internet-facing load balancer holds a public IPv4 address in each of its AZs.
        zones = len(r.get("subnets") or [])
        yield p.line(
            r, f"public IPv4 addresses, {zones} AZs", zones * p.hours, "address-hours", "eip.hour"
        )
    lcu = p.context.usage.alb_lcu
    yield p.line(r, f"{lcu} LCU average (usage.albLcu)", lcu * p.hours, "LCU-hours", "alb.lcu")


def _monthly(key: str, what: str, unit: str) -> Rule:
    def rule(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
        yield p.line(r, what, 1, unit, key)

    return rule


def _secret(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    yield p.line(r, "secret", 1, "secret-months", "secrets.secret")


def _alarm(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    # An alarm is billed per metric it evaluates; a metric-math alarm per metric in its query.
    queries = r.get("metricQueries") or []
    metrics = sum(1 for q in queries if isinstance(q, dict) and q.get("metric")) or 1
    yield p.line(
        r, f"alarm, {metrics} metric(s)", metrics, "alarm-metric-months", "cloudwatch.alarm.metric"
    )


def _web_acl(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    rules_json = r.get("ruleJson")
    rules = (
        len(json.loads(rules_json)) if isinstance(rules_json, str) else len(r.get("rules") or [])
    )
    yield p.line(r, "web ACL", 1, "ACL-months", "waf.acl")
    yield p.line(r, f"{rules} rules", rules, "rule-months", "waf.rule")
    millions = p.context.usage.waf_requests_millions
    yield p.line(
        r,
        "requests (usage.wafRequestsMillions)",
        millions,
        "million requests",
        "waf.requests.million",
    )


def _distribution(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    # CloudFront prices by where viewers are; the table keys that by the stack's region (its
    # country's viewers), https://aws.amazon.com/cloudfront/pricing/.
    gb = p.context.usage.cloud_front_gb
    item = "data transfer to viewers (usage.cloudFrontGb)"
    yield p.line(r, item, gb, "GB", "cloudfront.gb", region=p.context.region)


def _hosted_zone(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    yield p.line(r, "hosted zone", 1, "zone-months", "route53.zone", region=GLOBAL)


def _health_check(p: _Pricer, r: CostResource, index: _Index) -> Iterator[Line]:
    """A health check and its optional features (HTTPS, string matching, latency measurement,
    the 10-second interval), each billed a month: https://aws.amazon.com/route53/pricing/.

    Priced at the non-AWS-endpoint rate, the higher one: the AWS rate applies only to endpoints
    Route 53 counts as the account's AWS resources, which a domain name does not show.
    """
    kind = str(r.get("type", "HTTP"))
    features = [
        name
        for name, used in (
            ("HTTPS", kind.startswith("HTTPS")),
            ("string matching", kind.endswith("STR_MATCH")),
            ("latency measurement", r.get("measureLatency") is True),
            ("10-second interval", _number(r.get("requestInterval"), 30) == 10),
        )
        if used
    ]
    rate = "non-AWS endpoint rate, an upper bound"
    yield p.line(
        r, f"{kind} health check ({rate})", 1, "check-months", "route53.healthcheck", region=GLOBAL
    )
    if features:
        yield p.line(
            r,
            f"optional features: {', '.join(features)} ({rate})",
            len(features),
            "feature-months",
            "route53.healthcheck.feature",
            region=GLOBAL,
        )


_RULES: Final[dict[str, Rule]] = {
    "eks:index:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:autoscaling/group:Group": _auto_scaling_group,
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/proxy:Proxy": _rds_proxy,
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/serverlessCache:ServerlessCache": _serverless_cache,
    "aws:msk/cluster:Cluster": _msk_cluster,
    "aws:msk/serverlessCluster:ServerlessCluster": _msk_serverless,
    "aws:ec2/natGateway:NatGateway": _nat_gateway,
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:kms/key:Key": _monthly("kms.key", "customer managed key", "key-months"),
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/dashboard:Dashboard": _monthly(
        "cloudwatch.dashboard", "dashboard", "dashboard-months"
    ),
    "aws:wafv2/webAcl:WebAcl": _web_acl,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:route53/zone:Zone": _hosted_zone,
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:ecr/repository:Repository": _monthly(
        "ecr.storage", "image storage (no usage assumption)", "repository-months"
    ),
    "aws:sns/topic:Topic": _monthly(
        "sns.requests", "notifications (no usage assumption)", "topic-months"
    ),
    "aws:budgets/budget:Budget": _monthly("budgets.budget", "budget", "budget-months"),
    # RDS snapshots in a vault are billed as RDS snapshot storage in the vault's region.
    "aws:backup/vault:Vault": _monthly(
        "backup.storage", "recovery points (no usage assumption)", "vault-months"
    ),
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": _monthly(
        "s3.replication.transfer",
        "cross-region transfer of replicated objects (no usage assumption)",
        "configuration-months",
    ),
}
PRICED_TYPES: Final = frozenset(_RULES)


def is_non_billable(type_token: str) -> bool:
    return type_token in NON_BILLABLE or type_token.startswith(NON_BILLABLE_PREFIXES)


def _usage_lines(p: _Pricer, resources: Sequence[CostResource]) -> Iterator[Line]:
    """Stack-wide usage (config ``usage``), each under the pseudo-component ``(usage)``."""
    usage = p.context.usage
    stack = CostResource("", "usage", "stack", USAGE_COMPONENT)
    yield p.line(
        stack,
        "data transfer out to the internet (usage.dataTransferOutGb)",
        usage.data_transfer_out_gb,
        "GB",
        "transfer.out.gb",
    )
    types = {r.type for r in resources}
    if types & {"aws:cloudwatch/logGroup:LogGroup", "aws:ec2/flowLog:FlowLog"}:
        yield p.line(
            stack,
            "log ingestion, all log groups (usage.logIngestionGb)",
            usage.log_ingestion_gb,
            "GB",
            "cloudwatch.logs.ingest.gb",
        )
    if "aws:s3/bucket:Bucket" in types:
        yield p.line(
            stack,
            "S3 Standard storage (usage.s3StorageGb)",
            usage.s3_storage_gb,
            "GB-month",
            "s3.standard.gb",
        )
    if "aws:secretsmanager/secret:Secret" in types:
        calls = usage.secrets_api_calls / 10_000
        yield p.line(
            stack,
            "Secrets Manager API calls (usage.secretsApiCalls)",
            calls,
            "10,000 calls",
            "secrets.api10k",
        )


def estimate(resources: Sequence[CostResource], table: PriceTable, context: Context) -> Estimate:
    pricer = _Pricer(table, context)
    index = _Index.of(resources)
    lines: list[Line] = []
    non_billable: dict[str, int] = {}
    usage_billed: dict[str, int] = {}
    for resource in sorted(resources, key=lambda r: (r.component, r.type, r.name)):
        rule = _RULES.get(resource.type)
        if rule is not None:
            lines += rule(pricer, resource, index)
        elif resource.type in USAGE_BILLED:
            usage_billed[resource.type] = usage_billed.get(resource.type, 0) + 1
        elif is_non_billable(resource.type):
            non_billable[resource.type] = non_billable.get(resource.type, 0) + 1
        else:
            lines.append(
                Line(
                    resource.component,
                    resource.name,
                    resource.type,
                    "unknown billable type: not in the cost model",
                    1,
                    "resource",
                    "",
                    pricer.region_of(resource),
                    None,
                    f"{resource.type} is neither priced nor known to be free",
                )
            )
    lines += _usage_lines(pricer, resources)
    return Estimate(
        context.region,
        tuple(lines),
        dict(sorted(non_billable.items())),
        dict(sorted(usage_billed.items())),
    )
