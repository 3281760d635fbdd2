"""ServiceCluster: the eks.Cluster component's inputs, node groups, node role and ECR."""

from __future__ import annotations

import dataclasses
import functools
import json

import pulumi
import pulumi_aws as aws
import pytest

from components.config import EksConfig
from components.service_cluster import ServiceCluster, ServiceClusterArgs
from components.versions import DEFAULT_EKS_VERSION
from offline.capture import UNKNOWN, CapturedResource
from offline.mocks import mocked_addon_version
from offline.runner import ProgramRun, run_component
from tests.programs import stack

from .edge_cluster_fixtures import CONTEXT, TIERS, document, tier_config

CONTROL_PLANE_SG = "sg-0controlplane"
APP_SG = "sg-0app"
PRIVATE_SUBNETS = ["subnet-0priv0", "subnet-0priv1", "subnet-0priv2"]
OFFICE = ("198.51.100.0/24",)
ADDON = "aws:eks/addon:Addon"
GET_ADDON_VERSION = "aws:eks/getAddonVersion:getAddonVersion"
CORE_ADDONS = ("vpc-cni", "kube-proxy", "coredns", "eks-pod-identity-agent")


def control_plane_sg() -> aws.ec2.SecurityGroup:
    """Stands in for the VPC's eks-control-plane group (the test has no VPC)."""
    return aws.ec2.SecurityGroup.get("control-plane-sg", CONTROL_PLANE_SG)


def service_cluster(eks: EksConfig) -> ServiceCluster:
    """The component as the stack builds it, in the test's VPC stand-ins."""
    return ServiceCluster(
        "services",
        ServiceClusterArgs(
            name_prefix="trading-test",
            eks=eks,
            vpc_id="vpc-0test",
            private_subnet_ids=PRIVATE_SUBNETS,
            control_plane_security_group=control_plane_sg(),
            node_security_group_id=APP_SG,
            context=CONTEXT,
            protect=False,
        ),
    )


@functools.cache
def cluster_run(tier: str, preview: bool, public_access_cidrs: tuple[str, ...] = ()) -> ProgramRun:
    config = tier_config(tier, public_access_cidrs)
    return run_component(lambda: service_cluster(config.eks), preview=preview)


def eks_cluster(run: ProgramRun) -> CapturedResource:
    [cluster] = run.of_type("eks:index:Cluster")
    return cluster


@pytest.mark.parametrize("preview", [False, True])
@pytest.mark.parametrize("tier", TIERS)
def test_cluster_is_private_encrypted_and_logged(tier: str, preview: bool) -> None:
    run = cluster_run(tier, preview)
    cluster = eks_cluster(run)
    assert cluster.remote  # a component: its own children are pulumi-eks's, not ours
    assert cluster.get("name") == "trading-prod"
    assert cluster.get("endpointPrivateAccess") is True
    assert cluster.get("endpointPublicAccess") is False
    assert cluster.get("publicAccessCidrs") is None
    assert cluster.get("enabledClusterLogTypes") == [
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
    ]
    assert cluster.get("authenticationMode") == "API"
    assert cluster.get("skipDefaultNodeGroup") is True
    assert cluster.get("skipDefaultSecurityGroups") is True
    assert cluster.get("createOidcProvider") is False
    assert cluster.get("privateSubnetIds") == PRIVATE_SUBNETS
    assert cluster.get("version") == DEFAULT_EKS_VERSION
    key_arn = cluster.get("encryptionConfigKeyArn")
    assert key_arn is not None
    if preview:
        assert key_arn == UNKNOWN
    else:
        [key] = [k for k in run.of_type("aws:kms/key:Key") if k.name == "services-key"]
        assert key.get("enableKeyRotation") is True
        assert key_arn.startswith("arn:aws:kms:ap-northeast-2:123456789012:key/")
        assert cluster.get("clusterSecurityGroup") == CONTROL_PLANE_SG


def test_public_endpoint_only_for_the_configured_cidrs() -> None:
    cluster = eks_cluster(cluster_run("scale", False, OFFICE))
    assert cluster.get("endpointPublicAccess") is True
    assert cluster.get("endpointPrivateAccess") is True
    assert cluster.get("publicAccessCidrs") == list(OFFICE)


def test_cluster_role_may_use_only_its_key_for_secrets() -> None:
    run = cluster_run("growth", False)
    key_arn = eks_cluster(run).get("encryptionConfigKeyArn")
    policy = document(run.named("services-cluster-secrets-key").get("policy"))
    [statement] = policy["Statement"]
    assert statement["Resource"] == key_arn
    assert "kms:Decrypt" in statement["Action"]
    trust = document(run.named("services-cluster-role").get("assumeRolePolicy"))
    assert trust["Statement"][0]["Principal"] == {"Service": "eks.amazonaws.com"}


@pytest.mark.parametrize(
    ("tier", "groups"),
    [
        ("startup", {"general": ("c6i.xlarge", 2, 3, 6)}),
        (
            "growth",
            {
                "api": ("c6i.xlarge", 2, 2, 6),
                "websocket": ("r6i.large", 2, 2, 5),
                "consumer": ("c6i.large", 2, 2, 6),
            },
        ),
        (
            "scale",
            {
                "api": ("c6i.2xlarge", 3, 6, 20),
                "websocket": ("r6i.xlarge", 2, 4, 10),
                "consumer": ("c6i.xlarge", 3, 6, 15),
            },
        ),
    ],
)
def test_node_groups_per_tier(tier: str, groups: dict[str, tuple[str, int, int, int]]) -> None:
    run = cluster_run(tier, False)
    node_groups = {
        g.name.removeprefix("services-"): g for g in run.of_type("aws:eks/nodeGroup:NodeGroup")
    }
    # The scale tier's Spot batch group has its own test.
    assert set(node_groups) - {"batch"} == set(groups)
    for name, (instance_type, minimum, desired, maximum) in groups.items():
        group = node_groups[name]
        assert group.get("instanceTypes") == [instance_type]
        assert group.get("scalingConfig") == {
            "minSize": minimum,
            "desiredSize": desired,
            "maxSize": maximum,
        }
        assert group.get("labels") == {"node-type": name}
        assert group.get("capacityType") == "ON_DEMAND"
        assert group.get("clusterName") == "trading-prod"
        assert group.get("subnetIds") == PRIVATE_SUBNETS
        assert group.get("launchTemplate.id", "").startswith("lt-")
        expected_taints = (
            [{"key": "dedicated", "value": "websocket", "effect": "NO_SCHEDULE"}]
            if name == "websocket"
            else []
        )
        assert group.get("taints") == expected_taints
        assert "scalingConfig.desiredSize" in group.ignore_changes
        # Node groups wait for the control plane.
        assert eks_cluster(run).urn in group.dependencies


@pytest.mark.parametrize("preview", [False, True])
def test_the_scale_tiers_batch_group_is_tainted_spot_from_zero(preview: bool) -> None:
    run = cluster_run("scale", preview)
    group = run.named("services-batch")
    assert group.get("capacityType") == "SPOT"
    # Seed 002 section 8.2's types, all handed to EKS (none in the launch template).
    assert group.get("instanceTypes") == ["c6i.xlarge", "c5.xlarge", "c5a.xlarge"]
    assert group.get("amiType") == "AL2023_x86_64_STANDARD"
    assert group.get("scalingConfig") == {"minSize": 0, "desiredSize": 0, "maxSize": 10}
    assert group.get("taints") == [{"key": "spot", "value": "true", "effect": "NO_SCHEDULE"}]
    # What the autoscaler reads through eks:DescribeNodegroup to scale it up from zero.
    assert group.get("labels") == {"node-type": "batch"}
    # Node-group tags do not reach the Auto Scaling group, so none pretend to be for it.
    assert not any(key.startswith("k8s.io/") for key in group.get("tags"))
    template = run.named("services-batch-lt")
    assert template.get("instanceType") is None
    assert template.get("metadataOptions.httpTokens") == "required"


@pytest.mark.parametrize("tier", ["startup", "growth"])
def test_only_the_scale_tier_has_a_spot_group(tier: str) -> None:
    groups = cluster_run(tier, False).of_type("aws:eks/nodeGroup:NodeGroup")
    assert {g.get("capacityType") for g in groups} == {"ON_DEMAND"}


@pytest.mark.parametrize("tier", TIERS)
def test_launch_templates_harden_every_node(tier: str) -> None:
    run = cluster_run(tier, False)
    templates = run.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    assert len(templates) == len(tier_config(tier).eks.node_groups)
    key_arn = eks_cluster(run).get("encryptionConfigKeyArn")
    for template in templates:
        assert template.get("metadataOptions") == {
            "httpEndpoint": "enabled",
            "httpTokens": "required",
            # No pod reaches the node's metadata service (one hop: the node only).
            "httpPutResponseHopLimit": 1,
        }
        assert template.get("vpcSecurityGroupIds") == [APP_SG]
        [volume] = template.get("blockDeviceMappings")
        assert volume["ebs"]["volumeType"] == "gp3"
        assert volume["ebs"]["encrypted"] == "true"
        assert volume["ebs"]["kmsKeyId"] == key_arn


def test_node_role_has_exactly_the_worker_policies() -> None:
    run = cluster_run("scale", False)
    attachments = [
        a.get("policyArn")
        for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if a.name.startswith("services-node-")
    ]
    assert sorted(attachments) == [
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    ]
    trust = document(run.named("services-node-role").get("assumeRolePolicy"))
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}


def test_volume_key_lets_auto_scaling_attach_encrypted_volumes() -> None:
    run = cluster_run("startup", False)
    policy = json.loads(run.named("services-key").get("policy"))
    grants = [s for s in policy["Statement"] if s["Action"] == "kms:CreateGrant"]
    assert grants[0]["Principal"]["AWS"].endswith("/AWSServiceRoleForAutoScaling")
    assert grants[0]["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}


def test_ecr_repositories() -> None:
    run = cluster_run("growth", False)
    repositories = {r.get("name"): r for r in run.of_type("aws:ecr/repository:Repository")}
    assert set(repositories) == {
        "trading-test/api",
        "trading-test/websocket",
        "trading-test/consumer",
    }
    key_arn = eks_cluster(run).get("encryptionConfigKeyArn")
    for repository in repositories.values():
        assert repository.get("imageTagMutability") == "IMMUTABLE"
        assert repository.get("imageScanningConfiguration.scanOnPush") is True
        assert repository.get("encryptionConfigurations") == [
            {"encryptionType": "KMS", "kmsKey": key_arn}
        ]
    policies = run.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")
    assert len(policies) == 3
    rules = {r["selection"]["tagStatus"]: r for r in document(policies[0].get("policy"))["rules"]}
    assert rules["tagged"]["selection"]["countType"] == "imageCountMoreThan"
    assert rules["tagged"]["selection"]["countNumber"] == 10
    assert rules["tagged"]["action"] == {"type": "expire"}


@pytest.mark.parametrize("preview", [False, True])
def test_coredns_and_pod_identity_agent_installed_after_nodes(preview: bool) -> None:
    run = cluster_run("scale", preview)
    addons = {a.get("addonName"): a for a in run.of_type("aws:eks/addon:Addon")}
    assert set(addons) == {"coredns", "eks-pod-identity-agent"}
    groups = {g.urn for g in run.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert len(groups) == 4  # api, websocket, consumer and the Spot batch group
    for addon in addons.values():
        assert groups <= set(addon.dependencies)
        assert addon.get("resolveConflictsOnCreate") == "OVERWRITE"
        assert addon.get("resolveConflictsOnUpdate") == "OVERWRITE"


@pytest.mark.parametrize("version", ["1.34", DEFAULT_EKS_VERSION])
def test_core_addon_versions_follow_the_cluster_version(version: str) -> None:
    """Every core add-on, pulumi-eks's two included, is at the version EKS lists for the
    cluster's Kubernetes version, looked up by name."""
    config = tier_config("growth")
    eks_config = dataclasses.replace(config.eks, version=version)

    run = run_component(lambda: service_cluster(eks_config), preview=True)
    cluster = eks_cluster(run)
    assert cluster.get("version") == version
    versions = {a.get("addonName"): a.get("addonVersion") for a in run.of_type(ADDON)}
    versions["vpc-cni"] = cluster.get("vpcCniOptions.addonVersion")
    versions["kube-proxy"] = cluster.get("kubeProxyAddonOptions.version")
    assert versions == {name: mocked_addon_version(name, version) for name in CORE_ADDONS}
    lookups = [args for token, args in run.invokes if token == GET_ADDON_VERSION]
    assert {a["addonName"] for a in lookups} == set(CORE_ADDONS)
    assert all(a["kubernetesVersion"] == version and a["mostRecent"] for a in lookups)
    for options in ("vpcCniOptions", "kubeProxyAddonOptions"):
        assert cluster.get(f"{options}.resolveConflictsOnCreate") == "OVERWRITE"
        assert cluster.get(f"{options}.resolveConflictsOnUpdate") == "OVERWRITE"
    # pulumi-eks installs CoreDNS itself only with its default node group; ours comes later.
    assert cluster.get("corednsAddonOptions") is None


def test_kubeconfig_output_is_realistic() -> None:
    config = tier_config("startup")

    def build() -> None:
        cluster = service_cluster(config.eks)
        pulumi.export("kubeconfig", cluster.kubeconfig)
        pulumi.export("repositories", cluster.repository_urls)

    run = run_component(build, preview=False)
    kubeconfig = run.outputs["kubeconfig"]
    [entry] = kubeconfig["clusters"]
    assert entry["cluster"]["server"].endswith(".gr7.ap-northeast-2.eks.amazonaws.com")
    assert "trading-prod" in kubeconfig["users"][0]["user"]["exec"]["args"]
    assert run.outputs["repositories"]["api"] == (
        "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/trading-test/api"
    )
    preview = run_component(build, preview=True)
    assert preview.outputs["kubeconfig"] == UNKNOWN


@pytest.mark.parametrize("preview", [False, True])
def test_the_real_stack_wires_the_cluster_by_outputs_not_names(preview: bool) -> None:
    """The LB controller's Pod Identity association takes the cluster name from an output that
    waits for the cluster (via the Pod Identity agent), and the cluster takes the network's own
    control-plane group, not a re-read of it."""
    run = stack("prod", preview)
    association = run.named("workloads-lb-controller-identity")
    agent = run.named("services-pod-identity-agent")
    assert agent.urn in association.property_dependencies["clusterName"]
    assert set(agent.dependencies) >= {run.named("services-eks").urn}
    cluster = run.named("services-eks")
    network_sg = run.named("network-eks-control-plane-sg")
    assert cluster.property_dependencies["clusterSecurityGroup"] == (network_sg.urn,)
    assert not [r for r in run.resources if r.name == "services-control-plane-sg"]
