"""OpenSearch (and legacy Elasticsearch) domains: TLS between nodes and to clients, inside a VPC.

Encryption at rest is data-store-encrypted-with-cmk's; access policies resource-policy-not-public's.
https://www.pulumi.com/registry/packages/aws/api-docs/opensearch/domain/
"""

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
    expect_true,
    resource_rule,
    violation,
)

DOMAINS: Final = ("aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain")
_TLS12_POLICIES: Final = frozenset({"Policy-Min-TLS-1-2-2019-07", "Policy-Min-TLS-1-2-PFS-2023-10"})


@resource_rule(
    name="opensearch-in-transit",
    description="OpenSearch domains must encrypt node-to-node traffic and accept clients only "
    "over HTTPS with a TLS 1.2 minimum policy.",
    types=DOMAINS,
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("Opensearch.3", "Opensearch.8"),
    unknowns="unknown flags or TLS policy: cannot verify",
)
def opensearch_in_transit(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_true(resource, "nodeToNodeEncryption.enabled", "encrypt node-to-node")
    yield from expect_true(resource, "domainEndpointOptions.enforceHttps", "enforce HTTPS")
    policy = resource.get("domainEndpointOptions.tlsSecurityPolicy")
    if policy is UNKNOWN:
        yield cannot_verify("domainEndpointOptions.tlsSecurityPolicy")
    elif policy not in _TLS12_POLICIES:
        # The API's default for a new domain is still Policy-Min-TLS-1-0-2019-07.
        yield violation(
            f"domainEndpointOptions.tlsSecurityPolicy is {describe(policy)}; use "
            "Policy-Min-TLS-1-2-PFS-2023-10"
        )


@resource_rule(
    name="opensearch-in-vpc",
    description="OpenSearch domains must live in a VPC (vpcOptions with subnets), never on a "
    "public endpoint.",
    types=DOMAINS,
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("Opensearch.2",),
    unknowns="unknown subnet list: cannot verify",
)
def opensearch_in_vpc(resource: Resource, _config: Config) -> Iterator[Finding]:
    subnets = resource.items("vpcOptions.subnetIds")
    if subnets is UNKNOWN:
        yield cannot_verify("vpcOptions.subnetIds")
    elif not subnets:
        yield violation("vpcOptions.subnetIds is not set: the domain gets a public endpoint")


RULES: list[ResourceRule] = [opensearch_in_transit, opensearch_in_vpc]
