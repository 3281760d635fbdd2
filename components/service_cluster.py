"""ServiceCluster: the EKS cluster for the API, WebSocket and consumer services, and its images.

The API endpoint is private (reachable from the VPC only) unless ``eks.publicAccessCidrs``
names the few networks that may reach it publicly. Kubernetes secrets and node volumes are
encrypted with the cluster's CMK. Access is by EKS access entries (``authentication_mode``
API), not the aws-auth ConfigMap. The control plane uses the reachability table's
``eks-control-plane`` security group and the nodes (and so the pods, with the VPC CNI) use the
``app`` group, so every flow to and from them is one of the table's.

Node groups are EKS managed node groups with our own launch templates: IMDSv2 only with a hop
limit of 1, so no pod reaches the node's metadata service or its role (pods that need AWS use
Pod Identity, and every cluster service is given its region explicitly), encrypted gp3 root
volumes, and the app security group.

The core add-ons are EKS managed add-ons at the version EKS lists for the cluster's Kubernetes
version (``addon_version``): pulumi-eks installs the VPC CNI and kube-proxy inside the cluster
component, so before any node joins (nodes need the CNI to become Ready; both are DaemonSets, so
they are healthy with no nodes); CoreDNS and the Pod Identity agent come after the node groups,
since pulumi-eks only installs CoreDNS itself with its default node group and a CoreDNS add-on
without nodes stays DEGRADED until its create times out.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks

from .aws_context import AwsContext, policy_json, service_trust_policy, volume_key_statements
from .blocks import child_options, customer_managed_key
from .config import EksConfig, NodeGroupConfig
from .config.instances import EKS_AMI_TYPES
from .services import SERVICES, Service, ServiceSpec

# All five types at every tier (seed 002 logs all five at 100K). The two added last are cheap:
# controllerManager and scheduler log from one leader-elected process each, a small fraction of
# what audit (on since the start) writes, so one setting for all tiers costs little more than
# three. https://docs.aws.amazon.com/eks/latest/APIReference/API_LogSetup.html (types)
CONTROL_PLANE_LOGS = ("api", "audit", "authenticator", "controllerManager", "scheduler")
# Self-managed copies that EKS bootstraps are taken over on create, and fields changed by hand
# are put back on update: the program, not kubectl, owns the add-ons' configuration.
# https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAddon.html (resolveConflicts)
RESOLVE_CONFLICTS = "OVERWRITE"
# Worker nodes need these three AWS managed policies and nothing else.
NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
)
KEEP_TAGGED_IMAGES = 10  # seed 000: keep the last 10 tagged images
UNTAGGED_IMAGE_DAYS = 7
NODE_VOLUME_GB = 50
_TAINT_EFFECTS = {
    "NoSchedule": "NO_SCHEDULE",
    "PreferNoSchedule": "PREFER_NO_SCHEDULE",
    "NoExecute": "NO_EXECUTE",
}
NODE_TYPE_LABEL = "node-type"  # seed 002's node label; workloads select their group by it


@dataclass(frozen=True)
class ServiceClusterArgs:
    name_prefix: str
    eks: EksConfig
    vpc_id: pulumi.Input[str]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    # The reachability table's eks-control-plane group; pulumi-eks takes the resource.
    control_plane_security_group: aws.ec2.SecurityGroup
    node_security_group_id: pulumi.Input[str]  # reachability role app
    context: AwsContext
    protect: bool
    # The Auto Scaling service-linked role, when the stack creates it: the key policy names it.
    volume_key_dependencies: Sequence[pulumi.Resource] = ()


def addon_version(addon: str, kubernetes_version: str, parent: pulumi.Resource) -> str:
    """The newest version of the EKS add-on ``addon`` for ``kubernetes_version`` (see
    ``ServiceCluster._addon_version``); the invoke goes through ``parent``'s provider."""
    return aws.eks.get_addon_version(
        addon_name=addon,
        kubernetes_version=kubernetes_version,
        most_recent=True,
        opts=pulumi.InvokeOptions(parent=parent),
    ).version


def access_entries(config: EksConfig, ctx: AwsContext) -> dict[str, eks.AccessEntryArgs]:
    """EKS access entries (API mode) for ``eks.accessEntries``, each with its one policy.

    AWS's access policies: https://docs.aws.amazon.com/eks/latest/userguide/access-policies.html
    """
    entries: dict[str, eks.AccessEntryArgs] = {}
    for entry in config.access_entries:
        scope = aws.eks.AccessPolicyAssociationAccessScopeArgs(
            type="namespace" if entry.namespaces else "cluster",
            namespaces=list(entry.namespaces) or None,
        )
        policy_arn = (
            f"arn:{ctx.partition}:eks::aws:cluster-access-policy/{entry.policy.policy_name}"
        )
        entries[entry.name] = eks.AccessEntryArgs(
            principal_arn=entry.principal_arn,
            access_policies={
                entry.policy.value: eks.AccessPolicyAssociationArgs(
                    policy_arn=policy_arn, access_scope=scope
                )
            },
        )
    return entries


def ecr_lifecycle_policy() -> str:
    """Untagged layers go after a week; of tagged images the newest ten stay."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Expire untagged images after {UNTAGGED_IMAGE_DAYS} days",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": UNTAGGED_IMAGE_DAYS,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"Keep the last {KEEP_TAGGED_IMAGES} tagged images",
                    "selection": {
                        "tagStatus": "tagged",
                        "tagPatternList": ["*"],
                        "countType": "imageCountMoreThan",
                        "countNumber": KEEP_TAGGED_IMAGES,
                    },
                    "action": {"type": "expire"},
                },
            ]
        },
        sort_keys=True,
    )


class ServiceCluster(pulumi.ComponentResource):
    cluster_name: pulumi.Output[str]
    kubeconfig: pulumi.Output[Any]  # secret; published once node groups and add-ons exist
    repository_urls: dict[Service, pulumi.Output[str]]
    node_role_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]  # the cluster CMK: secrets, node volumes, images, PVs

    def __init__(
        self, name: str, args: ServiceClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:cluster:ServiceCluster", name, None, opts)
        self._name = name
        self._args = args
        config = args.eks

        key = self._key()
        public = bool(config.public_access_cidrs)
        cluster = eks.Cluster(
            f"{name}-eks",
            name=config.cluster_name,
            version=config.version,
            vpc_id=args.vpc_id,
            private_subnet_ids=list(args.private_subnet_ids),
            endpoint_private_access=True,
            endpoint_public_access=public,
            public_access_cidrs=list(config.public_access_cidrs) if public else None,
            encryption_config_key_arn=key.arn,
            enabled_cluster_log_types=list(CONTROL_PLANE_LOGS),
            authentication_mode=eks.AuthenticationMode.API,
            # Deployers (CI) and admins by name; the creator keeps its bootstrap admin entry.
            access_entries=access_entries(config, self._args.context) or None,
            service_role=self._cluster_role(key),
            cluster_security_group=args.control_plane_security_group,
            # Nodes get the app SG from their launch templates; pulumi-eks's default node SG
            # and node group would bypass the reachability table.
            skip_default_security_groups=True,
            skip_default_node_group=True,
            # Pods reach AWS through EKS Pod Identity, which needs no OIDC provider.
            create_oidc_provider=False,
            # pulumi-eks's own VPC CNI and kube-proxy add-ons, pinned to this version's.
            vpc_cni_options=eks.VpcCniOptionsArgs(
                addon_version=self._addon_version("vpc-cni"),
                resolve_conflicts_on_create=eks.ResolveConflictsOnCreate(RESOLVE_CONFLICTS),
                resolve_conflicts_on_update=eks.ResolveConflictsOnUpdate(RESOLVE_CONFLICTS),
            ),
            kube_proxy_addon_options=eks.KubeProxyAddonOptionsArgs(
                version=self._addon_version("kube-proxy"),
                resolve_conflicts_on_create=eks.ResolveConflictsOnCreate(RESOLVE_CONFLICTS),
                resolve_conflicts_on_update=eks.ResolveConflictsOnUpdate(RESOLVE_CONFLICTS),
            ),
            deletion_protection=args.protect,
            tags={"Name": config.cluster_name},
            opts=child_options(self),
        )
        node_role = self._node_role()
        node_groups = [
            self._node_group(group, cluster, node_role, key) for group in config.node_groups
        ]
        # CoreDNS and Pod Identity's agent run on the nodes, so they are installed once the
        # nodes exist.
        after_nodes = [cluster, *node_groups]
        coredns = self._addon("coredns", "coredns", after_nodes)
        pod_identity = self._addon("eks-pod-identity-agent", "pod-identity-agent", after_nodes)
        self.repository_urls = {
            service: self._repository(spec, key).repository_url
            for service, spec in SERVICES.items()
        }

        # An output of a resource that exists only once the cluster, its nodes and the Pod
        # Identity agent do, so whatever takes the name (the LB controller's Pod Identity
        # association, its Helm values) waits for them instead of racing the cluster. pulumi-eks
        # exposes the name only inside ``eks_cluster``, a resource reference.
        self.cluster_name = pod_identity.cluster_name
        # Anything built from this kubeconfig (the Kubernetes provider, so every workload)
        # waits for the nodes and the Pod Identity agent, not just the control plane.
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(
                cluster.kubeconfig,
                pod_identity.arn,
                coredns.arn,
                *[group.arn for group in node_groups],
            ).apply(lambda parts: parts[0])
        )
        self.node_role_arn = node_role.arn
        self.key_arn = key.arn
        self.register_outputs(
            {
                "clusterName": self.cluster_name,
                "kubeconfig": self.kubeconfig,
                "repositoryUrls": self.repository_urls,
                "nodeRoleArn": self.node_role_arn,
                "keyArn": self.key_arn,
            }
        )

    def _addon_version(self, addon: str) -> str:
        """The newest version of ``addon`` EKS publishes for the cluster's Kubernetes version.

        Looked up rather than tabled: EKS answers only versions it supports for that Kubernetes
        version, so a version bump in ``eks.version`` moves every add-on with it, and a new
        build shows in the preview as an add-on update. ``eks.version`` is plain config, so
        the lookup needs no cluster. pulumi-eks resolves its defaults the same way.
        https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html
        """
        return addon_version(addon, self._args.eks.version, self)

    def _addon(
        self, addon: str, resource_name: str, after: Sequence[pulumi.Resource]
    ) -> aws.eks.Addon:
        return aws.eks.Addon(
            f"{self._name}-{resource_name}",
            cluster_name=self._args.eks.cluster_name,
            addon_name=addon,
            addon_version=self._addon_version(addon),
            resolve_conflicts_on_create=RESOLVE_CONFLICTS,
            resolve_conflicts_on_update=RESOLVE_CONFLICTS,
            opts=child_options(self, depends_on=after),
        )

    def _key(self) -> aws.kms.Key:
        """The cluster's CMK: Kubernetes secrets, node volumes and images."""
        ctx, prefix = self._args.context, self._args.name_prefix
        # Managed node groups launch through the Auto Scaling service-linked role, which must
        # be able to use the key for the encrypted root volumes.
        return customer_managed_key(
            f"{self._name}-key",
            parent=self,
            label=f"{prefix}-eks",
            description=f"{prefix}: EKS secrets, node volumes and container images",
            statements=volume_key_statements(ctx),
            protect=self._args.protect,
            depends_on=self._args.volume_key_dependencies,
        )

    def _cluster_role(self, key: aws.kms.Key) -> aws.iam.Role:
        ctx, name = self._args.context, self._name
        role = aws.iam.Role(
            f"{name}-cluster-role",
            description=f"{self._args.name_prefix}: EKS control plane",
            assume_role_policy=policy_json(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "eks.amazonaws.com"},
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                        "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
                    }
                ]
            ),
            opts=child_options(self),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-cluster-policy",
            role=role.name,
            policy_arn=f"arn:{ctx.partition}:iam::aws:policy/AmazonEKSClusterPolicy",
            opts=child_options(self),
        )
        # Envelope encryption of Kubernetes secrets with this key and no other.
        aws.iam.RolePolicy(
            f"{name}-cluster-secrets-key",
            role=role.id,
            policy=key.arn.apply(
                lambda arn: policy_json(
                    [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "kms:Encrypt",
                                "kms:Decrypt",
                                "kms:ListGrants",
                                "kms:DescribeKey",
                            ],
                            "Resource": arn,
                        }
                    ]
                )
            ),
            opts=child_options(self),
        )
        return role

    def _node_role(self) -> aws.iam.Role:
        ctx, name = self._args.context, self._name
        role = aws.iam.Role(
            f"{name}-node-role",
            description=f"{self._args.name_prefix}: EKS worker nodes",
            assume_role_policy=service_trust_policy("ec2.amazonaws.com"),
            opts=child_options(self),
        )
        for policy in NODE_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{name}-node-{policy}",
                role=role.name,
                policy_arn=f"arn:{ctx.partition}:iam::aws:policy/{policy}",
                opts=child_options(self),
            )
        return role

    def _node_group(
        self,
        group: NodeGroupConfig,
        cluster: eks.Cluster,
        role: aws.iam.Role,
        key: aws.kms.Key,
    ) -> aws.eks.NodeGroup:
        name, prefix = f"{self._name}-{group.name}", self._args.name_prefix
        template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            name_prefix=f"{prefix}-{group.name}-",
            description=f"{prefix} {group.name} nodes: IMDSv2, encrypted gp3, app SG",
            vpc_security_group_ids=[self._args.node_security_group_id],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                # 1: the node itself only. A pod's request crosses one more hop and is
                # dropped, so no pod can take the node role's credentials; pods use Pod
                # Identity and every cluster service is given its region explicitly.
                # https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-IMDS-existing-instances.html
                http_put_response_hop_limit=1,
            ),
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_size=NODE_VOLUME_GB,
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=key.arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=kind, tags={"Name": f"{prefix}-{group.name}"}
                )
                for kind in ("instance", "volume")
            ],
            update_default_version=True,
            opts=child_options(self),
        )
        taints = (
            [
                aws.eks.NodeGroupTaintArgs(
                    key=group.taint.key,
                    value=group.taint.value,
                    effect=_TAINT_EFFECTS[group.taint.effect],
                )
            ]
            if group.taint
            else []
        )
        return aws.eks.NodeGroup(
            name,
            cluster_name=self._args.eks.cluster_name,
            node_group_name_prefix=f"{group.name}-",
            node_role_arn=role.arn,
            subnet_ids=list(self._args.private_subnet_ids),
            # A spot group's types go here, not in the launch template: EKS builds the Auto
            # Scaling group's mixed-instances policy from them, with the price-capacity-optimized
            # allocation strategy and Capacity Rebalancing for Spot, and drains a node EC2 is
            # about to reclaim. https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html
            # ("Managed node group capacity types").
            instance_types=list(group.ec2_instance_types),
            ami_type=EKS_AMI_TYPES[group.architecture],
            capacity_type=group.capacity_type.eks_value,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=group.min, desired_size=group.desired, max_size=group.max
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            # With the taint, what the Cluster Autoscaler needs to scale a group up from zero:
            # it reads both from eks:DescribeNodegroup (its managed node group cache), so no
            # node-template tags on the Auto Scaling group (cluster_services/autoscaler.py).
            labels={NODE_TYPE_LABEL: group.name},
            taints=taints,
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            tags={"Name": f"{prefix}-{group.name}"},
            opts=child_options(
                self,
                depends_on=[cluster],
                # The cluster autoscaler owns the running size once the group exists.
                ignore_changes=["scalingConfig.desiredSize"],
            ),
        )

    def _repository(self, spec: ServiceSpec, key: aws.kms.Key) -> aws.ecr.Repository:
        name = f"{self._name}-{spec.repository}-ecr"
        repository = aws.ecr.Repository(
            name,
            name=spec.repository_name(self._args.name_prefix),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                scan_on_push=True
            ),
            encryption_configurations=[
                aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=key.arn
                )
            ],
            force_delete=False,
            opts=child_options(self, protect=self._args.protect),
        )
        aws.ecr.LifecyclePolicy(
            f"{name}-lifecycle",
            repository=repository.name,
            policy=ecr_lifecycle_policy(),
            opts=child_options(self),
        )
        return repository
