"""A private S3 bucket: public access blocked, ACLs off, encrypted, reachable only over TLS.

Versioning (with an expiry for noncurrent versions) and an expiration rule are options; none
of the four protections is. The bucket's
one policy always ends with the TLS-only deny: a bucket whose grants need a resource built from
the bucket itself (a distribution reading it, a log-delivery path) says ``grants_later=True``
and calls ``grant`` once those exist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi_aws.s3 import (
    BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs as AbortUploadsArgs,
)
from pulumi_aws.s3 import (
    BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs as NoncurrentArgs,
)
from pulumi_aws.s3 import (
    BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs as SseArgs,
)

from components.aws_context import policy_json

from .options import child_options

Statements = pulumi.Input[Sequence[Mapping[str, Any]]]


@dataclass(frozen=True)
class FixedName:
    """A globally unique name known up front; its ARN needs no lookup."""

    bucket: str
    partition: str

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:s3:::{self.bucket}"


@dataclass(frozen=True)
class NamePrefix:
    """S3 appends a unique suffix to ``prefix``."""

    prefix: str


@dataclass(frozen=True)
class Expiration:
    """Objects expire ``days`` after creation; unfinished multipart uploads go sooner."""

    rule_id: str
    days: int
    abort_incomplete_uploads_days: int = 1


def tls_only_statement(arn: str) -> dict[str, Any]:
    """Deny every request not made over TLS, to the bucket and its objects."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [arn, f"{arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


class PrivateBucket:
    """The bucket ``resource_name`` and its guard resources, all children of ``parent``."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy | None
    versioning: aws.s3.BucketVersioning | None  # what replication must wait for

    def __init__(
        self,
        resource_name: str,
        *,
        parent: pulumi.Resource,
        naming: FixedName | NamePrefix,
        name_tag: str,
        protect: bool,
        kms_key_arn: pulumi.Input[str] | None = None,
        versioned: bool = False,
        expiration: Expiration | None = None,
        noncurrent_version_days: int | None = None,
        grants_later: bool = False,
        region: str | None = None,
    ) -> None:
        if noncurrent_version_days is not None and not versioned:
            raise ValueError(f"bucket {resource_name}: noncurrent versions need versioning")
        if noncurrent_version_days is not None and noncurrent_version_days < 1:
            raise ValueError(f"bucket {resource_name}: noncurrent_version_days must be >= 1")
        self._name = resource_name
        self._parent = parent
        self._naming = naming
        self._region = region
        child = child_options(parent)
        self.bucket = aws.s3.Bucket(
            resource_name,
            bucket=naming.bucket if isinstance(naming, FixedName) else None,
            bucket_prefix=naming.prefix if isinstance(naming, NamePrefix) else None,
            force_destroy=False,
            region=region,
            tags={"Name": name_tag},
            opts=child_options(parent, protect=protect),
        )
        bucket_id = self.bucket.id
        aws.s3.BucketPublicAccessBlock(
            f"{resource_name}-public-access",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            region=region,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{resource_name}-ownership",
            bucket=bucket_id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            region=region,
            opts=child,
        )
        versioning = None
        if versioned:
            versioning = aws.s3.BucketVersioning(
                f"{resource_name}-versioning",
                bucket=bucket_id,
                versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                    status="Enabled"
                ),
                region=region,
                opts=child,
            )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{resource_name}-encryption",
            bucket=bucket_id,
            rules=[_encryption_rule(kms_key_arn)],
            region=region,
            opts=child,
        )
        rules = [_expiration_rule(expiration)] if expiration is not None else []
        if noncurrent_version_days is not None:
            rules.append(_noncurrent_rule(noncurrent_version_days))
        if rules:
            # One configuration per bucket: S3 keeps a single lifecycle document.
            aws.s3.BucketLifecycleConfiguration(
                f"{resource_name}-lifecycle",
                bucket=bucket_id,
                rules=rules,
                region=region,
                # The provider's advice: a rule about versions waits for versioning to be on.
                # https://www.pulumi.com/registry/packages/aws/api-docs/s3/bucketlifecycleconfiguration/
                opts=child_options(parent, depends_on=[versioning] if versioning else None),
            )
        self.versioning = versioning
        self.policy = None
        if not grants_later:
            self.grant([])

    @property
    def arn(self) -> pulumi.Output[str]:
        return self.bucket.arn

    def grant(self, statements: Statements) -> aws.s3.BucketPolicy:
        """The bucket's policy: ``statements``, then the TLS-only deny. Once per bucket (S3
        keeps one policy per bucket; a second resource would overwrite the first)."""
        if self.policy is not None:
            raise ValueError(f"bucket {self._name} already has its policy")
        arn: pulumi.Input[str] = (
            self._naming.arn if isinstance(self._naming, FixedName) else self.bucket.arn
        )
        document = pulumi.Output.all(statements, arn).apply(
            lambda parts: policy_json([*map(dict, parts[0]), tls_only_statement(parts[1])])
        )
        self.policy = aws.s3.BucketPolicy(
            f"{self._name}-policy",
            bucket=self.bucket.id,
            policy=document,
            region=self._region,
            opts=child_options(self._parent),
        )
        return self.policy


def _encryption_rule(
    kms_key_arn: pulumi.Input[str] | None,
) -> aws.s3.BucketServerSideEncryptionConfigurationRuleArgs:
    """SSE-KMS with a bucket key (one data key per bucket, not a KMS call per object) when a key
    is given; SSE-S3 otherwise, for buckets services write that cannot use SSE-KMS (ALB access
    logs: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html)."""
    if kms_key_arn is None:
        return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=SseArgs(sse_algorithm="AES256")
        )
    return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
        apply_server_side_encryption_by_default=SseArgs(
            sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
        ),
        bucket_key_enabled=True,
    )


def _expiration_rule(expiration: Expiration) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=expiration.rule_id,
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expiration.days),
        abort_incomplete_multipart_upload=AbortUploadsArgs(
            days_after_initiation=expiration.abort_incomplete_uploads_days
        ),
    )


def _noncurrent_rule(days: int) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    """Overwritten and deleted objects stay restorable for ``days``, then go; so do the delete
    markers left with no versions behind them."""
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id="expire-noncurrent-versions",
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
        noncurrent_version_expiration=NoncurrentArgs(noncurrent_days=days),
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
            expired_object_delete_marker=True
        ),
        abort_incomplete_multipart_upload=AbortUploadsArgs(days_after_initiation=1),
    )
