"""MatchingEngineFleet: one latency-tuned JVM per host, behind an internal NLB.

The hosts live in the matching-engine subnets (local routes only: AWS APIs through endpoints,
packages and the engine build from S3 through the gateway endpoint). Nobody logs in with SSH:
operators use SSM Session Manager. Every security group comes from the reachability table; this
component only attaches the two the table names for it.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from string import Template
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi_aws.s3 import (
    BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs as ReplicaEncryptionArgs,
)
from pulumi_aws.s3 import (
    BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs as SseKmsArgs,
)

from .aws_context import (
    AwsContext,
    account_administers_key,
    policy_json,
    service_trust_policy,
    volume_key_statements,
)
from .blocks import (
    FixedName,
    PrivateBucket,
    child_options,
    customer_managed_key,
    encrypted_log_group,
)
from .config import MatchingEngineConfig
from .config.instances import architecture
from .reachability import ENGINE_GRPC_PORT, ENGINE_TCP_PORT

USER_DATA_TEMPLATE = Path(__file__).parent / "templates" / "matching_engine_user_data.sh.tmpl"
METRICS_NAMESPACE = "TradingPlatform/MatchingEngine"
# Spring Boot Actuator's Prometheus endpoint under its default base path (Spring Boot reference,
# "Actuator: Endpoints"), served on ``matchingEngine.metricsPort``.
METRICS_PATH = "/actuator/prometheus"
# Amazon Linux 2023's public SSM parameters; AL2 (and amazon-linux-extras) is retired.
AL2023_AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
# A healthy engine is back in service within this long after boot (JVM start and pre-touch).
HEALTH_CHECK_GRACE_SECONDS = 300
MIN_HEALTHY_PERCENTAGE = 66
# A build CI overwrote or deleted stays restorable this long (rollback to an old artifact).
ARTIFACT_NONCURRENT_VERSION_DAYS = 90


@dataclass(frozen=True)
class UserDataParams:
    """Everything the user-data template needs, named as its placeholders."""

    heap_gb: int
    region: str
    artifact_bucket: str
    artifact_prefix: str
    artifact_version: str
    application_log_group: str
    gc_log_group: str
    metrics_namespace: str
    kafka_bootstrap_servers: str
    database_secret_arn: str
    database_user: str  # empty: the engine has no database user
    cache_secret_arn: str
    metrics_port: int  # Actuator's management port: Prometheus metrics, off the NLB's ports


def render_user_data(params: UserDataParams) -> str:
    """The host bootstrap script; ``substitute`` fails on any placeholder left unfilled."""
    return Template(USER_DATA_TEMPLATE.read_text()).substitute(asdict(params))


def ami_parameter(instance_type: str) -> str:
    return AL2023_AMI_PARAMETER.format(arch=architecture(instance_type).value)


def host_policy(
    ctx: AwsContext,
    *,
    bucket_arn: str,
    artifact_prefix: str,
    key_arn: str,
    log_group_arns: Sequence[str],
) -> str:
    """What an engine host may do beyond Session Manager and its data flows: read its build and
    ship its logs and metrics."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadEngineArtifacts",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"{bucket_arn}/{artifact_prefix}/*",
        },
        {
            "Sid": "ListEngineArtifacts",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [f"{artifact_prefix}/*"]}},
        },
        {
            "Sid": "DecryptArtifactsThroughS3",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{ctx.region}.{ctx.dns_suffix}"}},
        },
        {
            "Sid": "CloudWatchAgentLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [arn for group in log_group_arns for arn in (group, f"{group}:*")],
        },
        {
            "Sid": "CloudWatchAgentMetrics",
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",  # PutMetricData has no resource type; the namespace scopes it
            "Condition": {"StringEquals": {"cloudwatch:namespace": METRICS_NAMESPACE}},
        },
    ]
    return policy_json(statements)


def replication_policy(
    ctx: AwsContext,
    *,
    dr_region: str,
    source_bucket_arn: str,
    source_key_arn: str,
    replica_bucket_arn: str,
    replica_key_arn: str,
) -> str:
    """What S3 needs to replicate the artifact bucket's SSE-KMS objects to the DR bucket
    (S3 user guide, "Setting up permissions for live replication" and "Replicating objects
    created with server-side encryption (SSE-KMS)"): read the configuration and the versions at
    the source, write replicas at the destination, decrypt and encrypt only through S3 in the
    key's own region."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ReadReplicationConfiguration",
            "Effect": "Allow",
            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            "Resource": source_bucket_arn,
        },
        {
            "Sid": "ReadSourceVersions",
            "Effect": "Allow",
            "Action": [
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ],
            "Resource": f"{source_bucket_arn}/*",
        },
        {
            "Sid": "WriteReplicas",
            "Effect": "Allow",
            "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            "Resource": f"{replica_bucket_arn}/*",
        },
        {
            "Sid": "DecryptSourceThroughS3",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": source_key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{ctx.region}.{ctx.dns_suffix}"}},
        },
        {
            "Sid": "EncryptReplicasThroughS3",
            "Effect": "Allow",
            "Action": "kms:Encrypt",
            "Resource": replica_key_arn,
            "Condition": {"StringEquals": {"kms:ViaService": f"s3.{dr_region}.{ctx.dns_suffix}"}},
        },
    ]
    return policy_json(statements)


def replication_rule(
    replica_bucket_arn: pulumi.Input[str], replica_key_arn: pulumi.Input[str]
) -> aws.s3.BucketReplicationConfigRuleArgs:
    """Every object, SSE-KMS ones included, re-encrypted under the DR key. Delete markers are
    not replicated: a build deleted at the source (by mistake or by an attacker) stays bootable
    in the DR region, and builds live under versioned prefixes, so a stale one is harmless."""
    return aws.s3.BucketReplicationConfigRuleArgs(
        id="dr-region",
        status="Enabled",
        priority=1,
        filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
        delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
            status="Disabled"
        ),
        # Without this, S3 skips objects encrypted with SSE-KMS (all of ours).
        source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
            sse_kms_encrypted_objects=SseKmsArgs(status="Enabled")
        ),
        destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
            bucket=replica_bucket_arn,
            storage_class="STANDARD",
            encryption_configuration=ReplicaEncryptionArgs(replica_kms_key_id=replica_key_arn),
        ),
    )


@dataclass(frozen=True)
class ArtifactReplica:
    bucket: aws.s3.Bucket
    key_arn: pulumi.Output[str]


@dataclass(frozen=True)
class MatchingEngineFleetArgs:
    name_prefix: str
    engine: MatchingEngineConfig
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]  # the matching-engine tier, one per AZ
    security_group_id: pulumi.Input[str]  # Role.MATCHING_ENGINE
    nlb_security_group_id: pulumi.Input[str]  # Role.MATCHING_ENGINE_NLB
    logs_kms_key_arn: pulumi.Input[str]
    kafka_bootstrap_servers: pulumi.Input[str]  # SASL/IAM over TLS
    # The engine's data flows (Kafka, the database through RDS Proxy, the cache credential):
    # ``components.access.access_policy`` of ``access.matchingEngine``; None when it needs none.
    data_access_policy: pulumi.Input[str] | None
    database_secret_arn: pulumi.Input[str]  # connection settings (proxy endpoint, port, db)
    cache_secret_arn: pulumi.Input[str]  # the cache endpoint and its credential
    database_user: str | None  # logs in through RDS Proxy with an IAM token
    context: AwsContext
    protect: bool
    # The Auto Scaling service-linked role, when the stack creates it: the key policy names it.
    volume_key_dependencies: Sequence[pulumi.Resource] = ()
    # Replicate the artifact bucket to a bucket in this region (DR); None: no replica.
    dr_region: str | None = None


class MatchingEngineFleet(pulumi.ComponentResource):
    nlb_arn: pulumi.Output[str]
    nlb_dns_name: pulumi.Output[str]
    nlb_arn_suffix: pulumi.Output[str]  # CloudWatch's LoadBalancer dimension
    target_group_arn_suffixes: dict[int, pulumi.Output[str]]  # CloudWatch's TargetGroup
    target_group_arns: dict[int, pulumi.Output[str]]  # by listener port
    asg_name: pulumi.Output[str]
    launch_template_id: pulumi.Output[str]
    artifact_bucket_name: pulumi.Output[str]
    artifact_bucket_arn: pulumi.Output[str]
    dr_artifact_bucket_name: pulumi.Output[str] | None
    dr_artifact_key_arn: pulumi.Output[str] | None
    instance_role_arn: pulumi.Output[str]
    ebs_kms_key_arn: pulumi.Output[str]
    application_log_group_name: pulumi.Output[str]
    gc_log_group_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: MatchingEngineFleetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:matching_engine:MatchingEngineFleet", name, None, opts)
        if not args.subnet_ids:
            raise ValueError("MatchingEngineFleet needs at least one subnet")
        self._name = name
        self._args = args
        engine = args.engine
        prefix = args.name_prefix
        child = child_options(self)

        key = self._key()
        log_groups = {
            stream: encrypted_log_group(
                f"{name}-{stream}-logs",
                parent=self,
                name=f"/{prefix}/matching-engine/{stream}",
                kms_key_arn=args.logs_kms_key_arn,
                retention_in_days=engine.log_retention_days,
                protect=args.protect,
            )
            for stream in ("application", "gc")
        }
        artifacts = self._artifact_bucket(key)
        bucket = artifacts.bucket
        replica = self._artifact_replica(artifacts, key, args.dr_region) if args.dr_region else None
        profile, role = self._instance_profile(key, bucket, log_groups)

        placement_group = (
            aws.ec2.PlacementGroup(
                f"{name}-placement",
                strategy="cluster",
                tags={"Name": f"{prefix}-matching-engine"},
                opts=child,
            )
            if engine.cluster_placement
            else None
        )
        version = engine.artifact_version
        # Without a build there is nothing to boot: the ASG stays at 0 hosts (fleet_min and
        # fleet_desired) and the template carries no bootstrap that would fail under set -e.
        user_data = (
            pulumi.Output.all(
                bucket.bucket,
                args.kafka_bootstrap_servers,
                args.database_secret_arn,
                args.cache_secret_arn,
            ).apply(
                lambda values: base64.b64encode(
                    render_user_data(
                        UserDataParams(
                            heap_gb=engine.heap_gb,
                            region=args.context.region,
                            artifact_bucket=values[0],
                            artifact_prefix=engine.artifact_prefix,
                            artifact_version=version,
                            application_log_group=f"/{prefix}/matching-engine/application",
                            gc_log_group=f"/{prefix}/matching-engine/gc",
                            metrics_namespace=METRICS_NAMESPACE,
                            kafka_bootstrap_servers=values[1],
                            database_secret_arn=values[2],
                            database_user=args.database_user or "",
                            cache_secret_arn=values[3],
                            metrics_port=engine.metrics_port,
                        )
                    ).encode()
                ).decode()
            )
            if version is not None
            else None
        )
        image_id = (
            aws.ssm.get_parameter_output(
                name=ami_parameter(engine.instance_type),
                opts=pulumi.InvokeOutputOptions(parent=self),
            ).value
            if engine.ami_id is None
            else engine.ami_id
        )
        template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            name=f"{prefix}-matching-engine",
            description=f"{prefix} matching engine on {engine.instance_type}",
            image_id=image_id,
            instance_type=engine.instance_type,
            ebs_optimized="true",
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
            placement=aws.ec2.LaunchTemplatePlacementArgs(
                tenancy=engine.tenancy,
                group_name=placement_group.name if placement_group else None,
            ),
            network_interfaces=[
                aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                    device_index=0,
                    associate_public_ip_address="false",
                    security_groups=[args.security_group_id],
                    delete_on_termination="true",
                )
            ],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                # One hop: only the host itself, not a container on it, reaches the credentials.
                http_put_response_hop_limit=1,
            ),
            monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",  # the AL2023 root device
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=engine.volume_gb,
                        volume_type="gp3",
                        iops=engine.volume_iops,
                        throughput=engine.volume_throughput,
                        encrypted="true",
                        kms_key_id=key.arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            user_data=user_data,
            update_default_version=True,
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=resource_type,
                    tags={"Name": f"{prefix}-matching-engine", "Role": "matching-engine"},
                )
                for resource_type in ("instance", "volume")
            ],
            tags={"Name": f"{prefix}-matching-engine"},
            opts=child,
        )

        nlb, target_groups = self._load_balancer()
        # A cluster placement group lives in one AZ, and an ASG cannot combine one with several
        # AZs: the fleet trades AZ redundancy for the lowest latency between its hosts.
        asg_subnets = list(args.subnet_ids[:1] if engine.cluster_placement else args.subnet_ids)
        asg = aws.autoscaling.Group(
            f"{name}-asg",
            name=f"{prefix}-matching-engine",
            vpc_zone_identifiers=asg_subnets,
            min_size=engine.fleet_min,
            desired_capacity=engine.fleet_desired,
            max_size=engine.max,
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                id=template.id,
                # The exact version, so a new template version is a visible, refreshed change.
                version=template.latest_version.apply(str),
            ),
            health_check_type="ELB",
            health_check_grace_period=HEALTH_CHECK_GRACE_SECONDS,
            target_group_arns=[tg.arn for tg in target_groups.values()],
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy="Rolling",
                preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                    min_healthy_percentage=MIN_HEALTHY_PERCENTAGE,
                    instance_warmup=str(HEALTH_CHECK_GRACE_SECONDS),
                    skip_matching=True,
                ),
            ),
            tags=[
                aws.autoscaling.GroupTagArgs(
                    key="Name", value=f"{prefix}-matching-engine", propagate_at_launch=True
                )
            ],
            opts=child,
        )

        self.nlb_arn = nlb.arn
        self.nlb_dns_name = nlb.dns_name
        self.nlb_arn_suffix = nlb.arn_suffix
        self.target_group_arn_suffixes = {port: tg.arn_suffix for port, tg in target_groups.items()}
        self.target_group_arns = {port: tg.arn for port, tg in target_groups.items()}
        self.asg_name = asg.name
        self.launch_template_id = template.id
        self.artifact_bucket_name = bucket.bucket
        self.artifact_bucket_arn = bucket.arn
        self.dr_artifact_bucket_name = replica.bucket.bucket if replica else None
        self.dr_artifact_key_arn = replica.key_arn if replica else None
        self.instance_role_arn = role.arn
        self.ebs_kms_key_arn = key.arn
        self.application_log_group_name = log_groups["application"].name
        self.gc_log_group_name = log_groups["gc"].name
        self.register_outputs(
            {
                "nlbArn": self.nlb_arn,
                "nlbDnsName": self.nlb_dns_name,
                "nlbArnSuffix": self.nlb_arn_suffix,
                "targetGroupArns": {str(p): arn for p, arn in self.target_group_arns.items()},
                "asgName": self.asg_name,
                "launchTemplateId": self.launch_template_id,
                "artifactBucketName": self.artifact_bucket_name,
                "artifactBucketArn": self.artifact_bucket_arn,
                "drArtifactBucketName": self.dr_artifact_bucket_name,
                "drArtifactKeyArn": self.dr_artifact_key_arn,
                "instanceRoleArn": self.instance_role_arn,
                "ebsKmsKeyArn": self.ebs_kms_key_arn,
                "applicationLogGroupName": self.application_log_group_name,
                "gcLogGroupName": self.gc_log_group_name,
            }
        )

    def _key(self) -> aws.kms.Key:
        """The CMK for the hosts' EBS volumes and the artifact bucket."""
        name, args = self._name, self._args
        ctx = args.context
        return customer_managed_key(
            f"{name}-key",
            parent=self,
            label=f"{args.name_prefix}-matching-engine",
            description=f"{args.name_prefix}: matching-engine volumes and artifacts",
            statements=volume_key_statements(ctx),
            protect=args.protect,
            depends_on=args.volume_key_dependencies,
        )

    def _artifact_bucket(self, key: aws.kms.Key) -> PrivateBucket:
        """Private, versioned, KMS-encrypted, TLS-only: where CI puts engine builds. Its server
        access logs go to the edge's log bucket (the program wires it)."""
        return self._versioned_artifacts("artifacts", key.arn, self._args.context.region)

    def _versioned_artifacts(
        self, suffix: str, key_arn: pulumi.Input[str], region: str
    ) -> PrivateBucket:
        name, args = self._name, self._args
        ctx = args.context
        # Account and region make the global name unique and predictable for CI.
        bucket_name = f"{args.name_prefix}-engine-artifacts-{ctx.account_id}-{region}"
        if len(bucket_name) > 63:
            raise ValueError(f"artifact bucket name {bucket_name!r} is longer than S3's 63")
        return PrivateBucket(
            f"{name}-{suffix}",
            parent=self,
            naming=FixedName(bucket_name, ctx.partition),
            name_tag=bucket_name,
            protect=args.protect,
            kms_key_arn=key_arn,
            versioned=True,
            noncurrent_version_days=ARTIFACT_NONCURRENT_VERSION_DAYS,
            region=None if region == ctx.region else region,
        )

    def _artifact_replica(
        self, source: PrivateBucket, source_key: aws.kms.Key, dr_region: str
    ) -> ArtifactReplica:
        """The artifact bucket's copy in the DR region, under a DR-region key, kept current by
        S3 replication, so a DR fleet boots the same builds without reaching the primary."""
        name, args = self._name, self._args
        ctx = args.context
        dr_ctx = replace(ctx, region=dr_region)
        dr_key = customer_managed_key(
            f"{name}-dr-key",
            parent=self,
            label=f"{args.name_prefix}-matching-engine-dr",
            description=f"{args.name_prefix}: matching-engine artifacts in the DR region",
            statements=[account_administers_key(dr_ctx)],
            protect=args.protect,
            region=dr_region,
        )
        replica = self._versioned_artifacts("dr-artifacts", dr_key.arn, dr_region)
        role = aws.iam.Role(
            f"{name}-replication-role",
            description=f"{args.name_prefix}: S3 replication of the engine artifacts to DR",
            assume_role_policy=service_trust_policy(
                "s3.amazonaws.com", source_account=ctx.account_id
            ),
            opts=child_options(self),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-replication",
            role=role.id,
            policy=pulumi.Output.all(source.arn, source_key.arn, replica.arn, dr_key.arn).apply(
                lambda v: replication_policy(
                    ctx,
                    dr_region=dr_region,
                    source_bucket_arn=v[0],
                    source_key_arn=v[1],
                    replica_bucket_arn=v[2],
                    replica_key_arn=v[3],
                )
            ),
            opts=child_options(self),
        )
        versioning = [v for v in (source.versioning, replica.versioning) if v is not None]
        aws.s3.BucketReplicationConfig(
            f"{name}-replication-config",
            bucket=source.bucket.id,
            role=role.arn,
            rules=[replication_rule(replica.arn, dr_key.arn)],
            # S3 refuses a replication configuration until versioning is on at both ends
            # (https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketreplicationconfig/).
            opts=child_options(self, depends_on=[*versioning, policy]),
        )
        return ArtifactReplica(bucket=replica.bucket, key_arn=dr_key.arn)

    def _instance_profile(
        self,
        key: aws.kms.Key,
        bucket: aws.s3.Bucket,
        log_groups: dict[str, aws.cloudwatch.LogGroup],
    ) -> tuple[aws.iam.InstanceProfile, aws.iam.Role]:
        name, args = self._name, self._args
        ctx = args.context
        child = child_options(self)
        role = aws.iam.Role(
            f"{name}-role",
            description=f"{args.name_prefix}: matching-engine hosts",
            assume_role_policy=service_trust_policy("ec2.amazonaws.com"),
            opts=child,
        )
        # Session Manager instead of SSH: no key pair, no port 22, every session logged.
        aws.iam.RolePolicyAttachment(
            f"{name}-ssm",
            role=role.name,
            policy_arn=f"arn:{ctx.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore",
            opts=child,
        )
        prefix = args.engine.artifact_prefix
        policy = pulumi.Output.all(
            bucket.arn, key.arn, log_groups["application"].arn, log_groups["gc"].arn
        ).apply(
            lambda v: host_policy(
                ctx,
                bucket_arn=v[0],
                artifact_prefix=prefix,
                key_arn=v[1],
                log_group_arns=[v[2], v[3]],
            )
        )
        aws.iam.RolePolicy(f"{name}-access", role=role.id, policy=policy, opts=child)
        if args.data_access_policy is not None:
            aws.iam.RolePolicy(
                f"{name}-data-access", role=role.id, policy=args.data_access_policy, opts=child
            )
        profile = aws.iam.InstanceProfile(f"{name}-profile", role=role.name, opts=child)
        return profile, role

    def _load_balancer(self) -> tuple[aws.lb.LoadBalancer, dict[int, aws.lb.TargetGroup]]:
        """Internal NLB in the engine subnets: clients in the private tier reach it over local
        routes, and engine traffic never shares a subnet with the EKS nodes."""
        name, args = self._name, self._args
        child = child_options(self)
        nlb = aws.lb.LoadBalancer(
            f"{name}-nlb",
            internal=True,
            load_balancer_type="network",
            subnets=list(args.subnet_ids),
            security_groups=[args.nlb_security_group_id],
            enable_cross_zone_load_balancing=True,
            enable_deletion_protection=args.protect,
            tags={"Name": f"{args.name_prefix}-matching-engine"},
            opts=child,
        )
        target_groups: dict[int, aws.lb.TargetGroup] = {}
        for port, label in ((ENGINE_TCP_PORT, "tcp"), (ENGINE_GRPC_PORT, "grpc")):
            target_group = aws.lb.TargetGroup(
                f"{name}-{label}",
                port=port,
                protocol="TCP",
                target_type="instance",
                vpc_id=args.vpc_id,
                # Seed 002's check, on each group's own port: an engine whose gRPC listener is
                # down leaves the gRPC pool even while its TCP port answers.
                health_check=aws.lb.TargetGroupHealthCheckArgs(
                    enabled=True,
                    protocol="TCP",
                    port="traffic-port",
                    interval=10,
                    healthy_threshold=2,
                    unhealthy_threshold=2,
                ),
                tags={"Name": f"{args.name_prefix}-matching-engine-{label}"},
                opts=child,
            )
            aws.lb.Listener(
                f"{name}-{label}-listener",
                load_balancer_arn=nlb.arn,
                port=port,
                protocol="TCP",
                default_actions=[
                    aws.lb.ListenerDefaultActionArgs(
                        type="forward", target_group_arn=target_group.arn
                    )
                ],
                opts=child,
            )
            target_groups[port] = target_group
        return nlb, target_groups
