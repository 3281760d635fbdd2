"""OpenSearch domains: TLS in transit and a VPC endpoint."""

import pytest

from policies.rules.search_domains import opensearch_in_transit, opensearch_in_vpc

from .helpers import DELETE, WIRE_UNKNOWN, changed, evaluate

DOMAIN_TYPE = "aws:opensearch/domain:Domain"
DOMAIN = {
    "nodeToNodeEncryption": {"enabled": True},
    "domainEndpointOptions": {
        "enforceHttps": True,
        "tlsSecurityPolicy": "Policy-Min-TLS-1-2-2019-07",
    },
    "vpcOptions": {"subnetIds": ["subnet-1"]},
}


def test_compliance() -> None:
    assert evaluate(opensearch_in_transit, DOMAIN_TYPE, DOMAIN) == []
    assert evaluate(opensearch_in_vpc, "aws:elasticsearch/domain:Domain", DOMAIN) == []


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("nodeToNodeEncryption.enabled", False),
        ("domainEndpointOptions.enforceHttps", DELETE),
        ("domainEndpointOptions.tlsSecurityPolicy", "Policy-Min-TLS-1-0-2019-07"),
        ("domainEndpointOptions.tlsSecurityPolicy", DELETE),
    ],
)
def test_in_transit_noncompliance(path: str, value: object) -> None:
    assert len(evaluate(opensearch_in_transit, DOMAIN_TYPE, changed(DOMAIN, path, value))) == 1


def test_public_endpoint_and_unknowns() -> None:
    public = changed(DOMAIN, "vpcOptions", DELETE)
    assert len(evaluate(opensearch_in_vpc, DOMAIN_TYPE, public)) == 1
    unknown = changed(DOMAIN, "vpcOptions.subnetIds", WIRE_UNKNOWN)
    assert evaluate(opensearch_in_vpc, DOMAIN_TYPE, unknown)[0].unverifiable
    policy = changed(DOMAIN, "domainEndpointOptions.tlsSecurityPolicy", WIRE_UNKNOWN)
    assert evaluate(opensearch_in_transit, DOMAIN_TYPE, policy)[0].unverifiable
