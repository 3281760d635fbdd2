"""``trading-platform:eks``: the service cluster and its managed node groups."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic.dataclasses import dataclass

from components.versions import DEFAULT_EKS_VERSION, Product, support_problem, supported_versions

from .errors import SettingError, raise_all
from .instances import Architecture, architecture, check_al2023
from .schema import (
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


def _public_access_cidr(value: str) -> str:
    network = _parse_cidr(value)
    if network.prefixlen == 0:
        raise SettingError(
            f"{value} would open the Kubernetes API to the whole internet",
            "the CIDRs of your offices or CI runners; [] keeps the endpoint private",
        )
    return str(network)


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
    # The tag CI pushed to every service's ECR repository; changing it rolls the deployments.
    image_tag: Annotated[
        str, Version(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", "a Docker tag, e.g. 'v1.4.2'")
    ] = Field("bootstrap", description="image tag deployed from the (immutable) ECR repositories")

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

    @field_validator("node_groups", mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        groups = named(value)
        if isinstance(groups, list) and not groups:
            raise SettingError("must define at least one node group")
        return groups
