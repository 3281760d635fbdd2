"""``trading-platform:eks``: the service cluster and its managed node groups."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ConfigError
from .reader import ConfigReader, check_scaling, parse_cidr

_TAINT = re.compile(r"^(?P<key>[A-Za-z0-9./-]+)=(?P<value>[A-Za-z0-9._-]*):(?P<effect>\w+)$")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_CLUSTER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}$")
_NODE_GROUP_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_K8S_VERSION = re.compile(r"^1\.\d{2}$")
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
DEFAULT_K8S_VERSION = "1.33"


@dataclass(frozen=True)
class Taint:
    key: str
    value: str
    effect: str


@dataclass(frozen=True)
class NodeGroupConfig:
    name: str
    instance_type: str
    min: int
    desired: int
    max: int
    taint: Taint | None


@dataclass(frozen=True)
class EksConfig:
    cluster_name: str
    node_groups: tuple[NodeGroupConfig, ...]
    version: str = DEFAULT_K8S_VERSION
    # Empty: the API endpoint is private only. Otherwise public, but only to these CIDRs.
    public_access_cidrs: tuple[str, ...] = ()
    # The tag CI pushed to every service's ECR repository; changing it rolls the deployments.
    image_tag: str = "bootstrap"


def _parse_taint(key: str, raw: str) -> Taint:
    match = _TAINT.fullmatch(raw)
    if not match or match["effect"] not in TAINT_EFFECTS:
        raise ConfigError(
            key, f"malformed taint {raw!r}", f"'key=value:<{'|'.join(TAINT_EFFECTS)}>'"
        )
    return Taint(match["key"], match["value"], match["effect"])


def _public_access_cidr(key: str, value: str) -> str:
    network = parse_cidr(key, value)
    if network.prefixlen == 0:
        raise ConfigError(
            key,
            f"{value} would open the Kubernetes API to the whole internet",
            "the CIDRs of your offices or CI runners; [] keeps the endpoint private",
        )
    return str(network)


def parse_eks(section: ConfigReader, default_cluster_name: str) -> EksConfig:
    cluster_name = section.string(
        "clusterName",
        default_cluster_name,
        pattern=_CLUSTER_NAME,
        describe="1-100 of [a-zA-Z0-9_-]",
    )
    groups: list[NodeGroupConfig] = []
    for name, group in section.sections("nodeGroups").items():
        if not _NODE_GROUP_NAME.fullmatch(name):
            raise ConfigError(group.path, f"malformed node group name {name!r}", "[a-z][a-z0-9-]*")
        minimum, desired, maximum = (group.positive(k) for k in ("min", "desired", "max"))
        check_scaling(group.path, minimum, desired, maximum)
        taint = group.optional_string("taint")
        groups.append(
            NodeGroupConfig(
                name=name,
                instance_type=group.instance_type("instanceType"),
                min=minimum,
                desired=desired,
                max=maximum,
                taint=_parse_taint(group.key("taint"), taint) if taint else None,
            )
        )
        group.done()
    if not groups:
        raise ConfigError(section.key("nodeGroups"), "must define at least one node group")
    version = section.string(
        "version", DEFAULT_K8S_VERSION, pattern=_K8S_VERSION, describe="'1.<minor>', e.g. '1.33'"
    )
    public_cidrs = section.string_list("publicAccessCidrs", [], item=_public_access_cidr)
    image_tag = section.string(
        "imageTag", "bootstrap", pattern=_IMAGE_TAG, describe="a Docker tag, e.g. 'v1.4.2'"
    )
    section.done()
    return EksConfig(
        cluster_name=cluster_name,
        node_groups=tuple(groups),
        version=version,
        public_access_cidrs=tuple(public_cidrs),
        image_tag=image_tag,
    )
