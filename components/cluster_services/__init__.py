"""The cluster services: what makes the service cluster work once it exists (pod metrics,
node autoscaling, log shipping, persistent volumes); see ``component``."""

from .component import ClusterServices, ClusterServicesArgs

__all__ = ["ClusterServices", "ClusterServicesArgs"]
