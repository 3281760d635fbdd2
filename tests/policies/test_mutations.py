"""Issue 3's mutation suite: one realistic insecure change at a time to the real prod stack.

Each `Mutation` takes the prod stack as the program registers it (update mode; a handful also in
preview mode, where references are unknown), changes one thing on one resource that exists there
- an input on a deep copy of its wire inputs, the `protect` option, or dropping the resource - and
shows the pack, configured with `policies/config/prod.json`, blocks it with the intended rule: a
mandatory diagnostic naming the mutated resource (or, for a stack rule, the resource the relation
is missing for), that the unmutated resource does not get. Cases go through the pack's servicer in
this process (`in_process.py`: the same client and requests); a sample of each kind also goes over
gRPC to the pack started as the CLI starts it.

Resource rules go through `Analyze` on the one resource; stack rules through `AnalyzeStack` on the
whole mutated list (the only place they run; `Analyze` adds nothing to them but the exemption
registry, which the exemption test exercises with the full `Analyze`-then-`AnalyzeStack` pass).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from offline.analyzer_client import PolicyPackProcess
from policies.exemptions import EXEMPTIONS_POLICY, EXEMPTIONS_STACK_POLICY
from policies.pack import RESOURCE_RULES
from policies.rules import types
from tests.test_stacks import stack

from .helpers import DELETE
from .mutation import (
    PROD,
    STACK_POLICIES,
    Mutation,
    add_ingress,
    assert_caught,
    blocking,
    drop,
    mutated,
    mutated_stack,
    put,
    round_trip_sample,
    select,
    set_parameter,
    without_parameter,
)
from .test_mutations_classes import CLASS_MUTATIONS
from .test_mutations_families import MUTATIONS as FAMILY_MUTATIONS


def public_interface(inputs: dict[str, Any]) -> dict[str, Any]:
    """An EKS node launch template moved from `vpcSecurityGroupIds` to an explicit interface
    that asks for a public address (EC2 refuses both at once, so the groups move with it)."""
    inputs["networkInterfaces"] = [
        {
            "deviceIndex": 0.0,
            "associatePublicIpAddress": "true",
            "securityGroups": inputs.pop("vpcSecurityGroupIds"),
        }
    ]
    return inputs


SG_INGRESS = types.SECURITY_GROUP_INGRESS_RULE
# The exact tokens the program registers, where the pack's type names a family.
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_SSE = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
WORLD_SSH = {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]}
WORLD_ALL = {"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]}
SELF_ALL = {"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "self": True}
WORLD_V6_PG = {"protocol": "tcp", "fromPort": 5432.0, "toPort": 5432.0, "ipv6CidrBlocks": ["::/0"]}

MUTATIONS: list[Mutation] = [
    # Security groups: every shape the program uses.
    Mutation(
        "db-ingress-rule-from-0.0.0.0/0",
        SG_INGRESS,
        "network-database-ingress-from-db-proxy-tcp5432",
        "no-world-ingress",
        put({"referencedSecurityGroupId": DELETE, "cidrIpv4": "0.0.0.0/0"}),
    ),
    Mutation(
        "alb-ingress-rule-from-::/0",
        SG_INGRESS,
        "network-alb-ingress-from-cloudfront-tcp443",
        "no-world-ingress",
        put({"prefixListId": DELETE, "cidrIpv6": "::/0"}),
    ),
    Mutation(
        "app-sg-inline-ssh-from-world",
        types.SECURITY_GROUP,
        "network-app-sg",
        "no-world-ingress",
        add_ingress(WORLD_SSH),
    ),
    Mutation(
        "dr-database-sg-inline-postgres-from-::/0",
        types.SECURITY_GROUP,
        "data-dr-network-database-sg",
        "no-world-ingress",
        add_ingress(WORLD_V6_PG),
    ),
    Mutation(
        "default-sg-all-traffic-from-world",
        types.DEFAULT_SECURITY_GROUP,
        "network-default-sg",
        "no-world-ingress",
        add_ingress(WORLD_ALL),
        also=("default-security-group-closed",),
    ),
    Mutation(
        "dr-default-sg-self-rule-restored",
        types.DEFAULT_SECURITY_GROUP,
        "data-dr-network-default-sg",
        "default-security-group-closed",
        add_ingress(SELF_ALL),
    ),
    # Flow logs (stack rule): the VPC loses its flow log.
    Mutation(
        "vpc-flow-log-removed",
        types.FLOW_LOG,
        "network-flow-logs-flow-log",
        "vpc-flow-logs",
        remove=True,
        names="network-vpc",
    ),
    Mutation(
        "dr-vpc-flow-log-removed",
        types.FLOW_LOG,
        "data-dr-network-flow-logs-flow-log",
        "vpc-flow-logs",
        remove=True,
        names="data-dr-network-vpc",
    ),
    # KMS and CloudWatch Logs.
    Mutation(
        "logs-key-rotation-off",
        types.KMS_KEY,
        "logs-key",
        "kms-key-rotation",
        put({"enableKeyRotation": False}),
    ),
    Mutation(
        "data-key-rotation-unset",
        types.KMS_KEY,
        "data-key-key",
        "kms-key-rotation",
        drop("enableKeyRotation"),
    ),
    Mutation(
        "flow-log-group-without-key",
        types.LOG_GROUP,
        "network-flow-logs-group",
        "log-group-encrypted",
        drop("kmsKeyId"),
    ),
    Mutation(
        "broker-log-group-kept-forever",
        types.LOG_GROUP,
        "kafka-broker-logs",
        "log-retention",
        drop("retentionInDays"),
    ),
    # RDS.
    Mutation(
        "postgres-storage-unencrypted",
        types.RDS_INSTANCE,
        "data-postgres-primary",
        "rds-storage-encrypted",
        put({"storageEncrypted": False}),
    ),
    Mutation(
        "dr-replica-without-own-region-key",
        types.RDS_INSTANCE,
        "data-postgres-dr-replica",
        "rds-storage-encrypted",
        drop("kmsKeyId"),
    ),
    Mutation(
        "postgres-replica-public",
        types.RDS_INSTANCE,
        "data-postgres-replica-0",
        "db-not-public",
        put({"publiclyAccessible": True}),
    ),
    Mutation(
        "postgres-deletion-protection-off",
        types.RDS_INSTANCE,
        "data-postgres-primary",
        "rds-deletion-protection",
        put({"deletionProtection": False}),
    ),
    Mutation(
        "postgres-backups-one-day",
        types.RDS_INSTANCE,
        "data-postgres-primary",
        "rds-backup-retention",
        put({"backupRetentionPeriod": 1.0}),
    ),
    Mutation(
        "dr-replica-iam-auth-off",
        types.RDS_INSTANCE,
        "data-postgres-dr-replica",
        "rds-iam-auth",
        put({"iamDatabaseAuthenticationEnabled": False}),
    ),
    Mutation(
        "postgres-force-ssl-0",
        types.RDS_PARAMETER_GROUP,
        "data-postgres-params",
        "postgres-force-ssl",
        set_parameter("rds.force_ssl", "0"),
    ),
    Mutation(
        "dr-postgres-force-ssl-dropped",
        types.RDS_PARAMETER_GROUP,
        "data-postgres-params-dr",
        "postgres-force-ssl",
        without_parameter("rds.force_ssl"),
    ),
    Mutation(
        "rds-proxy-plaintext-clients",
        types.RDS_PROXY,
        "data-proxy-proxy",
        "rds-proxy-require-tls",
        put({"requireTls": False}),
    ),
    # ElastiCache.
    Mutation(
        "cache-transit-preferred",
        types.REPLICATION_GROUP,
        "data-cache-group",
        "elasticache-in-transit",
        put({"transitEncryptionMode": "preferred"}),
    ),
    Mutation(
        "cache-at-rest-off",
        types.REPLICATION_GROUP,
        "data-cache-group",
        "elasticache-encrypted-at-rest",
        put({"atRestEncryptionEnabled": False}),
    ),
    Mutation(
        "cache-no-snapshots",
        types.REPLICATION_GROUP,
        "data-cache-group",
        "cache-backups",
        put({"snapshotRetentionLimit": 0.0}),
    ),
    Mutation(
        "cache-tls-off",
        types.REPLICATION_GROUP,
        "data-cache-group",
        "elasticache-in-transit",
        put({"transitEncryptionEnabled": False, "transitEncryptionMode": DELETE}),
    ),
    # MSK.
    Mutation(
        "kafka-plaintext-clients",
        types.MSK_CLUSTER,
        "kafka-cluster",
        "msk-in-transit",
        put({"encryptionInfo.encryptionInTransit.clientBroker": "PLAINTEXT"}),
    ),
    Mutation(
        "kafka-unauthenticated",
        types.MSK_CLUSTER,
        "kafka-cluster",
        "msk-no-unauthenticated-access",
        put({"clientAuthentication.unauthenticated": True}),
    ),
    Mutation(
        "kafka-aws-managed-key",
        types.MSK_CLUSTER,
        "kafka-cluster",
        "msk-encryption-at-rest",
        drop("encryptionInfo.encryptionAtRestKmsKeyArn"),
    ),
    Mutation(
        "kafka-brokers-plaintext",
        types.MSK_CLUSTER,
        "kafka-cluster",
        "msk-in-transit",
        put({"encryptionInfo.encryptionInTransit.inCluster": False}),
    ),
    Mutation(
        "kafka-client-auth-removed",
        types.MSK_CLUSTER,
        "kafka-cluster",
        "msk-no-unauthenticated-access",
        drop("clientAuthentication"),
    ),
    # Launch templates: the matching engine's and the EKS node groups'.
    Mutation(
        "engine-imdsv1",
        types.LAUNCH_TEMPLATE,
        "matching-engine-lt",
        "imdsv2-required",
        put({"metadataOptions.httpTokens": "optional"}),
    ),
    Mutation(
        "engine-public-ip",
        types.LAUNCH_TEMPLATE,
        "matching-engine-lt",
        "no-public-ip",
        put({"networkInterfaces.0.associatePublicIpAddress": "true"}),
    ),
    Mutation(
        "engine-root-volume-unencrypted",
        types.LAUNCH_TEMPLATE,
        "matching-engine-lt",
        "ebs-encrypted",
        put({"blockDeviceMappings.0.ebs.encrypted": "false"}),
    ),
    Mutation(
        "engine-metadata-options-default",
        types.LAUNCH_TEMPLATE,
        "matching-engine-lt",
        "imdsv2-required",
        drop("metadataOptions"),
    ),
    Mutation(
        "api-nodes-imdsv1",
        types.LAUNCH_TEMPLATE,
        "services-api-lt",
        "imdsv2-required",
        put({"metadataOptions.httpTokens": "optional"}),
    ),
    Mutation(
        "websocket-nodes-public-ip",
        types.LAUNCH_TEMPLATE,
        "services-websocket-lt",
        "no-public-ip",
        public_interface,
    ),
    Mutation(
        "consumer-nodes-volume-unencrypted",
        types.LAUNCH_TEMPLATE,
        "services-consumer-lt",
        "ebs-encrypted",
        put({"blockDeviceMappings.0.ebs.encrypted": "false"}),
    ),
    Mutation(
        "api-nodes-ami-root-volume",
        types.LAUNCH_TEMPLATE,
        "services-api-lt",
        "ebs-encrypted",
        drop("blockDeviceMappings"),
    ),
    Mutation(
        "api-node-group-ssh-from-world",
        types.EKS_NODE_GROUP,
        "services-api",
        "no-world-ingress",
        # EKS refuses remoteAccess with a launch template, so SSH access replaces it.
        put({"launchTemplate": DELETE, "remoteAccess": {"ec2SshKey": "trading-prod-ops"}}),
    ),
    # The EKS cluster component.
    Mutation(
        "eks-endpoint-public-default-cidrs",
        types.EKS_COMPONENT,
        "services-eks",
        "eks-endpoint-not-public",
        put({"endpointPublicAccess": True}),
    ),
    Mutation(
        "eks-endpoint-public-to-world",
        types.EKS_COMPONENT,
        "services-eks",
        "eks-endpoint-not-public",
        put({"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}),
    ),
    Mutation(
        "eks-secrets-key-removed",
        types.EKS_COMPONENT,
        "services-eks",
        "eks-secrets-encrypted",
        drop("encryptionConfigKeyArn"),
    ),
    # Secrets Manager.
    Mutation(
        "database-secret-default-key",
        types.SECRET,
        "data-database-secret",
        "secret-encrypted-with-cmk",
        drop("kmsKeyId"),
    ),
    Mutation(
        "origin-secret-aws-managed-key",
        types.SECRET,
        "edge-origin-secret",
        "secret-encrypted-with-cmk",
        put({"kmsKeyId": "alias/aws/secretsmanager"}),
    ),
    # SNS: the paging topic loses its CMK (alarm payloads name resources and thresholds).
    Mutation(
        "alert-topic-unencrypted",
        types.SNS_TOPIC,
        "observability-alerts",
        "sns-topic-encrypted",
        drop("kmsMasterKeyId"),
    ),
    # S3 (stack rule): a bucket loses its encryption configuration.
    Mutation(
        "artifacts-bucket-sse-removed",
        BUCKET_SSE,
        "matching-engine-artifacts-encryption",
        "s3-bucket-encryption",
        remove=True,
        names="matching-engine-artifacts",
    ),
    Mutation(
        "alb-log-bucket-sse-removed",
        BUCKET_SSE,
        "edge-alb-logs-encryption",
        "s3-bucket-encryption",
        remove=True,
        names="edge-alb-logs",
    ),
    # The ALB and its listener.
    Mutation(
        "alb-keeps-invalid-headers",
        LOAD_BALANCER,
        "edge-alb",
        "alb-drop-invalid-headers",
        put({"dropInvalidHeaderFields": False}),
    ),
    Mutation(
        "alb-access-logs-off",
        LOAD_BALANCER,
        "edge-alb",
        "alb-access-logs",
        put({"accessLogs.enabled": False}),
    ),
    Mutation(
        "alb-listener-plain-http",
        LISTENER,
        "edge-https",
        "lb-listener-tls",
        put({"protocol": "HTTP", "port": 80.0, "sslPolicy": DELETE, "certificateArn": DELETE}),
    ),
    Mutation(
        "alb-listener-tls10-policy",
        LISTENER,
        "edge-https",
        "lb-listener-tls",
        put({"sslPolicy": "ELBSecurityPolicy-2016-08"}),
    ),
    # CloudFront.
    Mutation(
        "cdn-api-behaviour-allow-all",
        types.CLOUDFRONT_DISTRIBUTION,
        "edge-cdn",
        "cloudfront-tls",
        put({"orderedCacheBehaviors.0.viewerProtocolPolicy": "allow-all"}),
    ),
    Mutation(
        "cdn-viewer-tlsv1",
        types.CLOUDFRONT_DISTRIBUTION,
        "edge-cdn",
        "cloudfront-tls",
        put({"viewerCertificate.minimumProtocolVersion": "TLSv1"}),
    ),
    Mutation(
        "cdn-origin-http-only",
        types.CLOUDFRONT_DISTRIBUTION,
        "edge-cdn",
        "cloudfront-tls",
        put({"origins.0.customOriginConfig.originProtocolPolicy": "http-only"}),
    ),
    Mutation(
        "cdn-default-certificate",
        types.CLOUDFRONT_DISTRIBUTION,
        "edge-cdn",
        "cloudfront-tls",
        put({"viewerCertificate": {"cloudfrontDefaultCertificate": True}, "aliases": DELETE}),
    ),
    Mutation(
        "cdn-origin-tlsv1",
        types.CLOUDFRONT_DISTRIBUTION,
        "edge-cdn",
        "cloudfront-tls",
        put({"origins.0.customOriginConfig.originSslProtocols": ["TLSv1", "TLSv1.2"]}),
    ),
    Mutation(
        "cdn-web-acl-removed",
        types.CLOUDFRONT_DISTRIBUTION,
        "edge-cdn",
        "cloudfront-waf",
        drop("webAclId"),
    ),
    # WAF on the public entry point (stack rule): the ALB is only covered through CloudFront.
    Mutation(
        "entry-point-cdn-web-acl-removed",
        types.CLOUDFRONT_DISTRIBUTION,
        "edge-cdn",
        "public-entry-points-waf",
        drop("webAclId"),
        names="edge-alb",
    ),
    Mutation(
        "entry-point-alb-opened-to-office-cidr",
        SG_INGRESS,
        "network-alb-ingress-from-cloudfront-tcp443",
        "public-entry-points-waf",
        put({"prefixListId": DELETE, "cidrIpv4": "203.0.113.0/24"}),
        names="edge-alb",
    ),
    # protect=False on stateful resources in prod (stack rule).
    Mutation(
        "postgres-unprotected",
        types.RDS_INSTANCE,
        "data-postgres-primary",
        "stateful-resources-protected",
        protect=False,
    ),
    Mutation(
        "cache-unprotected",
        types.REPLICATION_GROUP,
        "data-cache-group",
        "stateful-resources-protected",
        protect=False,
    ),
    Mutation(
        "kafka-unprotected",
        types.MSK_CLUSTER,
        "kafka-cluster",
        "stateful-resources-protected",
        protect=False,
    ),
    Mutation(
        "data-key-unprotected",
        types.KMS_KEY,
        "data-key-key",
        "stateful-resources-protected",
        protect=False,
    ),
    Mutation(
        "alb-log-bucket-unprotected",
        BUCKET,
        "edge-alb-logs",
        "stateful-resources-protected",
        protect=False,
    ),
]
BY_ID = {mutation.id: mutation for mutation in MUTATIONS}

PREVIEW_IDS = [
    "app-sg-inline-ssh-from-world",
    "vpc-flow-log-removed",
    "postgres-storage-unencrypted",
    "kafka-aws-managed-key",
    "engine-public-ip",
    "api-node-group-ssh-from-world",
    "eks-endpoint-public-to-world",
    "database-secret-default-key",
    "entry-point-cdn-web-acl-removed",
    "kafka-unprotected",
]

EXEMPTED = "cache-transit-preferred"
EXEMPTION_REASON = "Valkey client migration to TLS, back to required in TICKET-311"

# The one rule that applies to the stack with no mutation here: its only subject, the primary,
# already passes its password under a reasoned exemption in prod.json, and replicas are exempt.
NOT_MUTATED = {"rds-managed-master-password"}


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_unmutated_prod_stack_has_no_mandatory_diagnostic(
    pack: PolicyPackProcess, preview_pack: PolicyPackProcess, preview: bool
) -> None:
    analyzer = preview_pack if preview else pack
    assert blocking(analyzer.diagnostics(stack("prod", preview).resources)) == set()


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_mutation_is_blocked_by_its_rule(pack: PolicyPackProcess, mutation: Mutation) -> None:
    assert_caught(pack, stack("prod", False).resources, mutation)


@pytest.mark.parametrize("mutation_id", PREVIEW_IDS)
def test_mutation_is_blocked_in_preview(preview_pack: PolicyPackProcess, mutation_id: str) -> None:
    assert_caught(preview_pack, stack("prod", True).resources, BY_ID[mutation_id])


def test_cases_round_trip_over_grpc(
    grpc_pack: PolicyPackProcess, grpc_preview_pack: PolicyPackProcess
) -> None:
    """The pack started as the CLI starts it blocks a sample of each kind of case alike."""
    sample = round_trip_sample(MUTATIONS)
    assert {case.stack_rule for case in sample} == {False, True}
    for mutation in sample:
        assert_caught(grpc_pack, stack("prod", False).resources, mutation)
    assert_caught(grpc_preview_pack, stack("prod", True).resources, BY_ID[PREVIEW_IDS[0]])


def _level(value: object) -> object:
    return value.get("enforcementLevel") if isinstance(value, dict) else value


def test_mutations_cover_every_rule_that_applies_to_the_stack() -> None:
    """Together with issue 13's suites, every rule that applies to the stack is attacked."""
    present = {r.type for r in stack("prod", False).resources}
    applicable = {rule.info.name for rule in RESOURCE_RULES if rule.types & present}
    applicable |= STACK_POLICIES
    assert len(MUTATIONS) >= 30
    assert len(BY_ID) == len(MUTATIONS)
    attacked = {m.policy for m in [*MUTATIONS, *CLASS_MUTATIONS, *FAMILY_MUTATIONS]}
    # Rules prod keeps advisory report; they cannot block a change.
    report_only = {name for name, value in PROD.items() if _level(value) == "advisory"}
    assert applicable - NOT_MUTATED - report_only <= attacked


def _exemption(mutation: Mutation, finding: str) -> dict[str, str]:
    subject = select(stack("prod", False).resources, mutation)
    return {
        "resource": subject.urn,
        "policy": mutation.policy,
        "finding": finding,
        "reason": EXEMPTION_REASON,
        "owner": "platform-team",
        "expires": "2027-06-01",
    }


def _with_exemption(exemption: dict[str, str]) -> dict[str, Any]:
    config = copy.deepcopy(PROD)
    config[EXEMPTIONS_POLICY]["exemptions"].append(exemption)
    return config


def test_exemption_turns_a_mutation_into_an_advisory_note(pack: PolicyPackProcess) -> None:
    mutation = BY_ID[EXEMPTED]
    resources = mutated_stack(stack("prod", False).resources, mutation)
    [finding] = [
        d.detail
        for d in pack.resource_diagnostics(select(resources, mutation))
        if d.policy_name == mutation.policy
    ]
    pack.configure(_with_exemption(_exemption(mutation, finding)))
    try:
        diagnostics = pack.diagnostics(resources)
    finally:
        pack.configure(PROD)
    assert blocking(diagnostics) == set()
    [note] = [
        d
        for d in diagnostics
        if d.policy_name == EXEMPTIONS_POLICY and d.resource_name == mutation.name
    ]
    assert note.enforcement_level == "advisory"
    assert note.detail == (
        f"exempted: {mutation.policy} on {mutation.name} (owner platform-team, expires "
        f"2027-06-01, reason: {EXEMPTION_REASON}): {finding}"
    )
    assert "transitEncryptionMode" in note.detail
    listed = [d.detail for d in diagnostics if d.policy_name == EXEMPTIONS_STACK_POLICY]
    assert (
        sum(line.startswith("exemption in use: ") for line in listed)
        == len(PROD[EXEMPTIONS_POLICY]["exemptions"]) + 1
    )


def test_exempted_resource_that_gets_worse_fires_again(pack: PolicyPackProcess) -> None:
    """An exemption for `preferred` does not cover turning TLS off altogether."""
    mutation = BY_ID[EXEMPTED]
    resources = stack("prod", False).resources
    preferred = mutated(select(resources, mutation), mutation)
    [finding] = [
        d.detail for d in pack.resource_diagnostics(preferred) if d.policy_name == mutation.policy
    ]
    worse = mutated(select(resources, mutation), BY_ID["cache-tls-off"])
    pack.configure(_with_exemption(_exemption(mutation, finding)))
    try:
        diagnostics = pack.resource_diagnostics(worse)
    finally:
        pack.configure(PROD)
    assert blocking(diagnostics) == {(mutation.policy, mutation.name)}
