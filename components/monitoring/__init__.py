"""In-cluster monitoring: kube-prometheus-stack, its identities and its dashboards."""

from .component import InClusterMonitoring, InClusterMonitoringArgs

__all__ = ["InClusterMonitoring", "InClusterMonitoringArgs"]
