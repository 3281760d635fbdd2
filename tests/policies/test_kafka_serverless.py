"""MSK Serverless keeps IAM authentication."""

import pytest

from policies.rules import types
from policies.rules.kafka_serverless import msk_serverless_iam_auth

from .helpers import WIRE_UNKNOWN, evaluate


@pytest.mark.parametrize(("enabled", "count"), [(True, 0), (False, 1), (None, 1)])
def test_iam_auth(enabled: bool | None, count: int) -> None:
    inputs = {"clientAuthentication": {"sasl": {"iam": {"enabled": enabled}}}}
    assert len(evaluate(msk_serverless_iam_auth, types.MSK_SERVERLESS_CLUSTER, inputs)) == count


def test_unknown() -> None:
    inputs = {"clientAuthentication": {"sasl": {"iam": {"enabled": WIRE_UNKNOWN}}}}
    assert evaluate(msk_serverless_iam_auth, types.MSK_SERVERLESS_CLUSTER, inputs)[0].unverifiable
