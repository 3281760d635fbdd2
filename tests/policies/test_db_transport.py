"""PostgreSQL minimum TLS, MySQL-family secure transport, the default group."""

import pytest

from policies.rules import types
from policies.rules.db_transport import db_tls_settings

from .helpers import WIRE_UNKNOWN, evaluate


def group(family: str, **parameters: object) -> dict[str, object]:
    return {
        "family": family,
        "parameters": [{"name": k, "value": v} for k, v in parameters.items()],
    }


@pytest.mark.parametrize(
    ("inputs", "count"),
    [
        (group("postgres16", **{"rds.force_ssl": "1"}), 0),
        (group("postgres16", ssl_min_protocol_version="TLSv1.3"), 0),
        (group("postgres16", ssl_min_protocol_version="TLSv1"), 1),
        (group("aurora-postgresql15", ssl_min_protocol_version="TLSv1.1"), 1),
        (group("mysql8.0", require_secure_transport="1"), 0),
        (group("mariadb10.11", require_secure_transport="ON"), 0),
        (group("mysql8.0"), 1),
        (group("aurora-mysql8.0", require_secure_transport="0"), 1),
        (group("mysql8.0", require_secure_transport="1", tls_version="TLSv1.1,TLSv1.2"), 1),
        (group("oracle-ee-19"), 0),
    ],
)
def test_parameter_groups(inputs: dict[str, object], count: int) -> None:
    assert len(evaluate(db_tls_settings, types.RDS_PARAMETER_GROUP, inputs)) == count


def test_unknowns() -> None:
    unknown_family = {"family": WIRE_UNKNOWN, "parameters": []}
    assert evaluate(db_tls_settings, types.RDS_PARAMETER_GROUP, unknown_family)[0].unverifiable
    value = group("mysql8.0", require_secure_transport=WIRE_UNKNOWN)
    assert evaluate(db_tls_settings, types.RDS_CLUSTER_PARAMETER_GROUP, value)[0].unverifiable


@pytest.mark.parametrize(
    ("inputs", "count"),
    [
        ({"engine": "mysql"}, 1),
        ({"engine": "mysql", "parameterGroupName": "reporting"}, 0),
        ({"engine": "mysql", "replicateSourceDb": "primary"}, 0),
        ({"engine": "postgres"}, 0),
    ],
)
def test_mysql_instances_need_their_own_group(inputs: dict[str, object], count: int) -> None:
    assert len(evaluate(db_tls_settings, types.RDS_INSTANCE, inputs)) == count


def test_aurora_mysql_cluster_group() -> None:
    cluster = {"engine": "aurora-mysql"}
    assert len(evaluate(db_tls_settings, types.RDS_CLUSTER, cluster)) == 1
    named = {**cluster, "dbClusterParameterGroupName": "g"}
    assert evaluate(db_tls_settings, types.RDS_CLUSTER, named) == []
