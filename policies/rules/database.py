"""RDS (every engine), Aurora, DocumentDB and Neptune: encryption, TLS, exposure, recoverability
and credentials. DocumentDB and Neptune clusters share the RDS API's shape for these settings
(`storageEncrypted`, `deletionProtection`, `backupRetentionPeriod`), so the RDS rules cover them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

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
    description="RDS instances, Aurora, DocumentDB and Neptune clusters must be encrypted at rest "
    "with a KMS key.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER, types.DOCDB_CLUSTER, types.NEPTUNE_CLUSTER),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("RDS.3", "RDS.27", "DocumentDB.1", "Neptune.1"),
    unknowns="unknown storageEncrypted: cannot verify; unknown kmsKeyId passes (the stack's key); "
    "a replica without kmsKeyId whose source is unknown: cannot verify (it may be cross-region)",
)
def rds_storage_encrypted(resource: Resource, _config: Config) -> Iterator[Finding]:
    key = "kmsKeyArn" if resource.type == types.NEPTUNE_CLUSTER else "kmsKeyId"
    if _is_replica(resource):
        if as_bool(resource.get("storageEncrypted")) is False:
            yield violation("storageEncrypted is false on a replica of an encrypted source")
        source = resource.get("replicateSourceDb")
        # A cross-region replica names its source by ARN and needs a key in its own region.
        if source is UNKNOWN and resource.get(key) in (None, ""):
            yield cannot_verify("replicateSourceDb (a cross-region replica needs its own kmsKeyId)")
        elif isinstance(source, str) and source.startswith("arn:"):
            yield from expect_reference(resource, key, _CMK)
        return
    yield from expect_true(resource, "storageEncrypted", "set storageEncrypted=true")
    yield from expect_reference(resource, key, _CMK)


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
    description="PostgreSQL parameter groups must set rds.force_ssl=1, and an instance before "
    "PostgreSQL 15 must not use the default group (rds.force_ssl 0 there).",
    types=(types.RDS_PARAMETER_GROUP, types.RDS_CLUSTER_PARAMETER_GROUP, types.RDS_INSTANCE),
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="unknown family or parameters: cannot verify; an instance's unknown engine "
    "version or group: cannot verify",
)
def postgres_force_ssl(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == types.RDS_INSTANCE:
        yield from _postgres_default_group(resource)
        return
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


def _major_version(version: object) -> int | None:
    if isinstance(version, str) and version.split(".")[0].isdigit():
        return int(version.split(".")[0])
    return None


def _on_default_group(resource: Resource, group_key: str) -> bool | None:
    """Whether the instance uses its engine's default parameter group; None when unknown."""
    group = resource.get(group_key)
    if group is UNKNOWN:
        # A group output of the stack's own parameter group resource.
        return False if resource.property_dependencies.get(group_key) else None
    return group in (None, "") or (isinstance(group, str) and group.startswith("default."))


def _postgres_default_group(resource: Resource) -> Iterator[Finding]:
    # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html
    # rds.force_ssl defaults to 1 from PostgreSQL 15; earlier default groups accept plaintext.
    engine, version = resource.get("engine"), resource.get("engineVersion")
    if engine != "postgres" or _is_replica(resource):
        return
    default = _on_default_group(resource, "parameterGroupName")
    if default is None or (default and version is UNKNOWN):
        yield cannot_verify("engineVersion/parameterGroupName")
        return
    major = _major_version(version)
    if default and major is not None and major < 15:
        yield violation(
            f"PostgreSQL {version} on the default parameter group has rds.force_ssl 0; use a "
            "group that sets it to 1"
        )


# Parameter that makes each engine refuse plaintext clients, and the values that mean "on".
# MySQL/MariaDB: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html
# SQL Server: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/SQLServer.Concepts.General.SSL.Using.html
# DocumentDB: https://docs.aws.amazon.com/documentdb/latest/developerguide/security.encryption.ssl.html
_TLS_PARAMETERS: Final = (
    (("mysql", "aurora-mysql", "mariadb"), "require_secure_transport", ("1", "on", "true")),
    (("sqlserver",), "rds.force_ssl", ("1", "true")),
    (("docdb",), "tls", ("enabled", "tls1.2+", "tls1.3+", "fips-140-3")),
)
# DocumentDB's default is tls=enabled, so a group that leaves it out keeps TLS; the others
# default to accepting plaintext.
_TLS_DEFAULT_ON: Final = frozenset({"tls"})
_ENGINE_FAMILIES: Final = {
    "mysql": "mysql",
    "mariadb": "mariadb",
    "aurora-mysql": "aurora-mysql",
    "sqlserver-ee": "sqlserver",
    "sqlserver-se": "sqlserver",
    "sqlserver-ex": "sqlserver",
    "sqlserver-web": "sqlserver",
}


def _tls_parameter(family: str) -> tuple[str, tuple[str, ...]] | None:
    for prefixes, name, values in _TLS_PARAMETERS:
        if family.startswith(prefixes):
            return name, values
    return None


def _group_tls(resource: Resource) -> Iterator[Finding]:
    family = resource.get("family")
    if family is UNKNOWN:
        yield cannot_verify("family")
        return
    wanted = _tls_parameter(family) if isinstance(family, str) else None
    if wanted is None:
        return
    name, values = wanted
    parameters = resource.items("parameters")
    if parameters is UNKNOWN or UNKNOWN in parameters:
        yield cannot_verify("parameters")
        return
    found = [p for p in parameters if isinstance(p, Mapping) and p.get("name") == name]
    if not found:
        if name not in _TLS_DEFAULT_ON:
            yield violation(f"{name} is not set, and {family} accepts plaintext by default; set it")
        return
    value = found[-1].get("value")
    if value is UNKNOWN:
        yield cannot_verify(name)
    elif str(value).lower() not in values:
        yield violation(f"{name} is {describe(value)}; set it to {values[0]}")


def _instance_tls(resource: Resource) -> Iterator[Finding]:
    engine = resource.get("engine")
    if engine is UNKNOWN:
        yield cannot_verify("engine")
        return
    family = _ENGINE_FAMILIES.get(engine) if isinstance(engine, str) else None
    if family is None or _is_replica(resource):
        return
    group_key = (
        "dbClusterParameterGroupName"
        if resource.type == types.RDS_CLUSTER
        else "parameterGroupName"
    )
    default = _on_default_group(resource, group_key)
    if default is None:
        yield cannot_verify(group_key)
    elif default:
        name = _tls_parameter(family)
        yield violation(
            f"{engine} on its default parameter group accepts plaintext ({name[0] if name else ''} "
            "is off there); use a parameter group that requires TLS"
        )


@resource_rule(
    name="db-parameter-group-tls",
    description="MySQL, MariaDB, Aurora MySQL, SQL Server and DocumentDB must refuse plaintext "
    "clients: their parameter groups set the engine's TLS parameter, and instances do not use "
    "the default group.",
    types=(
        types.RDS_PARAMETER_GROUP,
        types.RDS_CLUSTER_PARAMETER_GROUP,
        types.DOCDB_CLUSTER_PARAMETER_GROUP,
        types.RDS_INSTANCE,
        types.RDS_CLUSTER,
    ),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("DocumentDB.6",),
    unknowns="unknown family, parameters, engine or parameter group: cannot verify; a group "
    "that is an output of a declared parameter group passes",
)
def db_parameter_group_tls(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type in (types.RDS_INSTANCE, types.RDS_CLUSTER):
        yield from _instance_tls(resource)
    else:
        yield from _group_tls(resource)


@resource_rule(
    name="db-not-public",
    description="Database instances (RDS, Aurora, Neptune) must not be publicly accessible.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER_INSTANCE, types.NEPTUNE_CLUSTER_INSTANCE),
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
    description="RDS instances, Aurora, DocumentDB and Neptune clusters must have deletion "
    "protection.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER, types.DOCDB_CLUSTER, types.NEPTUNE_CLUSTER),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("RDS.7", "RDS.8", "DocumentDB.5", "Neptune.4"),
    unknowns="unknown deletionProtection: cannot verify",
)
def rds_deletion_protection(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_true(resource, "deletionProtection", "set deletionProtection=true")


@resource_rule(
    name="rds-backup-retention",
    description="RDS instances, Aurora, DocumentDB and Neptune clusters must keep automated "
    "backups.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER, types.DOCDB_CLUSTER, types.NEPTUNE_CLUSTER),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("RDS.11", "DocumentDB.2", "Neptune.5"),
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
    description="RDS instances, Aurora and Neptune clusters must enable IAM database "
    "authentication.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER, types.NEPTUNE_CLUSTER),
    level=ADVISORY,
    severity=Severity.MEDIUM,
    controls=("RDS.10", "RDS.12", "Neptune.7"),
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
    types.DOCDB_CLUSTER: ("masterPassword", "masterPasswordWo"),
}


@resource_rule(
    name="rds-managed-master-password",
    description="The master password must be managed by RDS (or DocumentDB) in Secrets Manager, "
    "not passed in.",
    types=(types.RDS_INSTANCE, types.RDS_CLUSTER, types.DOCDB_CLUSTER),
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
    db_parameter_group_tls,
    db_not_public,
    rds_deletion_protection,
    rds_backup_retention,
    rds_iam_auth,
    rds_managed_master_password,
]
