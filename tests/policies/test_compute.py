"""EC2: ebs-encrypted, imdsv2-required, no-public-ip."""

import pytest

from policies.engine import ResourceRule
from policies.rules import types
from policies.rules.compute import (
    ebs_encrypted,
    ebs_encryption_by_default,
    imdsv2_required,
    no_public_ip,
)

from .helpers import DELETE, WIRE_UNKNOWN, changed, evaluate, messages

LAUNCH_TEMPLATE = {
    "imageId": "ami-1",
    "instanceType": "c6i.large",
    "blockDeviceMappings": [
        {
            "deviceName": "/dev/xvda",
            "ebs": {"encrypted": "true", "kmsKeyId": "arn:key", "volumeSize": 50},
        }
    ],
    "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled"},
    "networkInterfaces": [{"associatePublicIpAddress": "false", "deviceIndex": 0}],
}
INSTANCE = {
    "ami": "ami-1",
    "instanceType": "c6i.large",
    "rootBlockDevice": {"encrypted": True},
    "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": True}],
    "metadataOptions": {"httpTokens": "required"},
    "associatePublicIpAddress": False,
}
VOLUME = {"availabilityZone": "eu-west-1a", "size": 100, "encrypted": True}


@pytest.mark.parametrize(
    ("type_", "inputs"),
    [
        (types.LAUNCH_TEMPLATE, LAUNCH_TEMPLATE),
        (types.INSTANCE, INSTANCE),
        (types.EBS_VOLUME, VOLUME),
    ],
)
def test_compliance(type_: str, inputs: dict[str, object]) -> None:
    for rule in (ebs_encrypted, imdsv2_required, no_public_ip):
        assert evaluate(rule, type_, inputs) == []


class TestEbsEncrypted:
    @pytest.mark.parametrize("value", ["false", False, DELETE])
    def test_noncompliance_launch_template_mapping(self, value: object) -> None:
        inputs = changed(LAUNCH_TEMPLATE, "blockDeviceMappings.0.ebs.encrypted", value)
        assert (
            "blockDeviceMappings.0.ebs.encrypted is"
            in messages(evaluate(ebs_encrypted, types.LAUNCH_TEMPLATE, inputs))[0]
        )

    def test_noncompliance_launch_template_without_mappings(self) -> None:
        inputs = changed(LAUNCH_TEMPLATE, "blockDeviceMappings", DELETE)
        assert (
            "depends on the AMI"
            in messages(evaluate(ebs_encrypted, types.LAUNCH_TEMPLATE, inputs))[0]
        )

    def test_compliance_instance_store_mapping_is_skipped(self) -> None:
        inputs = changed(
            LAUNCH_TEMPLATE,
            "blockDeviceMappings",
            [
                *LAUNCH_TEMPLATE["blockDeviceMappings"],
                {"deviceName": "/dev/sdb", "virtualName": "ephemeral0"},
            ],
        )
        assert evaluate(ebs_encrypted, types.LAUNCH_TEMPLATE, inputs) == []

    @pytest.mark.parametrize("path", ["rootBlockDevice.encrypted", "ebsBlockDevices.0.encrypted"])
    def test_noncompliance_instance(self, path: str) -> None:
        findings = evaluate(ebs_encrypted, types.INSTANCE, changed(INSTANCE, path, False))
        assert messages(findings) == [
            f"{path} is false; set encrypted=true (and a customer managed kmsKeyId)"
        ]

    def test_noncompliance_volume(self) -> None:
        assert evaluate(ebs_encrypted, types.EBS_VOLUME, changed(VOLUME, "encrypted", DELETE))

    @pytest.mark.parametrize(
        ("type_", "inputs", "what"),
        [
            (
                types.LAUNCH_TEMPLATE,
                changed(LAUNCH_TEMPLATE, "blockDeviceMappings", WIRE_UNKNOWN),
                "blockDeviceMappings",
            ),
            (
                types.LAUNCH_TEMPLATE,
                changed(LAUNCH_TEMPLATE, "blockDeviceMappings.0.ebs.encrypted", WIRE_UNKNOWN),
                "blockDeviceMappings.0.ebs.encrypted",
            ),
            (
                types.INSTANCE,
                changed(INSTANCE, "rootBlockDevice", WIRE_UNKNOWN),
                "rootBlockDevice.encrypted",
            ),
            (types.EBS_VOLUME, changed(VOLUME, "encrypted", WIRE_UNKNOWN), "encrypted"),
        ],
    )
    def test_unknown(self, type_: str, inputs: dict[str, object], what: str) -> None:
        findings = evaluate(ebs_encrypted, type_, inputs)
        assert messages(findings) == [f"cannot verify {what}: unknown during preview"]


class TestImdsv2:
    @pytest.mark.parametrize(
        ("type_", "inputs"), [(types.LAUNCH_TEMPLATE, LAUNCH_TEMPLATE), (types.INSTANCE, INSTANCE)]
    )
    @pytest.mark.parametrize("value", ["optional", DELETE])
    def test_noncompliance(self, type_: str, inputs: dict[str, object], value: object) -> None:
        findings = evaluate(
            imdsv2_required, type_, changed(inputs, "metadataOptions.httpTokens", value)
        )
        assert "metadataOptions.httpTokens is" in messages(findings)[0]

    def test_unknown(self) -> None:
        inputs = changed(LAUNCH_TEMPLATE, "metadataOptions", WIRE_UNKNOWN)
        assert evaluate(imdsv2_required, types.LAUNCH_TEMPLATE, inputs)[0].unverifiable


class TestNoPublicIp:
    def test_noncompliance_instance(self) -> None:
        inputs = changed(INSTANCE, "associatePublicIpAddress", True)
        assert messages(evaluate(no_public_ip, types.INSTANCE, inputs)) == [
            "associatePublicIpAddress is true; keep instances in private subnets behind a load balancer"
        ]

    def test_noncompliance_launch_template(self) -> None:
        inputs = changed(LAUNCH_TEMPLATE, "networkInterfaces.0.associatePublicIpAddress", "true")
        assert len(evaluate(no_public_ip, types.LAUNCH_TEMPLATE, inputs)) == 1

    def test_compliance_absent(self) -> None:
        inputs = changed(INSTANCE, "associatePublicIpAddress", DELETE)
        assert evaluate(no_public_ip, types.INSTANCE, inputs) == []

    @pytest.mark.parametrize(
        ("type_", "inputs"),
        [
            (types.INSTANCE, changed(INSTANCE, "associatePublicIpAddress", WIRE_UNKNOWN)),
            (types.LAUNCH_TEMPLATE, changed(LAUNCH_TEMPLATE, "networkInterfaces", WIRE_UNKNOWN)),
        ],
    )
    def test_unknown(self, type_: str, inputs: dict[str, object]) -> None:
        assert [f.unverifiable for f in evaluate(no_public_ip, type_, inputs)] == [True]


LAUNCH_CONFIGURATION = {
    "imageId": "ami-1",
    "instanceType": "c6i.large",
    "associatePublicIpAddress": False,
    "metadataOptions": {"httpTokens": "required"},
    "rootBlockDevice": {"encrypted": True},
    "ebsBlockDevices": [
        {"deviceName": "/dev/xvdb", "encrypted": True},
        {"deviceName": "/dev/xvdc", "noDevice": True},
    ],
}


class TestLaunchConfiguration:
    def test_compliance(self) -> None:
        for rule in (ebs_encrypted, imdsv2_required, no_public_ip):
            assert evaluate(rule, types.LAUNCH_CONFIGURATION, LAUNCH_CONFIGURATION) == []

    @pytest.mark.parametrize(
        ("path", "value", "rule"),
        [
            ("rootBlockDevice", DELETE, ebs_encrypted),
            ("rootBlockDevice.encrypted", False, ebs_encrypted),
            ("ebsBlockDevices.0.encrypted", DELETE, ebs_encrypted),
            ("metadataOptions.httpTokens", "optional", imdsv2_required),
            ("associatePublicIpAddress", True, no_public_ip),
        ],
    )
    def test_noncompliance(self, path: str, value: object, rule: ResourceRule) -> None:
        inputs = changed(LAUNCH_CONFIGURATION, path, value)
        assert len(evaluate(rule, types.LAUNCH_CONFIGURATION, inputs)) == 1

    def test_unknown(self) -> None:
        inputs = changed(LAUNCH_CONFIGURATION, "rootBlockDevice.encrypted", WIRE_UNKNOWN)
        assert evaluate(ebs_encrypted, types.LAUNCH_CONFIGURATION, inputs)[0].unverifiable


class TestSnapshotCopyAndAccountDefault:
    def test_snapshot_copy(self) -> None:
        assert evaluate(ebs_encrypted, types.EBS_SNAPSHOT_COPY, {"encrypted": True}) == []
        assert len(evaluate(ebs_encrypted, types.EBS_SNAPSHOT_COPY, {"sourceSnapshotId": "s"})) == 1
        assert evaluate(ebs_encrypted, types.EBS_SNAPSHOT_COPY, {"encrypted": WIRE_UNKNOWN})[
            0
        ].unverifiable

    @pytest.mark.parametrize(
        ("inputs", "found"), [({}, 0), ({"enabled": True}, 0), ({"enabled": False}, 1)]
    )
    def test_encryption_by_default(self, inputs: dict[str, object], found: int) -> None:
        assert (
            len(evaluate(ebs_encryption_by_default, types.EBS_ENCRYPTION_BY_DEFAULT, inputs))
            == found
        )

    def test_encryption_by_default_unknown(self) -> None:
        inputs = {"enabled": WIRE_UNKNOWN}
        assert evaluate(ebs_encryption_by_default, types.EBS_ENCRYPTION_BY_DEFAULT, inputs)[
            0
        ].unverifiable
