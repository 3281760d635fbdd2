"""``trading-platform:eks``: the service cluster and its managed node groups."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic.dataclasses import dataclass

from components.versions import DEFAULT_EKS_VERSION, Product, support_problem, supported_versions

from .errors import SettingError, raise_all
from .instances import Architecture, architecture, check_al2023, family_class, size_of
from .schema import (
    CHOICE,
    SCHEMA,
    InstanceType,
    Integer,
    Strings,
    Text,
    Version,
    check_scaling,
    derived,
    named,
)
from .schema import parse_cidr as _parse_cidr

_TAINT = re.compile(r"^(?P<key>[A-Za-z0-9./-]+)=(?P<value>[A-Za-z0-9._-]*):(?P<effect>\w+)$")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_SIZE = Integer(1)


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str


def _parse_taint(raw: Any) -> Any:
    if isinstance(raw, Taint | None):
        return raw
    match = _TAINT.fullmatch(raw) if isinstance(raw, str) else None
    if not match or match["effect"] not in TAINT_EFFECTS:
        raise SettingError(f"malformed taint {raw!r}", f"'key=value:<{'|'.join(TAINT_EFFECTS)}>'")
    return Taint(match["key"], match["value"], match["effect"])


class CapacityType(StrEnum):
    """How a node group's instances are bought (the EKS node group's ``capacityType``)."""

    ON_DEMAND = "on-demand"
    SPOT = "spot"  # up to 90% cheaper; EC2 may take an instance back at two minutes' notice

    @property
    def eks_value(self) -> str:
        return {CapacityType.ON_DEMAND: "ON_DEMAND", CapacityType.SPOT: "SPOT"}[self]


# The groups the services in components/services.py SERVICES run on (tests/config check the two
# agree; config cannot import that module, which imports this one). None may be Spot: the API
# and WebSocket serve users on the request path and hold their connections, and the consumers
# settle trades into positions; an interruption is a dropped order or a stale position.
SERVICE_NODE_GROUPS = ("api", "websocket", "consumer")
# Taints that keep every pod without the toleration off the nodes (PreferNoSchedule only asks).
_EXCLUDING_EFFECTS = ("NoSchedule", "NoExecute")
_INSTANCE_TYPE = InstanceType()
_SPOT_TYPES = Strings(_INSTANCE_TYPE.validate, rule="list of EC2 types, at least two")
_MIN_SIZE = Integer(0)


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class NodeGroupConfig:
    name: Annotated[str, Text(r"[a-z][a-z0-9-]{0,30}", "[a-z][a-z0-9-]*", "node group name")] = (
        Field(description="the node group's key under `eks.nodeGroups`")
    )
    # One key per capacity type: an On-Demand group runs the one type the cost estimate prices
    # and the autoscaler simulates; a Spot group wants several, so a reclaimed pool is not the
    # whole group. ``instanceTypes`` is not a list of alternates for ``instanceType``.
    instance_type: Annotated[str, _INSTANCE_TYPE] | None = Field(
        None,
        description="EC2 type of an on-demand group; a Graviton type (c7g, m7g, r6g, t4g) gets "
        "the arm64 AMI",
    )
    capacity_type: Annotated[CapacityType, CHOICE] = Field(
        CapacityType.ON_DEMAND,
        description="`on-demand`, or `spot` for work that can be interrupted (never a "
        "service's group: api, websocket, consumer)",
    )
    instance_types: Annotated[tuple[str, ...], _SPOT_TYPES] = Field(
        (),
        description="EC2 types of a spot group: two or more of one architecture, family class "
        "and size (c6i.xlarge, c5.xlarge, c5a.xlarge)",
    )
    min: Annotated[int, _MIN_SIZE] = Field(
        description="fewest nodes; 0 only for a spot group (on-demand groups run the cluster's "
        "own services)"
    )
    desired: Annotated[int, _MIN_SIZE] = Field(description="nodes at deploy time")
    max: Annotated[int, _SIZE] = Field(description="most nodes")
    taint: Taint | None = Field(
        None, description="`key=value:Effect`, e.g. a dedicated group; a spot group needs one"
    )

    @field_validator("taint", mode="before")
    @classmethod
    def _taint(cls, value: Any) -> Any:
        return _parse_taint(value)

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = check_scaling(self.min, self.desired, self.max)
        if self.spot:
            problems += self._spot_problems()
        else:
            problems += self._on_demand_problems()
        for index, instance_type in enumerate(self.ec2_instance_types):
            at = ("instanceTypes", index) if self.spot else ("instanceType",)
            try:
                check_al2023(instance_type)
            except SettingError as problem:
                problems.append(SettingError(problem.problem, problem.allowed, at=at))
        raise_all(problems)
        return self

    def _on_demand_problems(self) -> list[SettingError]:
        problems: list[SettingError] = []
        if self.instance_type is None:
            problems.append(
                SettingError("an on-demand group needs its EC2 type", at=("instanceType",))
            )
        if self.instance_types:
            problems.append(
                SettingError(
                    "only a spot group lists several types",
                    "`instanceType`, or `capacityType: spot`",
                    at=("instanceTypes",),
                )
            )
        if self.min == 0:
            # CoreDNS and the cluster autoscaler itself run on the on-demand groups: with none
            # running, nothing would scale anything back up.
            problems.append(
                SettingError("only a spot group may scale to zero", ">= 1", at=("min",))
            )
        return problems

    def _spot_problems(self) -> list[SettingError]:
        problems: list[SettingError] = []
        if self.name in SERVICE_NODE_GROUPS:
            problems.append(
                SettingError(
                    f"the {self.name} service runs on this group, and no service may run on "
                    "Spot capacity",
                    "`on-demand`",
                    at=("capacityType",),
                )
            )
        if self.instance_type is not None:
            problems.append(
                SettingError(
                    "a spot group lists its types in `instanceTypes`", at=("instanceType",)
                )
            )
        problems += _spot_type_problems(self.instance_types)
        if self.taint is None or self.taint.effect not in _EXCLUDING_EFFECTS:
            # Without it any pod could land on a node EC2 may reclaim at two minutes' notice.
            problems.append(
                SettingError(
                    "a spot group needs a taint that keeps other pods off",
                    f"`key=value:<{'|'.join(_EXCLUDING_EFFECTS)}>`, e.g. spot=true:NoSchedule",
                    at=("taint",),
                )
            )
        return problems

    @property
    def spot(self) -> bool:
        return self.capacity_type is CapacityType.SPOT

    @property
    def ec2_instance_types(self) -> tuple[str, ...]:
        """The types EKS may launch: the one of an on-demand group, a spot group's list."""
        if self.spot:
            return self.instance_types
        return (self.instance_type,) if self.instance_type else ()

    @property
    def architecture(self) -> Architecture:
        """The nodes' CPU architecture, from the instance types (one, checked above)."""
        return architecture(self.ec2_instance_types[0])


def _spot_type_problems(types: tuple[str, ...]) -> list[SettingError]:
    """Two or more types of one architecture (a group has one AMI type) and of one family class
    and size: the Cluster Autoscaler sizes new nodes from the first type only, so the others
    must match it ("Using Mixed Instances Policies and Spot Instances",
    https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md).
    """
    at = ("instanceTypes",)
    if len(types) < 2:
        return [
            SettingError(
                "a spot group needs two or more types, so one reclaimed pool is not all of it",
                "e.g. [c6i.xlarge, c5.xlarge, c5a.xlarge]",
                at=at,
            )
        ]
    problems: list[SettingError] = []
    by_architecture = {architecture(t) for t in types}
    if len(by_architecture) > 1:
        listed = ", ".join(f"{t} ({architecture(t)})" for t in types)
        problems.append(
            SettingError(
                f"mixes architectures: {listed}; a node group has one AMI type",
                "all x86_64 or all Graviton (arm64)",
                at=at,
            )
        )
    shapes = {(family_class(t), size_of(t)) for t in types}
    if len(shapes) > 1:
        problems.append(
            SettingError(
                f"mixes sizes: {', '.join(types)}; the autoscaler sizes every node as the first",
                "one family class and size, e.g. c6i.xlarge, c5.xlarge, c5a.xlarge",
                at=at,
            )
        )
    return problems


# Shorter prefixes cover more than 1/256 of the IPv4 space: the pack's "world-open"
# (policies/world.py), whether one range or the halves of /0 side by side.
_WIDEST_API_CLIENT_PREFIX = 8


def _public_access_cidr(value: str) -> str:
    network = _parse_cidr(value)
    if network.prefixlen < _WIDEST_API_CLIENT_PREFIX:
        raise SettingError(
            f"{value} would open the Kubernetes API to the whole internet",
            "the CIDRs of your offices or CI runners (/8 or narrower); [] keeps it private",
        )
    return str(network)


class AccessPolicy(StrEnum):
    """EKS access policies (AmazonEKS<...>Policy) an access entry may be granted."""

    CLUSTER_ADMIN = "cluster-admin"  # everything; cluster scope only
    ADMIN = "admin"
    EDIT = "edit"
    VIEW = "view"

    @property
    def policy_name(self) -> str:
        return {
            AccessPolicy.CLUSTER_ADMIN: "AmazonEKSClusterAdminPolicy",
            AccessPolicy.ADMIN: "AmazonEKSAdminPolicy",
            AccessPolicy.EDIT: "AmazonEKSEditPolicy",
            AccessPolicy.VIEW: "AmazonEKSViewPolicy",
        }[self]


_PRINCIPAL = Text(
    r"arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}",
    "an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/ci-deployer",
    "principal ARN",
)
_NAMESPACE = Text(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", "a Kubernetes namespace name", "namespace")
_SECURITY_GROUP = Text(r"sg-[0-9a-f]{8,17}", "a security group id, e.g. sg-0123456789abcdef0", "id")


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class AccessEntryConfig:
    """An IAM principal that may use the Kubernetes API (EKS access entries, API mode)."""

    name: Annotated[str, Text(r"[a-z][a-z0-9-]{0,62}", "[a-z][a-z0-9-]*", "entry name")] = Field(
        description="the entry's key under `eks.accessEntries`"
    )
    principal_arn: Annotated[str, _PRINCIPAL] = Field(description="the IAM role or user")
    policy: Annotated[AccessPolicy, CHOICE] = Field(
        description="`cluster-admin` (deployers: the charts install CRDs and cluster roles), "
        "`admin`, `edit` or `view`"
    )
    namespaces: Annotated[tuple[str, ...], Strings(_NAMESPACE.validate)] = Field(
        (), description="limit the policy to these namespaces; empty: the whole cluster"
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.policy is AccessPolicy.CLUSTER_ADMIN and self.namespaces:
            raise SettingError(
                "cluster-admin is cluster-wide by definition; use admin for namespaces",
                at=("namespaces",),
            )
        return self


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class EksConfig:
    # The default, ``trading-<stack>``, needs the stack's name: the loader passes it.
    cluster_name: Annotated[
        str, Text(r"[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}", "1-100 of [a-zA-Z0-9_-]")
    ] = Field(
        description="cluster name (also in subnet tags)",
        json_schema_extra=derived("`trading-<stack>`"),
    )
    node_groups: tuple[NodeGroupConfig, ...] = Field(
        description="managed node groups by name: `instanceType` (or `capacityType: spot` and "
        "`instanceTypes`), `min`, `desired`, `max`, optional `taint`; `null` drops a tier's group",
    )
    version: Annotated[str, Version(r"1\.\d{2}", "'1.<minor>', e.g. '1.35'", decimals=2)] = Field(
        DEFAULT_EKS_VERSION,
        # Extended support is a cost (about 6x per cluster-hour), not a failure: accepted here,
        # warned about by the deploy checks.
        description="Kubernetes version, in standard support by default; extended support is "
        "accepted (the offline plan warns), past it refused",
    )
    # Empty: the API endpoint is private only. Otherwise public, but only to these CIDRs.
    public_access_cidrs: Annotated[tuple[str, ...], Strings(_public_access_cidr)] = Field(
        (), description="empty: private endpoint; else public to exactly these CIDRs"
    )
    # The deployer's path to the private endpoint: a VPN or peered network, or CI runners'
    # security groups inside the VPC; each becomes an ingress rule on 443 of the control plane.
    private_access_cidrs: Annotated[tuple[str, ...], Strings(_public_access_cidr)] = Field(
        (), description="CIDRs (VPN, peered CI) allowed on 443 to the private API endpoint"
    )
    private_access_security_group_ids: Annotated[
        tuple[str, ...], Strings(_SECURITY_GROUP.validate)
    ] = Field((), description="security groups (CI runners in the VPC) allowed on 443 to the API")
    access_entries: tuple[AccessEntryConfig, ...] = Field(
        (),
        description="IAM principals given Kubernetes access by name: `principalArn`, `policy`, "
        "optional `namespaces`; the cluster's creator is admin besides",
    )
    # The tag CI pushed to every service's ECR repository; changing it rolls the deployments.
    # Unset on a new stack: the repositories are created in the same run and hold nothing yet,
    # so Deployments would wait out their readiness timeout on ImagePullBackOff.
    image_tag: (
        Annotated[str, Version(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", "a Docker tag, e.g. 'v1.4.2'")]
        | None
    ) = Field(
        None,
        description="image tag deployed from the (immutable) ECR repositories; unset: no "
        "Deployments yet (set it once CI has pushed every service's image)",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_cluster_name(cls, data: Any, info: ValidationInfo) -> Any:
        stack = (info.context or {}).get("stack")
        if isinstance(data, dict) and "clusterName" not in data and stack:
            return {"clusterName": f"trading-{stack}", **data}
        return data

    @field_validator("version")
    @classmethod
    def _supported(cls, value: str, info: ValidationInfo) -> str:
        # Tests pin the day; a deploy checks against today.
        today: date = (info.context or {}).get("today") or date.today()
        problem = support_problem(Product.EKS, value, today)
        if problem is not None:
            raise SettingError(problem, ", ".join(supported_versions(Product.EKS, today)))
        return value

    @field_validator("access_entries", mode="before")
    @classmethod
    def _named_entries(cls, value: Any) -> Any:
        return named(value)

    @property
    def has_private_access_path(self) -> bool:
        return bool(self.private_access_cidrs or self.private_access_security_group_ids)

    @field_validator("node_groups", mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        groups = named(value)
        if isinstance(groups, list) and not groups:
            raise SettingError("must define at least one node group")
        return groups

    @model_validator(mode="after")
    def _on_demand_group(self) -> Self:
        # The services and the cluster's own (CoreDNS, the autoscaler) never run on Spot.
        if all(group.spot for group in self.node_groups):
            raise SettingError(
                "every node group is spot; the services need an on-demand group",
                at=("nodeGroups",),
            )
        return self

    @property
    def on_demand_groups(self) -> tuple[NodeGroupConfig, ...]:
        return tuple(group for group in self.node_groups if not group.spot)
