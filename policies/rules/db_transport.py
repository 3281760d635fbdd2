"""Database TLS versions: PostgreSQL's minimum protocol and MySQL's allowed versions.

That TLS is required at all is postgres-force-ssl's and db-parameter-group-tls's; this rule
checks that a group does not lower the version those clients may negotiate.
"""

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
_MYSQL: Final = ("mysql", "mariadb", "aurora-mysql")
_MODERN_TLS: Final = frozenset({"tlsv1.2", "tlsv1.3"})


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
    # tls_version lists the protocols the server accepts (absent: the engine's TLSv1.2 default).
    # https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.tls-versions.html
    versions = parameters.get("tls_version")
    if versions is UNKNOWN:
        yield cannot_verify("tls_version")
    elif isinstance(versions, str):
        old = [v.strip() for v in versions.split(",") if v.strip().lower() not in _MODERN_TLS]
        if old:
            yield violation(f"tls_version allows {', '.join(old)}; keep TLSv1.2,TLSv1.3")


@resource_rule(
    name="db-tls-version",
    description="RDS parameter groups must not lower PostgreSQL's ssl_min_protocol_version or "
    "MySQL-family tls_version below TLS 1.2.",
    types=(types.RDS_PARAMETER_GROUP, types.RDS_CLUSTER_PARAMETER_GROUP),
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="unknown family, parameter list or value: cannot verify",
)
def db_tls_version(resource: Resource, _config: Config) -> Iterator[Finding]:
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


RULES: list[ResourceRule] = [db_tls_version]
