"""ClusterServices under the mocks, on its own and in the real stacks."""

from __future__ import annotations

import functools
from typing import Any

import pulumi
import pytest

from components.cluster_services import ClusterServices, ClusterServicesArgs
from components.services import Service
from components.versions import CLUSTER_AUTOSCALER_CHARTS, DEFAULT_EKS_VERSION
from offline.capture import UNKNOWN, CapturedResource
from offline.iam_eval import is_allowed
from offline.mocks import mocked_addon_version
from offline.runner import ProgramRun, run_component
from tests.components.edge_cluster_fixtures import CONTEXT, document
from tests.programs import IDS, STACKS, stack
from tests.resources import linked, linked_one, within

ADDON = "aws:eks/addon:Addon"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
RELEASE = "kubernetes:helm.sh/v3:Release"
STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/0123abcd-0000-4000-8000-00000000abcd"
LOGS = "arn:aws:logs:ap-northeast-2:123456789012:log-group:"
NAMES = {service: f"/trading-test/services/{service}" for service in Service}
ARNS = {service: f"{LOGS}{name}" for service, name in NAMES.items()}
KUBECONFIG = {"apiVersion": "v1", "kind": "Config", "clusters": []}


def args(**changes: Any) -> ClusterServicesArgs:
    values: dict[str, Any] = {
        "name_prefix": "trading-test",
        "cluster_name": pulumi.Output.from_input("trading-test"),
        "kubernetes_version": DEFAULT_EKS_VERSION,
        "kubeconfig": pulumi.Output.secret(KUBECONFIG),
        "cluster_key_arn": KEY,
        "service_log_group_names": NAMES,
        "service_log_group_arns": ARNS,
        "logs_kms_key_arn": "arn:aws:kms:ap-northeast-2:123456789012:key/logs",
        "log_retention_days": 30,
        "context": CONTEXT,
        "install_charts": True,
        "protect": False,
    }
    return ClusterServicesArgs(**{**values, **changes})


@functools.cache
def services_run(
    install_charts: bool, preview: bool, version: str = DEFAULT_EKS_VERSION
) -> ProgramRun:
    def build() -> None:
        ClusterServices(
            "cluster-services",
            args(install_charts=install_charts, kubernetes_version=version),
        )

    return run_component(build, preview=preview)


def addons(run: ProgramRun) -> dict[str, CapturedResource]:
    return {a.get("addonName"): a for a in run.of_type(ADDON)}


def policy_of(run: ProgramRun, prefix: str) -> dict[str, Any]:
    return document(run.named(f"{prefix}-policy").get("policy"))


@pytest.mark.parametrize("preview", [False, True])
def test_without_the_release_gate_nothing_contacts_the_cluster(preview: bool) -> None:
    run = services_run(False, preview)
    kubernetes = [r for r in run.resources if r.type.startswith("kubernetes:")]
    assert kubernetes == []
    assert run.of_type("pulumi:providers:kubernetes") == []
    assert run.of_type(ASSOCIATION) == []  # the chart's identities come with the charts
    # EKS add-ons never contact the API server: they are there from the first `up`.
    assert set(addons(run)) == {"metrics-server", "aws-ebs-csi-driver"}


@pytest.mark.parametrize("preview", [False, True])
def test_with_the_gate_the_charts_are_pinned_and_bound_to_their_roles(preview: bool) -> None:
    run = services_run(True, preview)
    releases = {r.get("chart"): r for r in run.of_type(RELEASE)}
    assert {chart: r.get("version") for chart, r in releases.items()} == {
        "cluster-autoscaler": CLUSTER_AUTOSCALER_CHARTS[DEFAULT_EKS_VERSION],
        "aws-for-fluent-bit": "0.2.1",
    }
    associations = {a.get("serviceAccount"): a for a in run.of_type(ASSOCIATION)}
    assert set(associations) == {"cluster-autoscaler", "aws-for-fluent-bit"}
    for chart, account in (
        ("cluster-autoscaler", "cluster-autoscaler"),
        ("aws-for-fluent-bit", "aws-for-fluent-bit"),
    ):
        release, association = releases[chart], associations[account]
        assert release.get("namespace") == association.get("namespace") == "kube-system"
        # The release waits for its identity, the identity for its role's permissions.
        assert association.urn in release.dependencies
        role = linked_one(association, "roleArn", run.resources)
        [policy] = [
            p for p in run.of_type(ROLE_POLICY) if role.urn in p.property_dependencies["role"]
        ]
        assert policy.urn in association.dependencies
    if not preview:
        assert releases["cluster-autoscaler"].get("values.rbac.serviceAccount.name") == (
            "cluster-autoscaler"
        )
        assert releases["aws-for-fluent-bit"].get("values.serviceAccount.name") == (
            "aws-for-fluent-bit"
        )


def test_add_on_versions_follow_the_cluster_version() -> None:
    for version in ("1.34", DEFAULT_EKS_VERSION):
        run = services_run(True, True, version)
        assert {name: a.get("addonVersion") for name, a in addons(run).items()} == {
            name: mocked_addon_version(name, version)
            for name in ("metrics-server", "aws-ebs-csi-driver")
        }
        [autoscaler] = [r for r in run.of_type(RELEASE) if r.get("chart") == "cluster-autoscaler"]
        assert autoscaler.get("version") == CLUSTER_AUTOSCALER_CHARTS[version]


def test_ebs_csi_driver_has_its_role_and_the_cluster_key() -> None:
    run = services_run(True, False)
    driver = addons(run)["aws-ebs-csi-driver"]
    [association] = driver.get("podIdentityAssociations")
    assert association["serviceAccount"] == "ebs-csi-controller-sa"
    role = run.named("cluster-services-ebs-csi-role")
    assert association["roleArn"] == role.outputs["arn"]
    assert role.urn in driver.property_dependencies["podIdentityAssociations"]
    statements = policy_of(run, "cluster-services-ebs-csi")["Statement"]
    assert {s["Resource"] for s in statements} == {KEY}
    [attachment] = run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.get("policyArn") == "arn:aws:iam::aws:policy/AmazonEBSCSIDriverPolicyV2"
    # The add-on starts the driver only once its permissions exist.
    assert {attachment.urn, run.named("cluster-services-ebs-csi-policy").urn} <= set(
        driver.dependencies
    )


@pytest.mark.parametrize("preview", [False, True])
def test_the_default_storage_class_is_encrypted_gp3_with_the_cluster_key(preview: bool) -> None:
    run = services_run(True, preview)
    [storage_class] = run.of_type(STORAGE_CLASS)
    assert storage_class.get("metadata.annotations") == {
        "storageclass.kubernetes.io/is-default-class": "true"
    }
    assert storage_class.get("provisioner") == "ebs.csi.aws.com"
    assert storage_class.get("parameters") == {
        "type": "gp3",
        "encrypted": "true",
        "kmsKeyId": KEY,
        "csi.storage.k8s.io/fstype": "ext4",
    }
    assert storage_class.get("reclaimPolicy") == "Retain"
    assert storage_class.get("volumeBindingMode") == "WaitForFirstConsumer"
    assert addons(run)["aws-ebs-csi-driver"].urn in storage_class.dependencies


def test_the_log_shipper_writes_only_to_the_service_and_pod_log_groups() -> None:
    run = services_run(True, False)
    [statement] = policy_of(run, "cluster-services-log-shipper")["Statement"]
    pod_logs = run.named("cluster-services-pod-logs")
    assert pod_logs.get("name") == "/trading-test/cluster/pods"
    assert pod_logs.get("kmsKeyId") == "arn:aws:kms:ap-northeast-2:123456789012:key/logs"
    groups = {*ARNS.values(), pod_logs.outputs["arn"]}
    assert set(statement["Resource"]) == groups | {f"{arn}:*" for arn in groups}


def test_unknown_cluster_version_or_missing_log_group_is_refused() -> None:
    def unknown_version() -> None:
        ClusterServices("cluster-services", args(kubernetes_version="1.32"))

    with pytest.raises(ValueError, match=r"no Cluster Autoscaler chart for EKS 1\.32"):
        run_component(unknown_version, preview=True)

    def missing_group() -> None:
        names = {s: n for s, n in NAMES.items() if s is not Service.CONSUMER}
        ClusterServices("cluster-services", args(service_log_group_names=names))

    with pytest.raises(ValueError, match=r"no log group for \['consumer'\]"):
        run_component(missing_group, preview=True)


# The real stacks: dev has no imageTag (nothing pushed), prod has one.


def component_of(run: ProgramRun) -> CapturedResource:
    return run.named("cluster-services")


@pytest.mark.parametrize(("name", "preview"), STACKS, ids=IDS)
def test_every_hpa_has_a_metrics_source(name: str, preview: bool) -> None:
    run = stack(name, preview)
    [metrics] = [a for a in run.of_type(ADDON) if a.get("addonName") == "metrics-server"]
    # Taken from the cluster's output, so it waits for the cluster and its nodes.
    assert (
        run.named("services-pod-identity-agent").urn in metrics.property_dependencies["clusterName"]
    )
    hpas = run.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert len(hpas) == {"dev": 0, "prod": 3}[name]
    for hpa in hpas:
        [metric] = hpa.get("spec.metrics")
        assert metric["type"] == "Resource"  # served by metrics-server


@pytest.mark.parametrize(("name", "preview"), STACKS, ids=IDS)
def test_only_a_released_stack_installs_charts_and_kubernetes_objects(
    name: str, preview: bool
) -> None:
    run = stack(name, preview)
    component = component_of(run)
    inside = [r for r in run.resources if within(r, component, run.resources)]
    kubernetes = sorted(r.type for r in inside if r.type.startswith("kubernetes:"))
    assert (
        kubernetes
        == {
            "dev": [],
            "prod": [RELEASE, RELEASE, STORAGE_CLASS],
        }[name]
    )


@pytest.mark.parametrize("preview", [False, True])
def test_every_node_launch_template_keeps_pods_off_the_node_metadata(preview: bool) -> None:
    for name in ("dev", "prod"):
        templates = stack(name, preview).of_type("aws:ec2/launchTemplate:LaunchTemplate")
        assert templates
        for template in templates:
            assert template.get("metadataOptions.httpTokens") == "required"
            assert template.get("metadataOptions.httpPutResponseHopLimit") == 1, template.name


def test_prod_autoscaler_scales_only_prods_node_groups() -> None:
    run = stack("prod", False)
    policy = run.named("cluster-services-cluster-autoscaler-policy")
    [writer] = [s for s in document(policy.get("policy"))["Statement"] if "Condition" in s]
    assert (
        writer["Condition"]["StringEquals"][
            "aws:ResourceTag/k8s.io/cluster-autoscaler/trading-prod"
        ]
        == "owned"
    )
    # Built from the cluster's name output, not a string: no race with the cluster.
    agent = run.named("services-pod-identity-agent")
    assert agent.urn in policy.property_dependencies["policy"]


def test_prod_autoscaler_can_read_the_spot_groups_labels_and_taints() -> None:
    # Scaling the batch group up from zero: the autoscaler takes its labels and taints from
    # eks:DescribeNodegroup, since EKS copies neither to the Auto Scaling group's tags.
    run = stack("prod", False)
    policy = run.named("cluster-services-cluster-autoscaler-policy").get("policy")
    assert run.named("services-batch").get("capacityType") == "SPOT"
    batch = "arn:aws:eks:ap-northeast-2:123456789012:nodegroup/trading-prod/batch-20261201/uuid"
    other = "arn:aws:eks:ap-northeast-2:123456789012:nodegroup/trading-dev/batch-20261201/uuid"
    assert is_allowed([policy], "eks:DescribeNodegroup", batch)
    assert not is_allowed([policy], "eks:DescribeNodegroup", other)


@pytest.mark.parametrize("preview", [False, True])
def test_prod_log_shipper_writes_to_exactly_the_stacks_log_groups(preview: bool) -> None:
    run = stack("prod", preview)
    policy = run.named("cluster-services-log-shipper-policy")
    groups = sorted(g.get("name") for g in linked(policy, "policy", run.resources))
    assert groups == [
        "/trading-prod/cluster/pods",
        "/trading-prod/services/api",
        "/trading-prod/services/consumer",
        "/trading-prod/services/websocket",
    ]
    if not preview:
        [statement] = document(policy.get("policy"))["Statement"]
        arns = {a.removesuffix(":*") for a in statement["Resource"]}
        assert len(arns) == 4
        assert all(arn.startswith("arn:aws:logs:ap-northeast-2:") for arn in arns)
    else:
        assert policy.get("policy") == UNKNOWN


@pytest.mark.parametrize(("name", "preview"), STACKS, ids=IDS)
def test_ebs_csi_role_uses_the_cluster_key(name: str, preview: bool) -> None:
    run = stack(name, preview)
    policy = run.named("cluster-services-ebs-csi-policy")
    key = linked_one(policy, "policy", run.resources)
    assert key.name == "services-key"
    if not preview:
        statements = document(policy.get("policy"))["Statement"]
        assert {s["Resource"] for s in statements} == {key.outputs["arn"]}
