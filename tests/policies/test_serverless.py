"""Function URLs and API Gateway routes require authorisation."""

import pytest

from policies.rules import service_types as st
from policies.rules.serverless import api_route_auth, lambda_function_url_auth

from .helpers import WIRE_UNKNOWN, evaluate


@pytest.mark.parametrize(("auth", "count"), [("AWS_IAM", 0), ("NONE", 1), (None, 1)])
def test_function_url(auth: str | None, count: int) -> None:
    inputs = {"functionName": "f", "authorizationType": auth}
    assert len(evaluate(lambda_function_url_auth, st.LAMBDA_FUNCTION_URL, inputs)) == count


def test_function_url_unknown() -> None:
    inputs = {"functionName": "f", "authorizationType": WIRE_UNKNOWN}
    assert evaluate(lambda_function_url_auth, st.LAMBDA_FUNCTION_URL, inputs)[0].unverifiable


@pytest.mark.parametrize(
    ("auth", "count"), [("JWT", 0), ("AWS_IAM", 0), ("CUSTOM", 0), ("NONE", 1), (None, 1)]
)
def test_http_api_route(auth: str | None, count: int) -> None:
    inputs = {"apiId": "a", "routeKey": "GET /x", "authorizationType": auth}
    assert len(evaluate(api_route_auth, st.APIGATEWAYV2_ROUTE, inputs)) == count


@pytest.mark.parametrize(
    ("method", "auth", "count"),
    [("POST", "COGNITO_USER_POOLS", 0), ("POST", "NONE", 1), ("OPTIONS", "NONE", 0)],
)
def test_rest_method(method: str, auth: str, count: int) -> None:
    inputs = {"httpMethod": method, "authorization": auth}
    assert len(evaluate(api_route_auth, st.APIGATEWAY_METHOD, inputs)) == count
