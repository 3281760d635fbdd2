"""Synthetic captured resources for the analyzer tests: a compliant stack and one violation per
mandatory rule family, in the wire form `offline.capture` records (camelCase inputs, unknown
sentinels, property dependencies naming the URNs an input was computed from)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from offline.capture import UNKNOWN, CapturedResource
from policies.rules import types


def urn_of(type_: str, name: str, stack: str = "dev") -> str:
    return f"urn:pulumi:{stack}::trading-platform::{type_}::{name}"


def captured(
    type_: str,
    name: str,
    inputs: dict[str, Any],
    *,
    protect: bool = False,
    refs: dict[str, CapturedResource] | None = None,
    custom: bool = True,
) -> CapturedResource:
    """A captured resource; `refs` maps an input (a dotted path for a nested one) to the resource
    it is an output of: the value is unknown, as in preview, and the top-level input's property
    dependency names that resource, as the SDK records it."""
    refs = refs or {}
    inputs = copy.deepcopy(inputs)
    for path in refs:
        *parents, leaf = path.split(".")
        node = inputs
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = UNKNOWN
    return CapturedResource(
        urn=urn_of(type_, name),
        type=type_,
        name=name,
        custom=custom,
        inputs=inputs,
        parent="",
        protect=protect,
        dependencies=tuple(sorted({target.urn for target in refs.values()})),
        property_dependencies={path.split(".")[0]: (target.urn,) for path, target in refs.items()},
    )


def compliant_stack() -> list[CapturedResource]:
    """A small stack every rule accepts, even with every rule mandatory (prod)."""
    key = captured(types.KMS_KEY, "data-key", {"enableKeyRotation": True}, protect=True)
    vpc = captured(types.VPC, "main", {"cidrBlock": "10.0.0.0/16"})
    logs = captured(types.LOG_GROUP, "flow-logs", {"retentionInDays": 90}, refs={"kmsKeyId": key})
    flow = captured(
        types.FLOW_LOG,
        "main-flow",
        {"trafficType": "ALL"},
        refs={"vpcId": vpc, "logDestination": logs},
    )
    bucket = captured("aws:s3/bucket:Bucket", "alb-logs", {}, protect=True)
    sse = captured(
        min(types.S3_ENCRYPTION_CONFIGS),
        "alb-logs-sse",
        {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]},
        refs={"bucket": bucket},
    )
    public_access_block = captured(
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "alb-logs-pab",
        dict.fromkeys(
            ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"),
            True,
        ),
        refs={"bucket": bucket},
    )
    tls_only = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    bucket_policy = captured(
        "aws:s3/bucketPolicy:BucketPolicy",
        "alb-logs-policy",
        {"policy": json.dumps({"Version": "2012-10-17", "Statement": [tls_only]})},
        refs={"bucket": bucket},
    )
    db_sg = captured(
        types.SECURITY_GROUP,
        "db-sg",
        {
            "ingress": [
                {
                    "protocol": "tcp",
                    "fromPort": 5432,
                    "toPort": 5432,
                    "cidrBlocks": ["10.0.11.0/24"],
                }
            ]
        },
        refs={"vpcId": vpc},
    )
    db = captured(
        types.RDS_INSTANCE,
        "postgres",
        {
            "engine": "postgres",
            "storageEncrypted": True,
            "deletionProtection": True,
            "backupRetentionPeriod": 35,
            "iamDatabaseAuthenticationEnabled": True,
            "manageMasterUserPassword": True,
            "publiclyAccessible": False,
        },
        protect=True,
        refs={"kmsKeyId": key},
    )
    params = captured(
        types.RDS_PARAMETER_GROUP,
        "postgres16",
        {"family": "postgres16", "parameters": [{"name": "rds.force_ssl", "value": "1"}]},
    )
    auth_token = captured(
        "random:index/randomPassword:RandomPassword", "cache-auth", {"length": 64}
    )
    cache = captured(
        types.REPLICATION_GROUP,
        "cache",
        {
            "atRestEncryptionEnabled": True,
            "transitEncryptionEnabled": True,
            "transitEncryptionMode": "required",
            "snapshotRetentionLimit": 7,
            "authToken": "generated-at-deploy",
        },
        protect=True,
        refs={"authToken": auth_token},
    )
    alb = captured(
        "aws:lb/loadBalancer:LoadBalancer",
        "internal-alb",
        {
            "loadBalancerType": "application",
            "internal": True,
            "dropInvalidHeaderFields": True,
            "accessLogs": {"enabled": True},
        },
        refs={"accessLogs.bucket": bucket},
    )
    listener = captured(
        "aws:lb/listener:Listener",
        "https",
        {"protocol": "HTTPS", "port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
        refs={"loadBalancerArn": alb},
    )
    eks = captured(
        types.EKS_COMPONENT,
        "services",
        {
            "endpointPublicAccess": False,
            "endpointPrivateAccess": True,
            "enabledClusterLogTypes": ["api", "audit", "authenticator"],
        },
        refs={"encryptionConfigKeyArn": key},
        custom=False,
    )
    return [
        key,
        vpc,
        logs,
        flow,
        bucket,
        sse,
        public_access_block,
        bucket_policy,
        db_sg,
        db,
        params,
        auth_token,
        cache,
        alb,
        listener,
        eks,
    ]


def violations() -> dict[str, list[CapturedResource]]:
    """Per mandatory rule family, resources breaking it (and the rule names expected)."""
    key = captured(types.KMS_KEY, "key", {"enableKeyRotation": True}, protect=True)
    return {
        "no-world-ingress": [
            captured(
                types.SECURITY_GROUP,
                "open-ssh",
                {
                    "ingress": [
                        {"protocol": "-1", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": ["::/0"]}
                    ]
                },
            )
        ],
        "eks-endpoint-not-public": [
            captured(
                types.EKS_COMPONENT,
                "public-eks",
                {},
                refs={"encryptionConfigKeyArn": key},
                custom=False,
            )
        ],
        "rds-storage-encrypted": [
            captured(
                types.RDS_CLUSTER,
                "plain-aurora",
                {
                    "storageEncrypted": False,
                    "deletionProtection": True,
                    "backupRetentionPeriod": 35,
                    "iamDatabaseAuthenticationEnabled": True,
                    "manageMasterUserPassword": True,
                },
                protect=True,
                refs={"kmsKeyId": key},
            )
        ],
        "s3-bucket-encryption": [captured("aws:s3/bucket:Bucket", "plain-bucket", {})],
        "lb-listener-tls": [
            captured(
                "aws:alb/listener:Listener",
                "plain-http",
                {"protocol": "HTTP", "port": 80, "defaultActions": [{"type": "forward"}]},
            )
        ],
        "elasticache-in-transit": [
            captured(
                types.REPLICATION_GROUP,
                "plain-cache",
                {
                    "atRestEncryptionEnabled": True,
                    "transitEncryptionEnabled": False,
                    "snapshotRetentionLimit": 1,
                },
                protect=True,
            )
        ],
    }


def names(resources: Iterable[CapturedResource]) -> set[str]:
    return {resource.name for resource in resources}
