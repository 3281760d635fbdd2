"""Deploy checks on hand-made captures: each class is found, and its fixed shape passes."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from offline.capture import UNKNOWN, CapturedResource
from offline.deploy_checks import (
    ec2_text,
    ordering_races,
    prerequisites,
    run_deploy_checks,
    version_support,
)

STACK = "urn:pulumi:dev::trading-platform::"


def res(
    name: str,
    typ: str,
    inputs: dict[str, Any] | None = None,
    *,
    outputs: dict[str, Any] | None = None,
    parent: str = "",
    deps: tuple[str, ...] = (),
    prop_deps: dict[str, tuple[str, ...]] | None = None,
    provider: str = "",
) -> CapturedResource:
    return CapturedResource(
        urn=f"{STACK}{typ}::{name}",
        type=typ,
        name=name,
        custom=True,
        inputs=inputs or {},
        parent=parent,
        protect=False,
        provider=provider,
        dependencies=deps,
        property_dependencies=prop_deps or {},
        outputs=outputs or {},
    )


CLUSTER = res("eks", "eks:index:Cluster", {"name": "trading-dev"})
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"


def test_a_name_taken_from_config_races_the_resource_it_names() -> None:
    racing = res("identity", ASSOCIATION, {"clusterName": "trading-dev"})
    (finding,) = ordering_races([CLUSTER, racing])
    assert finding.level == "error"
    assert finding.resource == racing.urn
    assert "'clusterName' names eks" in finding.message


def test_the_same_name_through_the_resource_output_does_not_race() -> None:
    fixed = res(
        "identity",
        ASSOCIATION,
        {"clusterName": "trading-dev"},
        prop_deps={"clusterName": (CLUSTER.urn,)},
    )
    assert ordering_races([CLUSTER, fixed]) == []


def test_depending_on_a_component_covers_its_children() -> None:
    component = res("services", "trading:cluster:ServiceCluster")
    child = res("eks", "eks:index:Cluster", {"name": "trading-dev"}, parent=component.urn)
    user = res("identity", ASSOCIATION, {"clusterName": "trading-dev"}, deps=(component.urn,))
    assert ordering_races([component, child, user]) == []


def test_a_provider_built_from_the_resource_carries_the_dependency() -> None:
    provider = res("k8s", "pulumi:providers:kubernetes", deps=(CLUSTER.urn,))
    chart = res(
        "controller",
        "aws:eks/addon:Addon",
        {"clusterName": "trading-dev"},
        provider=f"{provider.urn}::provider-id",
    )
    assert ordering_races([CLUSTER, provider, chart]) == []


def test_ids_and_arns_count_as_names_and_json_documents_are_searched() -> None:
    group = res("sg", "aws:ec2/securityGroup:SecurityGroup", outputs={"id": "sg-0123456789abcdef0"})
    cluster = res("eks", "eks:index:Cluster", {"clusterSecurityGroup": "sg-0123456789abcdef0"})
    (finding,) = ordering_races([group, cluster])
    assert "'clusterSecurityGroup' names sg" in finding.message
    bucket = res("logs", "aws:s3/bucket:Bucket", {"bucket": "trading-dev-logs"})
    policy = res(
        "grant",
        "aws:iam/rolePolicy:RolePolicy",
        {"policy": json.dumps({"Statement": [{"Resource": "trading-dev-logs"}]})},
    )
    (grant,) = ordering_races([bucket, policy])
    assert grant.level == "warning"  # a grant on a bucket not there yet fails nothing


def test_alarms_naming_a_store_are_warnings_and_descriptions_are_not_references() -> None:
    topic = res("topic", "aws:msk/topic:Topic", {"name": "orders.commands"})
    alarm = res(
        "lag",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        {"dimensions": {"Topic": "orders.commands"}, "alarmDescription": "orders.commands"},
    )
    (finding,) = ordering_races([topic, alarm])
    assert finding.level == "warning"
    assert "'dimensions'" in finding.message


def test_names_shared_by_several_resources_are_settled_by_depending_on_any() -> None:
    database = res("db", "aws:rds/instance:Instance", {"identifier": "trading-dev-postgres"})
    proxy = res("proxy", "aws:rds/proxy:Proxy", {"name": "trading-dev-postgres"})
    replica = res(
        "replica",
        "aws:rds/instance:Instance",
        {"identifier": "trading-dev-replica", "replicateSourceDb": "trading-dev-postgres"},
        deps=(database.urn,),
    )
    assert ordering_races([database, proxy, replica]) == []


def test_dns_names_generic_names_and_unknowns_are_not_handles() -> None:
    record = res("apex", "aws:route53/record:Record", {"name": "trading.example.com"})
    target_group = res("tg", "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
                       outputs={"name": "default"})  # fmt: skip
    unknown = res("later", "aws:s3/bucket:Bucket", {"bucket": UNKNOWN})
    user = res(
        "cert",
        "aws:acm/certificate:Certificate",
        {"domainName": "trading.example.com", "placement": "default", "x": UNKNOWN},
    )
    assert ordering_races([record, target_group, unknown, user]) == []


TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("typ", "inputs", "level", "words"),
    [
        ("aws:rds/instance:Instance", {"engine": "postgres", "engineVersion": "16.6"}, "error",
         "can no longer be created"),
        ("eks:index:Cluster", {"version": "1.34"}, "warning", "in 1 days"),
        ("eks:index:Cluster", {"version": "1.33"}, "warning", "left standard support"),
        ("aws:rds/cluster:Cluster", {"engine": "aurora-postgresql", "engineVersion": "12.9"},
         "error", "not a version this project knows"),
    ],
)  # fmt: skip
def test_versions_aws_refuses_or_retires_are_reported(
    typ: str, inputs: dict[str, Any], level: str, words: str
) -> None:
    (finding,) = version_support([res("store", typ, inputs)], TODAY)
    assert finding.level == level
    assert words in finding.message


@pytest.mark.parametrize(
    ("typ", "inputs"),
    [
        ("aws:rds/instance:Instance", {"engine": "postgres", "engineVersion": "16"}),
        ("aws:rds/instance:Instance", {"engine": "postgres", "engineVersion": "16.11"}),
        ("aws:rds/instance:Instance", {"engine": "postgres"}),  # a replica inherits its version
        ("eks:index:Cluster", {"version": "1.35"}),
        ("aws:elasticache/replicationGroup:ReplicationGroup",
         {"engine": "valkey", "engineVersion": "8.0"}),
        ("aws:msk/cluster:Cluster", {"kafkaVersion": "3.9.x"}),
    ],
)  # fmt: skip
def test_supported_versions_pass(typ: str, inputs: dict[str, Any]) -> None:
    assert version_support([res("store", typ, inputs)], TODAY) == []


def test_security_group_texts_ec2_rejects_are_errors() -> None:
    group = res(
        "sg",
        "aws:ec2/securityGroup:SecurityGroup",
        {"description": "ok", "ingress": [{"description": "the controller's webhook"}]},
    )
    rule = res(
        "rule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {"description": "ünïcode"},
    )
    fine = res("fine", "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
               {"description": "API server to kubelets (logs, exec)"})  # fmt: skip
    findings = ec2_text([group, rule, fine])
    assert [f.resource for f in findings] == [group.urn, rule.urn]
    assert "ingress[0].description" in findings[0].message
    assert all(f.check == "invalid-value" for f in findings)


def test_a_key_policy_naming_the_autoscaling_role_needs_it_created_or_checked() -> None:
    policy = json.dumps({"Statement": [{"Principal": {"AWS": (
        "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/"
        "AWSServiceRoleForAutoScaling")}}]})  # fmt: skip
    key = res("key", "aws:kms/key:Key", {"policy": policy})
    (finding,) = prerequisites([key])
    assert finding.check == "prerequisite"
    role = res("slr", "aws:iam/serviceLinkedRole:ServiceLinkedRole",
               {"awsServiceName": "autoscaling.amazonaws.com"})  # fmt: skip
    assert prerequisites([key, role]) == []
    lookup = ("aws:iam/getRoles:getRoles",
              {"pathPrefix": "/aws-service-role/autoscaling.amazonaws.com/"})  # fmt: skip
    assert prerequisites([key], [lookup]) == []


def test_run_deploy_checks_puts_errors_first() -> None:
    findings = run_deploy_checks(
        [
            res("eks", "eks:index:Cluster", {"name": "trading-dev", "version": "1.34"}),
            res("identity", ASSOCIATION, {"clusterName": "trading-dev"}),
        ],
        today=TODAY,
    )
    assert [f.level for f in findings] == ["error", "warning"]
