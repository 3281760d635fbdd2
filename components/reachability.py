"""Who may talk to whom: the one table every security-group rule comes from.

Each ``Flow`` opens exactly one port range from a source to a destination. A flow between two
roles becomes an ingress rule on the destination's SG (referencing the source SG) and an egress
rule on the source's SG (referencing the destination SG), so both sides are least privilege. A
flow from an external peer is ingress only; a flow to one is egress only. Nothing is ever
reachable from the internet: the only way in is CloudFront (which carries WAF) to the ALB.

Each flow also says how its source authenticates (``Auth``). The network rule is only half of a
working flow: a flow that authenticates with IAM (Kafka, the database, Secrets Manager, the AWS
APIs) needs an AWS identity on its source, and ``components.access`` turns the workloads' needs
into IAM statements only where a flow of the right kind exists. A flow whose source can hold no
identity (a load balancer, CloudFront) may only be ``Auth.NETWORK``; the table fails at import
otherwise.

Seed 002 opened 0-65535 between tiers; every port here is the application's own.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

from .ec2_text import check_ec2_description

Protocol = Literal["tcp", "udp"]


class Role(StrEnum):
    """A security group per role; workloads attach the SG of what they are."""

    ALB = "alb"
    APP = "app"  # EKS nodes and pods: api, websocket, consumers
    EKS_CONTROL_PLANE = "eks-control-plane"
    MATCHING_ENGINE_NLB = "matching-engine-nlb"
    MATCHING_ENGINE = "matching-engine"
    DB_PROXY = "db-proxy"
    DATABASE = "database"
    CACHE = "cache"
    KAFKA = "kafka"
    ENDPOINTS = "endpoints"  # interface VPC endpoints
    ROTATION = "rotation"  # the master password's rotation function (Lambda in the VPC)


class Peer(StrEnum):
    """Things outside the VPC's security groups."""

    CLOUDFRONT = "cloudfront"  # CloudFront's origin-facing managed prefix list
    S3 = "s3"  # the S3 gateway endpoint's prefix list
    INTERNET = "internet"  # 0.0.0.0/0 through NAT; egress only
    # Whoever runs `pulumi up` against the private API: eks.privateAccessCidrs (VPN, peered CI)
    # and eks.privateAccessSecurityGroupIds (runners in the VPC). Ingress only, never the world.
    DEPLOYER = "deployer"


Endpoint = Role | Peer


class Auth(StrEnum):
    """How a flow's source proves who it is, beyond being allowed on the network."""

    NETWORK = "network"  # nothing more: the SG rule (and TLS where the target terminates it)
    KAFKA_IAM = "kafka-iam"  # SASL/IAM: kafka-cluster:* on the cluster, its topics and groups
    KAFKA_SCRAM = "kafka-scram"  # a username and password from the SCRAM secret
    DATABASE_IAM = "database-iam"  # an IAM token for one database user (rds-db:connect)
    DATABASE_PASSWORD = "database-password"  # the master password from its secret
    CACHE_CREDENTIAL = "cache-credential"  # the AUTH token or RBAC password from its secret
    CACHE_IAM = "cache-iam"  # an IAM token for the RBAC user (elasticache:Connect)
    AWS_API = "aws-api"  # SigV4; what the caller may do is its own role's business
    KUBERNETES = "kubernetes"  # IAM to the API server: access entries, the node role


# Sources that can hold an AWS identity: pods (Pod Identity) and nodes, engine hosts (instance
# profile), RDS Proxy (its role), the control plane (the cluster role), deployers (their own),
# the rotation function (its execution role).
IDENTITY_HOLDERS: frozenset[Endpoint] = frozenset(
    {
        Role.APP,
        Role.MATCHING_ENGINE,
        Role.DB_PROXY,
        Role.EKS_CONTROL_PLANE,
        Peer.DEPLOYER,
        Role.ROTATION,
    }
)


@dataclass(frozen=True)
class Flow:
    source: Endpoint
    destination: Endpoint
    from_port: int
    to_port: int
    reason: str
    protocol: Protocol = "tcp"
    auth: Auth = Auth.NETWORK


# Application ports, named once.
HTTPS = 443
API_PORT = 3000
WEBSOCKET_PORT = 3001
ENGINE_TCP_PORT = 8080
ENGINE_GRPC_PORT = 9090
POSTGRES_PORT = 5432
REDIS_PORT = 6379
# ElastiCache Serverless serves reads from replicas on 6380 (clients opt in with READONLY);
# 6379 reaches the primary. ElastiCache user guide, "Connecting to a serverless cache".
REDIS_SERVERLESS_READ_PORT = 6380
KAFKA_IAM_PORT = 9098  # MSK SASL/IAM over TLS; always on
KAFKA_SCRAM_PORT = 9096  # MSK SASL/SCRAM over TLS; only with kafka.scram
KUBELET_PORT = 10250
LB_CONTROLLER_WEBHOOK_PORT = 9443  # the AWS Load Balancer Controller's admission webhook
# The metrics-server EKS add-on serves the metrics API on 10251 (EKS user guide, "View resource
# usage with the Kubernetes Metrics Server"); the API server proxies `kubectl top` and HPAs there.
METRICS_SERVER_PORT = 10251
DNS_PORT = 53
# MSK open monitoring: the brokers' JMX exporter and node exporter (MSK Developer Guide, "Open
# monitoring with Prometheus": https://docs.aws.amazon.com/msk/latest/developerguide/open-monitoring.html).
KAFKA_JMX_EXPORTER_PORT = 11001
KAFKA_NODE_EXPORTER_PORT = 11002
# The engine's metrics port by default (matchingEngine.metricsPort).
ENGINE_METRICS_PORT = 9404
# kube-prometheus-stack inside the cluster: the ports of its pods (and of node exporter, on the
# node's address) that other pods reach across nodes.
PROMETHEUS_PORT = 9090
ALERTMANAGER_PORT = 9093
KUBE_STATE_METRICS_PORT = 8080  # also the operator's config-reloader sidecars
NODE_EXPORTER_PORT = 9100
COREDNS_METRICS_PORT = 9153


def _one(
    source: Endpoint,
    destination: Endpoint,
    port: int,
    reason: str,
    protocol: Protocol = "tcp",
    auth: Auth = Auth.NETWORK,
) -> Flow:
    return Flow(source, destination, port, port, reason, protocol, auth)


REACHABILITY: tuple[Flow, ...] = (
    # Edge: the internet reaches CloudFront (with WAF), and only CloudFront reaches the ALB.
    _one(Peer.CLOUDFRONT, Role.ALB, HTTPS, "CloudFront origin requests to the ALB over HTTPS"),
    _one(Role.ALB, Role.APP, API_PORT, "ALB to API pods"),
    _one(Role.ALB, Role.APP, WEBSOCKET_PORT, "ALB to WebSocket pods"),
    # Inside the cluster: pods on one node reach pods and DNS on another.
    Flow(Role.APP, Role.APP, API_PORT, WEBSOCKET_PORT, "Service-to-service calls between pods"),
    _one(Role.APP, Role.APP, DNS_PORT, "CoreDNS over TCP", "tcp"),
    _one(Role.APP, Role.APP, DNS_PORT, "CoreDNS over UDP", "udp"),
    _one(Role.APP, Role.APP, KUBELET_PORT, "metrics-server scraping kubelets"),
    _one(
        Role.APP,
        Role.EKS_CONTROL_PLANE,
        HTTPS,
        "Nodes and pods to the Kubernetes API",
        auth=Auth.KUBERNETES,
    ),
    _one(Role.EKS_CONTROL_PLANE, Role.APP, KUBELET_PORT, "API server to kubelets (logs, exec)"),
    _one(Role.EKS_CONTROL_PLANE, Role.APP, HTTPS, "API server to admission webhooks"),
    _one(
        Role.EKS_CONTROL_PLANE,
        Role.APP,
        METRICS_SERVER_PORT,
        "API server to metrics-server (the metrics API for HPAs)",
    ),
    _one(
        Role.EKS_CONTROL_PLANE,
        Role.APP,
        LB_CONTROLLER_WEBHOOK_PORT,
        "API server to the AWS Load Balancer Controller webhook",
    ),
    # Matching engine: only through its internal NLB, never directly from pods.
    _one(Role.APP, Role.MATCHING_ENGINE_NLB, ENGINE_TCP_PORT, "Services to the engine (TCP)"),
    _one(Role.APP, Role.MATCHING_ENGINE_NLB, ENGINE_GRPC_PORT, "Services to the engine (gRPC)"),
    _one(Role.MATCHING_ENGINE_NLB, Role.MATCHING_ENGINE, ENGINE_TCP_PORT, "NLB to engines (TCP)"),
    _one(Role.MATCHING_ENGINE_NLB, Role.MATCHING_ENGINE, ENGINE_GRPC_PORT, "NLB to engines (gRPC)"),
    _one(
        Role.MATCHING_ENGINE,
        Role.MATCHING_ENGINE,
        ENGINE_GRPC_PORT,
        "Standby engines follow the primary over gRPC",
    ),
    # Data: the database only accepts its proxy; apps and engines use the proxy.
    _one(
        Role.APP,
        Role.DB_PROXY,
        POSTGRES_PORT,
        "Services to PostgreSQL through RDS Proxy",
        auth=Auth.DATABASE_IAM,
    ),
    _one(
        Role.MATCHING_ENGINE,
        Role.DB_PROXY,
        POSTGRES_PORT,
        "Engines persist through RDS Proxy",
        auth=Auth.DATABASE_IAM,
    ),
    # End-to-end IAM: the proxy logs in to the database with IAM tokens for the same users.
    _one(
        Role.DB_PROXY,
        Role.DATABASE,
        POSTGRES_PORT,
        "RDS Proxy to the database",
        auth=Auth.DATABASE_IAM,
    ),
    _one(
        Role.APP,
        Role.CACHE,
        REDIS_PORT,
        "Services to Redis/Valkey (TLS)",
        auth=Auth.CACHE_CREDENTIAL,
    ),
    _one(
        Role.MATCHING_ENGINE,
        Role.CACHE,
        REDIS_PORT,
        "Engines to Redis/Valkey (TLS)",
        auth=Auth.CACHE_CREDENTIAL,
    ),
    _one(
        Role.APP,
        Role.KAFKA,
        KAFKA_IAM_PORT,
        "Producers and consumers to Kafka (IAM, TLS)",
        auth=Auth.KAFKA_IAM,
    ),
    _one(
        Role.MATCHING_ENGINE,
        Role.KAFKA,
        KAFKA_IAM_PORT,
        "Engines publish trades (IAM, TLS)",
        auth=Auth.KAFKA_IAM,
    ),
    # AWS APIs through interface endpoints, S3 through its gateway endpoint.
    _one(
        Role.APP,
        Role.ENDPOINTS,
        HTTPS,
        "Pods and nodes to AWS APIs via interface endpoints",
        auth=Auth.AWS_API,
    ),
    _one(
        Role.MATCHING_ENGINE,
        Role.ENDPOINTS,
        HTTPS,
        "SSM, CloudWatch and KMS for engines",
        auth=Auth.AWS_API,
    ),
    _one(
        Role.DB_PROXY,
        Role.ENDPOINTS,
        HTTPS,
        "RDS Proxy reads its secret from Secrets Manager",
        auth=Auth.AWS_API,
    ),
    _one(Role.APP, Peer.S3, HTTPS, "ECR image layers are served from S3", auth=Auth.AWS_API),
    _one(
        Role.MATCHING_ENGINE,
        Peer.S3,
        HTTPS,
        "Engine artifacts and OS packages from S3",
        auth=Auth.AWS_API,
    ),
    # The only internet egress: services call external broker and exchange APIs (seed 000).
    _one(Role.APP, Peer.INTERNET, HTTPS, "External broker and exchange APIs over HTTPS via NAT"),
)


# Flows that exist only when a setting turns the listener on; ``reachability`` adds them.
KAFKA_SCRAM_FLOWS: tuple[Flow, ...] = (
    _one(
        Role.APP,
        Role.KAFKA,
        KAFKA_SCRAM_PORT,
        "Clients without IAM signing to Kafka (SCRAM)",
        auth=Auth.KAFKA_SCRAM,
    ),
)


SERVERLESS_CACHE_FLOWS: tuple[Flow, ...] = (
    _one(
        Role.APP,
        Role.CACHE,
        REDIS_SERVERLESS_READ_PORT,
        "Services read from cache replicas",
        auth=Auth.CACHE_CREDENTIAL,
    ),
    _one(
        Role.MATCHING_ENGINE,
        Role.CACHE,
        REDIS_SERVERLESS_READ_PORT,
        "Engines read from cache replicas",
        auth=Auth.CACHE_CREDENTIAL,
    ),
)


DEPLOYER_FLOWS: tuple[Flow, ...] = (
    _one(
        Peer.DEPLOYER,
        Role.EKS_CONTROL_PLANE,
        HTTPS,
        "Deployers to the Kubernetes API",
        auth=Auth.KUBERNETES,
    ),
)


def monitoring_flows(*, engine_metrics_port: int, kafka_exporters: bool) -> tuple[Flow, ...]:
    """Prometheus (in-cluster monitoring) scrapes the engines and, on MSK Provisioned, the
    brokers' exporters; MSK Serverless has no open monitoring.

    Prometheus is a pod, and pods use their node's security group (Role.APP) unless security
    groups for pods are set up, so at the network layer every pod of the cluster may reach these
    ports, not only Prometheus. What they serve is read-only metrics without credentials.
    The nodes carry only that group (their launch template names it, so EKS adds no cluster
    group), hence the stack's own pod-to-pod ports are flows here too.
    """
    in_cluster = (
        _one(Role.APP, Role.APP, PROMETHEUS_PORT, "Grafana queries Prometheus"),
        _one(Role.APP, Role.APP, ALERTMANAGER_PORT, "Prometheus sends alerts to Alertmanager"),
        _one(Role.APP, Role.APP, KUBE_STATE_METRICS_PORT, "Prometheus scrapes kube-state-metrics"),
        _one(Role.APP, Role.APP, NODE_EXPORTER_PORT, "Prometheus scrapes node exporter"),
        _one(Role.APP, Role.APP, COREDNS_METRICS_PORT, "Prometheus scrapes CoreDNS metrics"),
    )
    engine = _one(
        Role.APP,
        Role.MATCHING_ENGINE,
        engine_metrics_port,
        "Prometheus scrapes engine metrics",
    )
    if not kafka_exporters:
        return (*in_cluster, engine)
    return (
        *in_cluster,
        engine,
        _one(
            Role.APP,
            Role.KAFKA,
            KAFKA_JMX_EXPORTER_PORT,
            "Prometheus scrapes the broker JMX exporter",
        ),
        _one(
            Role.APP,
            Role.KAFKA,
            KAFKA_NODE_EXPORTER_PORT,
            "Prometheus scrapes the broker node exporter",
        ),
    )


# Only when the master password is ours (an RDS instance with replicas): AWS's rotation function
# logs in to the database as the master user to change it, and stores it in Secrets Manager.
DATABASE_ROTATION_FLOWS: tuple[Flow, ...] = (
    _one(
        Role.ROTATION,
        Role.DATABASE,
        POSTGRES_PORT,
        "Rotation function sets the master password",
        auth=Auth.DATABASE_PASSWORD,
    ),
    _one(
        Role.ROTATION,
        Role.ENDPOINTS,
        HTTPS,
        "Rotation function to Secrets Manager",
        auth=Auth.AWS_API,
    ),
)


def reachability(
    *,
    kafka_scram: bool,
    cache_serverless: bool,
    deployer_access: bool = False,
    monitoring: tuple[Flow, ...] = (),
    cache_iam: bool = False,
    database_rotation: bool = False,
) -> tuple[Flow, ...]:
    """The table for a stack: the fixed flows plus those its settings enable. ``monitoring``:
    ``monitoring_flows`` when the stack runs Prometheus. With ``cache_iam`` (``cache.auth:
    iam``) the cache flows authenticate with IAM tokens instead of a stored credential; the
    network rules are the same. ``database_rotation``: the master password is ours, and our
    rotation function changes it."""
    flows = (
        REACHABILITY
        + (KAFKA_SCRAM_FLOWS if kafka_scram else ())
        + (SERVERLESS_CACHE_FLOWS if cache_serverless else ())
        + (DEPLOYER_FLOWS if deployer_access else ())
        + monitoring
        + (DATABASE_ROTATION_FLOWS if database_rotation else ())
    )
    if not cache_iam:
        return flows
    return tuple(
        replace(flow, auth=Auth.CACHE_IAM) if flow.auth is Auth.CACHE_CREDENTIAL else flow
        for flow in flows
    )


@dataclass(frozen=True)
class RuleSpec:
    """One security-group rule, before it is a resource."""

    role: Role  # the SG the rule belongs to
    direction: Literal["ingress", "egress"]
    protocol: Protocol
    from_port: int
    to_port: int
    peer: Endpoint  # the other side: a role's SG, a prefix list or the internet
    description: str

    @property
    def slug(self) -> str:
        """A stable, readable resource-name suffix."""
        ports = (
            str(self.from_port)
            if self.from_port == self.to_port
            else f"{self.from_port}-{self.to_port}"
        )
        arrow = "from" if self.direction == "ingress" else "to"
        return f"{self.role}-{self.direction}-{arrow}-{self.peer}-{self.protocol}{ports}"


def check_table(flows: tuple[Flow, ...]) -> None:
    """The table's invariants; a violation here is a bug in the table, caught at import."""
    seen: set[tuple[Endpoint, Endpoint, str, int, int]] = set()
    for flow in flows:
        key = (flow.source, flow.destination, flow.protocol, flow.from_port, flow.to_port)
        if key in seen:
            raise ValueError(f"duplicate flow {key}")
        seen.add(key)
        if flow.source is Peer.INTERNET:
            raise ValueError(f"nothing may accept traffic from the internet: {flow}")
        if isinstance(flow.source, Peer) and isinstance(flow.destination, Peer):
            raise ValueError(f"a flow needs at least one of our roles: {flow}")
        if not 0 < flow.from_port <= flow.to_port <= 65535:
            raise ValueError(f"bad port range in {flow}")
        if flow.to_port - flow.from_port > 10:
            raise ValueError(f"port ranges are the application's, not wide open: {flow}")
        if flow.auth is not Auth.NETWORK and flow.source not in IDENTITY_HOLDERS:
            raise ValueError(
                f"{flow.source} cannot hold an AWS identity, so it cannot authenticate with "
                f"{flow.auth}: {flow}"
            )
        # The reason becomes both rules' description, which EC2 validates.
        check_ec2_description(flow.reason, f"flow {flow.source} -> {flow.destination}")


def rule_specs(flows: tuple[Flow, ...] = REACHABILITY) -> list[RuleSpec]:
    """Expands flows into per-SG ingress and egress rules."""
    specs: list[RuleSpec] = []
    for flow in flows:
        common = {"protocol": flow.protocol, "from_port": flow.from_port, "to_port": flow.to_port}
        if isinstance(flow.destination, Role):
            specs.append(
                RuleSpec(
                    flow.destination, "ingress", peer=flow.source, description=flow.reason, **common
                )
            )
        if isinstance(flow.source, Role):
            specs.append(
                RuleSpec(
                    flow.source, "egress", peer=flow.destination, description=flow.reason, **common
                )
            )
    return specs


check_table(
    reachability(
        kafka_scram=True,
        cache_serverless=True,
        deployer_access=True,
        database_rotation=True,
        monitoring=monitoring_flows(engine_metrics_port=ENGINE_METRICS_PORT, kafka_exporters=True),
    )
)
