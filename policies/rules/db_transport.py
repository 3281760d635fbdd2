"""Database TLS beyond presence: PostgreSQL's minimum TLS version, MySQL's secure transport."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from pulumi_policy import Severity

from ..engine import (
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    cannot_verify,
    describe,
    resource_rule,
    violation,
)
from . import types

_POSTGRES: Final = ("postgres", "aurora-postgresql")
_MYSQL: Final = ("mysql", "mariadb", "aurora-mysql", "aurora5.6", "aurora")
_MODERN_TLS: Final = frozenset({"tlsv1.2", "tlsv1.3"})
_ON: Final = frozenset({"1", "on", "true"})


def _parameters(resource: Resource) -> Mapping[str, object] | None:
    items = resource.items("parameters")
    if items is UNKNOWN:
        return None
    return {str(p.get("name")).lower(): p.get("value") for p in items if isinstance(p, Mapping)}


def _postgres(parameters: Mapping[str, object]) -> Iterator[Finding]:
    # PostgreSQL 12+ defaults ssl_min_protocol_version to TLSv1.2; RDS accepts TLSv1 and 1.1
    # when a group lowers it (https://www.postgresql.org/docs/current/runtime-config-connection.html).
    value = parameters.get("ssl_min_protocol_version")
    if value is UNKNOWN:
        yield cannot_verify("ssl_min_protocol_version")
    elif value is not None and str(value).lower() not in _MODERN_TLS:
        yield violation(f"ssl_min_protocol_version is {describe(value)}; use TLSv1.2 or TLSv1.3")


def _mysql(parameters: Mapping[str, object]) -> Iterator[Finding]:
    # RDS for MySQL/MariaDB and Aurora MySQL leave require_secure_transport off by default.
    # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.require-ssl.html
    value = parameters.get("require_secure_transport")
    if value is UNKNOWN:
        yield cannot_verify("require_secure_transport")
    elif value is None or str(value).lower() not in _ON:
        yield violation(f"require_secure_transport is {describe(value)}; set it to 1")
    versions = parameters.get("tls_version")
    if isinstance(versions, str):
        old = [v for v in versions.split(",") if v.strip().lower() not in _MODERN_TLS]
        if old:
            yield violation(f"tls_version allows {', '.join(old)}; keep TLSv1.2,TLSv1.3")


@resource_rule(
    name="db-tls-settings",
    description="RDS parameter groups must not lower PostgreSQL's minimum TLS version below 1.2, "
    "and MySQL-family groups must set require_secure_transport; MySQL-family databases must not "
    "run on the default group.",
    types=(
        types.RDS_PARAMETER_GROUP,
        types.RDS_CLUSTER_PARAMETER_GROUP,
        types.RDS_INSTANCE,
        types.RDS_CLUSTER,
    ),
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="unknown family, engine or parameter list, or an unknown value of the parameter: "
    "cannot verify; an unknown parameter group name passes (an output of the stack's group)",
)
def db_tls_settings(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type in (types.RDS_INSTANCE, types.RDS_CLUSTER):
        yield from _default_group(resource)
        return
    family = resource.get("family")
    if family is UNKNOWN:
        yield cannot_verify("family")
        return
    if not isinstance(family, str) or not family.startswith(_POSTGRES + _MYSQL):
        return
    parameters = _parameters(resource)
    if parameters is None:
        yield cannot_verify("parameters")
    elif family.startswith(_POSTGRES):
        yield from _postgres(parameters)
    else:
        yield from _mysql(parameters)


def _default_group(resource: Resource) -> Iterator[Finding]:
    engine = resource.get("engine")
    if engine is UNKNOWN:
        yield cannot_verify("engine")
        return
    if not isinstance(engine, str) or not engine.startswith(_MYSQL) or engine.startswith(_POSTGRES):
        return
    if resource.get("replicateSourceDb") not in (None, ""):
        return
    path = (
        "parameterGroupName"
        if resource.type == types.RDS_INSTANCE
        else ("dbClusterParameterGroupName")
    )
    if resource.get(path) in (None, ""):
        yield violation(
            f"{path} is not set: the default group leaves require_secure_transport off; give "
            "the database a group that sets it to 1"
        )


RULES: list[ResourceRule] = [db_tls_settings]
