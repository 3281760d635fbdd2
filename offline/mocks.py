"""Realistic provider behaviour for the offline run: resource outputs and invoke results.

In update mode every resource gets a plausible id, ARN and name; in preview mode only the
inputs come back, so computed outputs (ids, ARNs, endpoints) are unknown, as in a real preview
of a new stack.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

from components.regions import REGIONS

from .mock_outputs import (
    ACCOUNT_ID,
    COMPUTED,
    PARTITION,
    PREFIX_LISTS,
    Created,
    digest,
    secret_arn,
)

# What AWS would list for this account: the region table's names, and a few accounts' views
# that differ from it (us-west-1 shows two of its three names, which differ per account).
AVAILABILITY_ZONES: dict[str, list[str]] = {
    **{region: list(facts.zones) for region, facts in REGIONS.items() if facts.zones},
    "us-west-1": ["us-west-1a", "us-west-1c"],
}
_AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default"
SSM_PARAMETERS: dict[str, str] = {
    f"{_AL2023}-x86_64": "ami-0c9c942bd7bf113a2",
    f"{_AL2023}-arm64": "ami-0f3a440bbcff3d043",
    "/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id": (
        "ami-0e8f4a1b7c2d3e4f5"
    ),
}


@dataclass
class MockAccount:
    """What the mocked account already holds before the stack's first deploy."""

    hosted_zones: set[str] = field(default_factory=lambda: {"trading.example.com", "example.com"})
    private_zones: set[str] = field(default_factory=set)
    # Service-linked roles by service; an account that ever had an ASG has Auto Scaling's.
    service_linked_roles: set[str] = field(default_factory=lambda: {"autoscaling.amazonaws.com"})


# Tests swap this for an account that lacks something (monkeypatch offline.mocks.ACCOUNT).
ACCOUNT = MockAccount()

# AWS managed CloudFront policies: their well-known ids.
CLOUDFRONT_CACHE_POLICIES: dict[str, str] = {
    "Managed-CachingDisabled": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    "Managed-CachingOptimized": "658327ea-f89d-4fab-a63d-7e88639e58f6",
}
CLOUDFRONT_ORIGIN_REQUEST_POLICIES: dict[str, str] = {
    "Managed-AllViewerExceptHostHeader": "b689b0a8-53d0-40ab-baf2-68738e2966ac",
}

# Prefixes of ids AWS gives, by resource type; others get "<name>-<hash>".
_ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
}


class PlatformMocks(Mocks):
    """Mocks for every resource and invoke the program uses, in update or preview mode."""

    def __init__(self, *, preview: bool, region: str) -> None:
        self.preview = preview
        self.region = region
        # Every invoke the program made, in order: what it looked up (prerequisites, zones...).
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        inputs = dict(args.inputs)
        if self.preview:
            # Ids and computed attributes are unknown until the resource exists.
            return None, inputs
        resource_id = self._resource_id(args)
        service = args.typ.split(":")[1].split("/")[0] if ":" in args.typ else "index"
        region = args.inputs.get("region") or self.region
        outputs: dict[str, Any] = {
            "name": args.inputs.get("name") or f"{args.name}-{digest(args.name, length=7)}",
            "arn": f"arn:{PARTITION}:{service}:{region}:{ACCOUNT_ID}:{args.name}/{resource_id}",
            "id": resource_id,
            **inputs,
        }
        outputs.update(self._computed(args, resource_id))
        # Some providers use a natural key as the id (a bucket's name, a secret's ARN).
        return str(outputs["id"]), outputs

    def _resource_id(self, args: MockResourceArgs) -> str:  # noqa: PLR0911 - one return per id shape
        prefix = _ID_PREFIX.get(args.typ)
        if args.resource_id:  # a read (``Resource.get``) keeps the id it was given
            return args.resource_id
        if prefix:
            return prefix + digest(args.typ, args.name)
        if args.typ == "aws:cloudfront/distribution:Distribution":
            return "E" + digest(args.typ, args.name, length=13).upper()
        if args.typ == "aws:s3/bucket:Bucket":  # a bucket's id is its name
            prefix = str(args.inputs.get("bucketPrefix", ""))
            return str(args.inputs.get("bucket") or prefix + digest(args.name, length=12))
        if args.typ == "aws:secretsmanager/secret:Secret":  # a secret's id is its ARN
            name = str(args.inputs.get("namePrefix") or args.inputs.get("name") or args.name)
            region = args.inputs.get("region") or self.region
            return secret_arn(str(region), name)
        if args.typ == "aws:kms/key:Key":
            h = digest(args.name, length=32)
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return f"{args.name}-{digest(args.name, length=7)}"

    def _computed(self, args: MockResourceArgs, resource_id: str) -> dict[str, Any]:
        """Attributes the provider computes that the program reads."""
        compute = COMPUTED.get(args.typ)
        if compute is None:
            return {}
        region = str(args.inputs.get("region") or self.region)
        return compute(Created(args.typ, args.name, dict(args.inputs), region, resource_id))

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        handler = _INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"offline mocks have no result for invoke {args.token}; add one to offline/mocks.py"
            )
        inputs = dict(args.args)
        self.calls.append((args.token, inputs))
        return handler(inputs, str(inputs.get("region") or self.region))


Invoke = dict[str, Any]
InvokeResult = tuple[Invoke, list[tuple[str, str]]]


def _caller_identity(_: Invoke, __: str) -> InvokeResult:
    return {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/ci-deployer",
        "userId": "AROAEXAMPLEID:ci",
        "id": ACCOUNT_ID,
    }, []


def _partition(_: Invoke, __: str) -> InvokeResult:
    return {
        "partition": PARTITION,
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
        "id": PARTITION,
    }, []


def _region(_: Invoke, region: str) -> InvokeResult:
    return {
        "region": region,
        "name": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": region,
        "id": region,
    }, []


def _availability_zones(_: Invoke, region: str) -> InvokeResult:
    names = AVAILABILITY_ZONES.get(region)
    if names is None:
        return {}, [("region", f"no mocked availability zones for {region}")]
    return {
        "names": names,
        "zoneIds": [f"{region}-az{i + 1}" for i in range(len(names))],
        "groupNames": [region] * len(names),
        "id": region,
    }, []


def _managed_prefix_list(inputs: Invoke, region: str) -> InvokeResult:
    name = str(inputs.get("name", ""))
    if name not in PREFIX_LISTS:
        return {}, [("name", f"no managed prefix list named {name!r}")]
    return {
        "id": PREFIX_LISTS[name],
        "name": name,
        "addressFamily": "IPv4",
        "maxEntries": 55 if "cloudfront" in name else 1,
        "ownerId": "AWS",
        "arn": f"arn:{PARTITION}:ec2:{region}:aws:prefix-list/{PREFIX_LISTS[name]}",
        "entries": [],
        "tags": {},
        "version": 1,
    }, []


def _ssm_parameter(inputs: Invoke, region: str) -> InvokeResult:
    name = str(inputs.get("name", ""))
    if name not in SSM_PARAMETERS:
        return {}, [("name", f"no mocked SSM parameter {name!r}")]
    return {
        "name": name,
        "value": SSM_PARAMETERS[name],
        "insecureValue": SSM_PARAMETERS[name],
        "type": "String",
        "version": 1,
        "arn": f"arn:{PARTITION}:ssm:{region}::parameter{name}",
        "id": name,
    }, []


def _policy_document(inputs: Invoke, _: str) -> InvokeResult:
    return {"json": json.dumps(inputs, sort_keys=True), "id": "policy"}, []


def _route53_zone(inputs: Invoke, _: str) -> InvokeResult:
    zone_id = str(inputs.get("zoneId") or "")
    names = ACCOUNT.hosted_zones | ACCOUNT.private_zones
    if zone_id:
        matches = [n for n in names if zone_id_of(n) == zone_id]
        # An id the mocks never handed out stands for a zone the account has under that id.
        name = matches[0] if matches else next(iter(sorted(ACCOUNT.hosted_zones)), "")
    else:
        name = str(inputs.get("name") or "").rstrip(".")
        wanted = ACCOUNT.private_zones if inputs.get("privateZone") else ACCOUNT.hosted_zones
        if name not in wanted:
            return {}, [("name", "no matching Route 53 Hosted Zone found")]
        zone_id = zone_id_of(name)
    return {
        "zoneId": zone_id,
        "id": zone_id,
        "name": f"{name}.",
        "arn": f"arn:{PARTITION}:route53:::hostedzone/{zone_id}",
        "privateZone": name in ACCOUNT.private_zones,
        "nameServers": [f"ns-{i}.awsdns-{i:02d}.org" for i in (1, 2, 3, 4)],
        "resourceRecordSetCount": 4,
    }, []


def zone_id_of(name: str) -> str:
    return "Z" + digest("zone", name, length=20).upper()


def _roles(inputs: Invoke, _: str) -> InvokeResult:
    prefix = str(inputs.get("pathPrefix") or "/")
    roles = [
        (f"/aws-service-role/{service}/", _SERVICE_LINKED_ROLE_NAMES.get(service, service))
        for service in sorted(ACCOUNT.service_linked_roles)
    ]
    matching = [(path, name) for path, name in roles if path.startswith(prefix)]
    return {
        "names": [name for _, name in matching],
        "arns": [f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role{path}{name}" for path, name in matching],
        "id": prefix,
    }, []


# The EKS add-ons the program installs. The mocked version carries the Kubernetes version it
# was asked for (a stand-in, not a real build), so a test can see that an add-on follows it.
EKS_ADDONS = frozenset(
    {
        "vpc-cni",
        "kube-proxy",
        "coredns",
        "eks-pod-identity-agent",
        "metrics-server",
        "aws-ebs-csi-driver",
    }
)


def mocked_addon_version(addon: str, kubernetes_version: str) -> str:
    return f"v{kubernetes_version}.0-eksbuild.1+{addon}"


def _addon_version(inputs: Invoke, _: str) -> InvokeResult:
    name, kubernetes = str(inputs.get("addonName", "")), str(inputs.get("kubernetesVersion", ""))
    if name not in EKS_ADDONS:
        return {}, [("addonName", f"no mocked EKS add-on named {name!r}")]
    return {
        "addonName": name,
        "kubernetesVersion": kubernetes,
        "mostRecent": bool(inputs.get("mostRecent")),
        "version": mocked_addon_version(name, kubernetes),
        "id": name,
    }, []


_SERVICE_LINKED_ROLE_NAMES = {"autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling"}


def _managed_policy(policies: dict[str, str]) -> Callable[[Invoke, str], InvokeResult]:
    def lookup(inputs: Invoke, _: str) -> InvokeResult:
        name = str(inputs.get("name", ""))
        if name not in policies:
            return {}, [("name", f"no AWS managed CloudFront policy named {name!r}")]
        return {"id": policies[name], "name": name, "etag": "E23ZP02F085DFQ"}, []

    return lookup


_INVOKES: dict[str, Callable[[Invoke, str], InvokeResult]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": _managed_prefix_list,
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:route53/getZone:getZone": _route53_zone,
    "aws:iam/getRoles:getRoles": _roles,
    "aws:eks/getAddonVersion:getAddonVersion": _addon_version,
    "aws:cloudfront/getCachePolicy:getCachePolicy": _managed_policy(CLOUDFRONT_CACHE_POLICIES),
    "aws:cloudfront/getOriginRequestPolicy:getOriginRequestPolicy": _managed_policy(
        CLOUDFRONT_ORIGIN_REQUEST_POLICIES
    ),
}
