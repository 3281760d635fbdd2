"""TradingWorkloads: the API, WebSocket and consumer services on the service cluster.

Each service is a Deployment (seed 002 section 11.8's requests and limits) with probes on
``/health``, a PodDisruptionBudget, a CPU HorizontalPodAutoscaler and pods spread over the
availability zones, running non-root on a read-only root filesystem in a namespace that
enforces the ``restricted`` Pod Security Standard. Each lands on its own node group when the
tier has one (``node-type`` label, tolerating that group's taint), or anywhere on the single
``general`` group of the startup tier.

The ALB and its target groups belong to EdgeProtection; pods join them through the AWS Load
Balancer Controller's TargetGroupBinding resources, which register pod IPs (target type
``ip``) as pods come and go. The controller is installed from its Helm chart and gets AWS
credentials through EKS Pod Identity, limited to describing load balancers and registering
targets in these two target groups. Without ``networking`` rules in the bindings it never
edits security groups: the reachability table already lets the ALB reach the pods.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .aws_context import AwsContext, policy_json
from .blocks import child_options
from .config import NodeGroupConfig
from .reachability import API_PORT, WEBSOCKET_PORT
from .service_cluster import NODE_TYPE_LABEL

NAMESPACE = "trading"
CONSUMER_HEALTH_PORT = 8080  # consumers serve nothing but their health endpoint
RUN_AS_USER = 10001
CPU_TARGET_PERCENT = 70
ZONE_KEY = "topology.kubernetes.io/zone"
LB_CONTROLLER = "aws-load-balancer-controller"
LB_CONTROLLER_CHART_VERSION = "1.13.0"  # controller v2.13.0
LB_CONTROLLER_REPO = "https://aws.github.io/eks-charts"


@dataclass(frozen=True)
class WorkloadSpec:
    name: str
    port: int  # serves /health; the ALB target port for exposed services
    cpu_request: str
    memory_request: str
    cpu_limit: str
    memory_limit: str
    min_replicas: int
    max_replicas: int
    exposed: bool  # behind the ALB through a TargetGroupBinding


# Requests and limits are seed 002's (section 11.8), two replicas each; the autoscaling ceilings
# follow the scale tier's node-group maxima (section 2.1).
WORKLOADS = (
    WorkloadSpec("api", API_PORT, "500m", "512Mi", "1000m", "1Gi", 2, 20, exposed=True),
    WorkloadSpec("websocket", WEBSOCKET_PORT, "250m", "512Mi", "500m", "1Gi", 2, 10, exposed=True),
    WorkloadSpec(
        "consumer", CONSUMER_HEALTH_PORT, "250m", "256Mi", "500m", "512Mi", 2, 15, exposed=False
    ),
)


@dataclass(frozen=True)
class TradingWorkloadsArgs:
    name_prefix: str
    kubeconfig: pulumi.Input[Any]
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    node_groups: Sequence[NodeGroupConfig]
    repository_urls: Mapping[str, pulumi.Input[str]]  # by workload name
    image_tag: str
    target_group_arns: Mapping[str, pulumi.Input[str]]  # by exposed workload name
    context: AwsContext


def placement(spec: WorkloadSpec, groups: Sequence[NodeGroupConfig]) -> dict[str, Any]:
    """nodeSelector and tolerations putting ``spec`` on its own node group, if there is one."""
    group = next((g for g in groups if g.name == spec.name), None)
    if group is None:
        return {}
    tolerations = (
        [
            k8s.core.v1.TolerationArgs(
                key=group.taint.key,
                operator="Equal",
                value=group.taint.value,
                effect=group.taint.effect,
            )
        ]
        if group.taint
        else []
    )
    return {"node_selector": {NODE_TYPE_LABEL: group.name}, "tolerations": tolerations}


class TradingWorkloads(pulumi.ComponentResource):
    namespace: pulumi.Output[str]

    def __init__(
        self, name: str, args: TradingWorkloadsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:workloads:TradingWorkloads", name, None, opts)
        self._name = name
        self._args = args
        self._k8s = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=pulumi.Output.from_input(args.kubeconfig).apply(_as_text),
            opts=child_options(self),
        )
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=NAMESPACE,
                labels={
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                },
            ),
            opts=self._in_cluster(),
        )
        controller = self._load_balancer_controller()
        for spec in WORKLOADS:
            self._workload(spec, namespace, controller)
        self.namespace = namespace.metadata.name
        self.register_outputs({"namespace": self.namespace})

    def _in_cluster(
        self, depends_on: Sequence[pulumi.Resource] | None = None
    ) -> pulumi.ResourceOptions:
        return child_options(self, provider=self._k8s, depends_on=depends_on)

    def _load_balancer_controller(self) -> k8s.helm.v3.Release:
        args, name = self._args, self._name
        ctx = args.context
        role = aws.iam.Role(
            f"{name}-lb-controller-role",
            description=f"{args.name_prefix}: AWS Load Balancer Controller (Pod Identity)",
            assume_role_policy=policy_json(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "pods.eks.amazonaws.com"},
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                        "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
                    }
                ]
            ),
            opts=child_options(self),
        )
        target_groups = list(args.target_group_arns.values())
        aws.iam.RolePolicy(
            f"{name}-lb-controller-policy",
            role=role.id,
            policy=pulumi.Output.all(*target_groups).apply(
                lambda arns: policy_json(
                    [
                        {
                            # Describe calls have no resource-level permissions.
                            "Sid": "Discover",
                            "Effect": "Allow",
                            "Action": [
                                "elasticloadbalancing:DescribeLoadBalancers",
                                "elasticloadbalancing:DescribeListeners",
                                "elasticloadbalancing:DescribeTargetGroups",
                                "elasticloadbalancing:DescribeTargetGroupAttributes",
                                "elasticloadbalancing:DescribeTargetHealth",
                                "elasticloadbalancing:DescribeTags",
                                "ec2:DescribeInstances",
                                "ec2:DescribeNetworkInterfaces",
                                "ec2:DescribeSecurityGroups",
                                "ec2:DescribeSubnets",
                                "ec2:DescribeVpcs",
                                "ec2:DescribeAvailabilityZones",
                            ],
                            "Resource": "*",
                        },
                        {
                            "Sid": "RegisterPods",
                            "Effect": "Allow",
                            "Action": [
                                "elasticloadbalancing:RegisterTargets",
                                "elasticloadbalancing:DeregisterTargets",
                            ],
                            "Resource": list(arns),
                        },
                    ]
                )
            ),
            opts=child_options(self),
        )
        association = aws.eks.PodIdentityAssociation(
            f"{name}-lb-controller-identity",
            cluster_name=args.cluster_name,
            namespace="kube-system",
            service_account=LB_CONTROLLER,
            role_arn=role.arn,
            opts=child_options(self),
        )
        return k8s.helm.v3.Release(
            f"{name}-lb-controller",
            name=LB_CONTROLLER,
            chart=LB_CONTROLLER,
            version=LB_CONTROLLER_CHART_VERSION,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=LB_CONTROLLER_REPO),
            namespace="kube-system",
            values={
                "clusterName": args.cluster_name,
                # Given explicitly so the controller never needs the node's metadata service.
                "region": ctx.region,
                "vpcId": args.vpc_id,
                "replicaCount": 2,
                "serviceAccount": {"create": True, "name": LB_CONTROLLER},
                # Only TargetGroupBindings are used: no Service or Ingress becomes a load
                # balancer, so the Service mutating webhook stays off.
                "enableServiceMutatorWebhook": False,
                "createIngressClassResource": False,
            },
            opts=self._in_cluster(depends_on=[association]),
        )

    def _workload(
        self, spec: WorkloadSpec, namespace: k8s.core.v1.Namespace, controller: k8s.helm.v3.Release
    ) -> None:
        args, name = self._args, f"{self._name}-{spec.name}"
        labels = {"app.kubernetes.io/name": spec.name, "app.kubernetes.io/part-of": "trading"}
        metadata = k8s.meta.v1.ObjectMetaArgs(
            name=spec.name, namespace=namespace.metadata.name, labels=labels
        )
        image = pulumi.Output.concat(args.repository_urls[spec.name], ":", args.image_tag)
        probe = k8s.core.v1.ProbeArgs(
            http_get=k8s.core.v1.HTTPGetActionArgs(path="/health", port=spec.port),
            period_seconds=10,
            timeout_seconds=2,
            failure_threshold=3,
        )
        k8s.apps.v1.Deployment(
            name,
            metadata=metadata,
            # No replica count: the HorizontalPodAutoscaler owns it (min 2).
            spec=k8s.apps.v1.DeploymentSpecArgs(
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
                strategy=k8s.apps.v1.DeploymentStrategyArgs(
                    type="RollingUpdate",
                    rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(
                        max_unavailable=0, max_surge=1
                    ),
                ),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels=labels),
                    spec=k8s.core.v1.PodSpecArgs(
                        automount_service_account_token=False,
                        security_context=k8s.core.v1.PodSecurityContextArgs(
                            run_as_non_root=True,
                            run_as_user=RUN_AS_USER,
                            run_as_group=RUN_AS_USER,
                            fs_group=RUN_AS_USER,
                            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
                        ),
                        topology_spread_constraints=[
                            k8s.core.v1.TopologySpreadConstraintArgs(
                                max_skew=1,
                                topology_key=ZONE_KEY,
                                when_unsatisfiable="DoNotSchedule",
                                label_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
                            )
                        ],
                        **placement(spec, args.node_groups),
                        containers=[
                            k8s.core.v1.ContainerArgs(
                                name=spec.name,
                                image=image,
                                ports=[
                                    k8s.core.v1.ContainerPortArgs(
                                        name="http", container_port=spec.port
                                    )
                                ],
                                resources=k8s.core.v1.ResourceRequirementsArgs(
                                    requests={
                                        "cpu": spec.cpu_request,
                                        "memory": spec.memory_request,
                                    },
                                    limits={"cpu": spec.cpu_limit, "memory": spec.memory_limit},
                                ),
                                readiness_probe=probe,
                                liveness_probe=probe,
                                security_context=k8s.core.v1.SecurityContextArgs(
                                    allow_privilege_escalation=False,
                                    read_only_root_filesystem=True,
                                    capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
                                ),
                                # The only writable path, for runtimes that need scratch space.
                                volume_mounts=[
                                    k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")
                                ],
                            )
                        ],
                        volumes=[
                            k8s.core.v1.VolumeArgs(
                                name="tmp", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs()
                            )
                        ],
                    ),
                ),
            ),
            opts=self._in_cluster(),
        )
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb",
            metadata=metadata,
            spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                max_unavailable=1,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels),
            ),
            opts=self._in_cluster(),
        )
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-hpa",
            metadata=metadata,
            spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
                scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
                    api_version="apps/v1", kind="Deployment", name=spec.name
                ),
                min_replicas=spec.min_replicas,
                max_replicas=spec.max_replicas,
                metrics=[
                    k8s.autoscaling.v2.MetricSpecArgs(
                        type="Resource",
                        resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(
                            name="cpu",
                            target=k8s.autoscaling.v2.MetricTargetArgs(
                                type="Utilization", average_utilization=CPU_TARGET_PERCENT
                            ),
                        ),
                    )
                ],
            ),
            opts=self._in_cluster(),
        )
        if not spec.exposed:
            return
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=metadata,
            spec=k8s.core.v1.ServiceSpecArgs(
                type="ClusterIP",
                selector=labels,
                ports=[
                    k8s.core.v1.ServicePortArgs(name="http", port=spec.port, target_port=spec.port)
                ],
            ),
            opts=self._in_cluster(),
        )
        k8s.apiextensions.CustomResource(
            f"{name}-target-group-binding",
            api_version="elbv2.k8s.aws/v1beta1",
            kind="TargetGroupBinding",
            metadata=metadata,
            spec={
                "serviceRef": {"name": service.metadata.name, "port": spec.port},
                "targetGroupARN": args.target_group_arns[spec.name],
                "targetType": "ip",
            },
            # The chart installs the TargetGroupBinding CRD and the controller that acts on it.
            opts=self._in_cluster(depends_on=[controller]),
        )


def _as_text(kubeconfig: Any) -> str:
    """The Kubernetes provider takes the kubeconfig as a string; pulumi-eks gives an object."""
    return kubeconfig if isinstance(kubeconfig, str) else json.dumps(kubeconfig)
