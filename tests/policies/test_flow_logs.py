"""Flow logs capture ALL traffic and stay in the account."""

import pytest

from policies.rules import types
from policies.rules.flow_logs import flow_log_all_traffic

from .helpers import WIRE_UNKNOWN, evaluate

FLOW_LOG = {
    "vpcId": "vpc-1",
    "trafficType": "ALL",
    "iamRoleArn": "arn:aws:iam::111122223333:role/flow",
    "logDestination": "arn:aws:logs:eu-west-1:111122223333:log-group:/vpc",
}


@pytest.mark.parametrize(
    ("change", "count"),
    [
        ({}, 0),
        ({"trafficType": "REJECT"}, 1),
        ({"trafficType": "ACCEPT"}, 1),
        ({"logDestination": "arn:aws:logs:eu-west-1:444455556666:log-group:/central"}, 1),
        ({"deliverCrossAccountRole": "arn:aws:iam::444455556666:role/x"}, 1),
        ({"logDestination": "arn:aws:s3:::flow-logs", "iamRoleArn": None}, 0),
        ({"logDestination": WIRE_UNKNOWN, "iamRoleArn": WIRE_UNKNOWN}, 0),
    ],
)
def test_flow_log(change: dict[str, object], count: int) -> None:
    inputs = {k: v for k, v in {**FLOW_LOG, **change}.items() if v is not None}
    assert len(evaluate(flow_log_all_traffic, types.FLOW_LOG, inputs)) == count


def test_unknown_traffic_type() -> None:
    inputs = {**FLOW_LOG, "trafficType": WIRE_UNKNOWN}
    assert evaluate(flow_log_all_traffic, types.FLOW_LOG, inputs)[0].unverifiable
