"""Fluent Bit's routing (which file goes to which log group) and its permissions."""

from __future__ import annotations

import fnmatch
import re
from typing import Any

import pytest

from components.cluster_services import log_shipping
from components.services import Service
from tests.components.edge_cluster_fixtures import CONTEXT

GROUPS = {service: f"/trading-prod/services/{service}" for service in Service}
CLUSTER_GROUP = "/trading-prod/cluster/pods"
ARN = "arn:aws:logs:ap-northeast-2:123456789012:log-group:"
# Kubelet log files: <pod>_<namespace>_<container>-<container id>.log
FILES = {
    "api-7d9f8b6c5-x2x9z_trading_api-0123abcd.log": Service.API,
    "websocket-5c6d7e8f9-abcde_trading_websocket-89ab.log": Service.WEBSOCKET,
    "consumer-6f7g8h9i0-fghij_trading_consumer-cdef.log": Service.CONSUMER,
    # Not a service container: another namespace, or another container in trading.
    "coredns-787d4945fb-8xk2p_kube-system_coredns-4567.log": None,
    "api-7d9f8b6c5-x2x9z_staging_api-0123abcd.log": None,
    "api-7d9f8b6c5-x2x9z_trading_debug-sidecar-0123.log": None,
}


def sections(text: str, kind: str) -> list[dict[str, str]]:
    """The ``[kind]`` sections of a Fluent Bit config, as key -> value."""
    found: list[dict[str, str]] = []
    for block in re.split(r"(?m)^\[", text):
        if not block.startswith(kind + "]"):
            continue
        pairs = (line.split(None, 1) for line in block.splitlines()[1:] if line.strip())
        found.append({pair[0]: pair[1] for pair in pairs})
    return found


@pytest.fixture
def values() -> dict[str, Any]:
    return log_shipping.helm_values(CONTEXT, GROUPS, CLUSTER_GROUP)


def route(values: dict[str, Any], file: str) -> list[str]:
    """The log groups a container's log file reaches: input tag -> matching outputs."""
    path = f"/var/log/containers/{file}"
    tags: list[str] = []
    for tail in sections(str(values["additionalInputs"]), "INPUT"):
        if fnmatch.fnmatch(path, tail["Path"]):
            tags.append(tail["Tag"].replace("*", path.lstrip("/").replace("/", ".")))
    excluded = str(values["input"]["extraInputs"]).removeprefix("Exclude_Path ").split(",")
    if fnmatch.fnmatch(path, "/var/log/containers/*.log") and not any(
        fnmatch.fnmatch(path, pattern) for pattern in excluded
    ):
        tags.append("kube." + path.lstrip("/").replace("/", "."))
    outputs = sections(str(values["additionalOutputs"]), "OUTPUT")
    return [
        output["log_group_name"]
        for tag in tags
        for output in outputs
        if fnmatch.fnmatch(tag, output["Match"])
    ]


@pytest.mark.parametrize(("file", "service"), FILES.items())
def test_every_container_log_reaches_exactly_one_group(
    values: dict[str, Any], file: str, service: Service | None
) -> None:
    expected = GROUPS[service] if service else CLUSTER_GROUP
    assert route(values, file) == [expected]


def test_outputs_name_the_region_and_never_create_groups(values: dict[str, Any]) -> None:
    outputs = sections(str(values["additionalOutputs"]), "OUTPUT")
    assert len(outputs) == len(GROUPS) + 1
    for output in outputs:
        assert output["Name"] == "cloudwatch_logs"
        assert output["region"] == "ap-northeast-2"  # no node IMDS to ask
        assert output["auto_create_group"] == "false"
    assert values["cloudWatchLogs"] == {"enabled": False}


def test_service_logs_get_kubernetes_metadata(values: dict[str, Any]) -> None:
    filters = sections(str(values["additionalFilters"]), "FILTER")
    assert {f["Match"]: f["Kube_Tag_Prefix"] for f in filters} == {
        f"svc.{s}.*": f"svc.{s}.var.log.containers." for s in Service
    }


def test_runs_on_every_node_as_its_service_account(values: dict[str, Any]) -> None:
    assert values["tolerations"] == [{"operator": "Exists"}]  # the websocket taint too
    assert values["serviceAccount"] == {"create": True, "name": "aws-for-fluent-bit"}


def test_writes_only_to_the_given_groups() -> None:
    arns = [f"{ARN}/trading-prod/services/api", f"{ARN}/trading-prod/cluster/pods"]
    [statement] = log_shipping.statements(arns)
    assert statement["Action"] == [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
    ]
    assert statement["Resource"] == sorted([*arns, *(f"{arn}:*" for arn in arns)])
    assert "Condition" not in statement
