"""``trading-platform:eks``: the service cluster and its managed node groups."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import ConfigError
from .reader import ConfigReader, check_scaling

_TAINT = re.compile(r"^(?P<key>[A-Za-z0-9./-]+)=(?P<value>[A-Za-z0-9._-]*):(?P<effect>\w+)$")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
_CLUSTER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{0,99}$")
_NODE_GROUP_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


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


def _parse_taint(key: str, raw: str) -> Taint:
    match = _TAINT.fullmatch(raw)
    if not match or match["effect"] not in TAINT_EFFECTS:
        raise ConfigError(
            key, f"malformed taint {raw!r}", f"'key=value:<{'|'.join(TAINT_EFFECTS)}>'"
        )
    return Taint(match["key"], match["value"], match["effect"])


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
    section.done()
    return EksConfig(cluster_name=cluster_name, node_groups=tuple(groups))
