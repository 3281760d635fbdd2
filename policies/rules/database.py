"""RDS and Aurora PostgreSQL: encryption, TLS, exposure, recoverability and credentials."""

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
    describe,
    expect_reference,
    expect_true,
    resource_rule,
    violation,
)
from . import types

_CMK = "point kmsKeyId at a customer managed KMS key"


def _is_replica(resource: Resource) -> bool:
    """Read replicas inherit storage, credentials and backups from their source instance."""
    return resource.type == types.RDS_INSTANCE and resource.get("replicateSourceDb") is not None


@resource_rule(
    name="rds-storage-encrypted",
    description="RDS instances and Aurora clusters must be encrypted at rest with a KMS key.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("RDS.3", "RDS.27"),
    unknowns="unknown storageEncrypted: cannot verify; unknown kmsKeyId passes (the stack's key)",
)
def rds_storage_encrypted(resource: Resource, _config: Config) -> Iterator[Finding]:
    if _is_replica(resource):
        if as_bool(resource.get("storageEncrypted")) is False:
            yield violation("storageEncrypted is false on a replica of an encrypted source")
        source = resource.get("replicateSourceDb")
        # A cross-region replica names its source by ARN and needs a key in its own region.
        if isinstance(source, str) and source.startswith("arn:"):
            yield from expect_reference(resource, "kmsKeyId", _CMK)
        return
    yield from expect_true(resource, "storageEncrypted", "set storageEncrypted=true")
    yield from expect_reference(resource, "kmsKeyId", _CMK)


@resource_rule(
    name="rds-proxy-require-tls",
    description="RDS Proxy must require TLS from clients.",
    types=(types.RDS_PROXY,),
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="unknown requireTls: cannot verify",
)
def rds_proxy_require_tls(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_true(resource, "requireTls", "set requireTls=true")


@resource_rule(
    name="postgres-force-ssl",
    description="PostgreSQL parameter groups must set rds.force_ssl=1.",
    types=(types.RDS_PARAMETER_GROUP, types.RDS_CLUSTER_PARAMETER_GROUP),
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="unknown family or parameters: cannot verify",
)
def postgres_force_ssl(resource: Resource, _config: Config) -> Iterator[Finding]:
    family = resource.get("family")
    if family is UNKNOWN:
        yield cannot_verify("family")
        return
    if not (isinstance(family, str) and family.startswith(("postgres", "aurora-postgresql"))):
        return
    parameters = resource.items("parameters")
    if parameters is UNKNOWN:
        yield cannot_verify("parameters")
        return
    for parameter in parameters:
        if parameter is UNKNOWN:
            yield cannot_verify("parameters")
            return
        if isinstance(parameter, Mapping) and parameter.get("name") == "rds.force_ssl":
            value = parameter.get("value")
            if value is UNKNOWN:
                yield cannot_verify("rds.force_ssl")
            elif str(value) != "1":
                yield violation(f"rds.force_ssl is {describe(value)}; set it to 1")
            return
    yield violation("rds.force_ssl is not set; add the parameter with value 1")


@resource_rule(
    name="db-not-public",
    description="Database instances must not be publicly accessible.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER_INSTANCE),
    level=ADVISORY,
    severity=Severity.CRITICAL,
    controls=("RDS.2",),
    unknowns="unknown publiclyAccessible: cannot verify; absent passes (API default false)",
)
def db_not_public(resource: Resource, _config: Config) -> Iterator[Finding]:
    public = as_bool(resource.get("publiclyAccessible"))
    if public is UNKNOWN:
        yield cannot_verify("publiclyAccessible")
    elif public is True:
        yield violation("publiclyAccessible is true; databases live in the isolated subnets")


@resource_rule(
    name="rds-deletion-protection",
    description="RDS instances and Aurora clusters must have deletion protection.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("RDS.7", "RDS.8"),
    unknowns="unknown deletionProtection: cannot verify",
)
def rds_deletion_protection(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_true(resource, "deletionProtection", "set deletionProtection=true")


@resource_rule(
    name="rds-backup-retention",
    description="RDS instances and Aurora clusters must keep automated backups.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("RDS.11",),
    unknowns="unknown backupRetentionPeriod: cannot verify",
    options={
        "minimumRetentionDays": {
            "type": "integer",
            "minimum": 1,
            "maximum": 35,
            "default": 7,
            "description": "Fewest days of automated backups accepted.",
        }
    },
)
def rds_backup_retention(resource: Resource, config: Config) -> Iterator[Finding]:
    if _is_replica(resource):
        return
    minimum = config["minimumRetentionDays"]
    days = resource.get("backupRetentionPeriod")
    if days is UNKNOWN:
        yield cannot_verify("backupRetentionPeriod")
    elif not isinstance(days, (int, float)) or days < minimum:
        yield violation(f"backupRetentionPeriod is {describe(days)}; keep at least {minimum} days")


@resource_rule(
    name="rds-iam-auth",
    description="RDS instances and Aurora clusters must enable IAM database authentication.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("RDS.10", "RDS.12"),
    unknowns="unknown iamDatabaseAuthenticationEnabled: cannot verify",
)
def rds_iam_auth(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_true(
        resource,
        "iamDatabaseAuthenticationEnabled",
        "set iamDatabaseAuthenticationEnabled=true",
    )


_PASSWORD_INPUTS = {
    types.RDS_INSTANCE: ("password", "passwordWo"),
    types.RDS_CLUSTER: ("masterPassword", "masterPasswordWo"),
}


@resource_rule(
    name="rds-managed-master-password",
    description="The master password must be managed by RDS in Secrets Manager, not passed in.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER),
    level=ADVISORY,
    severity=Severity.HIGH,
    unknowns="unknown manageMasterUserPassword: cannot verify; a password input is reported "
    "whether or not its value is known",
)
def rds_managed_master_password(resource: Resource, _config: Config) -> Iterator[Finding]:
    if _is_replica(resource):
        return
    for name in _PASSWORD_INPUTS[resource.type]:
        if resource.get(name) is not None:
            yield violation(f"{name} is passed in; use manageMasterUserPassword=true instead")
    yield from expect_true(
        resource, "manageMasterUserPassword", "set manageMasterUserPassword=true"
    )


RULES: list[ResourceRule] = [
    rds_storage_encrypted,
    rds_proxy_require_tls,
    postgres_force_ssl,
    db_not_public,
    rds_deletion_protection,
    rds_backup_retention,
    rds_iam_auth,
    rds_managed_master_password,
]
