"""The reachability table: its invariants, and how flows become per-SG rules."""

from __future__ import annotations

import pytest

from components.reachability import (
    HTTPS,
    IDENTITY_HOLDERS,
    REACHABILITY,
    Auth,
    Flow,
    Peer,
    Role,
    check_table,
    reachability,
    rule_specs,
)


def test_only_cloudfront_reaches_the_alb() -> None:
    into_alb = [f for f in REACHABILITY if f.destination is Role.ALB]
    assert [(f.source, f.from_port, f.to_port) for f in into_alb] == [
        (Peer.CLOUDFRONT, HTTPS, HTTPS)
    ]


def test_the_database_accepts_only_its_proxy() -> None:
    into_db = {f.source for f in REACHABILITY if f.destination is Role.DATABASE}
    assert into_db == {Role.DB_PROXY}


def test_engines_are_reached_only_through_their_nlb() -> None:
    into_engine = {f.source for f in REACHABILITY if f.destination is Role.MATCHING_ENGINE}
    assert into_engine == {Role.MATCHING_ENGINE_NLB, Role.MATCHING_ENGINE}


def test_internet_egress_is_https_from_app_only() -> None:
    to_internet = [f for f in REACHABILITY if f.destination is Peer.INTERNET]
    assert [(f.source, f.from_port, f.to_port, f.protocol) for f in to_internet] == [
        (Role.APP, HTTPS, HTTPS, "tcp")
    ]


def test_stores_have_no_egress() -> None:
    stores = {Role.DATABASE, Role.CACHE, Role.KAFKA, Role.ENDPOINTS}
    assert not [s for s in rule_specs() if s.role in stores and s.direction == "egress"]


def test_role_to_role_flow_opens_both_sides() -> None:
    flow = Flow(Role.APP, Role.CACHE, 6379, 6379, "reason")
    ingress, egress = rule_specs((flow,))
    assert (ingress.role, ingress.direction, ingress.peer) == (Role.CACHE, "ingress", Role.APP)
    assert (egress.role, egress.direction, egress.peer) == (Role.APP, "egress", Role.CACHE)
    assert ingress.description == egress.description == "reason"


def test_peer_flows_open_one_side() -> None:
    inbound = rule_specs((Flow(Peer.CLOUDFRONT, Role.ALB, 443, 443, "r"),))
    outbound = rule_specs((Flow(Role.APP, Peer.S3, 443, 443, "r"),))
    assert [(s.role, s.direction) for s in inbound] == [(Role.ALB, "ingress")]
    assert [(s.role, s.direction) for s in outbound] == [(Role.APP, "egress")]


def test_rule_names_are_unique() -> None:
    slugs = [s.slug for s in rule_specs()]
    assert len(slugs) == len(set(slugs))


@pytest.mark.parametrize(
    ("flow", "problem"),
    [
        (Flow(Peer.INTERNET, Role.ALB, 443, 443, "r"), "from the internet"),
        (Flow(Role.APP, Role.CACHE, 0, 65535, "r"), "bad port range"),
        (Flow(Role.APP, Role.CACHE, 6000, 6400, "r"), "not wide open"),
        (Flow(Peer.CLOUDFRONT, Peer.S3, 443, 443, "r"), "at least one of our roles"),
        (Flow(Role.APP, Role.CACHE, 7000, 6379, "r"), "bad port range"),
        # A load balancer or CloudFront has no AWS identity to sign with.
        (
            Flow(Role.ALB, Role.KAFKA, 9098, 9098, "r", auth=Auth.KAFKA_IAM),
            "cannot hold an AWS identity",
        ),
        (
            Flow(Peer.CLOUDFRONT, Role.ENDPOINTS, 443, 443, "r", auth=Auth.AWS_API),
            "cannot hold an AWS identity",
        ),
    ],
)
def test_table_rejects_unsafe_flows(flow: Flow, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        check_table((flow,))


def test_table_rejects_duplicates() -> None:
    flow = Flow(Role.APP, Role.CACHE, 6379, 6379, "r")
    with pytest.raises(ValueError, match="duplicate"):
        check_table((flow, flow))


def test_every_data_flow_says_how_it_authenticates() -> None:
    kinds = {(f.source, f.destination): f.auth for f in REACHABILITY}
    assert kinds[(Role.APP, Role.KAFKA)] is Auth.KAFKA_IAM
    assert kinds[(Role.MATCHING_ENGINE, Role.KAFKA)] is Auth.KAFKA_IAM
    assert kinds[(Role.APP, Role.DB_PROXY)] is Auth.DATABASE_IAM
    assert kinds[(Role.DB_PROXY, Role.DATABASE)] is Auth.DATABASE_IAM
    assert kinds[(Role.MATCHING_ENGINE, Role.CACHE)] is Auth.CACHE_CREDENTIAL
    assert kinds[(Role.ALB, Role.APP)] is Auth.NETWORK
    # Only sources with an identity authenticate beyond the network.
    assert {f.source for f in REACHABILITY if f.auth is not Auth.NETWORK} <= IDENTITY_HOLDERS


@pytest.mark.parametrize("serverless", [False, True])
def test_an_iam_cache_changes_how_its_flows_authenticate_not_the_network(serverless: bool) -> None:
    stored = reachability(kafka_scram=False, cache_serverless=serverless)
    iam = reachability(kafka_scram=False, cache_serverless=serverless, cache_iam=True)
    assert rule_specs(iam) == rule_specs(stored)
    to_cache = [f for f in iam if f.destination is Role.CACHE]
    assert len(to_cache) == (4 if serverless else 2)
    assert {f.auth for f in to_cache} == {Auth.CACHE_IAM}
    assert Auth.CACHE_CREDENTIAL not in {f.auth for f in iam}
    assert [f for f in iam if f.destination is not Role.CACHE] == [
        f for f in stored if f.destination is not Role.CACHE
    ]


def test_the_rotation_function_reaches_only_the_database_and_secrets_manager() -> None:
    without = reachability(kafka_scram=False, cache_serverless=False)
    with_it = reachability(kafka_scram=False, cache_serverless=False, database_rotation=True)
    assert not [f for f in without if Role.ROTATION in (f.source, f.destination)]
    added = set(with_it) - set(without)
    assert {(f.source, f.destination, f.from_port, f.auth) for f in added} == {
        (Role.ROTATION, Role.DATABASE, 5432, Auth.DATABASE_PASSWORD),
        (Role.ROTATION, Role.ENDPOINTS, HTTPS, Auth.AWS_API),
    }
    rules = {(s.role, s.direction, s.peer, s.from_port) for s in rule_specs(with_it)}
    rotation_rules = {r for r in rules if Role.ROTATION in (r[0], r[2])}
    assert rotation_rules == {
        (Role.ROTATION, "egress", Role.DATABASE, 5432),
        (Role.DATABASE, "ingress", Role.ROTATION, 5432),
        (Role.ROTATION, "egress", Role.ENDPOINTS, HTTPS),
        (Role.ENDPOINTS, "ingress", Role.ROTATION, HTTPS),
    }
    # Nothing reaches the function, and it has an identity to sign its Secrets Manager calls.
    assert not [f for f in with_it if f.destination is Role.ROTATION]
    assert Role.ROTATION in IDENTITY_HOLDERS
