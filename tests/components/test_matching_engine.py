"""MatchingEngineFleet, built on its own under mocks, per tier, in update and preview mode."""

from __future__ import annotations

import base64
import json
import subprocess
from typing import Any

import pytest

from components.aws_context import AwsContext
from components.config import MatchingEngineConfig
from components.config.loader import load_section
from components.config.tiers import TIERS, merge
from components.matching_engine import (
    MatchingEngineFleet,
    MatchingEngineFleetArgs,
    UserDataParams,
    ami_parameter,
    render_user_data,
)
from components.reachability import REACHABILITY, Role
from offline.capture import UNKNOWN, CapturedResource
from offline.mocks import ACCOUNT_ID, SSM_PARAMETERS
from offline.runner import ProgramRun, run_component

CONTEXT = AwsContext(ACCOUNT_ID, "aws", "ap-northeast-2", "amazonaws.com")
SUBNETS = ["subnet-engine-a", "subnet-engine-b", "subnet-engine-c"]
ENGINE_SG = "sg-matching-engine"
NLB_SG = "sg-matching-engine-nlb"
LOGS_KEY = f"arn:aws:kms:ap-northeast-2:{ACCOUNT_ID}:key/logs"
BOOTSTRAP = "b-1.kafka.example:9098,b-2.kafka.example:9098"
DATABASE_SECRET = f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT_ID}:secret:trading-test/app/db"
CACHE_SECRET = f"arn:aws:secretsmanager:ap-northeast-2:{ACCOUNT_ID}:secret:trading-test/app/c"
# What components.access builds for the engine; its statements are tested in test_access.py.
DATA_ACCESS = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "KafkaCluster",
                "Effect": "Allow",
                "Action": "kafka-cluster:Connect",
                "Resource": "arn:aws:kafka:ap-northeast-2:1:cluster/k/abc-3",
            }
        ],
    }
)
TIER_NAMES = ("startup", "growth", "scale")
MODES = pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
TIERED = pytest.mark.parametrize("tier", TIER_NAMES)


def engine_config(tier: str, **override: Any) -> MatchingEngineConfig:
    raw = merge(TIERS[tier]["matchingEngine"], override)
    return load_section(MatchingEngineConfig, raw, key="matchingEngine")


VERSION = "1.4.2"


def build(
    tier: str,
    *,
    preview: bool,
    protect: bool = False,
    artifact_version: str | None = VERSION,
    data_access: str | None = DATA_ACCESS,
    **override: Any,
) -> tuple[ProgramRun, MatchingEngineConfig]:
    """The fleet of ``tier`` running ``artifact_version`` (None: no build pushed yet)."""
    if artifact_version is not None:
        override = {"artifactVersion": artifact_version, **override}
    engine = engine_config(tier, **override)
    az_count = TIERS[tier]["network"]["azCount"]

    def program() -> None:
        MatchingEngineFleet(
            "matching-engine",
            fleet_args(engine, az_count, data_access=data_access, protect=protect),
        )

    return run_component(program, preview=preview), engine


def fleet_args(
    engine: MatchingEngineConfig,
    az_count: int,
    *,
    data_access: str | None = DATA_ACCESS,
    protect: bool = False,
    dr_region: str | None = None,
) -> MatchingEngineFleetArgs:
    """The fleet's args in the test network: ``az_count`` engine subnets, fixed groups."""
    return MatchingEngineFleetArgs(
        name_prefix="trading-test",
        engine=engine,
        vpc_id="vpc-test",
        subnet_ids=SUBNETS[:az_count],
        security_group_id=ENGINE_SG,
        nlb_security_group_id=NLB_SG,
        logs_kms_key_arn=LOGS_KEY,
        kafka_bootstrap_servers=BOOTSTRAP,
        data_access_policy=data_access,
        database_secret_arn=DATABASE_SECRET,
        cache_secret_arn=CACHE_SECRET,
        database_user="trading_engine",
        context=CONTEXT,
        protect=protect,
        dr_region=dr_region,
    )


def one(run: ProgramRun, type_token: str) -> CapturedResource:
    (resource,) = run.of_type(type_token)
    return resource


def user_data(run: ProgramRun) -> str:
    encoded = one(run, "aws:ec2/launchTemplate:LaunchTemplate").get("userData")
    assert isinstance(encoded, str)
    assert encoded != UNKNOWN
    return base64.b64decode(encoded).decode()


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@TIERED
@MODES
def test_launch_template_is_hardened_and_sized_per_tier(tier: str, preview: bool) -> None:
    run, engine = build(tier, preview=preview)
    template = one(run, "aws:ec2/launchTemplate:LaunchTemplate")
    assert template.get("instanceType") == engine.instance_type
    assert template.get("imageId") == SSM_PARAMETERS[ami_parameter(engine.instance_type)]
    assert template.get("ebsOptimized") == "true"
    assert template.get("placement.tenancy") == engine.tenancy
    assert template.get("metadataOptions") == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    assert template.get("monitoring.enabled") is True
    assert template.get("keyName") is None
    (nic,) = template.get("networkInterfaces")
    assert nic["associatePublicIpAddress"] == "false"
    assert nic["securityGroups"] == [ENGINE_SG]
    (disk,) = template.get("blockDeviceMappings")
    ebs = disk["ebs"]
    assert (ebs["volumeType"], ebs["encrypted"]) == ("gp3", "true")
    assert (ebs["volumeSize"], ebs["iops"], ebs["throughput"]) == (
        engine.volume_gb,
        engine.volume_iops,
        engine.volume_throughput,
    )
    key = one(run, "aws:kms/key:Key")
    assert key.get("enableKeyRotation") is True
    # The volume key is the component's own CMK (its ARN is unknown until it exists).
    assert key.urn in template.property_dependencies["blockDeviceMappings"]
    if preview:
        assert ebs["kmsKeyId"] == UNKNOWN
    else:
        assert ebs["kmsKeyId"].startswith(f"arn:aws:kms:ap-northeast-2:{ACCOUNT_ID}:key/")


@TIERED
@MODES
def test_cluster_placement_follows_the_tier_and_pins_the_asg_to_one_az(
    tier: str, preview: bool
) -> None:
    run, engine = build(tier, preview=preview)
    groups = run.of_type("aws:ec2/placementGroup:PlacementGroup")
    template = one(run, "aws:ec2/launchTemplate:LaunchTemplate")
    asg = one(run, "aws:autoscaling/group:Group")
    az_count = TIERS[tier]["network"]["azCount"]
    if engine.cluster_placement:
        assert [g.get("strategy") for g in groups] == ["cluster"]
        assert template.get("placement.groupName") is not None
        # A cluster placement group cannot span AZs, so neither can its ASG.
        assert asg.get("vpcZoneIdentifiers") == SUBNETS[:1]
    else:
        assert groups == []
        assert template.get("placement.groupName") is None
        assert asg.get("vpcZoneIdentifiers") == SUBNETS[:az_count]


@TIERED
@MODES
def test_asg_scales_per_tier_with_elb_health_and_rolling_refresh(tier: str, preview: bool) -> None:
    run, engine = build(tier, preview=preview)
    asg = one(run, "aws:autoscaling/group:Group")
    assert (asg.get("minSize"), asg.get("desiredCapacity"), asg.get("maxSize")) == (
        engine.min,
        engine.desired,
        engine.max,
    )
    assert asg.get("healthCheckType") == "ELB"
    assert asg.get("healthCheckGracePeriod") == 300
    assert asg.get("instanceRefresh.strategy") == "Rolling"
    assert asg.get("instanceRefresh.preferences.minHealthyPercentage") == 66
    # Pinned to the template's latest version (1 in the mocks), never "$Latest".
    assert asg.get("launchTemplate.version") == (UNKNOWN if preview else "1")
    assert len(asg.get("targetGroupArns")) == 2


@TIERED
@MODES
def test_without_an_artifact_version_no_host_boots(tier: str, preview: bool) -> None:
    run, engine = build(tier, preview=preview, artifact_version=None)
    asg = one(run, "aws:autoscaling/group:Group")
    # min and desired 0, max unchanged: nothing boots (and fails under set -e) until a release.
    assert (asg.get("minSize"), asg.get("desiredCapacity"), asg.get("maxSize")) == (
        0,
        0,
        engine.max,
    )
    assert one(run, "aws:ec2/launchTemplate:LaunchTemplate").get("userData") is None
    # Everything else is in place for the first release: the bucket, the NLB, the template.
    assert one(run, "aws:s3/bucket:Bucket").get("bucket").startswith("trading-test-engine-")
    assert len(run.of_type("aws:lb/targetGroup:TargetGroup")) == 2


@pytest.mark.parametrize("version", ["1.4.2", "2026.12.01-rc1"])
def test_user_data_downloads_exactly_the_configured_version(version: str) -> None:
    run, _ = build("startup", preview=False, artifact_version=version)
    script = user_data(run)
    bucket = f"trading-test-engine-artifacts-{ACCOUNT_ID}-ap-northeast-2"
    copies = [line for line in script.splitlines() if line.startswith("aws s3 cp")]
    assert [line.split('"')[1] for line in copies] == [
        f"s3://{bucket}/matching-engine/{version}/matching-engine.jar",
        f"s3://{bucket}/matching-engine/{version}/config.yml",
    ]


@MODES
def test_internal_nlb_with_its_own_sg_and_two_tcp_listeners(preview: bool) -> None:
    run, _ = build("scale", preview=preview)
    nlb = one(run, "aws:lb/loadBalancer:LoadBalancer")
    assert nlb.get("internal") is True
    assert nlb.get("loadBalancerType") == "network"
    assert nlb.get("enableCrossZoneLoadBalancing") is True
    assert nlb.get("securityGroups") == [NLB_SG]
    assert nlb.get("subnets") == SUBNETS
    groups = run.of_type("aws:lb/targetGroup:TargetGroup")
    assert sorted(g.get("port") for g in groups) == [8080, 9090]
    for group in groups:
        assert (group.get("protocol"), group.get("targetType")) == ("TCP", "instance")
        check = group.get("healthCheck")
        assert check["protocol"] == "TCP"
        assert (check["interval"], check["healthyThreshold"], check["unhealthyThreshold"]) == (
            10,
            2,
            2,
        )
    listeners = run.of_type("aws:lb/listener:Listener")
    assert sorted((lst.get("port"), lst.get("protocol")) for lst in listeners) == [
        (8080, "TCP"),
        (9090, "TCP"),
    ]
    assert all(lst.get("defaultActions.0.type") == "forward" for lst in listeners)


def test_target_groups_forward_to_their_own_listener() -> None:
    run, _ = build("scale", preview=False)
    by_port = {g.get("port"): g for g in run.of_type("aws:lb/targetGroup:TargetGroup")}
    for listener in run.of_type("aws:lb/listener:Listener"):
        target = listener.get("defaultActions.0.targetGroupArn")
        assert "targetgroup/matching-engine-" in target
        assert by_port[listener.get("port")].urn in listener.property_dependencies["defaultActions"]


@MODES
def test_security_groups_are_only_the_two_roles_of_the_reachability_table(preview: bool) -> None:
    run, _ = build("scale", preview=preview)
    # The component creates no groups or rules of its own: the table is the single source.
    assert not [r for r in run.resources if "securityGroup" in r.type]
    referenced = {s for r in run.resources for s in strings(r.inputs) if s.startswith("sg-")}
    assert referenced == {ENGINE_SG, NLB_SG}
    # And the table opens exactly the listener ports between those roles.
    ports = {g.get("port") for g in run.of_type("aws:lb/targetGroup:TargetGroup")}
    for port in ports:
        for source, destination in (
            (Role.APP, Role.MATCHING_ENGINE_NLB),
            (Role.MATCHING_ENGINE_NLB, Role.MATCHING_ENGINE),
        ):
            flows = {(f.source, f.destination, f.from_port, f.to_port) for f in REACHABILITY}
            assert (source, destination, port, port) in flows


@MODES
def test_artifact_bucket_is_private_versioned_encrypted_and_tls_only(preview: bool) -> None:
    run, engine = build("growth", preview=preview)
    bucket = one(run, "aws:s3/bucket:Bucket")
    assert bucket.get("bucket") == f"trading-test-engine-artifacts-{ACCOUNT_ID}-ap-northeast-2"
    block = one(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(
        block.get(k) is True
        for k in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    ownership = one(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.get("rule.objectOwnership") == "BucketOwnerEnforced"
    versioning = one(run, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.get("versioningConfiguration.status") == "Enabled"
    lifecycle = one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    [rule] = lifecycle.get("rules")
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": 90}
    assert "days" not in rule["expiration"]  # current builds never expire
    sse_type = "BucketServerSideEncryptionConfiguration"
    sse = one(run, f"aws:s3/{sse_type[0].lower()}{sse_type[1:]}:{sse_type}")
    default = sse.get("rules.0.applyServerSideEncryptionByDefault")
    assert default["sseAlgorithm"] == "aws:kms"
    assert "kmsMasterKeyId" in default
    policy = json.loads(one(run, "aws:s3/bucketPolicy:BucketPolicy").get("policy"))
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert engine.artifact_prefix == "matching-engine"


def test_instance_role_is_least_privilege() -> None:
    run, _ = build("scale", preview=False)
    attachments = run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert [a.get("policyArn") for a in attachments] == [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    ]
    trust = json.loads(one(run, "aws:iam/role:Role").get("assumeRolePolicy"))
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    policies = {p.name: p.get("policy") for p in run.of_type("aws:iam/rolePolicy:RolePolicy")}
    # The data flows come as one document from components.access, attached unchanged.
    assert policies["matching-engine-data-access"] == DATA_ACCESS
    policy = json.loads(policies["matching-engine-access"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    bucket_arn = f"arn:aws:s3:::trading-test-engine-artifacts-{ACCOUNT_ID}-ap-northeast-2"
    assert statements["ReadEngineArtifacts"]["Action"] == "s3:GetObject"
    assert statements["ReadEngineArtifacts"]["Resource"] == f"{bucket_arn}/matching-engine/*"
    assert statements["ListEngineArtifacts"]["Condition"] == {
        "StringLike": {"s3:prefix": ["matching-engine/*"]}
    }
    assert statements["DecryptArtifactsThroughS3"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.ap-northeast-2.amazonaws.com"}
    }
    assert statements["CloudWatchAgentMetrics"]["Condition"] == {
        "StringEquals": {"cloudwatch:namespace": "TradingPlatform/MatchingEngine"}
    }
    assert not [sid for sid in statements if sid.startswith("Kafka")]
    # Nothing is granted on every resource without a condition.
    assert not [s for s in policy["Statement"] if s["Resource"] == "*" and "Condition" not in s]
    assert not [s for s in policy["Statement"] if s["Action"] in ("s3:*", "kms:*", "*")]


def test_an_engine_without_data_flows_gets_no_data_policy() -> None:
    run, _ = build("startup", preview=False, data_access=None)
    names = [p.name for p in run.of_type("aws:iam/rolePolicy:RolePolicy")]
    assert names == ["matching-engine-access"]


def test_ebs_key_lets_auto_scaling_create_encrypted_volumes() -> None:
    run, _ = build("scale", preview=False)
    policy = json.loads(one(run, "aws:kms/key:Key").get("policy"))
    slr = (
        f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling"
    )
    grants = [s for s in policy["Statement"] if s["Principal"] == {"AWS": slr}]
    assert {s["Sid"] for s in grants} == {"AutoScalingUsesKeyForVolumes", "AutoScalingGrantsToEc2"}


@TIERED
def test_log_groups_are_kms_encrypted_with_tier_retention(tier: str) -> None:
    run, engine = build(tier, preview=False)
    groups = {g.get("name"): g for g in run.of_type("aws:cloudwatch/logGroup:LogGroup")}
    assert set(groups) == {
        "/trading-test/matching-engine/application",
        "/trading-test/matching-engine/gc",
    }
    for group in groups.values():
        assert group.get("kmsKeyId") == LOGS_KEY
        assert group.get("retentionInDays") == engine.log_retention_days


@pytest.mark.parametrize("protect", [True, False])
def test_stateful_resources_follow_the_protect_flag(protect: bool) -> None:
    run, _ = build("scale", preview=True, protect=protect)
    for type_token in (
        "aws:kms/key:Key",
        "aws:s3/bucket:Bucket",
        "aws:cloudwatch/logGroup:LogGroup",
    ):
        assert all(r.protect is protect for r in run.of_type(type_token)), type_token
    nlb = one(run, "aws:lb/loadBalancer:LoadBalancer")
    assert nlb.get("enableDeletionProtection") is protect
    assert not one(run, "aws:autoscaling/group:Group").protect


@MODES
def test_every_child_is_parented_to_the_component(preview: bool) -> None:
    run, _ = build("startup", preview=preview)
    (component,) = [r for r in run.resources if r.is_component]
    assert component.type == "trading:matching_engine:MatchingEngineFleet"
    assert all(r.parent == component.urn for r in run.resources if r is not component)


@TIERED
@MODES
def test_rendered_user_data_tunes_the_host_per_tier(tier: str, preview: bool) -> None:
    run, engine = build(tier, preview=preview)
    script = user_data(run)
    assert script.startswith("#!/bin/bash\n")
    assert "cat > /etc/sysctl.d/90-matching-engine.conf" in script
    for setting in (
        "net.core.rmem_max = 134217728",
        "net.core.wmem_max = 134217728",
        "net.ipv4.tcp_rmem = 4096 87380 134217728",
        "net.ipv4.tcp_wmem = 4096 65536 134217728",
        "net.core.somaxconn = 65535",
        "net.core.netdev_max_backlog = 65535",
        "vm.swappiness = 1",
        "vm.dirty_ratio = 60",
        "vm.dirty_background_ratio = 2",
    ):
        assert f"\n{setting}\n" in script, setting
    assert "sysctl --system" in script
    # THP off on every boot through an enabled unit, not a one-off echo.
    assert "echo never > /sys/kernel/mm/transparent_hugepage/enabled" in script
    assert "systemctl enable --now disable-thp.service" in script
    assert f"-Xms{engine.heap_gb}g -Xmx{engine.heap_gb}g" in script
    assert "-XX:+UseZGC -XX:+ZGenerational" in script
    assert "dnf install -y java-21-amazon-corretto-headless amazon-cloudwatch-agent" in script
    assert "amazon-linux-extras" not in script
    assert "yum " not in script
    assert "User=matching-engine" in script
    assert "usermod -a -G matching-engine cwagent" in script  # the agent reads the logs
    assert "User=root" not in script
    assert "Restart=always" in script
    bucket = f"trading-test-engine-artifacts-{ACCOUNT_ID}-ap-northeast-2"
    assert f"s3://{bucket}/matching-engine/{VERSION}/matching-engine.jar" in script
    assert f"s3://{bucket}/matching-engine/{VERSION}/config.yml" in script
    assert '"log_group_name": "/trading-test/matching-engine/application"' in script
    assert '"log_group_name": "/trading-test/matching-engine/gc"' in script
    assert f"KAFKA_BOOTSTRAP_SERVERS={BOOTSTRAP}" in script
    assert "--management.server.port=9404" in script  # matchingEngine.metricsPort's default
    # Only the CloudWatch agent's own ${aws:...} variables survive rendering.
    leftovers = {part.split("}")[0] for part in script.split("${")[1:]}
    assert leftovers == {"aws:InstanceId"}


@pytest.mark.parametrize(("heap", "metrics_port"), [(3, 9404), (24, 9500)])
def test_render_user_data_uses_the_heap_and_metrics_port_it_is_given(
    heap: int, metrics_port: int
) -> None:
    script = render_user_data(
        UserDataParams(
            heap_gb=heap,
            region="ap-northeast-2",
            artifact_bucket="bucket",
            artifact_prefix="engine/builds",
            artifact_version="v2",
            application_log_group="/app",
            gc_log_group="/gc",
            metrics_namespace="Ns",
            kafka_bootstrap_servers="b:9098",
            database_secret_arn="arn:db",
            database_user="trading_engine",
            cache_secret_arn="arn:cache",
            metrics_port=metrics_port,
        )
    )
    assert f"-Xms{heap}g -Xmx{heap}g" in script
    # Actuator's Prometheus endpoint on its own port, off the NLB's listeners.
    assert f"--management.server.port={metrics_port}" in script
    assert "--management.endpoints.web.exposure.include=health,prometheus" in script
    assert "s3://bucket/engine/builds/v2/config.yml" in script
    # The script parses as bash, heredocs and all.
    syntax = subprocess.run(
        ["bash", "-n"], input=script, text=True, capture_output=True, check=False
    )
    assert syntax.returncode == 0, syntax.stderr
    assert '"namespace": "Ns"' in script


def test_pinned_ami_replaces_the_ssm_lookup() -> None:
    run, _ = build("startup", preview=False, amiId="ami-0123456789abcdef0")
    template = one(run, "aws:ec2/launchTemplate:LaunchTemplate")
    assert template.get("imageId") == "ami-0123456789abcdef0"


@pytest.mark.parametrize(
    ("instance_type", "arch"),
    [("c6i.4xlarge", "x86_64"), ("c7g.2xlarge", "arm64"), ("c6gn.large", "arm64")],
)
def test_ami_parameter_matches_the_architecture(instance_type: str, arch: str) -> None:
    assert ami_parameter(instance_type) == (
        f"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
    )


def test_component_outputs_are_plain_ids() -> None:
    run, _ = build("growth", preview=False)
    (component,) = [r for r in run.resources if r.is_component]
    assert component.name == "matching-engine"
    asg = one(run, "aws:autoscaling/group:Group")
    assert asg.get("name") == "trading-test-matching-engine"


def test_user_data_says_where_to_connect_and_holds_no_credential() -> None:
    run, _ = build("growth", preview=False)
    script = user_data(run)
    env = script.split("cat > /etc/matching-engine.env <<'ENV'\n", 1)[1].split("\nENV", 1)[0]
    assert env.splitlines() == [
        "AWS_REGION=ap-northeast-2",
        f"KAFKA_BOOTSTRAP_SERVERS={BOOTSTRAP}",
        f"DATABASE_SECRET_ARN={DATABASE_SECRET}",
        "DATABASE_USER=trading_engine",
        f"CACHE_SECRET_ARN={CACHE_SECRET}",
    ]
