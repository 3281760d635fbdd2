"""A readable plan of an offline run: components and their resources, counts, outputs."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from .capture import UNKNOWN, CapturedResource
from .runner import ProgramRun

# The settings worth a reviewer's eye, per type (wire names); other types show a few scalars.
KEY_SETTINGS: dict[str, tuple[str, ...]] = {
    "aws:ec2/vpc:Vpc": ("cidrBlock", "enableDnsHostnames"),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"),
    "aws:ec2/route:Route": ("destinationCidrBlock",),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("serviceName", "vpcEndpointType"),
    "aws:ec2/flowLog:FlowLog": ("trafficType", "logDestinationType"),
    "aws:ec2/securityGroup:SecurityGroup": ("description",),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (
        "ipProtocol", "fromPort", "toPort", "cidrIpv4", "prefixListId", "description",
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": (
        "ipProtocol", "fromPort", "toPort", "cidrIpv4", "prefixListId", "description",
    ),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "retentionInDays", "kmsKeyId"),
    "aws:kms/key:Key": ("enableKeyRotation", "deletionWindowInDays"),
}  # fmt: skip
_SKIP = {"tags", "policy", "assumeRolePolicy", "userData", "__defaults"}
_MAX_GENERIC = 4


def _short(value: Any) -> str:
    if value == UNKNOWN:
        return "(known after apply)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict) and "4dabf18193072939515e22adb298388d" in value:
        return "[secret]"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    text = text.replace(UNKNOWN, "?")
    return text if len(text) <= 60 else text[:57] + "..."


def key_settings(resource: CapturedResource) -> str:
    keys = KEY_SETTINGS.get(resource.type)
    if keys is None:
        keys = tuple(
            k
            for k, v in resource.inputs.items()
            if k not in _SKIP and isinstance(v, str | int | float | bool)
        )[:_MAX_GENERIC]
    parts = [f"{k}={_short(resource.inputs[k])}" for k in keys if k in resource.inputs]
    return ", ".join(parts)


def _tree(run: ProgramRun) -> list[str]:
    children: dict[str, list[CapturedResource]] = {}
    for resource in run.resources:
        children.setdefault(resource.parent, []).append(resource)
    known = {r.urn for r in run.resources}
    roots = [r for r in run.resources if r.parent not in known]
    lines: list[str] = []

    def walk(resource: CapturedResource, depth: int) -> None:
        flags = [
            flag
            for flag, on in (("protected", resource.protect), ("remote", resource.remote))
            if on
        ]
        suffix = f"  [{', '.join(flags)}]" if flags else ""
        settings = "" if not resource.custom else key_settings(resource)
        detail = f"  {settings}" if settings else ""
        lines.append(f"{'  ' * depth}{resource.type}  {resource.name}{detail}{suffix}")
        for child in sorted(
            children.get(resource.urn, []), key=lambda r: (r.custom, r.type, r.name)
        ):
            walk(child, depth + 1)

    for root in sorted(roots, key=lambda r: (r.custom, r.type, r.name)):
        walk(root, 1)
    return lines


def render_plan(run: ProgramRun) -> str:
    mode = "preview" if run.preview else "update"
    lines = [
        f"Offline plan of stack '{run.stack}' ({mode} mode, mocked provider; nothing was deployed)",
        "",
        "Resources:",
        *_tree(run),
        "",
        f"Counts by type ({len(run.resources)} resources):",
    ]
    counts = Counter(r.type for r in run.resources)
    lines += [
        f"  {count:4d}  {token}"
        for token, count in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
    ]
    lines += ["", "Outputs:"]
    lines += [f"  {name}: {_short(value)}" for name, value in sorted(run.outputs.items())]
    return "\n".join(lines)
