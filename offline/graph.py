"""The planned architecture as a Graphviz graph, made from a plan document.

The whole stack: clusters per region, VPC and subnet tier (the subnets' `Tier` tag), one node
per security group with the resources that use it, and an edge per reachability flow (each
ingress rule from another group, prefix list or CIDR; internet egress by CIDR). One component:
its resources grouped by their child components, with the dependencies between them as edges.
The source is written with the `graphviz` package and rendered to SVG/PNG when Graphviz's `dot`
is on PATH; without it the `.dot` file alone is written.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import graphviz

_RENDERED: Final = frozenset({"svg", "png"})
_SG: Final = "aws:ec2/securityGroup:SecurityGroup"
_SUBNET: Final = "aws:ec2/subnet:Subnet"
_INGRESS: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
_EGRESS: Final = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
_AZ_SUFFIX = re.compile(r"[a-z]$")


class GraphError(Exception):
    """The graph cannot be drawn as asked (an unknown component, an unknown file type)."""


def _node(key: str) -> str:
    """A node or cluster id: Graphviz reads ``a:b`` in an edge as node ``a``, port ``b``, and
    every URN has colons."""
    return "n" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _deps(resource: dict[str, Any], key: str) -> list[str]:
    return list(resource.get("propertyDependencies", {}).get(key, []))


def _input_deps(resource: dict[str, Any]) -> set[str]:
    return {u for urns in resource.get("propertyDependencies", {}).values() for u in urns}


def _port(rule: dict[str, Any]) -> str:
    inputs = rule["inputs"]
    low, high = inputs.get("fromPort"), inputs.get("toPort")
    ports = "all" if low is None else (str(low) if low == high else f"{low}-{high}")
    return f"{inputs.get('ipProtocol', '')} {ports}".strip()


def _stack_graph(resources: list[dict[str, Any]], stack: str) -> graphviz.Digraph:
    by_urn = {r["urn"]: r for r in resources}
    subnets = {r["urn"]: r for r in resources if r["type"] == _SUBNET}
    groups = {r["urn"]: r for r in resources if r["type"] == _SG}
    inputs_from = {r["urn"]: _input_deps(r) for r in resources}
    used_by: dict[str, set[str]] = defaultdict(set)
    for urn, deps in inputs_from.items():
        for dep in deps:
            used_by[dep].add(urn)

    def placed_in(urn: str) -> set[str]:
        """The subnets a resource sits in: its own, else those of what it uses (an RDS subnet
        group) or of what uses it (the Auto Scaling group of a launch template)."""
        own = inputs_from[urn] & subnets.keys()
        if own:
            return own
        near = inputs_from[urn] | used_by[urn]
        return {s for other in near for s in inputs_from.get(other, set()) & subnets.keys()}

    users: dict[str, list[str]] = defaultdict(list)
    tiers: dict[str, set[str]] = defaultdict(set)
    for resource in resources:
        if resource["type"] in (_INGRESS, _EGRESS) or resource["urn"] in groups:
            continue
        for group in inputs_from[resource["urn"]] & groups.keys():
            users[group].append(resource["name"])
            tiers[group] |= {
                subnets[s]["inputs"].get("tags", {}).get("Tier", "?")
                for s in placed_in(resource["urn"])
            }

    def vpc_of(resource: dict[str, Any]) -> str:
        return next(iter(_deps(resource, "vpcId")), "")

    def region_of(vpc: str) -> str:
        for subnet in subnets.values():
            if vpc_of(subnet) == vpc:
                return _AZ_SUFFIX.sub("", str(subnet["inputs"].get("availabilityZone", "")))
        return str(by_urn.get(vpc, {}).get("inputs", {}).get("region", "")) or "stack region"

    graph = graphviz.Digraph(stack, graph_attr={"rankdir": "LR", "compound": "true"})
    graph.attr("node", shape="box", style="rounded", fontname="Helvetica", fontsize="10")
    layout: dict[str, dict[str, dict[str, list[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for urn, group in sorted(groups.items()):
        vpc = vpc_of(group)
        tier = next(iter(tiers[urn])) if len(tiers[urn]) == 1 else ""
        layout[region_of(vpc)][vpc][tier].append(urn)
    for region, vpcs in sorted(layout.items()):
        region_graph = _cluster(region, f"region {region}", style="dashed")
        for vpc, by_tier in sorted(vpcs.items()):
            cidr = by_urn.get(vpc, {}).get("inputs", {}).get("cidrBlock", "")
            vpc_name = by_urn.get(vpc, {}).get("name", "no VPC")
            vpc_graph = _cluster(vpc, f"VPC {vpc_name} {cidr}".strip(), style="solid")
            for tier, members in sorted(by_tier.items()):
                if not tier:  # used from several tiers, or by nothing in a subnet
                    _group_nodes(vpc_graph, members, groups, users)
                    continue
                tier_graph = _cluster(
                    f"{vpc}_{tier}", f"{tier} subnets", style="filled", fillcolor="#f3f6fa"
                )
                _group_nodes(tier_graph, members, groups, users)
                vpc_graph.subgraph(tier_graph)
            region_graph.subgraph(vpc_graph)
        graph.subgraph(region_graph)
    external: set[str] = set()
    for rule in sorted(
        (r for r in resources if r["type"] in (_INGRESS, _EGRESS)), key=lambda r: r["urn"]
    ):
        own = next(iter(_deps(rule, "securityGroupId")), "")
        peer = next(iter(_deps(rule, "referencedSecurityGroupId")), "")
        inputs = rule["inputs"]
        outside = inputs.get("prefixListId") or inputs.get("cidrIpv4") or inputs.get("cidrIpv6")
        if rule["type"] == _INGRESS:
            source, target = (peer, own) if peer else (f"ext:{outside}", own)
        elif peer:
            continue  # the ingress rule on the peer draws the same flow
        else:
            source, target = own, f"ext:{outside}"
        for end in (source, target):
            if end.startswith("ext:") and end not in external:
                external.add(end)
                graph.node(
                    _node(end),
                    end.removeprefix("ext:"),
                    shape="ellipse",
                    style="filled",
                    fillcolor="#fdebd0",
                )
        graph.edge(_node(source), _node(target), label=_port(rule), fontsize="9")
    return graph


def _cluster(key: str, label: str, **attrs: str) -> graphviz.Digraph:
    """A subgraph Graphviz draws as a box: its name must start with "cluster"."""
    cluster = graphviz.Digraph(name=f"cluster_{_node(key)}")
    cluster.attr(label=label, **attrs)
    return cluster


def _group_nodes(
    graph: graphviz.Digraph,
    members: Iterable[str],
    groups: dict[str, dict[str, Any]],
    users: dict[str, list[str]],
) -> None:
    for urn in members:
        names = sorted(set(users.get(urn, [])))
        shown = "\\n".join(names[:4]) + (f"\\n+{len(names) - 4} more" if len(names) > 4 else "")
        label = f"{groups[urn]['name']}" + (f"\\n{shown}" if shown else "")
        graph.node(_node(urn), label)


def _component_graph(resources: list[dict[str, Any]], component: str) -> graphviz.Digraph:
    roots = [r for r in resources if not r["custom"] and component in (r["name"], r["type"])]
    if not roots:
        names = sorted(
            r["name"] for r in resources if not r["custom"] and not r["options"]["remote"]
        )
        raise GraphError(f"no component named {component!r} (components: {', '.join(names)})")
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for resource in resources:
        children[resource["parent"]].append(resource)
    graph = graphviz.Digraph(component, graph_attr={"rankdir": "LR"})
    graph.attr("node", shape="box", style="rounded", fontname="Helvetica", fontsize="10")
    inside: set[str] = set()

    def draw(parent: dict[str, Any]) -> graphviz.Digraph:
        cluster = _cluster(parent["urn"], f"{parent['name']} ({parent['type']})")
        for child in sorted(children[parent["urn"]], key=lambda r: r["urn"]):
            if child["custom"] or child["options"]["remote"]:
                inside.add(child["urn"])
                cluster.node(
                    _node(child["urn"]), f"{child['name']}\\n{child['type'].rsplit(':', 1)[-1]}"
                )
            else:
                cluster.subgraph(draw(child))
        return cluster

    for root in roots:
        graph.subgraph(draw(root))
    by_urn = {r["urn"]: r for r in resources}
    for urn in sorted(inside):
        resource = by_urn[urn]
        deps = set(resource["dependencies"])
        deps |= {u for urns in resource["propertyDependencies"].values() for u in urns}
        for dep in sorted(deps & inside):
            graph.edge(_node(dep), _node(urn))
    return graph


def write_graph(document: dict[str, Any], path: Path, *, component: str | None) -> list[str]:
    """Writes the graph's source next to ``path`` and renders ``path`` when it can; returns
    what it did, one line each."""
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in {*_RENDERED, "dot", "gv"}:
        raise GraphError(f"{path}: the graph is written as .dot or .gv, or rendered as .svg/.png")
    resources: list[dict[str, Any]] = document["resources"]
    graph = (
        _component_graph(resources, component)
        if component
        else _stack_graph(resources, document["stack"])
    )
    source = path if fmt in ("dot", "gv") else path.with_suffix(".dot")
    graph.save(filename=source.name, directory=source.parent)
    done = [f"graph: wrote {source}"]
    if fmt in _RENDERED:
        if shutil.which("dot"):
            try:
                graphviz.render("dot", fmt, source, outfile=path, quiet=True)
            except graphviz.CalledProcessError as error:
                raise GraphError(
                    f"{source}: Graphviz could not render it: {error.stderr!r}"
                ) from error
            done.append(f"graph: rendered {path}")
        else:
            done.append(
                f"graph: Graphviz `dot` is not on PATH, {path} not rendered "
                f"(install graphviz, then: dot -T{fmt} {source} -o {path})"
            )
    return done
