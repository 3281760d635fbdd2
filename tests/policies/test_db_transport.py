"""PostgreSQL minimum TLS and MySQL-family TLS versions."""

import pytest

from policies.rules import types
from policies.rules.db_transport import db_tls_version

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
        (group("mysql8.0", tls_version="TLSv1.2,TLSv1.3"), 0),
        (group("aurora-mysql8.0", tls_version="TLSv1.1,TLSv1.2"), 1),
        (group("oracle-ee-19", tls_version="TLSv1"), 0),
    ],
)
def test_parameter_groups(inputs: dict[str, object], count: int) -> None:
    assert len(evaluate(db_tls_version, types.RDS_PARAMETER_GROUP, inputs)) == count


@pytest.mark.parametrize(
    "inputs",
    [
        {"family": WIRE_UNKNOWN, "parameters": []},
        {"family": "postgres16", "parameters": WIRE_UNKNOWN},
        group("postgres16", ssl_min_protocol_version=WIRE_UNKNOWN),
        group("mysql8.0", tls_version=WIRE_UNKNOWN),
    ],
)
def test_unknowns_cannot_verify(inputs: dict[str, object]) -> None:
    [finding] = evaluate(db_tls_version, types.RDS_CLUSTER_PARAMETER_GROUP, inputs)
    assert finding.unverifiable
