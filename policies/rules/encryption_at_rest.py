"""Encryption at rest with a customer managed key, for every data store AWS can encrypt.

One table: for each type, the flag that turns encryption on (when it has one), the input naming
the key, and the per-replica key of replicated stores. An AWS managed key (alias/aws/...) does not
count: its policy cannot be narrowed, so anyone allowed the service reads the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import Severity

from ..engine import (
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    as_bool,
    cannot_verify,
    describe,
    resource_rule,
    violation,
)


@dataclass(frozen=True)
class Store:
    key: str
    """The input naming the KMS key (a dotted wire path); empty: only replicas are read."""
    switch: str = ""
    """A boolean that must be true, or `path=VALUE` that must hold, for the store to encrypt."""
    switch_default: bool = False
    """Whether an absent switch means encrypted."""
    replicas: str = ""
    """The list of replicas, each of which needs its own key."""
    replica_key: str = ""
    presence_rule: str = ""
    """A rule that already requires the switch and a key: this one only refuses AWS managed
    keys, so one change is reported once."""


# pulumi-aws 7 wire names, from each resource's registry page
# (https://www.pulumi.com/registry/packages/aws/api-docs/<service>/<resource>/).
STORES: Final[dict[str, Store]] = {
    "aws:sqs/queue:Queue": Store("kmsMasterKeyId"),
    "aws:dynamodb/table:Table": Store(
        "serverSideEncryption.kmsKeyArn",
        switch="serverSideEncryption.enabled",
        replicas="replicas",
        replica_key="kmsKeyArn",
    ),
    "aws:kinesis/stream:Stream": Store("kmsKeyId", switch="encryptionType=KMS"),
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": Store(
        "serverSideEncryption.keyArn", switch="serverSideEncryption.keyType=CUSTOMER_MANAGED_CMK"
    ),
    "aws:efs/fileSystem:FileSystem": Store("kmsKeyId", switch="encrypted"),
    "aws:opensearch/domain:Domain": Store("encryptAtRest.kmsKeyId", switch="encryptAtRest.enabled"),
    "aws:elasticsearch/domain:Domain": Store(
        "encryptAtRest.kmsKeyId", switch="encryptAtRest.enabled"
    ),
    "aws:redshift/cluster:Cluster": Store("kmsKeyId", switch="encrypted", switch_default=True),
    "aws:redshiftserverless/namespace:Namespace": Store("kmsKeyId"),
    "aws:backup/vault:Vault": Store("kmsKeyArn"),
    "aws:cloudtrail/trail:Trail": Store("kmsKeyId"),
    "aws:ecr/repository:Repository": Store(
        "encryptionConfigurations.0.kmsKey", switch="encryptionConfigurations.0.encryptionType=KMS"
    ),
    "aws:rds/cluster:Cluster": Store(
        "kmsKeyId", switch="storageEncrypted", presence_rule="rds-storage-encrypted"
    ),
    "aws:neptune/cluster:Cluster": Store(
        "kmsKeyArn", switch="storageEncrypted", presence_rule="rds-storage-encrypted"
    ),
    "aws:memorydb/cluster:Cluster": Store("kmsKeyArn"),
    "aws:sagemaker/notebookInstance:NotebookInstance": Store("kmsKeyId"),
    "aws:timestreamwrite/database:Database": Store("kmsKeyId"),
    "aws:keyspaces/table:Table": Store(
        "encryptionSpecification.kmsKeyIdentifier",
        switch="encryptionSpecification.type=CUSTOMER_MANAGED_KMS_KEY",
    ),
    # ebs-encrypted owns the flag; the key is this rule's.
    "aws:ebs/volume:Volume": Store("kmsKeyId"),
    "aws:sns/topic:Topic": Store("kmsMasterKeyId", presence_rule="sns-topic-encrypted"),
    # secret-encrypted-with-cmk owns the secret's own key; its replicas are this rule's.
    "aws:secretsmanager/secret:Secret": Store("", replicas="replicas", replica_key="kmsKeyId"),
}


def is_aws_managed(key: Any) -> bool:
    """alias/aws/<service>, bare or as an alias ARN."""
    return isinstance(key, str) and (key.startswith("alias/aws/") or ":alias/aws/" in key)


def _switch(resource: Resource, store: Store) -> Iterator[Finding]:
    path, _, wanted = store.switch.partition("=")
    value = resource.get(path)
    if value is UNKNOWN:
        yield cannot_verify(path)
    elif wanted:
        if value != wanted:
            yield violation(
                f"{path} is {describe(value)}; set {wanted} with a customer managed key"
            )
    elif value is None and store.switch_default:
        return
    elif as_bool(value) is not True:
        yield violation(f"{path} is {describe(value)}; encrypt with a customer managed key")


def _key(path: str, key: Any) -> Iterator[Finding]:
    # An unknown key is the output of a key in the stack, which kms-key-policy-not-public reads.
    if key is None or key == "":
        yield violation(f"{path} is not set; name a customer managed KMS key")
    elif is_aws_managed(key):
        yield violation(f"{path} is the AWS managed key {key}; use a customer managed KMS key")


@resource_rule(
    name="data-store-encrypted-with-cmk",
    description="Data stores (SQS, DynamoDB, Kinesis, Firehose, EFS, OpenSearch, Redshift, "
    "Backup, CloudTrail, ECR, MemoryDB, EBS...) must be encrypted at rest with a customer managed "
    "KMS key, replicas (secrets, tables) with their own; SNS, Aurora and Neptune must not use an "
    "AWS managed key.",
    types=tuple(STORES),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=(
        "SQS.1",
        "Kinesis.1",
        "EFS.1",
        "Opensearch.1",
        "Redshift.10",
        "CloudTrail.2",
        "Neptune.1",
        "EC2.3",
    ),
    unknowns="an unknown key passes (an output of the stack's key); an unknown switch or "
    "replica list: cannot verify",
)
def data_store_encrypted_with_cmk(resource: Resource, _config: Config) -> Iterator[Finding]:
    store = STORES[resource.type]
    key = resource.get(store.key) if store.key else None
    if store.presence_rule:
        if is_aws_managed(key):
            yield violation(f"{store.key} is the AWS managed key {key}; use a customer managed key")
    elif store.key:
        switched = list(_switch(resource, store)) if store.switch else []
        yield from switched
        if not switched:
            yield from _key(store.key, key)
    if not store.replicas:
        return
    replicas = resource.items(store.replicas)
    if replicas is UNKNOWN:
        yield cannot_verify(store.replicas)
        return
    for index, replica in enumerate(replicas):
        path = f"{store.replicas}.{index}.{store.replica_key}"
        key = replica.get(store.replica_key) if isinstance(replica, dict) else None
        yield from _key(path, key)


RULES: list[ResourceRule] = [data_store_encrypted_with_cmk]
