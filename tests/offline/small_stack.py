"""A small component stack for golden tests of the plan: a store with a bucket, a key, a secret.

`build` takes the settings a test changes, so two runs give the plans a diff compares.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from offline.runner import ProgramRun, run_component

LONG_POLICY_STATEMENTS = 70


class Store(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        *,
        bucket_name: str,
        retention_days: int,
        with_queue_key: bool,
        long_policy: bool,
        secret_value: str,
    ) -> None:
        super().__init__("test:store:Store", name, None)
        child = pulumi.ResourceOptions(parent=self)
        statements = [
            {"Sid": f"S{i}", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}
            for i in range(LONG_POLICY_STATEMENTS if long_policy else 1)
        ]
        key = aws.kms.Key(
            f"{name}-key",
            enable_key_rotation=True,
            policy=json.dumps({"Version": "2012-10-17", "Statement": statements}),
            opts=child,
        )
        aws.s3.Bucket(
            f"{name}-bucket",
            bucket=bucket_name,
            tags={"Team": "platform", "Retention": str(retention_days)},
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        secret = aws.secretsmanager.Secret(f"{name}-secret", kms_key_id=key.arn, opts=child)
        aws.secretsmanager.SecretVersion(
            f"{name}-secret-value",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(secret_value),
            opts=child,
        )
        if with_queue_key:
            aws.kms.Key(f"{name}-queue-key", enable_key_rotation=True, opts=child)
        self.register_outputs({})


def run_store(
    *,
    preview: bool = False,
    bucket_name: str = "trading-test-store",
    retention_days: int = 30,
    with_queue_key: bool = False,
    long_policy: bool = False,
    secret_value: str = "hunter2",
) -> ProgramRun:
    def build() -> None:
        Store(
            "store",
            bucket_name=bucket_name,
            retention_days=retention_days,
            with_queue_key=with_queue_key,
            long_policy=long_policy,
            secret_value=secret_value,
        )
        pulumi.export("bucketName", bucket_name)
        pulumi.export("token", pulumi.Output.secret("s3cr3t"))

    return run_component(build, preview=preview)
