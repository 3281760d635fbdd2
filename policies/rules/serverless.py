"""Serverless entry points: Lambda function URLs and API Gateway routes require authorisation."""

from __future__ import annotations

from collections.abc import Iterator
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
    require_setting,
    resource_rule,
    violation,
)
from . import service_types as st

# apigatewayv2 Route.authorizationType: NONE (the default), AWS_IAM, CUSTOM, JWT.
# https://www.pulumi.com/registry/packages/aws/api-docs/apigatewayv2/route/
_ROUTE_AUTH: Final = frozenset({"AWS_IAM", "CUSTOM", "JWT"})
# apigateway Method.authorization: NONE, CUSTOM, AWS_IAM, COGNITO_USER_POOLS.
_METHOD_AUTH: Final = frozenset({"AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"})


@resource_rule(
    name="lambda-function-url-auth",
    description="Lambda function URLs must use AWS_IAM authorisation (NONE makes them public).",
    types=(st.LAMBDA_FUNCTION_URL,),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("Lambda.1",),
    unknowns="unknown authorizationType: cannot verify",
)
def lambda_function_url_auth(resource: Resource, _config: Config) -> Iterator[Finding]:
    # NONE adds a public lambda:InvokeFunctionUrl permission that outlives the URL itself.
    # https://www.pulumi.com/registry/packages/aws/api-docs/lambda/functionurl
    yield from require_setting(resource, "authorizationType", "AWS_IAM", "use AWS_IAM")


@resource_rule(
    name="api-route-auth",
    description="API Gateway routes and methods must require authorisation (IAM, a JWT or "
    "Lambda authoriser, or Cognito).",
    types=(st.APIGATEWAYV2_ROUTE, st.APIGATEWAY_METHOD),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("APIGateway.8",),
    unknowns="unknown authorizationType: cannot verify",
)
def api_route_auth(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == st.APIGATEWAY_METHOD:
        path, allowed = "authorization", _METHOD_AUTH
        if resource.get("httpMethod") == "OPTIONS":
            # CORS preflight carries no credentials by design.
            return
    else:
        path, allowed = "authorizationType", _ROUTE_AUTH
    auth = resource.get(path)
    if auth is UNKNOWN:
        yield cannot_verify(path)
    elif auth not in allowed:
        yield violation(f"{path} is {describe(auth)}; require {', '.join(sorted(allowed))}")


RULES: list[ResourceRule] = [lambda_function_url_auth, api_route_auth]
