"""The program wires the engine fleet and Kafka to the network's own subnets and roles."""

from __future__ import annotations

import pytest

from offline.capture import UNKNOWN
from offline.runner import ProgramRun, run_program
from tests.programs import stack as shared_stack

MODES = pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
STACKS = pytest.mark.parametrize("stack", ["dev", "prod"])


def subnets(program: ProgramRun, tier: str) -> set[str]:
    return {
        r.urn
        for r in program.of_type("aws:ec2/subnet:Subnet")
        if r.name.startswith(f"network-{tier}-")
    }


def run(stack: str, *, preview: bool, scram: bool | None = None) -> ProgramRun:
    if scram is None:
        return shared_stack(stack, preview)
    return run_program(
        stack, preview=preview, overrides={"trading-platform:kafka": {"scram": scram}}
    )


@STACKS
@MODES
def test_engine_uses_the_engine_subnets_and_roles(stack: str, preview: bool) -> None:
    program = run(stack, preview=preview)
    urn = {r.name: r.urn for r in program.resources}
    engine = program.named("matching-engine")
    (template,) = [
        t
        for t in program.of_type("aws:ec2/launchTemplate:LaunchTemplate")
        if t.parent == engine.urn
    ]
    assert template.property_dependencies["networkInterfaces"] == (
        urn["network-matching-engine-sg"],
    )
    (nlb,) = [
        lb for lb in program.of_type("aws:lb/loadBalancer:LoadBalancer") if lb.parent == engine.urn
    ]
    assert urn["network-matching-engine-nlb-sg"] in nlb.property_dependencies["securityGroups"]
    engine_subnets = subnets(program, "matchingEngine")
    assert set(nlb.property_dependencies["subnets"]) == engine_subnets
    (asg,) = program.of_type("aws:autoscaling/group:Group")
    assert set(asg.property_dependencies["vpcZoneIdentifiers"]) <= engine_subnets


@STACKS
@MODES
def test_kafka_mode_per_stack_in_the_private_subnets(stack: str, preview: bool) -> None:
    program = run(stack, preview=preview)
    urn = {r.name: r.urn for r in program.resources}
    private = subnets(program, "private")
    if stack == "dev":
        (cluster,) = program.of_type("aws:msk/serverlessCluster:ServerlessCluster")
        assert program.of_type("aws:msk/cluster:Cluster") == []
        assert set(cluster.property_dependencies["vpcConfigs"]) == private | {
            urn["network-kafka-sg"]
        }
    else:
        (cluster,) = program.of_type("aws:msk/cluster:Cluster")
        deps = set(cluster.property_dependencies["brokerNodeGroupInfo"])
        assert deps == private | {urn["network-kafka-sg"]}
        assert cluster.get("numberOfBrokerNodes") == 6
    assert program.outputs["kafkaTopicsManaged"] is (stack == "prod")
    bootstrap = program.outputs["kafkaBootstrapBrokersIam"]
    assert bootstrap == UNKNOWN if preview else bootstrap.endswith(":9098")


@STACKS
def test_prod_protects_clusters_and_keys(stack: str) -> None:
    program = run(stack, preview=True)
    prod = stack == "prod"
    keys = program.of_type("aws:kms/key:Key")
    names = {k.name for k in keys}
    assert {"logs-key", "matching-engine-key"} <= names
    assert ("kafka-key" in names) is prod  # provisioned MSK gets its own key
    assert all(k.protect is prod for k in keys)
    clusters = program.of_type("aws:msk/cluster:Cluster") + program.of_type(
        "aws:msk/serverlessCluster:ServerlessCluster"
    )
    assert [c.protect for c in clusters] == [prod]


def test_scram_opens_its_port_only_when_enabled() -> None:
    def scram_rules(program: ProgramRun) -> list[str]:
        return [
            r.name
            for r in program.resources
            if r.type.startswith("aws:vpc/securityGroup") and r.get("fromPort") == 9096
        ]

    plain = run("prod", preview=False)
    assert scram_rules(plain) == []
    assert "kafkaBootstrapBrokersScram" not in plain.outputs
    with_scram = run("prod", preview=False, scram=True)
    # The DR network is built from the same table, so the failover stack's clients keep SCRAM.
    assert sorted(scram_rules(with_scram)) == [
        "data-dr-network-app-egress-to-kafka-tcp9096",
        "data-dr-network-kafka-ingress-from-app-tcp9096",
        "network-app-egress-to-kafka-tcp9096",
        "network-kafka-ingress-from-app-tcp9096",
    ]
    assert with_scram.outputs["kafkaBootstrapBrokersScram"].endswith(":9096")
