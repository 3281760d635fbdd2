"""DrNetwork: the DR region's VPC, built like the primary's so the apps can move into it.

The same builder as ``TradingVpc``, in the DR region: the primary's four subnet tiers at the
primary's offsets inside ``postgres.drVpcCidr``, the same routing (internet gateway for the public
tier, local routes for the database and engine tiers), an S3 gateway endpoint, flow logs, a locked
default group, and a security group per role with the rules of the same reachability table. The
cross-region replica lives in its database tier; its group admits the DR proxy as the primary's
admits the primary's, so the promoted database is reachable the moment the apps arrive.

What bills by the hour while nobody uses it (NAT gateways, interface endpoints) follows
``drNetwork`` and is off while standing by; a failover turns it on (README, "Failing over").
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from .aws_context import AwsContext
from .config import NetworkConfig
from .reachability import Flow, Role
from .vpc import TradingVpc, TradingVpcArgs

# The DR database group predates its rules; EC2 replaces a group to change its description, and
# the group holds the live replica, so the first description stays.
DATABASE_GROUP_DESCRIPTION = "{prefix} database: no rules until a failover runbook adds them"


@dataclass(frozen=True)
class DrNetworkSettings:
    """What the stack decides about the DR network; the data layer adds the DR logs key."""

    region: str
    network: NetworkConfig  # ``StackConfig.dr_network_config``
    cluster_name: str  # the Kubernetes subnet tags, as in the primary
    cloudfront_prefix_list_id: pulumi.Input[str]  # the managed list's id in the DR region
    reachability: tuple[Flow, ...]  # without the deployer flows: the failover stack's
    # Per AZ when the primary's NAT is, so the failover stack can add a NAT per AZ.
    private_route_table_per_az: bool = False
    failover: bool = False  # drNetwork.failover: the DR replica is promoted

    def vpc_args(
        self,
        *,
        name_prefix: str,
        logs_kms_key_arn: pulumi.Input[str],
        context: AwsContext,
        protect: bool,
    ) -> TradingVpcArgs:
        prefix = f"{name_prefix}-dr"
        return TradingVpcArgs(
            name_prefix=prefix,
            network=self.network,
            availability_zones=self.network.availability_zones,
            cluster_name=self.cluster_name,
            cloudfront_prefix_list_id=self.cloudfront_prefix_list_id,
            logs_kms_key_arn=logs_kms_key_arn,
            context=context,
            protect=protect,
            reachability=self.reachability,
            region=self.region,
            private_route_table_per_az=self.private_route_table_per_az,
            security_group_descriptions={
                Role.DATABASE: DATABASE_GROUP_DESCRIPTION.format(prefix=prefix)
            },
        )


class DrNetwork(TradingVpc):
    # The token the DR network was first deployed under: its children's URNs hang off it, and a
    # new one would replace the live replica's subnet group and security group.
    TYPE = "trading:data:DrDatabaseNetwork"
