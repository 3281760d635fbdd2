"""The services that run on the service cluster, and everything each one is known by.

``Service`` names them once; ``SERVICES`` says, per service, which port it serves, which node
group it wants, its image repository, its ALB target group (if it is exposed), its log group and
its pod sizing. Every component that names a service (the cluster's repositories, the edge's
target groups and routes, the workloads, the service log groups, the alarms) reads this table,
so a rename is one line here instead of a string to find in five modules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from .config import NodeGroupConfig
from .reachability import API_PORT, WEBSOCKET_PORT

CONSUMER_HEALTH_PORT = 8080  # consumers serve nothing but their health endpoint


class Service(StrEnum):
    API = "api"
    WEBSOCKET = "websocket"
    CONSUMER = "consumer"


@dataclass(frozen=True)
class TargetGroupSpec:
    """How the ALB reaches an exposed service: the listener rule and the target group."""

    paths: tuple[str, ...]  # CloudFront behaviours and the ALB rule's path patterns
    priority: int  # the ALB listener rule's
    sticky: bool  # a WebSocket stays on the pod that accepted it; reconnects should too


@dataclass(frozen=True)
class PodSizing:
    """Seed 002's requests and limits (section 11.8); the autoscaling ceilings follow the scale
    tier's node-group maxima (section 2.1)."""

    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str
    min_replicas: int
    max_replicas: int


@dataclass(frozen=True)
class ServiceSpec:
    service: Service
    port: int  # serves /health; the ALB target port of an exposed service
    node_group: str  # the node group it wants (``eks.nodeGroups`` key)
    repository: str  # the ECR repository's name under the stack prefix
    target_group: TargetGroupSpec | None  # None: not behind the ALB
    sizing: PodSizing

    @property
    def exposed(self) -> bool:
        return self.target_group is not None

    def log_group_name(self, name_prefix: str) -> str:
        return f"/{name_prefix}/services/{self.service}"

    def repository_name(self, name_prefix: str) -> str:
        return f"{name_prefix}/{self.repository}"


SERVICES: Mapping[Service, ServiceSpec] = MappingProxyType(
    {
        Service.API: ServiceSpec(
            Service.API,
            port=API_PORT,
            node_group="api",
            repository="api",
            target_group=TargetGroupSpec(paths=("/api/*",), priority=100, sticky=False),
            sizing=PodSizing("500m", "512Mi", "1000m", "1Gi", 2, 20),
        ),
        Service.WEBSOCKET: ServiceSpec(
            Service.WEBSOCKET,
            port=WEBSOCKET_PORT,
            node_group="websocket",
            repository="websocket",
            target_group=TargetGroupSpec(
                paths=("/ws/*", "/socket.io/*"), priority=200, sticky=True
            ),
            sizing=PodSizing("250m", "512Mi", "500m", "1Gi", 2, 10),
        ),
        Service.CONSUMER: ServiceSpec(
            Service.CONSUMER,
            port=CONSUMER_HEALTH_PORT,
            node_group="consumer",
            repository="consumer",
            target_group=None,
            sizing=PodSizing("250m", "256Mi", "500m", "512Mi", 2, 15),
        ),
    }
)

EXPOSED: tuple[ServiceSpec, ...] = tuple(spec for spec in SERVICES.values() if spec.exposed)


def node_group_for(spec: ServiceSpec, groups: Sequence[NodeGroupConfig]) -> NodeGroupConfig:
    """The node group ``spec`` runs on.

    Its own group when the tier has one. A tier with a single on-demand group (the startup
    tier's ``general``) runs every service on that group; Spot groups never run a service. Any
    other tier without the service's group is an error: pods without a placement would land on
    whichever group has room, tainted or not.
    """
    own = next((group for group in groups if group.name == spec.node_group), None)
    if own is not None:
        return own
    on_demand = [group for group in groups if not group.spot]
    if len(on_demand) == 1:
        return on_demand[0]
    names = ", ".join(sorted(group.name for group in on_demand)) or "none"
    raise ValueError(
        f"service {spec.service} wants node group {spec.node_group!r}; the on-demand groups are"
        f" {names}"
        " (give it that group, or use a single shared group)"
    )
