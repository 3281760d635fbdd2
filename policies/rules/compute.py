"""EC2: encrypted EBS, IMDSv2 and no public addresses for instances and launch templates."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    as_bool,
    cannot_verify,
    expect_true,
    require_setting,
    resource_rule,
    violation,
)
from . import types

_ENCRYPT = "set encrypted=true (and a customer managed kmsKeyId)"


def _launch_template_volumes(resource: Resource) -> Iterator[Finding]:
    mappings = resource.items("blockDeviceMappings")
    if mappings is UNKNOWN:
        yield cannot_verify("blockDeviceMappings")
        return
    ebs_indexes = [
        index
        for index, mapping in enumerate(mappings)
        if not (
            isinstance(mapping, Mapping) and ("noDevice" in mapping or "virtualName" in mapping)
        )
    ]
    if not ebs_indexes:
        # Without a mapping the root volume is whatever the AMI's snapshot is.
        yield violation(
            "blockDeviceMappings declares no EBS volume, so the root volume's encryption depends "
            f"on the AMI; declare the root device with ebs.{_ENCRYPT}"
        )
    for index in ebs_indexes:
        yield from expect_true(resource, f"blockDeviceMappings.{index}.ebs.encrypted", _ENCRYPT)


def _instance_volumes(resource: Resource) -> Iterator[Finding]:
    if resource.type == types.LAUNCH_CONFIGURATION and resource.get("rootBlockDevice") is None:
        # Unlike an instance's, a launch configuration's root volume is then the AMI's.
        yield violation(
            "rootBlockDevice is not set, so the root volume's encryption depends on the AMI; "
            f"declare it with {_ENCRYPT}"
        )
    else:
        yield from expect_true(resource, "rootBlockDevice.encrypted", _ENCRYPT)
    devices = resource.items("ebsBlockDevices")
    if devices is UNKNOWN:
        yield cannot_verify("ebsBlockDevices")
        return
    for index, device in enumerate(devices):
        if isinstance(device, Mapping) and as_bool(device.get("noDevice")) is True:
            continue
        yield from expect_true(resource, f"ebsBlockDevices.{index}.encrypted", _ENCRYPT)


@resource_rule(
    name="ebs-encrypted",
    description="EBS volumes (launch templates and configurations, instances, volumes, snapshot "
    "copies) must be encrypted at rest.",
    types=(
        types.LAUNCH_TEMPLATE,
        types.LAUNCH_CONFIGURATION,
        types.INSTANCE,
        types.EBS_VOLUME,
        types.EBS_SNAPSHOT_COPY,
    ),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("EC2.3",),
    unknowns="unknown mappings or `encrypted`: cannot verify",
)
def ebs_encrypted(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == types.LAUNCH_TEMPLATE:
        yield from _launch_template_volumes(resource)
    elif resource.type in (types.INSTANCE, types.LAUNCH_CONFIGURATION):
        yield from _instance_volumes(resource)
    else:
        yield from expect_true(resource, "encrypted", _ENCRYPT)


@resource_rule(
    name="imdsv2-required",
    description="Instances, launch templates and launch configurations must require IMDSv2 "
    "(metadata httpTokens).",
    types=(types.LAUNCH_TEMPLATE, types.LAUNCH_CONFIGURATION, types.INSTANCE),
    level=ADVISORY,
    severity=Severity.HIGH,
    controls=("EC2.8",),
    unknowns="unknown httpTokens: cannot verify",
)
def imdsv2_required(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from require_setting(
        resource, "metadataOptions.httpTokens", "required", 'set it to "required"'
    )


@resource_rule(
    name="no-public-ip",
    description="Instances, launch templates and launch configurations must not assign public "
    "IP addresses.",
    types=(types.LAUNCH_TEMPLATE, types.LAUNCH_CONFIGURATION, types.INSTANCE),
    level=ADVISORY,
    severity=Severity.HIGH,
    controls=("EC2.9", "EC2.25"),
    unknowns="unknown associatePublicIpAddress: cannot verify; absent passes (subnet decides, "
    "and subnets are the network component's concern)",
)
def no_public_ip(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type in (types.INSTANCE, types.LAUNCH_CONFIGURATION):
        paths = ["associatePublicIpAddress"]
    else:
        interfaces = resource.items("networkInterfaces")
        if interfaces is UNKNOWN:
            yield cannot_verify("networkInterfaces")
            return
        paths = [f"networkInterfaces.{i}.associatePublicIpAddress" for i in range(len(interfaces))]
    for path in paths:
        value = as_bool(resource.get(path))
        if value is UNKNOWN:
            yield cannot_verify(path)
        elif value is True:
            yield violation(
                f"{path} is true; keep instances in private subnets behind a load balancer"
            )


@resource_rule(
    name="ebs-encryption-by-default",
    description="The account's EBS encryption by default must stay on in every region the stack "
    "manages it.",
    types=(types.EBS_ENCRYPTION_BY_DEFAULT,),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("EC2.7",),
    unknowns="unknown enabled: cannot verify; absent passes (the provider's default is true)",
)
def ebs_encryption_by_default(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_true(
        resource, "enabled", "set enabled=true: every new volume is then encrypted", default=True
    )


RULES: list[ResourceRule] = [
    ebs_encrypted,
    imdsv2_required,
    no_public_ip,
    ebs_encryption_by_default,
]
