"""Deploy checks: what mocks accept but a real ``pulumi up`` would trip over.

- ordering-race: an input equal to another resource's name, id or ARN with no dependency path
  to that resource, so the engine may create the two in any order (a PodIdentityAssociation
  naming a cluster that does not exist yet fails with ResourceNotFoundException);
- version-support: engine versions AWS no longer creates (an error) or that leave standard
  support within 90 days (a warning; extended support bills more), from components/versions.py;
- invalid-value: security-group and rule descriptions EC2 rejects (components/ec2_text.py);
- prerequisite: things the stack uses but does not create, such as the Auto Scaling
  service-linked role a key policy names.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from components.ec2_text import check_ec2_description
from components.versions import Product, creation_problem, support_warning

from .capture import UNKNOWN, CapturedResource
from .deploy_findings import DeployFinding

# Inputs that hold a resource's own physical name (what another resource would name it by).
# Type-specific where the same key elsewhere refers to a parent (a node group's clusterName).
_NAME_INPUTS = ("name", "bucket", "identifier", "roleName", "functionName", "repositoryName")
_OWN_NAME_BY_TYPE = {
    "aws:rds/cluster:Cluster": "clusterIdentifier",
    "aws:elasticache/replicationGroup:ReplicationGroup": "replicationGroupId",
    "aws:msk/cluster:Cluster": "clusterName",
    "aws:msk/serverlessCluster:ServerlessCluster": "clusterName",
    "aws:elasticache/serverlessCache:ServerlessCache": "name",
}
# Names that are values, not handles: a DNS record's name is the domain others serve, and
# Kubernetes objects are named inside their namespace, not by AWS.
_NOT_HANDLES_PREFIXES = ("aws:route53/record:Record", "kubernetes:")
# Names AWS gives many resources (every proxy has a "default" target group).
_GENERIC = frozenset({"default"})
# Alarms and dashboards read metrics by dimension and IAM documents grant on ARNs: naming a
# resource before it exists is harmless there (INSUFFICIENT_DATA, a grant on nothing yet), so
# such references are warnings rather than errors.
_OBSERVERS = frozenset(
    {"aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/dashboard:Dashboard"}
)
_DOCUMENTS = frozenset({"policy", "assumeRolePolicy"})
# Inputs that describe rather than refer: a tag may repeat a name without needing its resource.
_DESCRIPTIVE = frozenset({"tags", "tagsAll", "description", "alarmDescription", "defaultTags"})
# Values too generic to mean one resource.
_MIN_IDENTITY_LENGTH = 6


def _strings(value: Any, key: str = "") -> Iterator[str]:
    """Every string a resource's inputs hold, JSON documents included, descriptions excluded."""
    if key in _DESCRIPTIVE:
        return
    if isinstance(value, str):
        if value[:1] in "{[":
            try:
                yield from _strings(json.loads(value))
                return
            except json.JSONDecodeError:
                pass
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(v, str(k))
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def own_name_keys(type_token: str) -> tuple[str, ...]:
    """The inputs that hold a resource's own physical name, for its type."""
    return (*_NAME_INPUTS, _OWN_NAME_BY_TYPE.get(type_token, "name"))


def _identities(resource: CapturedResource) -> set[str]:
    """Names, ids and ARNs by which other resources could refer to ``resource``."""
    if resource.type.startswith(_NOT_HANDLES_PREFIXES):
        return set()
    values = {resource.inputs.get(k) for k in own_name_keys(resource.type)}
    values |= {resource.outputs.get(k) for k in ("id", "arn", "name")}
    return {
        v
        for v in values
        if isinstance(v, str)
        and v != UNKNOWN
        and len(v) >= _MIN_IDENTITY_LENGTH
        and v not in _GENERIC
    }


def _closure(resources: Sequence[CapturedResource]) -> dict[str, set[str]]:
    """URN -> every URN it waits for, through dependencies and components' children."""
    direct: dict[str, set[str]] = {r.urn: set(r.dependencies) for r in resources}
    for r in resources:
        # A resource waits for its provider, and so for what the provider's inputs need.
        if r.provider:
            direct[r.urn].add(r.provider.rsplit("::", 1)[0])
    for r in resources:
        for deps in r.property_dependencies.values():
            direct[r.urn].update(deps)
    children: dict[str, set[str]] = {}
    for r in resources:
        if r.parent:
            children.setdefault(r.parent, set()).add(r.urn)
    # Waiting for a component means waiting for everything inside it.
    for urn in list(direct):
        for dep in list(direct[urn]):
            direct[urn] |= _descendants(dep, children)
    reached: dict[str, set[str]] = {}

    def visit(urn: str) -> set[str]:
        if urn in reached:
            return reached[urn]
        reached[urn] = set()
        found: set[str] = set()
        for dep in direct.get(urn, ()):
            found.add(dep)
            found |= visit(dep)
        reached[urn] = found
        return found

    for urn in direct:
        visit(urn)
    return reached


def _descendants(urn: str, children: Mapping[str, set[str]]) -> set[str]:
    out: set[str] = set()
    stack = [urn]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in out:
                out.add(child)
                stack.append(child)
    return out


def _ancestors(resource: CapturedResource, by_urn: Mapping[str, CapturedResource]) -> set[str]:
    out: set[str] = set()
    parent = resource.parent
    while parent and parent in by_urn and parent not in out:
        out.add(parent)
        parent = by_urn[parent].parent
    return out


def ordering_races(resources: Sequence[CapturedResource]) -> list[DeployFinding]:
    """Inputs that name another resource without depending on it."""
    custom = [r for r in resources if not r.type.startswith("pulumi:providers:")]
    owners: dict[str, list[CapturedResource]] = {}
    for r in custom:
        for identity in _identities(r):
            owners.setdefault(identity, []).append(r)
    waits_for = _closure(resources)
    by_urn = {r.urn: r for r in resources}
    findings: list[DeployFinding] = []
    for r in custom:
        related = waits_for.get(r.urn, set()) | _ancestors(r, by_urn) | {r.urn}
        own = _identities(r)
        reported: set[str] = set()
        for key, value in r.inputs.items():
            for text in _strings(value, key):
                candidates = owners.get(text, [])
                # Names are not unique across types (a proxy is named after its database):
                # depending on any resource of that name settles it.
                if text in own or text in reported or not candidates:
                    continue
                if any(t.urn in related for t in candidates):
                    continue
                reported.add(text)
                target = candidates[0]
                findings.append(
                    DeployFinding(
                        "ordering-race",
                        "warning" if r.type in _OBSERVERS or key in _DOCUMENTS else "error",
                        r.urn,
                        f"{r.name} ({r.type}) input {key!r} names {target.name} "
                        f"({target.type}) as {text!r} but does not depend on it; take the "
                        "value from that resource's output or add depends_on",
                    )
                )
    return findings


# Where each product's version sits in the captured inputs.
_VERSIONED: dict[str, tuple[str, Any]] = {
    "eks:index:Cluster": ("version", lambda _r: Product.EKS),
    "aws:eks/cluster:Cluster": ("version", lambda _r: Product.EKS),
    "aws:rds/instance:Instance": (
        "engineVersion",
        lambda r: Product.RDS_POSTGRES if r.inputs.get("engine") == "postgres" else None,
    ),
    "aws:rds/cluster:Cluster": (
        "engineVersion",
        lambda r: (
            Product.AURORA_POSTGRES if r.inputs.get("engine") == "aurora-postgresql" else None
        ),
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "engineVersion",
        lambda r: (
            Product.ELASTICACHE_VALKEY
            if r.inputs.get("engine") == "valkey"
            else Product.ELASTICACHE_REDIS
        ),
    ),
    "aws:msk/cluster:Cluster": ("kafkaVersion", lambda _r: Product.MSK),
}


def version_support(resources: Sequence[CapturedResource], today: date) -> list[DeployFinding]:
    findings: list[DeployFinding] = []
    for r in resources:
        spec = _VERSIONED.get(r.type)
        if spec is None:
            continue
        key, product_of = spec
        version = r.inputs.get(key)
        product = product_of(r)
        # A replica inherits its source's version and sets none.
        if not isinstance(version, str) or version == UNKNOWN or product is None:
            continue
        problem = creation_problem(product, version)
        if problem is not None:
            findings.append(DeployFinding("version-support", "error", r.urn, problem))
            continue
        warning = support_warning(product, version, today)
        if warning is not None:
            findings.append(DeployFinding("version-support", "warning", r.urn, warning.message))
    return findings


_DESCRIBED = {
    "aws:ec2/securityGroup:SecurityGroup": ("description", "name"),
    "aws:ec2/securityGroupRule:SecurityGroupRule": ("description",),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("description",),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("description",),
}


def ec2_text(resources: Sequence[CapturedResource]) -> list[DeployFinding]:
    findings: list[DeployFinding] = []
    for r in resources:
        fields = _DESCRIBED.get(r.type, ())
        texts = [(f, r.inputs.get(f)) for f in fields]
        if r.type == "aws:ec2/securityGroup:SecurityGroup":
            for direction in ("ingress", "egress"):
                for i, rule in enumerate(r.inputs.get(direction) or []):
                    texts.append((f"{direction}[{i}].description", rule.get("description")))
        for field, text in texts:
            if not isinstance(text, str) or text == UNKNOWN:
                continue
            try:
                check_ec2_description(text, f"{r.name}.{field}")
            except ValueError as error:
                findings.append(DeployFinding("invalid-value", "error", r.urn, str(error)))
    return findings


_AUTOSCALING_ROLE = "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"


_GET_ROLES = "aws:iam/getRoles:getRoles"


def prerequisites(
    resources: Sequence[CapturedResource], invokes: Sequence[tuple[str, Mapping[str, Any]]] = ()
) -> list[DeployFinding]:
    """Service-linked roles that key policies name but the stack neither creates nor checks."""
    creates = any(
        r.type == "aws:iam/serviceLinkedRole:ServiceLinkedRole"
        and r.inputs.get("awsServiceName") == "autoscaling.amazonaws.com"
        for r in resources
    )
    checked = any(
        token == _GET_ROLES and "autoscaling.amazonaws.com" in str(args.get("pathPrefix", ""))
        for token, args in invokes
    )
    if creates or checked:
        return []
    findings: list[DeployFinding] = []
    for r in resources:
        if r.type != "aws:kms/key:Key":
            continue
        if any(_AUTOSCALING_ROLE in text for text in _strings(r.inputs.get("policy", ""))):
            findings.append(
                DeployFinding(
                    "prerequisite",
                    "warning",
                    r.urn,
                    f"{r.name}'s key policy names AWSServiceRoleForAutoScaling, which this "
                    "stack neither creates nor looks up: in an account that never had an Auto "
                    "Scaling group CreateKey fails (components/prerequisites.py does both)",
                )
            )
    return findings


def run_deploy_checks(
    resources: Sequence[CapturedResource],
    *,
    invokes: Sequence[tuple[str, Mapping[str, Any]]] = (),
    today: date | None = None,
) -> list[DeployFinding]:
    """Every deploy check over one captured run (and the invokes it made), errors first."""
    findings = [
        *ordering_races(resources),
        *version_support(resources, today or date.today()),
        *ec2_text(resources),
        *prerequisites(resources, invokes),
    ]
    return sorted(findings, key=lambda f: (f.level != "error", f.check, f.resource))
