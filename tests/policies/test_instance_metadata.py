"""IMDS hop limit: 1, or 2 for an EKS node group's launch template."""

import pytest

from policies.engine import Resource
from policies.rules import types
from policies.rules.instance_metadata import imds_hop_limit

from .helpers import WIRE_UNKNOWN, resource, stack_findings


def template(hops: object, name: str = "lt", endpoint: str = "enabled") -> Resource:
    options = {"httpTokens": "required", "httpEndpoint": endpoint, "httpPutResponseHopLimit": hops}
    return resource(types.LAUNCH_TEMPLATE, {"metadataOptions": options}, name)


@pytest.mark.parametrize(("hops", "count"), [(1, 0), (2, 1), (64, 1)])
def test_plain_template(hops: int, count: int) -> None:
    assert len(stack_findings(imds_hop_limit, [template(hops)])) == count


@pytest.mark.parametrize(("hops", "count"), [(2, 0), (3, 1)])
def test_node_group_template(hops: int, count: int) -> None:
    lt = template(hops)
    group = resource(
        types.EKS_NODE_GROUP,
        {"launchTemplate": {"id": WIRE_UNKNOWN}},
        "nodes",
        property_dependencies={"launchTemplate": [lt.urn]},
    )
    assert len(stack_findings(imds_hop_limit, [lt, group])) == count


def test_disabled_endpoint_absent_limit_and_unknown() -> None:
    assert stack_findings(imds_hop_limit, [template(8, endpoint="disabled")]) == []
    absent = resource(types.INSTANCE, {"metadataOptions": {"httpTokens": "required"}})
    assert stack_findings(imds_hop_limit, [absent]) == []
    [finding] = stack_findings(imds_hop_limit, [template(WIRE_UNKNOWN)])
    assert finding.unverifiable
