"""ElastiCache Serverless answers reads on 6380: only stacks that use it open that port."""

from __future__ import annotations

import pytest

from components.reachability import REDIS_SERVERLESS_READ_PORT, Flow, Role, reachability
from offline.runner import run_program


def _cache_ports(flows: tuple[Flow, ...]) -> set[tuple[str, int]]:
    return {(str(f.source), f.from_port) for f in flows if f.destination is Role.CACHE}


def test_the_table_adds_the_read_port_only_for_serverless() -> None:
    plain = _cache_ports(reachability(kafka_scram=False, cache_serverless=False))
    serverless = _cache_ports(reachability(kafka_scram=False, cache_serverless=True))
    assert serverless - plain == {
        ("app", REDIS_SERVERLESS_READ_PORT),
        ("matching-engine", REDIS_SERVERLESS_READ_PORT),
    }


@pytest.mark.parametrize(("mode", "opened"), [("serverless", True), ("replication-group", False)])
def test_the_program_opens_6380_to_the_cache_only_when_serverless(mode: str, opened: bool) -> None:
    run = run_program("dev", preview=False, overrides={"trading-platform:cache": {"mode": mode}})
    ingress = [
        r
        for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.inputs.get("fromPort") == REDIS_SERVERLESS_READ_PORT
    ]
    assert bool(ingress) is opened
    if opened:
        assert {r.name.split("-ingress")[0] for r in ingress} == {"network-cache"}
