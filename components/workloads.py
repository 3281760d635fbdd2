"""TradingWorkloads: the API, WebSocket and consumer services on the service cluster.

Each service is a Deployment (seed 002 section 11.8's requests and limits) with probes on
``/health``, a PodDisruptionBudget, a CPU HorizontalPodAutoscaler and pods spread over the
availability zones, running non-root on a read-only root filesystem in a namespace that
enforces the ``restricted`` Pod Security Standard. Each lands on the node group its spec in
``services.SERVICES`` names (``node-type`` label, tolerating that group's taint), or on the
single shared group of a tier that has only one (``general`` in the startup tier); see
``services.node_group_for``.

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
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .aws_context import AwsContext, policy_json
from .blocks import PodRole, child_options, pod_identity
from .blocks import ServiceAccount as Account
from .config import NodeGroupConfig
from .service_cluster import NODE_TYPE_LABEL
from .services import EXPOSED, SERVICES, Service, ServiceSpec, node_group_for

NAMESPACE = "trading"
RUN_AS_USER = 10001
CPU_TARGET_PERCENT = 70
ZONE_KEY = "topology.kubernetes.io/zone"
LB_CONTROLLER = "aws-load-balancer-controller"
LB_CONTROLLER_CHART_VERSION = "1.13.0"  # controller v2.13.0
LB_CONTROLLER_REPO = "https://aws.github.io/eks-charts"


@dataclass(frozen=True)
class TradingWorkloadsArgs:
    name_prefix: str
    kubeconfig: pulumi.Input[Any]
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    node_groups: Sequence[NodeGroupConfig]
    repository_urls: Mapping[Service, pulumi.Input[str]]
    image_tag: str | None  # None: nothing pushed yet, so no Deployments (and no HPAs, PDBs)
    target_group_arns: Mapping[Service, pulumi.Input[str]]  # one per exposed service
    context: AwsContext
    # Each service's data flows (``components.access.access_policy``); missing or None: a role
    # with no permissions.
    access_policies: Mapping[Service, pulumi.Input[str] | None] = field(default_factory=dict)
    # Where each service connects (endpoints and secret ARNs, never a credential).
    environment: Mapping[Service, Mapping[str, pulumi.Input[str]]] = field(default_factory=dict)


def placement(spec: ServiceSpec, groups: Sequence[NodeGroupConfig]) -> dict[str, Any]:
    """nodeSelector and tolerations putting ``spec`` on its node group (``node_group_for``)."""
    group = node_group_for(spec, groups)
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
    role_arns: dict[Service, pulumi.Output[str]]  # each service's Pod Identity role

    def __init__(
        self, name: str, args: TradingWorkloadsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Checked before registering anything, like the placements below.
        missing = [str(s.service) for s in EXPOSED if s.service not in args.target_group_arns]
        missing += [str(service) for service in SERVICES if service not in args.repository_urls]
        if missing:
            raise ValueError(f"TradingWorkloads: no target group or repository for {missing}")
        placements = {
            service: placement(spec, args.node_groups) for service, spec in SERVICES.items()
        }
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
        # The first `up` creates the cluster and the (empty) repositories; the controller and
        # the services follow with the first release, once a tag is set. So a new stack's
        # preview needs no API server: the Helm release is the one resource that contacts it
        # even in preview, and the cluster does not exist yet.
        # Each service's AWS identity exists from the first `up`, so the first release's pods
        # start with their credentials (the Pod Identity webhook acts when a pod is admitted).
        accounts = {
            service: self._service_account(spec, namespace) for service, spec in SERVICES.items()
        }
        if args.image_tag is not None:
            controller = self._load_balancer_controller()
            for service, spec in SERVICES.items():
                self._workload(
                    spec, placements[service], accounts[service], controller, args.image_tag
                )
        self.namespace = namespace.metadata.name
        self.role_arns = {service: account.role_arn for service, account in accounts.items()}
        self.register_outputs(
            {
                "namespace": self.namespace,
                "roleArns": {str(k): v for k, v in self.role_arns.items()},
            }
        )

    def _in_cluster(
        self, depends_on: Sequence[pulumi.Resource] | None = None
    ) -> pulumi.ResourceOptions:
        return child_options(self, provider=self._k8s, depends_on=depends_on)

    def _service_account(
        self, spec: ServiceSpec, namespace: k8s.core.v1.Namespace
    ) -> ServiceIdentity:
        """The service's Kubernetes service account and the Pod Identity role bound to it."""
        args, service = self._args, spec.service
        identity = pod_identity(
            PodRole(
                resource_name=f"{self._name}-{service}",
                parent=self,
                ctx=args.context,
                cluster_name=args.cluster_name,
                account=Account(NAMESPACE, str(service)),
                description=f"{args.name_prefix}: the {service} service's pods (Pod Identity)",
                policy=args.access_policies.get(service),
            )
        )
        account = k8s.core.v1.ServiceAccount(
            f"{self._name}-{service}-sa",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=str(service), namespace=namespace.metadata.name, labels=_labels(spec)
            ),
            opts=self._in_cluster(),
        )
        return ServiceIdentity(
            account=account, association=identity.association, role_arn=identity.role.arn
        )

    def _load_balancer_controller(self) -> k8s.helm.v3.Release:
        args, name = self._args, self._name
        ctx = args.context
        target_groups = list(args.target_group_arns.values())
        identity = pod_identity(
            PodRole(
                resource_name=f"{name}-lb-controller",
                parent=self,
                ctx=ctx,
                cluster_name=args.cluster_name,
                account=Account("kube-system", LB_CONTROLLER),
                description=f"{args.name_prefix}: AWS Load Balancer Controller (Pod Identity)",
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
            )
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
            opts=self._in_cluster(depends_on=[identity.association]),
        )

    def _workload(
        self,
        spec: ServiceSpec,
        placed: dict[str, Any],
        account: ServiceIdentity,
        controller: k8s.helm.v3.Release,
        image_tag: str,
    ) -> None:
        args, service = self._args, spec.service
        name, sizing = f"{self._name}-{service}", spec.sizing
        labels = _labels(spec)
        metadata = k8s.meta.v1.ObjectMetaArgs(
            name=str(service), namespace=account.account.metadata.namespace, labels=labels
        )
        environment = [
            k8s.core.v1.EnvVarArgs(name=key, value=value)
            for key, value in sorted(args.environment.get(service, {}).items())
        ]
        image = pulumi.Output.concat(args.repository_urls[service], ":", image_tag)
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
                        service_account_name=account.account.metadata.name,
                        # The Pod Identity webhook projects its token only into pods that mount
                        # their service account's (PeerDB-io/peerdb-enterprise#43); the account
                        # has no RBAC bindings, so the Kubernetes token grants nothing.
                        automount_service_account_token=True,
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
                        **placed,
                        containers=[
                            k8s.core.v1.ContainerArgs(
                                name=str(service),
                                image=image,
                                env=environment,
                                ports=[
                                    k8s.core.v1.ContainerPortArgs(
                                        name="http", container_port=spec.port
                                    )
                                ],
                                resources=k8s.core.v1.ResourceRequirementsArgs(
                                    requests={
                                        "cpu": sizing.cpu_request,
                                        "memory": sizing.memory_request,
                                    },
                                    limits={"cpu": sizing.cpu_limit, "memory": sizing.memory_limit},
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
            opts=self._in_cluster(depends_on=[account.association]),
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
                    api_version="apps/v1", kind="Deployment", name=str(service)
                ),
                min_replicas=sizing.min_replicas,
                max_replicas=sizing.max_replicas,
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
        k8s_service = k8s.core.v1.Service(
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
                "serviceRef": {"name": k8s_service.metadata.name, "port": spec.port},
                "targetGroupARN": args.target_group_arns[service],
                "targetType": "ip",
            },
            # The chart installs the TargetGroupBinding CRD and the controller that acts on it.
            opts=self._in_cluster(depends_on=[controller]),
        )


@dataclass(frozen=True)
class ServiceIdentity:
    account: k8s.core.v1.ServiceAccount
    association: aws.eks.PodIdentityAssociation  # pods admitted before it get no credentials
    role_arn: pulumi.Output[str]


def _labels(spec: ServiceSpec) -> dict[str, str]:
    return {"app.kubernetes.io/name": str(spec.service), "app.kubernetes.io/part-of": "trading"}


def _as_text(kubeconfig: Any) -> str:
    """The Kubernetes provider takes the kubeconfig as a string; pulumi-eks gives an object."""
    return kubeconfig if isinstance(kubeconfig, str) else json.dumps(kubeconfig)
