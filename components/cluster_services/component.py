"""ClusterServices: pod metrics, node autoscaling, log shipping and persistent volumes.

- metrics-server, an EKS community add-on, gives the HorizontalPodAutoscalers their CPU metrics.
- The Cluster Autoscaler (Helm) grows and shrinks the tiered managed node groups, within each
  group's min and max; it owns their desired size (``ServiceCluster`` ignores its drift).
- Fluent Bit (Helm) ships every container's log: each service's to its own log group, every
  other pod's to the cluster's pod log group, created here with the logs CMK.
- The EBS CSI driver (EKS add-on) and a default gp3 StorageClass encrypted with the cluster CMK.

Each service that calls AWS has its own Pod Identity role, trusted only for its service account
of this cluster, with only what it needs. EKS add-ons do not contact the Kubernetes API, so
they are created with the cluster; Helm releases and Kubernetes objects do, even in preview, so
they are created only when ``install_charts`` says the cluster is reachable (``__main__``: once
``eks.imageTag`` is set, the same gate as the workloads).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.aws_context import AwsContext
from components.blocks import (
    PodRole,
    ServiceAccount,
    add_on_identity,
    child_options,
    encrypted_log_group,
    pod_identity_role,
    statements_json,
)
from components.service_cluster import RESOLVE_CONFLICTS, addon_version
from components.services import SERVICES, Service
from components.versions import CLUSTER_AUTOSCALER_CHARTS

from . import autoscaler, log_shipping, storage

METRICS_SERVER = "metrics-server"
FLUENT_BIT_CHART_VERSION = "0.2.1"  # aws-for-fluent-bit 3.4.16 (aws/eks-charts Chart.yaml)


@dataclass(frozen=True)
class ClusterServicesArgs:
    name_prefix: str
    # An output that exists once the cluster and its nodes do (ServiceCluster.cluster_name), so
    # nothing here races the cluster.
    cluster_name: pulumi.Output[str]
    kubernetes_version: str  # eks.version: the add-on versions and the autoscaler's chart
    kubeconfig: pulumi.Input[Any]
    cluster_key_arn: pulumi.Input[str]  # the cluster CMK: persistent volumes are encrypted with it
    service_log_group_names: Mapping[Service, pulumi.Input[str]]
    service_log_group_arns: Mapping[Service, pulumi.Input[str]]
    logs_kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    context: AwsContext
    install_charts: bool  # False: no Helm release and no Kubernetes object (no API server yet)
    protect: bool


class ClusterServices(pulumi.ComponentResource):
    pod_log_group_name: pulumi.Output[str]
    storage_class_name: pulumi.Output[str] | None  # None until the charts are installed
    # The in-cluster provider and the default StorageClass, for other in-cluster components
    # (components.monitoring); None until the charts are installed.
    kubernetes_provider: k8s.Provider | None
    storage_class: k8s.storage.v1.StorageClass | None

    def __init__(
        self, name: str, args: ClusterServicesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Checked before registering anything.
        missing = [
            str(service)
            for service in SERVICES
            if service not in args.service_log_group_names
            or service not in args.service_log_group_arns
        ]
        if missing:
            raise ValueError(f"ClusterServices: no log group for {missing}")
        chart = CLUSTER_AUTOSCALER_CHARTS.get(args.kubernetes_version)
        if args.install_charts and chart is None:
            known = ", ".join(sorted(CLUSTER_AUTOSCALER_CHARTS))
            raise ValueError(
                f"no Cluster Autoscaler chart for EKS {args.kubernetes_version} (known: {known});"
                " add its line to components/versions.py CLUSTER_AUTOSCALER_CHARTS"
            )
        super().__init__("trading:cluster:ClusterServices", name, None, opts)
        self._name = name
        self._args = args

        self._addon(METRICS_SERVER, METRICS_SERVER)
        ebs_csi = self._ebs_csi_driver()
        pod_logs = encrypted_log_group(
            f"{name}-pod-logs",
            parent=self,
            name=f"/{args.name_prefix}/cluster/pods",
            kms_key_arn=args.logs_kms_key_arn,
            retention_in_days=args.log_retention_days,
            protect=args.protect,
        )
        self.pod_log_group_name = pod_logs.name
        self.storage_class_name = None
        self.kubernetes_provider = None
        self.storage_class = None
        if args.install_charts and chart is not None:
            self._k8s = k8s.Provider(
                f"{name}-k8s",
                kubeconfig=pulumi.Output.from_input(args.kubeconfig).apply(kubeconfig_text),
                opts=child_options(self),
            )
            self.kubernetes_provider = self._k8s
            self.storage_class = self._storage_class(ebs_csi)
            self.storage_class_name = self.storage_class.metadata.name
            self._cluster_autoscaler(chart)
            self._log_shipper(pod_logs)
        self.register_outputs(
            {
                "podLogGroupName": self.pod_log_group_name,
                "storageClassName": self.storage_class_name,
            }
        )

    def _addon(
        self,
        addon: str,
        resource_name: str,
        identity: tuple[aws.iam.Role, ServiceAccount, Sequence[pulumi.Resource]] | None = None,
    ) -> aws.eks.Addon:
        associations = None
        depends_on: list[pulumi.Resource] = []
        if identity is not None:
            role, account, grants = identity
            # The add-on binds its own service account to the role (EKS add-ons' Pod Identity
            # support), so the driver never starts without credentials.
            associations = [
                aws.eks.AddonPodIdentityAssociationArgs(
                    role_arn=role.arn, service_account=account.name
                )
            ]
            depends_on = list(grants)
        return aws.eks.Addon(
            f"{self._name}-{resource_name}",
            cluster_name=self._args.cluster_name,
            addon_name=addon,
            addon_version=addon_version(addon, self._args.kubernetes_version, self),
            resolve_conflicts_on_create=RESOLVE_CONFLICTS,
            resolve_conflicts_on_update=RESOLVE_CONFLICTS,
            pod_identity_associations=associations,
            opts=child_options(self, depends_on=depends_on),
        )

    def _ebs_csi_driver(self) -> aws.eks.Addon:
        args = self._args
        ctx = args.context
        role, grants = pod_identity_role(
            PodRole(
                resource_name=f"{self._name}-ebs-csi",
                parent=self,
                description=f"{args.name_prefix}: EBS CSI driver (Pod Identity)",
                ctx=ctx,
                cluster_name=args.cluster_name,
                account=storage.SERVICE_ACCOUNT,
                policy=statements_json(
                    pulumi.Output.from_input(args.cluster_key_arn).apply(storage.key_statements)
                ),
                managed_policy_arns=[storage.managed_policy_arn(ctx)],
            )
        )
        return self._addon(storage.ADDON, "ebs-csi-driver", (role, storage.SERVICE_ACCOUNT, grants))

    def _in_cluster(self, depends_on: Sequence[pulumi.Resource]) -> pulumi.ResourceOptions:
        return child_options(self, provider=self._k8s, depends_on=depends_on)

    def _storage_class(self, driver: aws.eks.Addon) -> k8s.storage.v1.StorageClass:
        """The default class: gp3, encrypted with the cluster key, bound where the pod lands
        (an EBS volume lives in one AZ, so it is created in the AZ the scheduler picked), and
        kept when its claim is deleted: the monitoring stack's data outlives a reinstall."""
        storage_class = k8s.storage.v1.StorageClass(
            f"{self._name}-storage-class",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=storage.STORAGE_CLASS,
                annotations={storage.DEFAULT_CLASS_ANNOTATION: "true"},
            ),
            provisioner=storage.PROVISIONER,
            parameters=pulumi.Output.from_input(self._args.cluster_key_arn).apply(
                storage.storage_class_parameters
            ),
            reclaim_policy="Retain",
            volume_binding_mode="WaitForFirstConsumer",
            allow_volume_expansion=True,
            opts=self._in_cluster(depends_on=[driver]),
        )
        return storage_class

    def _cluster_autoscaler(self, chart_version: str) -> None:
        args, ctx = self._args, self._args.context
        association = add_on_identity(
            self,
            self._args,
            "cluster-autoscaler",
            "Cluster Autoscaler",
            autoscaler.SERVICE_ACCOUNT,
            statements_json(
                args.cluster_name.apply(lambda cluster: autoscaler.statements(ctx, cluster))
            ),
        )
        self._release(
            "cluster-autoscaler",
            chart=autoscaler.CHART,
            version=chart_version,
            repository=autoscaler.REPOSITORY,
            namespace=autoscaler.SERVICE_ACCOUNT.namespace,
            values=args.cluster_name.apply(lambda cluster: autoscaler.helm_values(ctx, cluster)),
            association=association,
        )

    def _log_shipper(self, pod_logs: aws.cloudwatch.LogGroup) -> None:
        args, ctx = self._args, self._args.context
        services = sorted(SERVICES)
        arns = [args.service_log_group_arns[s] for s in services]
        association = add_on_identity(
            self,
            self._args,
            "log-shipper",
            "Fluent Bit log shipping",
            log_shipping.SERVICE_ACCOUNT,
            statements_json(
                pulumi.Output.all(*arns, pod_logs.arn).apply(
                    lambda resolved: log_shipping.statements(list(resolved))
                )
            ),
        )
        names = pulumi.Output.all(*[args.service_log_group_names[s] for s in services])
        values = pulumi.Output.all(names, pod_logs.name).apply(
            lambda resolved: log_shipping.helm_values(
                ctx, dict(zip(services, resolved[0], strict=True)), resolved[1]
            )
        )
        self._release(
            "log-shipper",
            chart=log_shipping.CHART,
            version=FLUENT_BIT_CHART_VERSION,
            repository=log_shipping.REPOSITORY,
            namespace=log_shipping.SERVICE_ACCOUNT.namespace,
            values=values,
            association=association,
        )

    def _release(
        self,
        key: str,
        *,
        chart: str,
        version: str,
        repository: str,
        namespace: str,
        values: pulumi.Input[Mapping[str, Any]],
        association: aws.eks.PodIdentityAssociation,
    ) -> k8s.helm.v3.Release:
        """A chart whose pods start only once their Pod Identity association exists."""
        return k8s.helm.v3.Release(
            f"{self._name}-{key}",
            name=chart,
            chart=chart,
            version=version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=repository),
            namespace=namespace,
            values=values,
            opts=self._in_cluster(depends_on=[association]),
        )


def kubeconfig_text(kubeconfig: Any) -> str:
    """The Kubernetes provider takes the kubeconfig as a string; pulumi-eks gives an object."""
    return kubeconfig if isinstance(kubeconfig, str) else json.dumps(kubeconfig)
