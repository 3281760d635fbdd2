"""ServiceCluster gives each node group the AL2023 AMI of its instance type's architecture."""

from __future__ import annotations

from components.config import load_stack_config
from components.service_cluster import ServiceCluster, ServiceClusterArgs
from offline.runner import run_component
from offline.stack_files import read_stack_files

from .edge_cluster_fixtures import CONTEXT
from .test_service_cluster import control_plane_sg


def test_graviton_and_x86_node_groups_get_their_own_ami_type() -> None:
    groups = {
        "api": {"instanceType": "c6i.xlarge", "min": 1, "desired": 1, "max": 2},
        "graviton": {"instanceType": "c7g.xlarge", "min": 1, "desired": 1, "max": 2},
    }
    files = read_stack_files("dev", overrides={"trading-platform:eks": {"nodeGroups": groups}})
    config = load_stack_config(files.values, stack="dev")

    def build() -> None:
        ServiceCluster(
            "services",
            ServiceClusterArgs(
                name_prefix="trading-test",
                eks=config.eks,
                vpc_id="vpc-0test",
                private_subnet_ids=["subnet-0priv0", "subnet-0priv1"],
                control_plane_security_group=control_plane_sg(),
                node_security_group_id="sg-0app",
                context=CONTEXT,
                protect=False,
            ),
        )

    run = run_component(build, preview=False)
    ami_types = {
        group.get("nodeGroupNamePrefix"): group.get("amiType")
        for group in run.of_type("aws:eks/nodeGroup:NodeGroup")
    }
    assert ami_types == {
        "general-": "AL2023_x86_64_STANDARD",
        "api-": "AL2023_x86_64_STANDARD",
        "graviton-": "AL2023_ARM_64_STANDARD",
    }
