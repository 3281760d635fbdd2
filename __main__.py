"""trading-platform: the AWS infrastructure of a low-latency trading platform.

config -> typed args -> components -> outputs -> exports (DESIGN.md). The config is validated
in full before the first resource is registered.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.aws_context import lookup_aws_context
from components.config import SubnetTier, from_pulumi
from components.edge import EdgeProtection, EdgeProtectionArgs
from components.logs_key import LogsEncryptionKey, LogsEncryptionKeyArgs
from components.reachability import Role
from components.service_cluster import ServiceCluster, ServiceClusterArgs
from components.vpc import TradingVpc, TradingVpcArgs
from components.workloads import TradingWorkloads, TradingWorkloadsArgs

CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"

config = from_pulumi()

# One explicit provider carries the default tags to every taggable resource; resources in
# us-east-1 or the DR region use it too and pass ``region=`` (pulumi-aws v7).
provider = aws.Provider(
    "aws",
    region=config.region,
    default_tags=aws.ProviderDefaultTagsArgs(tags=config.default_tags),
)
invoke = pulumi.InvokeOptions(provider=provider)
context = lookup_aws_context(config.region, provider)
# Only regular AZs: Local and Wavelength Zones lack most of the services the tiers need.
zones = aws.get_availability_zones(
    state="available",
    filters=[
        aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])
    ],
    opts=invoke,
).names
cloudfront_prefix_list = aws.ec2.get_managed_prefix_list(name=CLOUDFRONT_ORIGIN_FACING, opts=invoke)

in_stack = pulumi.ResourceOptions(provider=provider)
logs_key = LogsEncryptionKey(
    "logs",
    LogsEncryptionKeyArgs(
        name_prefix=config.name_prefix, context=context, protect=config.protect_stateful
    ),
    opts=in_stack,
)
network = TradingVpc(
    "network",
    TradingVpcArgs(
        name_prefix=config.name_prefix,
        network=config.network,
        availability_zones=zones,
        cluster_name=config.eks.cluster_name,
        cloudfront_prefix_list_id=cloudfront_prefix_list.id,
        logs_kms_key_arn=logs_key.key_arn,
        context=context,
        protect=config.protect_stateful,
    ),
    opts=in_stack,
)

edge = EdgeProtection(
    "edge",
    EdgeProtectionArgs(
        name_prefix=config.name_prefix,
        edge=config.edge,
        vpc_id=network.vpc_id,
        public_subnet_ids=network.subnet_ids[SubnetTier.PUBLIC],
        alb_security_group_id=network.security_group_ids[Role.ALB],
        context=context,
        protect=config.protect_stateful,
    ),
    opts=in_stack,
)
cluster = ServiceCluster(
    "services",
    ServiceClusterArgs(
        name_prefix=config.name_prefix,
        eks=config.eks,
        vpc_id=network.vpc_id,
        private_subnet_ids=network.subnet_ids[SubnetTier.PRIVATE],
        control_plane_security_group_id=network.security_group_ids[Role.EKS_CONTROL_PLANE],
        node_security_group_id=network.security_group_ids[Role.APP],
        context=context,
        protect=config.protect_stateful,
    ),
    opts=in_stack,
)
TradingWorkloads(
    "workloads",
    TradingWorkloadsArgs(
        name_prefix=config.name_prefix,
        kubeconfig=cluster.kubeconfig,
        cluster_name=cluster.cluster_name,
        vpc_id=network.vpc_id,
        node_groups=config.eks.node_groups,
        repository_urls=cluster.repository_urls,
        image_tag=config.eks.image_tag,
        target_group_arns=edge.target_group_arns,
        context=context,
    ),
    opts=in_stack,
)

pulumi.export("tier", config.tier)
pulumi.export("region", config.region)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("subnetIds", {tier.value: network.subnet_ids[tier] for tier in SubnetTier})
pulumi.export(
    "securityGroupIds", {role.value: sg for role, sg in network.security_group_ids.items()}
)
pulumi.export("dbSubnetGroupName", network.db_subnet_group_name)
pulumi.export("cacheSubnetGroupName", network.cache_subnet_group_name)
pulumi.export("flowLogGroupName", network.flow_log_group_name)
pulumi.export("logsKmsKeyArn", logs_key.key_arn)
pulumi.export("siteUrl", edge.site_url)
pulumi.export("cloudFrontDomainName", edge.distribution_domain_name)
pulumi.export("albDnsName", edge.alb_dns_name)
pulumi.export("webAclArn", edge.web_acl_arn)
pulumi.export("clusterName", cluster.cluster_name)
pulumi.export("kubeconfig", pulumi.Output.secret(cluster.kubeconfig))
pulumi.export("ecrRepositoryUrls", cluster.repository_urls)
