"""Issue 13's mutation suite for the rule families: S3 public access, IAM, KMS and resource
policies, serverless entry points, service logging, secrets exposure, encryption at rest, and
settings beyond presence (DB TLS, cache AUTH, WAF, flow logs, IMDS hop limit).

Two kinds of case, each blocked at mandatory level in prod by the intended rule and nothing else:
- `Mutation` (from test_mutations): one change to a resource of the captured prod stack;
- `Addition`: a realistic resource a team adds to the prod stack, insecure in one way and
  otherwise compliant with the whole pack.
Policy documents are edited as the program writes them (JSON strings), and some additions carry
theirs as objects, which the engine also sends.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from offline.analyzer_client import PolicyPackProcess
from policies.pack import RESOURCE_RULES, STACK_RULES
from policies.rules import service_types as st
from policies.rules import types
from tests.test_stacks import stack

from .mutation import Added, Change, Mutation, assert_caught, drop, put, round_trip_sample

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "999988887777"
REGION = "ap-northeast-2"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/105fd831-9219-bc75-6c04-15a1e492c668"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/trading-prod-reports"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def edit_policy(path: str, edit: Callable[[dict[str, Any]], None]) -> Change:
    """Parses the JSON document at `path`, lets `edit` change it, writes it back as JSON."""

    def change(inputs: dict[str, Any]) -> dict[str, Any]:
        document = json.loads(inputs[path])
        edit(document)
        inputs[path] = json.dumps(document)
        return inputs

    return change


def statement(document: dict[str, Any], sid: str) -> dict[str, Any]:
    [found] = [s for s in document["Statement"] if s.get("Sid") == sid]
    return found


def set_principal(sid: str, principal: Any, *, keep_condition: bool = False) -> Change:
    def edit(document: dict[str, Any]) -> None:
        found = statement(document, sid)
        found["Principal"] = principal
        if not keep_condition:
            found.pop("Condition", None)

    return edit_policy("policy", edit)


def add_statement(path: str, added: dict[str, Any]) -> Change:
    return edit_policy(path, lambda document: document["Statement"].append(added))


def first_trust_principal(principal: Any, condition: dict[str, Any] | None = None) -> Change:
    def edit(document: dict[str, Any]) -> None:
        document["Statement"][0]["Principal"] = principal
        document["Statement"][0].pop("Condition", None)
        if condition:
            document["Statement"][0]["Condition"] = condition

    return edit_policy("assumeRolePolicy", edit)


def user_data_line(line: str) -> Change:
    """Appends a line to the launch template's base64 user data."""

    def change(inputs: dict[str, Any]) -> dict[str, Any]:
        script = base64.b64decode(inputs["userData"]).decode()
        inputs["userData"] = base64.b64encode(f"{script}{line}\n".encode()).decode()
        return inputs

    return change


def container_env(variable: dict[str, Any], *, init: bool = False) -> Change:
    def change(inputs: dict[str, Any]) -> dict[str, Any]:
        spec = inputs["spec"]["template"]["spec"]
        container = spec["containers"][0]
        if init:
            spec["initContainers"] = [
                {**copy.deepcopy(container), "name": "migrate", "env": [variable]}
            ]
        else:
            container["env"] = [*container.get("env", []), variable]
        return inputs

    return change


def parameter(name: str, value: str) -> Change:
    def change(inputs: dict[str, Any]) -> dict[str, Any]:
        inputs["parameters"] = [*inputs["parameters"], {"name": name, "value": value}]
        return inputs

    return change


def waf_rules(edit: Callable[[list[dict[str, Any]]], None]) -> Change:
    def change(inputs: dict[str, Any]) -> dict[str, Any]:
        rules = json.loads(inputs["ruleJson"])
        edit(rules)
        inputs["ruleJson"] = json.dumps(rules)
        return inputs

    return change


def rule_named(name: str, key: str, value: Any) -> Callable[[list[dict[str, Any]]], None]:
    def edit(rules: list[dict[str, Any]]) -> None:
        [found] = [rule for rule in rules if rule["Name"] == name]
        found.pop("Action", None)
        found.pop("OverrideAction", None)
        found[key] = value

    return edit


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


ANYONE_READS = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}
ADMIN = {"Effect": "Allow", "Action": "*", "Resource": "*"}
EC2_TRUST = document(
    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
)
PUBLIC_TRUST = {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}


# Modifications of the captured prod stack.
MUTATIONS: list[Mutation] = [
    # S3 public access blocks (stack rule): removed, or a setting turned off.
    Mutation(
        "artifacts-public-access-block-removed",
        PAB,
        "matching-engine-artifacts-public-access",
        "s3-public-access-block",
        remove=True,
        names="matching-engine-artifacts",
    ),
    Mutation(
        "static-public-access-block-removed",
        PAB,
        "edge-static-public-access",
        "s3-public-access-block",
        remove=True,
        names="edge-static",
    ),
    Mutation(
        "alb-logs-public-access-block-removed",
        PAB,
        "edge-alb-logs-public-access",
        "s3-public-access-block",
        remove=True,
        names="edge-alb-logs",
    ),
    Mutation(
        "artifacts-block-public-policy-off",
        PAB,
        "matching-engine-artifacts-public-access",
        "s3-public-access-block",
        put({"blockPublicPolicy": False}),
    ),
    Mutation(
        "static-restrict-public-buckets-off",
        PAB,
        "edge-static-public-access",
        "s3-public-access-block",
        put({"restrictPublicBuckets": False}),
    ),
    Mutation(
        "static-ignore-public-acls-dropped",
        PAB,
        "edge-static-public-access",
        "s3-public-access-block",
        drop("ignorePublicAcls"),
    ),
    Mutation(
        "alb-logs-block-public-acls-off",
        PAB,
        "edge-alb-logs-public-access",
        "s3-public-access-block",
        put({"blockPublicAcls": False}),
    ),
    # Bucket policies that let anyone in.
    Mutation(
        "static-bucket-readable-by-anyone",
        BUCKET_POLICY,
        "edge-static-policy",
        "s3-bucket-policy-not-public",
        set_principal("CloudFrontReadsFrontEnd", "*"),
    ),
    Mutation(
        "static-bucket-aws-star-principal",
        BUCKET_POLICY,
        "edge-static-policy",
        "s3-bucket-policy-not-public",
        set_principal("CloudFrontReadsFrontEnd", {"AWS": "*"}),
    ),
    Mutation(
        "static-bucket-every-account-root",
        BUCKET_POLICY,
        "edge-static-policy",
        "s3-bucket-policy-not-public",
        set_principal("CloudFrontReadsFrontEnd", {"AWS": ["arn:aws:iam::*:root"]}),
    ),
    Mutation(
        "static-bucket-condition-on-user-agent-only",
        BUCKET_POLICY,
        "edge-static-policy",
        "s3-bucket-policy-not-public",
        edit_policy(
            "policy",
            lambda d: statement(d, "CloudFrontReadsFrontEnd").update(
                Principal="*", Condition={"StringLike": {"aws:UserAgent": "Amazon CloudFront*"}}
            ),
        ),
    ),
    Mutation(
        "artifacts-bucket-public-read-added",
        BUCKET_POLICY,
        "matching-engine-artifacts-policy",
        "s3-bucket-policy-not-public",
        add_statement("policy", {**ANYONE_READS, "Resource": "arn:aws:s3:::*/*"}),
    ),
    Mutation(
        "alb-logs-bucket-list-star",
        BUCKET_POLICY,
        "edge-alb-logs-policy",
        "s3-bucket-policy-not-public",
        add_statement("policy", {**ANYONE_READS, "Principal": ["*"], "Action": "s3:ListBucket"}),
    ),
    # TLS-only (stack rule): the deny statement or the whole policy goes.
    Mutation(
        "artifacts-tls-deny-removed",
        BUCKET_POLICY,
        "matching-engine-artifacts-policy",
        "s3-tls-only",
        edit_policy(
            "policy",
            lambda d: d.update(
                Statement=[s for s in d["Statement"] if s["Sid"] != "DenyInsecureTransport"]
            ),
        ),
        names="matching-engine-artifacts",
    ),
    Mutation(
        "alb-logs-bucket-policy-removed",
        BUCKET_POLICY,
        "edge-alb-logs-policy",
        "s3-tls-only",
        remove=True,
        names="edge-alb-logs",
    ),
    Mutation(
        "static-tls-deny-only-for-uploads",
        BUCKET_POLICY,
        "edge-static-policy",
        "s3-tls-only",
        edit_policy(
            "policy", lambda d: statement(d, "DenyInsecureTransport").update(Action="s3:PutObject")
        ),
        names="edge-static",
    ),
    # Versioning and ACLs.
    Mutation(
        "artifacts-versioning-suspended",
        "aws:s3/bucketVersioning:BucketVersioning",
        "matching-engine-artifacts-versioning",
        "s3-versioning-enabled",
        put({"versioningConfiguration.status": "Suspended"}),
    ),
    Mutation(
        "artifacts-acls-re-enabled",
        st.S3_OWNERSHIP_CONTROLS,
        "matching-engine-artifacts-ownership",
        "s3-acls-disabled",
        put({"rule.objectOwnership": "ObjectWriter"}),
    ),
    Mutation(
        "static-acls-bucket-owner-preferred",
        st.S3_OWNERSHIP_CONTROLS,
        "edge-static-ownership",
        "s3-acls-disabled",
        put({"rule.objectOwnership": "BucketOwnerPreferred"}),
    ),
    # IAM trust policies open to anyone.
    Mutation(
        "engine-role-trusts-anyone",
        ROLE,
        "matching-engine-role",
        "iam-trust-not-public",
        first_trust_principal("*"),
    ),
    Mutation(
        "lb-controller-role-trusts-aws-star",
        ROLE,
        "workloads-lb-controller-role",
        "iam-trust-not-public",
        first_trust_principal({"AWS": "*"}),
    ),
    Mutation(
        "node-role-trust-negated-account-condition",
        ROLE,
        "services-node-role",
        "iam-trust-not-public",
        first_trust_principal(
            {"AWS": ["*"]}, {"StringNotEquals": {"aws:SourceAccount": OTHER_ACCOUNT}}
        ),
    ),
    Mutation(
        "proxy-role-trusts-every-root",
        ROLE,
        "data-proxy-role",
        "iam-trust-not-public",
        first_trust_principal({"AWS": "arn:aws:iam::*:root"}),
    ),
    Mutation(
        "flow-logs-role-extra-public-statement",
        ROLE,
        "network-flow-logs-role",
        "iam-trust-not-public",
        add_statement("assumeRolePolicy", PUBLIC_TRUST),
    ),
    # IAM permissions: wildcard administrator.
    Mutation(
        "engine-policy-admin-statement",
        ROLE_POLICY,
        "matching-engine-access",
        "iam-no-wildcard-admin",
        add_statement("policy", {**ADMIN, "Sid": "Debug"}),
    ),
    Mutation(
        "lb-controller-discover-star",
        ROLE_POLICY,
        "workloads-lb-controller-policy",
        "iam-no-wildcard-admin",
        edit_policy("policy", lambda d: statement(d, "Discover").update(Action="*")),
    ),
    Mutation(
        "flow-logs-write-not-action",
        ROLE_POLICY,
        "network-flow-logs-write",
        "iam-no-wildcard-admin",
        add_statement(
            "policy", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*", "Sid": "Ops"}
        ),
    ),
    Mutation(
        "proxy-policy-star-star-list",
        ROLE_POLICY,
        "data-proxy-read-secret",
        "iam-no-wildcard-admin",
        add_statement("policy", {"Effect": "Allow", "Action": ["*:*"], "Resource": ["*"]}),
    ),
    Mutation(
        "cluster-key-policy-admin",
        ROLE_POLICY,
        "services-cluster-secrets-key",
        "iam-no-wildcard-admin",
        edit_policy("policy", lambda d: d["Statement"][0].update(Action="*", Resource="*")),
    ),
    Mutation(
        "engine-policy-s3-everywhere",
        ROLE_POLICY,
        "matching-engine-access",
        "iam-no-wildcard-admin",
        add_statement("policy", {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    ),
    Mutation(
        "lb-controller-passes-any-role",
        ROLE_POLICY,
        "workloads-lb-controller-policy",
        "iam-no-wildcard-admin",
        add_statement("policy", {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}),
    ),
    # Managed administrator policies on workload roles.
    Mutation(
        "engine-role-administrator-access",
        ATTACHMENT,
        "matching-engine-ssm",
        "iam-no-admin-attachment",
        put({"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    ),
    Mutation(
        "node-role-power-user",
        ATTACHMENT,
        "services-node-AmazonEKS_CNI_Policy",
        "iam-no-admin-attachment",
        put({"policyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}),
    ),
    Mutation(
        "cluster-role-iam-full-access",
        ATTACHMENT,
        "services-cluster-policy",
        "iam-no-admin-attachment",
        put({"policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"}),
    ),
    # KMS key policies.
    Mutation(
        "data-key-used-by-anyone",
        types.KMS_KEY,
        "data-key-key",
        "kms-key-policy-not-public",
        set_principal("DataServicesUseKey", "*"),
    ),
    Mutation(
        "logs-key-aws-star",
        types.KMS_KEY,
        "logs-key",
        "kms-key-policy-not-public",
        set_principal("CloudWatchLogsUsesKey", {"AWS": "*"}),
    ),
    Mutation(
        "services-key-grants-for-anyone",
        types.KMS_KEY,
        "services-key",
        "kms-key-policy-not-public",
        # kms:GrantIsForAWSResource says how, not who: anyone may still create grants.
        set_principal("AutoScalingGrantsToEc2", "*", keep_condition=True),
    ),
    Mutation(
        "engine-key-caller-account-wildcard",
        types.KMS_KEY,
        "matching-engine-key",
        "kms-key-policy-not-public",
        edit_policy(
            "policy",
            lambda d: statement(d, "AutoScalingUsesKeyForVolumes").update(
                Principal="*", Condition={"StringLike": {"kms:CallerAccount": "*"}}
            ),
        ),
    ),
    Mutation(
        "dr-key-negated-caller-account",
        types.KMS_KEY,
        "data-dr-key-key",
        "kms-key-policy-not-public",
        edit_policy(
            "policy",
            lambda d: statement(d, "DataServicesUseKey").update(
                Principal={"AWS": "*"},
                Condition={"StringNotEquals": {"kms:CallerAccount": OTHER_ACCOUNT}},
            ),
        ),
    ),
    Mutation(
        "alerts-key-publishers-unconditioned",
        types.KMS_KEY,
        "observability-alerts-key",
        "kms-key-policy-not-public",
        set_principal("AlarmsAndBudgetsPublish", "*"),
    ),
    Mutation(
        "kafka-key-shared-with-vendor-account",
        types.KMS_KEY,
        "kafka-key",
        "kms-key-policy-not-public",
        add_statement(
            "policy",
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"},
                "Action": "kms:Decrypt",
                "Resource": "*",
            },
        ),
    ),
    Mutation(
        "edge-secrets-key-to-foreign-role",
        types.KMS_KEY,
        "edge-secrets-key",
        "kms-key-policy-not-public",
        add_statement(
            "policy",
            {
                "Effect": "Allow",
                "Principal": {"AWS": [f"arn:aws:iam::{OTHER_ACCOUNT}:role/ops"]},
                "Action": ["kms:Decrypt", "kms:DescribeKey"],
                "Resource": "*",
            },
        ),
    ),
    # Resource policies: the alert topic.
    Mutation(
        "alert-topic-managed-by-anyone",
        "aws:sns/topicPolicy:TopicPolicy",
        "observability-alerts-policy",
        "resource-policy-not-public",
        set_principal("AccountManagesTopic", "*"),
    ),
    Mutation(
        "alert-topic-publish-unconditioned",
        "aws:sns/topicPolicy:TopicPolicy",
        "observability-alerts-policy",
        "resource-policy-not-public",
        set_principal("CloudWatchAlarmsPublish", {"AWS": "*"}),
    ),
    # Logging turned off.
    Mutation(
        "eks-audit-log-off",
        types.EKS_COMPONENT,
        "services-eks",
        "eks-control-plane-logging",
        put({"enabledClusterLogTypes": ["api", "authenticator"]}),
    ),
    Mutation(
        "eks-control-plane-logs-removed",
        types.EKS_COMPONENT,
        "services-eks",
        "eks-control-plane-logging",
        drop("enabledClusterLogTypes"),
    ),
    Mutation(
        "kafka-broker-logs-disabled",
        types.MSK_CLUSTER,
        "kafka-cluster",
        "msk-broker-logging",
        put({"loggingInfo.brokerLogs.cloudwatchLogs.enabled": False}),
    ),
    Mutation(
        "kafka-logging-info-removed",
        types.MSK_CLUSTER,
        "kafka-cluster",
        "msk-broker-logging",
        drop("loggingInfo"),
    ),
    Mutation(
        "cdn-log-delivery-removed",
        st.LOG_DELIVERY,
        "edge-cdn-log-delivery",
        "cloudfront-access-logging",
        remove=True,
        names="edge-cdn",
    ),
    Mutation(
        "cdn-log-source-removed",
        st.LOG_DELIVERY_SOURCE,
        "edge-cdn-log-source",
        "cloudfront-access-logging",
        remove=True,
        names="edge-cdn",
    ),
    Mutation(
        "waf-logging-removed",
        st.WEB_ACL_LOGGING,
        "edge-waf-logging",
        "waf-logging",
        remove=True,
        names="edge-waf-acl",
    ),
    # Secrets in user data and environment variables.
    Mutation(
        "engine-user-data-db-password",
        types.LAUNCH_TEMPLATE,
        "matching-engine-lt",
        "no-secrets-in-user-data",
        user_data_line("echo 'DB_PASSWORD=Tr4d1ng-pr0d-2026' >> /etc/matching-engine.env"),
    ),
    Mutation(
        "engine-user-data-access-key",
        types.LAUNCH_TEMPLATE,
        "matching-engine-lt",
        "no-secrets-in-user-data",
        user_data_line("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"),
    ),
    Mutation(
        "engine-user-data-private-key",
        types.LAUNCH_TEMPLATE,
        "matching-engine-lt",
        "no-secrets-in-user-data",
        user_data_line("cat > /opt/tls.key <<'K'\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\nK"),
    ),
    Mutation(
        "engine-user-data-kafka-sasl-password",
        types.LAUNCH_TEMPLATE,
        "matching-engine-lt",
        "no-secrets-in-user-data",
        user_data_line("KAFKA_SASL_PASSWORD: 'scram-9f8e7d6c'"),
    ),
    Mutation(
        "api-secret-env",
        DEPLOYMENT,
        "workloads-api",
        "no-secrets-in-environment",
        container_env({"name": "SECRET", "value": "s3cr3t-value-for-prod"}),
    ),
    Mutation(
        "websocket-jwt-secret-env",
        DEPLOYMENT,
        "workloads-websocket",
        "no-secrets-in-environment",
        container_env({"name": "JWT_SECRET", "value": "hs256-prod-signing-key"}),
    ),
    Mutation(
        "consumer-kafka-password-env",
        DEPLOYMENT,
        "workloads-consumer",
        "no-secrets-in-environment",
        container_env({"name": "KAFKA_PASSWORD", "value": "consumer-pw-2026"}),
    ),
    Mutation(
        "consumer-migration-database-password",
        DEPLOYMENT,
        "workloads-consumer",
        "no-secrets-in-environment",
        container_env({"name": "DATABASE_PASSWORD", "value": "pg-admin-pw"}, init=True),
    ),
    Mutation(
        "api-aws-key-in-env",
        DEPLOYMENT,
        "workloads-api",
        "no-secrets-in-environment",
        container_env({"name": "S3_UPLOADER", "value": "AKIAIOSFODNN7EXAMPLE"}),
    ),
    # Encryption at rest: AWS managed keys and replicas without their own key.
    Mutation(
        "alert-topic-aws-managed-key",
        types.SNS_TOPIC,
        "observability-alerts",
        "data-store-encrypted-with-cmk",
        put({"kmsMasterKeyId": "alias/aws/sns"}),
    ),
    Mutation(
        "api-images-aes256",
        "aws:ecr/repository:Repository",
        "services-api-ecr",
        "data-store-encrypted-with-cmk",
        put({"encryptionConfigurations": [{"encryptionType": "AES256"}]}),
    ),
    Mutation(
        "consumer-images-aws-managed-kms",
        "aws:ecr/repository:Repository",
        "services-consumer-ecr",
        "data-store-encrypted-with-cmk",
        drop("encryptionConfigurations.0.kmsKey"),
    ),
    Mutation(
        "database-secret-replica-without-key",
        types.SECRET,
        "data-database-secret",
        "data-store-encrypted-with-cmk",
        put({"replicas": [{"region": "ap-northeast-1"}]}),
    ),
    Mutation(
        "cache-secret-replica-aws-managed-key",
        types.SECRET,
        "data-cache-secret",
        "data-store-encrypted-with-cmk",
        put({"replicas": [{"region": "ap-northeast-1", "kmsKeyId": "alias/aws/secretsmanager"}]}),
    ),
    # PostgreSQL minimum TLS version.
    Mutation(
        "postgres-tls-1.0-allowed",
        types.RDS_PARAMETER_GROUP,
        "data-postgres-params",
        "db-tls-version",
        parameter("ssl_min_protocol_version", "TLSv1"),
    ),
    Mutation(
        "dr-postgres-tls-1.1-allowed",
        types.RDS_PARAMETER_GROUP,
        "data-postgres-params-dr",
        "db-tls-version",
        parameter("ssl_min_protocol_version", "TLSv1.1"),
    ),
    # Cache authentication: the stacks' IAM user group (or an AUTH token) taken away.
    Mutation(
        "cache-auth-removed",
        types.REPLICATION_GROUP,
        "data-cache-group",
        "cache-auth-required",
        drop("authToken", "userGroupIds"),
    ),
    # WAF that enforces, and admin IP sets that are not the world.
    Mutation(
        "waf-sqli-group-count-only",
        st.WEB_ACL,
        "edge-waf-acl",
        "waf-web-acl-enforces",
        waf_rules(rule_named("sqli", "OverrideAction", {"Count": {}})),
    ),
    Mutation(
        "waf-rate-limit-count-only",
        st.WEB_ACL,
        "edge-waf-acl",
        "waf-web-acl-enforces",
        waf_rules(rule_named("rateLimit", "Action", {"Count": {}})),
    ),
    Mutation(
        "waf-rules-emptied",
        st.WEB_ACL,
        "edge-waf-acl",
        "waf-web-acl-enforces",
        put({"ruleJson": "[]"}),
    ),
    Mutation(
        "waf-admin-set-world",
        st.IP_SET,
        "edge-waf-admins",
        "waf-ip-set-not-world",
        put({"addresses": ["203.0.113.10/32", "0.0.0.0/0"]}),
    ),
    Mutation(
        "waf-admin-set-two-halves",
        st.IP_SET,
        "edge-waf-admins",
        "waf-ip-set-not-world",
        put({"addresses": ["0.0.0.0/1", "128.0.0.0/1"]}),
    ),
    Mutation(
        "waf-tradingview-set-slash-4",
        st.IP_SET,
        "edge-waf-tradingview",
        "waf-ip-set-not-world",
        put({"addresses": ["52.89.214.238/32", "48.0.0.0/4"]}),
    ),
    # Flow logs: ALL traffic, inside the account.
    Mutation(
        "flow-log-rejects-only",
        types.FLOW_LOG,
        "network-flow-logs-flow-log",
        "flow-log-all-traffic",
        put({"trafficType": "REJECT"}),
    ),
    Mutation(
        "dr-flow-log-accepts-only",
        types.FLOW_LOG,
        "data-dr-network-flow-logs-flow-log",
        "flow-log-all-traffic",
        put({"trafficType": "ACCEPT"}),
    ),
    Mutation(
        "flow-log-to-other-account",
        types.FLOW_LOG,
        "network-flow-logs-flow-log",
        "flow-log-all-traffic",
        put(
            {
                "logDestination": (
                    f"arn:aws:logs:{REGION}:{OTHER_ACCOUNT}:log-group:/central/vpc-flow-logs"
                )
            }
        ),
    ),
    Mutation(
        "flow-log-cross-account-role",
        types.FLOW_LOG,
        "network-flow-logs-flow-log",
        "flow-log-all-traffic",
        put({"deliverCrossAccountRole": f"arn:aws:iam::{OTHER_ACCOUNT}:role/flow-logs"}),
    ),
    # IMDS hop limit (stack rule).
    Mutation(
        "engine-imds-two-hops",
        types.LAUNCH_TEMPLATE,
        "matching-engine-lt",
        "imds-hop-limit",
        put({"metadataOptions.httpPutResponseHopLimit": 2.0}),
    ),
    Mutation(
        "api-nodes-imds-three-hops",
        types.LAUNCH_TEMPLATE,
        "services-api-lt",
        "imds-hop-limit",
        put({"metadataOptions.httpPutResponseHopLimit": 3.0}),
    ),
    Mutation(
        "websocket-nodes-imds-64-hops",
        types.LAUNCH_TEMPLATE,
        "services-websocket-lt",
        "imds-hop-limit",
        put({"metadataOptions.httpPutResponseHopLimit": 64.0}),
    ),
]


def Addition(
    id: str, type_: str, inputs: dict[str, Any], policy: str, also: tuple[str, ...] = ()
) -> Mutation:
    """A resource a team adds to the prod stack: insecure in one way, compliant otherwise."""
    name = f"added-{id}"
    return Mutation(id, type_, name, policy, add=(Added(type_, name, inputs),), also=also)


QUEUE_POLICY_PUBLIC = document(
    {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
)
SQS_OK = {"name": "trading-prod-settlements", "kmsMasterKeyId": KEY_ARN}
TABLE = {
    "name": "trading-prod-sessions",
    "billingMode": "PAY_PER_REQUEST",
    "hashKey": "id",
    "attributes": [{"name": "id", "type": "S"}],
}
SEARCH_DOMAIN = {
    "domainName": "trading-prod",
    "encryptAtRest": {"enabled": True, "kmsKeyId": KEY_ARN},
    "nodeToNodeEncryption": {"enabled": True},
    "domainEndpointOptions": {
        "enforceHttps": True,
        "tlsSecurityPolicy": "Policy-Min-TLS-1-2-PFS-2023-10",
    },
    "vpcOptions": {"subnetIds": ["subnet-edf9546636b8fe81c"]},
}
ENGINE_INSTANCE = {
    "ami": "ami-0c9c942bd7bf113a2",
    "instanceType": "c6i.large",
    "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled"},
    "rootBlockDevice": {"encrypted": True, "kmsKeyId": KEY_ARN},
}

ADDITIONS: list[Mutation] = [
    # S3.
    Addition(
        "static-bucket-acl-public-read",
        "aws:s3/bucketAclV2:BucketAclV2",
        {"bucket": "trading-prod-static-11cbfd01e089", "acl": "public-read"},
        "s3-no-public-acl",
    ),
    Addition(
        "reports-bucket-acl-grant-all-users",
        "aws:s3/bucketAcl:BucketAcl",
        {
            "bucket": "trading-prod-reports",
            "accessControlPolicy": {
                "owner": {"id": "owner"},
                "grants": [
                    {
                        "permission": "READ",
                        "grantee": {
                            "type": "Group",
                            "uri": "http://acs.amazonaws.com/groups/global/AllUsers",
                        },
                    }
                ],
            },
        },
        "s3-no-public-acl",
    ),
    Addition(
        "account-public-access-block-policy-off",
        st.S3_ACCOUNT_PUBLIC_ACCESS_BLOCK,
        {
            "blockPublicAcls": True,
            "blockPublicPolicy": False,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": True,
        },
        "s3-public-access-block",
    ),
    Addition(
        "reports-bucket-policy-object-document",
        BUCKET_POLICY,
        {
            "bucket": "trading-prod-reports",
            "policy": {
                "Version": "2012-10-17",
                "Statement": [{**ANYONE_READS, "Resource": "arn:aws:s3:::trading-prod-reports/*"}],
            },
        },
        "s3-bucket-policy-not-public",
    ),
    Addition(
        "reports-bucket-bare",
        "aws:s3/bucket:Bucket",
        {"bucket": "trading-prod-reports"},
        "s3-public-access-block",
        also=("s3-tls-only", "s3-bucket-encryption"),
    ),
    # IAM.
    Addition(
        "ops-policy-admin",
        "aws:iam/policy:Policy",
        {"name": "trading-prod-ops", "policy": document(ADMIN)},
        "iam-no-wildcard-admin",
    ),
    Addition(
        "reports-role-inline-admin",
        ROLE,
        {
            "assumeRolePolicy": EC2_TRUST,
            "inlinePolicies": [{"name": "everything", "policy": document(ADMIN)}],
        },
        "iam-no-wildcard-admin",
    ),
    Addition(
        "reports-role-managed-admin",
        ROLE,
        {
            "assumeRolePolicy": EC2_TRUST,
            "managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"],
        },
        "iam-no-admin-attachment",
    ),
    Addition(
        "deployer-user-admin",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        {"user": "deployer", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
        "iam-no-admin-attachment",
    ),
    Addition(
        "deploy-role-trusts-anyone",
        ROLE,
        {"assumeRolePolicy": document(PUBLIC_TRUST)},
        "iam-trust-not-public",
    ),
    Addition(
        "ci-role-trust-object-aws-star",
        ROLE,
        {
            "assumeRolePolicy": {
                "Version": "2012-10-17",
                "Statement": [{**PUBLIC_TRUST, "Principal": {"AWS": ["*"]}}],
            }
        },
        "iam-trust-not-public",
    ),
    # KMS grants and key policies.
    Addition(
        "data-key-grant-to-vendor",
        st.KMS_GRANT,
        {
            "keyId": KEY_ARN,
            "granteePrincipal": f"arn:aws:iam::{OTHER_ACCOUNT}:role/vendor-etl",
            "operations": ["Decrypt"],
        },
        "kms-grant-scoped",
    ),
    Addition(
        "data-key-grant-re-grantable",
        st.KMS_GRANT,
        {"keyId": KEY_ARN, "granteePrincipal": ROLE_ARN, "operations": ["Decrypt", "CreateGrant"]},
        "kms-grant-scoped",
    ),
    Addition(
        "reports-key-policy-anyone",
        st.KMS_KEY_POLICY,
        {
            "keyId": "reports-key",
            "policy": document(
                {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}
            ),
        },
        "kms-key-policy-not-public",
    ),
    # Resource policies.
    Addition(
        "settlements-queue-policy-public",
        "aws:sqs/queuePolicy:QueuePolicy",
        {"queueUrl": "https://sqs/settlements", "policy": QUEUE_POLICY_PUBLIC},
        "resource-policy-not-public",
    ),
    Addition(
        "settlements-queue-inline-policy-public",
        "aws:sqs/queue:Queue",
        {**SQS_OK, "policy": QUEUE_POLICY_PUBLIC},
        "resource-policy-not-public",
    ),
    Addition(
        "database-secret-policy-public",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        {
            "secretArn": "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db",
            "policy": document(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*",
                }
            ),
        },
        "resource-policy-not-public",
    ),
    Addition(
        "kafka-cluster-policy-public",
        "aws:msk/clusterPolicy:ClusterPolicy",
        {
            "clusterArn": "arn:aws:kafka:ap-northeast-2:123456789012:cluster/trading-prod-kafka/x",
            "policy": document(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers"],
                    "Resource": "*",
                }
            ),
        },
        "resource-policy-not-public",
    ),
    Addition(
        "api-images-pullable-by-anyone",
        "aws:ecr/repositoryPolicy:RepositoryPolicy",
        {
            "repository": "trading-prod/api",
            "policy": document(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                }
            ),
        },
        "resource-policy-not-public",
    ),
    Addition(
        "shared-files-policy-public",
        "aws:efs/fileSystemPolicy:FileSystemPolicy",
        {
            "fileSystemId": "fs-0123456789abcdef0",
            "policy": document(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": "*"},
                    "Action": "elasticfilesystem:ClientMount",
                }
            ),
        },
        "resource-policy-not-public",
    ),
    Addition(
        "backup-vault-policy-public",
        "aws:backup/vaultPolicy:VaultPolicy",
        {
            "backupVaultName": "trading-prod",
            "policy": document(
                {"Effect": "Allow", "Principal": "*", "Action": "backup:*", "Resource": "*"}
            ),
        },
        "resource-policy-not-public",
    ),
    Addition(
        "webhook-lambda-invokable-by-anyone",
        st.LAMBDA_PERMISSION,
        {"action": "lambda:InvokeFunction", "function": "trading-prod-webhook", "principal": "*"},
        "lambda-permission-not-public",
    ),
    Addition(
        "webhook-lambda-public-url-permission",
        st.LAMBDA_PERMISSION,
        {
            "action": "lambda:InvokeFunctionUrl",
            "function": "trading-prod-webhook",
            "principal": "*",
            "functionUrlAuthType": "NONE",
        },
        "lambda-permission-not-public",
    ),
    # Serverless entry points without auth.
    Addition(
        "webhook-function-url-no-auth",
        st.LAMBDA_FUNCTION_URL,
        {"functionName": "trading-prod-webhook", "authorizationType": "NONE"},
        "lambda-function-url-auth",
    ),
    Addition(
        "reports-route-no-auth",
        st.APIGATEWAYV2_ROUTE,
        {"apiId": "a1b2c3", "routeKey": "GET /reports", "authorizationType": "NONE"},
        "api-route-auth",
    ),
    Addition(
        "orders-route-default-auth",
        st.APIGATEWAYV2_ROUTE,
        {"apiId": "a1b2c3", "routeKey": "POST /orders"},
        "api-route-auth",
    ),
    Addition(
        "legacy-rest-method-no-auth",
        st.APIGATEWAY_METHOD,
        {"restApi": "r1", "resourceId": "x1", "httpMethod": "POST", "authorization": "NONE"},
        "api-route-auth",
    ),
    # Logging off on an added cluster.
    Addition(
        "batch-eks-cluster-api-logs-only",
        types.EKS_CLUSTER,
        {
            "roleArn": ROLE_ARN,
            "vpcConfig": {"subnetIds": ["subnet-1"], "endpointPublicAccess": False},
            "encryptionConfig": {"provider": {"keyArn": KEY_ARN}, "resources": ["secrets"]},
            "enabledClusterLogTypes": ["api"],
        },
        "eks-control-plane-logging",
    ),
    # Secrets in plain sight on added compute.
    Addition(
        "reports-function-api-key-env",
        st.LAMBDA_FUNCTION,
        {
            "role": ROLE_ARN,
            "runtime": "python3.12",
            "handler": "app.handler",
            "environment": {"variables": {"API_KEY": "pk_live_51HxYz", "STAGE": "prod"}},
        },
        "no-secrets-in-environment",
    ),
    Addition(
        "settlement-task-password-env",
        "aws:ecs/taskDefinition:TaskDefinition",
        {
            "family": "settlement",
            "containerDefinitions": json.dumps(
                [
                    {
                        "name": "settlement",
                        "image": "settlement:1",
                        "environment": [{"name": "DB_PASSWORD", "value": "pg-prod-2026"}],
                    }
                ]
            ),
        },
        "no-secrets-in-environment",
    ),
    Addition(
        "ops-instance-user-data-token",
        types.INSTANCE,
        {
            **ENGINE_INSTANCE,
            "userData": "#!/bin/bash\nexport GITHUB_TOKEN=ghp_16C7e42F292c6912E7710c838347Ae178B4a\n",
        },
        "no-secrets-in-user-data",
    ),
    # Encryption at rest for services the program does not use yet.
    Addition(
        "settlements-queue-unencrypted",
        "aws:sqs/queue:Queue",
        {"name": "trading-prod-settlements"},
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "settlements-queue-aws-managed-key",
        "aws:sqs/queue:Queue",
        {"name": "trading-prod-settlements", "kmsMasterKeyId": "alias/aws/sqs"},
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "sessions-table-aws-owned-key",
        "aws:dynamodb/table:Table",
        TABLE,
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "sessions-table-replica-without-key",
        "aws:dynamodb/table:Table",
        {
            **TABLE,
            "streamEnabled": True,
            "streamViewType": "NEW_AND_OLD_IMAGES",
            "serverSideEncryption": {"enabled": True, "kmsKeyArn": KEY_ARN},
            "replicas": [{"regionName": "ap-northeast-1"}],
        },
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "ticks-stream-unencrypted",
        "aws:kinesis/stream:Stream",
        {"name": "trading-prod-ticks", "shardCount": 4, "encryptionType": "NONE"},
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "ticks-firehose-unencrypted",
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        {"name": "trading-prod-ticks", "destination": "extended_s3"},
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "shared-files-unencrypted",
        "aws:efs/fileSystem:FileSystem",
        {"creationToken": "trading-prod-shared", "encrypted": False},
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "search-domain-unencrypted",
        "aws:opensearch/domain:Domain",
        {**SEARCH_DOMAIN, "encryptAtRest": {"enabled": False}},
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "search-domain-nodes-plaintext",
        "aws:opensearch/domain:Domain",
        {**SEARCH_DOMAIN, "nodeToNodeEncryption": {"enabled": False}},
        "opensearch-in-transit",
    ),
    Addition(
        "search-domain-tls-1.0",
        "aws:opensearch/domain:Domain",
        {
            **SEARCH_DOMAIN,
            "domainEndpointOptions": {
                "enforceHttps": True,
                "tlsSecurityPolicy": "Policy-Min-TLS-1-0-2019-07",
            },
        },
        "opensearch-in-transit",
    ),
    Addition(
        "search-domain-public-endpoint",
        "aws:opensearch/domain:Domain",
        {key: value for key, value in SEARCH_DOMAIN.items() if key != "vpcOptions"},
        "opensearch-in-vpc",
    ),
    Addition(
        "ops-group-kms-everything",
        "aws:iam/groupPolicy:GroupPolicy",
        {
            "group": "ops",
            "policy": document({"Effect": "Allow", "Action": "kms:*", "Resource": "*"}),
        },
        "iam-no-wildcard-admin",
    ),
    Addition(
        "warehouse-unencrypted",
        "aws:redshift/cluster:Cluster",
        {"clusterIdentifier": "trading-prod", "nodeType": "ra3.xlplus", "encrypted": False},
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "backup-vault-default-key",
        "aws:backup/vault:Vault",
        {"name": "trading-prod"},
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "audit-trail-unencrypted",
        "aws:cloudtrail/trail:Trail",
        {"name": "trading-prod", "s3BucketName": "trading-prod-trail", "isMultiRegionTrail": True},
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "graph-cluster-aws-managed-key",
        "aws:neptune/cluster:Cluster",
        {
            "clusterIdentifier": "trading-prod-graph",
            "storageEncrypted": True,
            "kmsKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/rds",
            "deletionProtection": True,
            "backupRetentionPeriod": 35,
            "iamDatabaseAuthenticationEnabled": True,
        },
        "data-store-encrypted-with-cmk",
    ),
    Addition(
        "reports-images-aes256",
        "aws:ecr/repository:Repository",
        {
            "name": "trading-prod/reports",
            "encryptionConfigurations": [{"encryptionType": "AES256"}],
        },
        "data-store-encrypted-with-cmk",
    ),
    # TLS versions below 1.2.
    Addition(
        "ledger-aurora-postgres-tls-1.0",
        types.RDS_CLUSTER_PARAMETER_GROUP,
        {
            "family": "aurora-postgresql16",
            "parameters": [
                {"name": "rds.force_ssl", "value": "1"},
                {"name": "ssl_min_protocol_version", "value": "TLSv1"},
            ],
        },
        "db-tls-version",
    ),
    Addition(
        "reporting-aurora-mysql-tls-1.1",
        types.RDS_CLUSTER_PARAMETER_GROUP,
        {
            "family": "aurora-mysql8.0",
            "parameters": [
                {"name": "require_secure_transport", "value": "ON"},
                {"name": "tls_version", "value": "TLSv1.1,TLSv1.2"},
            ],
        },
        "db-tls-version",
    ),
    # Cache authentication.
    Addition(
        "cache-default-user-no-password",
        st.ELASTICACHE_USER,
        {
            "userId": "app",
            "userName": "app",
            "engine": "valkey",
            "accessString": "on ~* +@all",
            "authenticationMode": {"type": "no-password-required"},
        },
        "cache-auth-required",
    ),
    Addition(
        "orderbook-memorydb-open-access",
        st.MEMORYDB_CLUSTER,
        {
            "name": "trading-prod-orderbook",
            "nodeType": "db.r7g.large",
            "aclName": "open-access",
            "kmsKeyArn": KEY_ARN,
        },
        "cache-auth-required",
    ),
    # A data store no rule examines.
    Addition(
        "reports-catalog-database",
        "aws:glue/catalogDatabase:CatalogDatabase",
        {"name": "trading_prod_reports"},
        "unexamined-data-stores",
    ),
    # Secrets in plain configuration.
    Addition(
        "database-password-plain-parameter",
        "aws:ssm/parameter:Parameter",
        {"name": "/trading-prod/db/password", "type": "String", "value": "pg-prod-2026"},
        "no-plaintext-secret-config",
    ),
    Addition(
        "app-config-map-with-api-key",
        "kubernetes:core/v1:ConfigMap",
        {
            "metadata": {"namespace": "trading", "name": "app"},
            "data": {"LOG_LEVEL": "info", "EXCHANGE_API_KEY": "live-4f9a8b7c"},
        },
        "no-plaintext-secret-config",
    ),
    Addition(
        "redis-chart-literal-password",
        "kubernetes:helm.sh/v3:Release",
        {
            "chart": "redis",
            "namespace": "trading",
            "values": {"auth": {"enabled": True, "password": "redis-prod-pw"}},
        },
        "no-plaintext-secret-config",
    ),
    Addition(
        "notifications-broker",
        "aws:mq/broker:Broker",
        {"brokerName": "trading-prod", "engineType": "RabbitMQ"},
        "unexamined-data-stores",
    ),
]

PREVIEW_IDS = [
    "artifacts-public-access-block-removed",
    "static-restrict-public-buckets-off",
    "eks-audit-log-off",
    "waf-logging-removed",
    "api-secret-env",
    "cache-auth-removed",
    "waf-admin-set-world",
    "flow-log-rejects-only",
    "engine-imds-two-hops",
    "settlements-queue-unencrypted",
    "deploy-role-trusts-anyone",
    "webhook-function-url-no-auth",
    "reports-catalog-database",
]


CASES = [*MUTATIONS, *ADDITIONS]
BY_ID = {case.id: case for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_is_blocked_by_its_rule(pack: PolicyPackProcess, case: Mutation) -> None:
    assert_caught(pack, stack("prod", False).resources, case)


@pytest.mark.parametrize("case_id", PREVIEW_IDS)
def test_case_is_blocked_in_preview(preview_pack: PolicyPackProcess, case_id: str) -> None:
    assert_caught(preview_pack, stack("prod", True).resources, BY_ID[case_id])


def test_cases_round_trip_over_grpc(
    grpc_pack: PolicyPackProcess, grpc_preview_pack: PolicyPackProcess
) -> None:
    """The pack started as the CLI starts it blocks a sample of each kind of case alike."""
    sample = round_trip_sample(CASES)
    assert {case.stack_rule for case in sample} == {False, True}
    for case in sample:
        assert_caught(grpc_pack, stack("prod", False).resources, case)
    assert_caught(grpc_preview_pack, stack("prod", True).resources, BY_ID[PREVIEW_IDS[0]])


FAMILY_MODULES = (
    "s3_public",
    "iam",
    "kms_policies",
    "resource_policies",
    "serverless",
    "service_logs",
    "secrets_exposure",
    "encryption_at_rest",
    "db_transport",
    "cache_auth",
    "waf",
    "flow_logs",
    "instance_metadata",
    "search_domains",
)
# Rules with no case here: one only reports (advisory everywhere), and MSK Serverless is dev's.
NOT_MUTATED = {"documents-unknown-in-preview", "msk-serverless-iam-auth"}


def test_cases_cover_every_family_rule() -> None:
    family = {
        rule.info.name
        for rule in [*RESOURCE_RULES, *STACK_RULES]
        if rule.check.__module__.rsplit(".", 1)[-1]
        in (*FAMILY_MODULES, "coverage", "documents_unknown", "kafka_serverless")
    }
    assert len(BY_ID) == len(CASES) >= 90
    assert {case.policy for case in CASES} == family - NOT_MUTATED
