"""TradingWorkloads: deployments, their guards, and the ALB target groups bound to the pods."""

from __future__ import annotations

import functools
from typing import Any

import pulumi
import pytest

from components.services import Service
from components.workloads import TradingWorkloads, TradingWorkloadsArgs
from offline.capture import UNKNOWN, CapturedResource
from offline.runner import ProgramRun, run_component
from tests.programs import stack

from .edge_cluster_fixtures import CONTEXT, TIERS, document, is_secret, reveal, tier_config

TG = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup"
TARGET_GROUPS = {
    Service.API: f"{TG}/api/0123456789abcdef",
    Service.WEBSOCKET: f"{TG}/websocket/fedcba9876543210",
}
REGISTRY = "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/trading-test"
REPOSITORIES = {service: f"{REGISTRY}/{service}" for service in Service}
KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "k", "cluster": {"server": "https://example.eks.amazonaws.com"}}],
}


@functools.cache
def workloads_run(tier: str, preview: bool) -> ProgramRun:
    return build_workloads(tier, preview)


def build_workloads(tier: str, preview: bool, **extra: Any) -> ProgramRun:
    config = tier_config(tier)

    def build() -> None:
        TradingWorkloads(
            "workloads",
            TradingWorkloadsArgs(
                name_prefix="trading-test",
                kubeconfig=pulumi.Output.secret(KUBECONFIG),
                cluster_name="trading-prod",
                vpc_id="vpc-0test",
                node_groups=config.eks.node_groups,
                repository_urls=REPOSITORIES,
                image_tag="v1.2.3",
                target_group_arns=TARGET_GROUPS,
                context=CONTEXT,
                **extra,
            ),
        )

    return run_component(build, preview=preview)


def by_name(run: ProgramRun, type_token: str) -> dict[str, CapturedResource]:
    return {r.get("metadata.name"): r for r in run.of_type(type_token)}


def pod_spec(run: ProgramRun, workload: str) -> dict[str, Any]:
    return by_name(run, "kubernetes:apps/v1:Deployment")[workload].get("spec.template.spec")


RESOURCES = {  # seed 002, section 11.8
    "api": ({"cpu": "500m", "memory": "512Mi"}, {"cpu": "1000m", "memory": "1Gi"}, 3000),
    "websocket": ({"cpu": "250m", "memory": "512Mi"}, {"cpu": "500m", "memory": "1Gi"}, 3001),
    "consumer": ({"cpu": "250m", "memory": "256Mi"}, {"cpu": "500m", "memory": "512Mi"}, 8080),
}


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("tier", TIERS)
def test_deployments(tier: str, preview: bool) -> None:
    run = workloads_run(tier, preview)
    deployments = by_name(run, "kubernetes:apps/v1:Deployment")
    assert set(deployments) == set(RESOURCES)
    for name, (requests, limits, port) in RESOURCES.items():
        deployment = deployments[name]
        assert deployment.get("metadata.namespace") in ("trading", UNKNOWN)
        assert deployment.get("spec.replicas") is None  # the HPA owns the count
        spec = deployment.get("spec.template.spec")
        [container] = spec["containers"]
        assert container["image"] == f"{REGISTRY}/{name}:v1.2.3"
        assert container["resources"] == {"requests": requests, "limits": limits}
        assert container["ports"] == [{"name": "http", "containerPort": port}]
        for probe in ("readinessProbe", "livenessProbe"):
            assert container[probe]["httpGet"] == {"path": "/health", "port": port}
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        # Its own service account, whose token the Pod Identity webhook needs.
        assert spec["serviceAccountName"] in (name, UNKNOWN)
        assert spec["automountServiceAccountToken"] is True
        [spread] = spec["topologySpreadConstraints"]
        assert spread["topologyKey"] == "topology.kubernetes.io/zone"
        assert spread["whenUnsatisfiable"] == "DoNotSchedule"


def test_startup_runs_everything_on_the_general_group() -> None:
    """The one shared group is named, not left to chance (services.node_group_for)."""
    run = workloads_run("startup", False)
    for name in RESOURCES:
        spec = pod_spec(run, name)
        assert spec["nodeSelector"] == {"node-type": "general"}
        assert spec.get("tolerations", []) == []


def test_a_tier_without_a_services_group_is_refused_before_any_resource() -> None:
    groups = tuple(g for g in tier_config("scale").eks.node_groups if g.name != "consumer")
    errors: list[str] = []

    def build() -> None:
        try:
            TradingWorkloads(
                "workloads",
                TradingWorkloadsArgs(
                    name_prefix="trading-test",
                    kubeconfig=KUBECONFIG,
                    cluster_name="trading-prod",
                    vpc_id="vpc-0test",
                    node_groups=groups,
                    repository_urls=REPOSITORIES,
                    image_tag="v1.2.3",
                    target_group_arns=TARGET_GROUPS,
                    context=CONTEXT,
                ),
            )
        except ValueError as error:
            errors.append(str(error))

    run = run_component(build, preview=False)
    assert len(errors) == 1
    assert "service consumer wants node group 'consumer'" in errors[0]
    assert run.resources == []


def test_an_exposed_service_without_a_target_group_is_refused() -> None:
    with pytest.raises(Exception, match=r"no target group or repository for \['websocket'\]"):
        run_component(
            lambda: TradingWorkloads(
                "workloads",
                TradingWorkloadsArgs(
                    name_prefix="trading-test",
                    kubeconfig=KUBECONFIG,
                    cluster_name="trading-prod",
                    vpc_id="vpc-0test",
                    node_groups=tier_config("scale").eks.node_groups,
                    repository_urls=REPOSITORIES,
                    image_tag="v1.2.3",
                    target_group_arns={Service.API: TARGET_GROUPS[Service.API]},
                    context=CONTEXT,
                ),
            ),
            preview=False,
        )


@pytest.mark.parametrize("tier", ["growth", "scale"])
def test_each_workload_on_its_own_node_group(tier: str) -> None:
    run = workloads_run(tier, False)
    for name in RESOURCES:
        assert pod_spec(run, name)["nodeSelector"] == {"node-type": name}
    assert pod_spec(run, "websocket")["tolerations"] == [
        {"key": "dedicated", "operator": "Equal", "value": "websocket", "effect": "NoSchedule"}
    ]
    assert pod_spec(run, "api").get("tolerations", []) == []


def test_guards_pdb_and_hpa() -> None:
    run = workloads_run("scale", False)
    pdbs = by_name(run, "kubernetes:policy/v1:PodDisruptionBudget")
    hpas = by_name(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert set(pdbs) == set(hpas) == set(RESOURCES)
    for name in RESOURCES:
        assert pdbs[name].get("spec.maxUnavailable") == 1
        hpa = hpas[name].get("spec")
        assert hpa["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        assert hpa["minReplicas"] == 2
        assert hpa["metrics"][0]["resource"]["target"] == {
            "type": "Utilization",
            "averageUtilization": 70,
        }
    assert hpas["api"].get("spec.maxReplicas") == 20


def test_target_groups_bound_to_the_pods() -> None:
    run = workloads_run("growth", False)
    bindings = by_name(run, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding")
    assert set(bindings) == {"api", "websocket"}
    services = by_name(run, "kubernetes:core/v1:Service")
    [release] = run.of_type("kubernetes:helm.sh/v3:Release")
    for name, arn in TARGET_GROUPS.items():
        spec = bindings[name].get("spec")
        assert spec == {
            "serviceRef": {"name": name, "port": RESOURCES[name][2]},
            "targetGroupARN": arn,
            "targetType": "ip",
        }
        assert "networking" not in spec  # the reachability table, not the controller, owns SGs
        assert services[name].get("spec.type") == "ClusterIP"
        assert release.urn in bindings[name].dependencies


def test_load_balancer_controller_with_pod_identity() -> None:
    run = workloads_run("scale", False)
    [release] = run.of_type("kubernetes:helm.sh/v3:Release")
    assert release.get("chart") == "aws-load-balancer-controller"
    assert release.get("repositoryOpts.repo") == "https://aws.github.io/eks-charts"
    assert release.get("namespace") == "kube-system"
    values = release.get("values")
    assert values["clusterName"] == "trading-prod"
    assert values["region"] == "ap-northeast-2"
    assert values["vpcId"] == "vpc-0test"
    assert values["serviceAccount"]["name"] == "aws-load-balancer-controller"
    association = run.named("workloads-lb-controller-identity")
    assert association.get("serviceAccount") == "aws-load-balancer-controller"
    assert association.get("namespace") == "kube-system"
    trust = document(run.named("workloads-lb-controller-role").get("assumeRolePolicy"))
    assert trust["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    policy = document(run.named("workloads-lb-controller-policy").get("policy"))
    register = next(s for s in policy["Statement"] if s["Sid"] == "RegisterPods")
    assert register["Resource"] == list(TARGET_GROUPS.values())


def test_provider_is_built_from_the_secret_kubeconfig() -> None:
    run = workloads_run("startup", False)
    [provider] = run.of_type("pulumi:providers:kubernetes")
    kubeconfig = provider.get("kubeconfig")
    assert is_secret(kubeconfig)
    assert '"server": "https://example.eks.amazonaws.com"' in reveal(kubeconfig)
    k8s_resources = [r for r in run.resources if r.type.startswith("kubernetes:")]
    assert all(r.provider.startswith(provider.urn) for r in k8s_resources)
    namespace = by_name(run, "kubernetes:core/v1:Namespace")["trading"]
    assert namespace.get("metadata.labels")["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("preview", [False, True])
def test_program_builds_the_provider_from_the_cluster_kubeconfig(preview: bool) -> None:
    run = stack("prod", preview)  # released: prod sets eks.imageTag
    provider = run.named("workloads-k8s")  # ClusterServices has its own
    kubeconfig = provider.get("kubeconfig")
    assert is_secret(kubeconfig)
    if preview:  # the cluster does not exist yet
        assert reveal(kubeconfig) == UNKNOWN
    else:
        assert ".eks.amazonaws.com" in reveal(kubeconfig)
    bindings = run.of_type("kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding")
    assert len(bindings) == 2


def test_without_an_image_tag_nothing_waits_on_an_image() -> None:
    """A new stack's repositories are empty: no Deployment may wait for a pull that fails."""
    config = tier_config("growth")

    def build() -> None:
        TradingWorkloads(
            "workloads",
            TradingWorkloadsArgs(
                name_prefix="trading-test",
                kubeconfig=pulumi.Output.secret(KUBECONFIG),
                cluster_name="trading-prod",
                vpc_id="vpc-0test",
                node_groups=config.eks.node_groups,
                repository_urls=REPOSITORIES,
                image_tag=None,
                target_group_arns=TARGET_GROUPS,
                context=CONTEXT,
            ),
        )

    run = run_component(build, preview=True)
    types = {r.type for r in run.resources}
    assert "kubernetes:apps/v1:Deployment" not in types
    assert "kubernetes:autoscaling/v2:HorizontalPodAutoscaler" not in types
    assert "kubernetes:policy/v1:PodDisruptionBudget" not in types
    # Nothing that needs a live API server in preview: the cluster does not exist yet.
    assert "kubernetes:helm.sh/v3:Release" not in types
    assert "kubernetes:core/v1:Namespace" in types


def test_each_service_runs_as_its_own_account_bound_to_its_own_role() -> None:
    policies = {
        Service.API: '{"Statement": [{"Sid": "Api"}]}',
        Service.CONSUMER: '{"Statement": [{"Sid": "Consumer"}]}',
    }
    run = build_workloads("scale", False, access_policies=policies)
    accounts = by_name(run, "kubernetes:core/v1:ServiceAccount")
    assert set(accounts) == {str(s) for s in Service}
    for service in Service:
        account = accounts[str(service)]
        assert account.get("metadata.namespace") == "trading"
        association = run.named(f"workloads-{service}-identity")
        assert association.get("namespace") == "trading"
        assert association.get("serviceAccount") == str(service)
        assert association.get("clusterName") == "trading-prod"
        role = run.named(f"workloads-{service}-role")
        assert role.urn in association.property_dependencies["roleArn"]
        trust = document(role.get("assumeRolePolicy"))
        assert trust["Statement"][0]["Principal"] == {"Service": "pods.eks.amazonaws.com"}
        # Only for this service account of this cluster (Pod Identity's session tags).
        assert trust["Statement"][0]["Condition"] == {
            "StringEquals": {
                "aws:SourceAccount": CONTEXT.account_id,
                "aws:RequestTag/eks-cluster-name": "trading-prod",
                "aws:RequestTag/kubernetes-namespace": "trading",
                "aws:RequestTag/kubernetes-service-account": str(service),
            }
        }
        # The Deployment is admitted only once its association exists.
        deployment = by_name(run, "kubernetes:apps/v1:Deployment")[str(service)]
        assert association.urn in deployment.dependencies
    # Exactly the policy each service was given; none for one that needs nothing.
    assert run.named("workloads-api-policy").get("policy") == policies[Service.API]
    assert run.named("workloads-consumer-policy").get("policy") == policies[Service.CONSUMER]
    assert "workloads-websocket-policy" not in {r.name for r in run.resources}


def test_each_container_gets_its_connection_environment() -> None:
    environment = {Service.API: {"DATABASE_USER": "trading_api", "AWS_REGION": "ap-northeast-2"}}
    run = build_workloads("scale", False, environment=environment)
    [api] = pod_spec(run, "api")["containers"]
    assert api["env"] == [
        {"name": "AWS_REGION", "value": "ap-northeast-2"},
        {"name": "DATABASE_USER", "value": "trading_api"},
    ]
    [websocket] = pod_spec(run, "websocket")["containers"]
    assert not websocket.get("env")
