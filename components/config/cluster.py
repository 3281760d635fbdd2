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
from .instances import Architecture, architecture, check_al2023
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


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class NodeGroupConfig:
    name: Annotated[str, Text(r"[a-z][a-z0-9-]{0,30}", "[a-z][a-z0-9-]*", "node group name")] = (
        Field(description="the node group's key under `eks.nodeGroups`")
    )
    instance_type: Annotated[str, InstanceType()] = Field(
        description="EC2 type; a Graviton type (c7g, m7g, r6g, t4g) gets the arm64 AMI"
    )
    min: Annotated[int, _SIZE] = Field(description="fewest nodes")
    desired: Annotated[int, _SIZE] = Field(description="nodes at deploy time")
    max: Annotated[int, _SIZE] = Field(description="most nodes")
    taint: Taint | None = Field(None, description="`key=value:Effect`, e.g. a dedicated group")

    @field_validator("taint", mode="before")
    @classmethod
    def _taint(cls, value: Any) -> Any:
        return _parse_taint(value)

    @model_validator(mode="after")
    def _check(self) -> Self:
        problems = check_scaling(self.min, self.desired, self.max)
        try:
            check_al2023(self.instance_type)
        except SettingError as problem:
            problems.append(SettingError(problem.problem, problem.allowed, at=("instanceType",)))
        raise_all(problems)
        return self

    @property
    def architecture(self) -> Architecture:
        """The nodes' CPU architecture, from the instance type."""
        return architecture(self.instance_type)


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
        description="managed node groups by name: `instanceType`, `min`, `desired`, `max`, "
        "optional `taint`; `null` drops a tier's group",
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
