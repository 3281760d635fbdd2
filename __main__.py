"""trading-platform: the AWS infrastructure of a low-latency trading platform.

config -> typed args -> components -> outputs -> exports (DESIGN.md). The config is validated
in full before the first resource is registered.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.access import (
    AccessTargetInputs,
    access_policy,
    connection_environment,
)
from components.alarms import AlarmTargets, ServerlessCacheLimits
from components.aws_context import lookup_aws_context
from components.cluster_services import ClusterServices, ClusterServicesArgs
from components.config import CacheAuth, NatStrategy, SubnetTier, from_pulumi
from components.config.monitoring import scrape_flows
from components.data_layer import DataLayer, DataLayerArgs
from components.dr_attached_network import AttachedDrNetwork, AttachedDrNetworkArgs
from components.dr_backup import BackupCopiesTarget
from components.dr_network import DrNetworkSettings
from components.edge import EdgeProtection, EdgeProtectionArgs, LoggedBucket
from components.kafka import KafkaCluster, KafkaClusterArgs
from components.logs_key import LogsEncryptionKey, LogsEncryptionKeyArgs
from components.matching_engine import MatchingEngineFleet, MatchingEngineFleetArgs
from components.monitoring import InClusterMonitoring, InClusterMonitoringArgs
from components.observability import Observability, ObservabilityArgs
from components.prerequisites import autoscaling_service_linked_role
from components.reachability import Role, reachability
from components.service_cluster import ServiceCluster, ServiceClusterArgs
from components.services import Service
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


def regular_zones(region: str | None = None) -> list[str]:
    """Only regular AZs: Local and Wavelength Zones lack most of the services the tiers need."""
    zones = aws.get_availability_zones(
        state="available",
        filters=[
            aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"])
        ],
        region=region,
        opts=invoke,
    ).names
    return list(zones)


# The zones are pinned in config; the live lookup only checks this account is offered them.
config.network.check_offered_zones(regular_zones(), config.region)
zones = list(config.network.availability_zones)
cloudfront_prefix_list = aws.ec2.get_managed_prefix_list(name=CLOUDFRONT_ORIGIN_FACING, opts=invoke)

in_stack = pulumi.ResourceOptions(provider=provider)
# Key policies of instance volumes name Auto Scaling's service-linked role: found, or created.
autoscaling_role = autoscaling_service_linked_role(
    create=config.prerequisites.create_auto_scaling_service_linked_role,
    opts=in_stack,
    invoke=invoke,
)
logs_key = LogsEncryptionKey(
    "logs",
    LogsEncryptionKeyArgs(
        name_prefix=config.name_prefix, context=context, protect=config.protect_stateful
    ),
    opts=in_stack,
)
network: TradingVpc | AttachedDrNetwork
if config.failover_from is None:
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
            reachability=reachability(
                kafka_scram=config.kafka.scram,
                cache_serverless=config.cache.is_serverless,
                deployer_access=config.eks.has_private_access_path,
                monitoring=scrape_flows(config),
                cache_iam=config.cache.auth is CacheAuth.IAM,
                database_rotation=config.postgres.self_managed_master_password,
            ),
            deployer_cidrs=config.eks.private_access_cidrs,
            deployer_security_group_ids=config.eks.private_access_security_group_ids,
        ),
        opts=in_stack,
    )
else:
    # The failover stack: the primary stack's DR network, plus NAT, endpoints and deployers.
    network = AttachedDrNetwork(
        "network",
        AttachedDrNetworkArgs(
            name_prefix=config.name_prefix,
            attached=config.failover_from.network,
            network=config.network,
            deployer_cidrs=config.eks.private_access_cidrs,
            deployer_security_group_ids=config.eks.private_access_security_group_ids,
        ),
        opts=in_stack,
    )
kafka = KafkaCluster(
    "kafka",
    KafkaClusterArgs(
        name_prefix=config.name_prefix,
        kafka=config.kafka,
        subnet_ids=network.subnet_ids[SubnetTier.PRIVATE],
        security_group_id=network.security_group_ids[Role.KAFKA],
        logs_kms_key_arn=logs_key.key_arn,
        context=context,
        protect=config.protect_stateful,
    ),
    opts=in_stack,
)
# The cross-region replica needs AZs of the DR region; nothing else looks there.
dr_network = None
if config.has_dr_replica and config.dr_region and config.dr_network_config:
    config.check_offered_dr_zones(regular_zones(config.dr_region))
    # The DR network: the primary's tiers and the same table. Its deployer rules belong to the
    # failover stack, which knows its own deployers (the runners here live in this VPC).
    dr_network = DrNetworkSettings(
        region=config.dr_region,
        network=config.dr_network_config,
        cluster_name=config.eks.cluster_name,
        cloudfront_prefix_list_id=aws.ec2.get_managed_prefix_list(
            name=CLOUDFRONT_ORIGIN_FACING, region=config.dr_region, opts=invoke
        ).id,
        reachability=reachability(
            kafka_scram=config.kafka.scram,
            cache_serverless=config.cache.is_serverless,
            monitoring=scrape_flows(config),
            cache_iam=config.cache.auth is CacheAuth.IAM,
        ),
        private_route_table_per_az=config.network.nat_strategy is NatStrategy.PER_AZ,
        failover=config.dr_network.failover,
    )
data = DataLayer(
    "data",
    DataLayerArgs(
        name_prefix=config.name_prefix,
        postgres=config.postgres,
        cache=config.cache,
        context=context,
        db_subnet_group_name=network.db_subnet_group_name,
        cache_subnet_group_name=network.cache_subnet_group_name,
        database_subnet_ids=network.subnet_ids[SubnetTier.DATABASE],
        database_security_group_id=network.security_group_ids[Role.DATABASE],
        proxy_security_group_id=network.security_group_ids[Role.DB_PROXY],
        cache_security_group_id=network.security_group_ids[Role.CACHE],
        rotation_security_group_id=network.security_group_ids[Role.ROTATION],
        logs_kms_key_arn=logs_key.key_arn,
        protect=config.protect_stateful,
        availability_zones=zones,
        dr_network=dr_network,
        attached_database=config.failover_from.database if config.failover_from else None,
        backup_copies=(
            BackupCopiesTarget(config.dr_region, config.backup_copy_retention_days)
            if config.has_backup_copies and config.dr_region
            else None
        ),
        database_users=[
            access.database_user
            for access in config.access.by_workload().values()
            if access.database_user is not None
        ],
    ),
    opts=in_stack,
)

# The identity half of every flow: each workload's IAM statements, from `access` (the config
# already refused a need without its flow in the reachability table).
workload_access = config.access.by_workload()
access_targets = AccessTargetInputs(
    context=context,
    kafka_cluster_arn=kafka.cluster_arn,
    topic_arns=kafka.topic_arns,
    proxy_arn=data.proxy_arn,
    database_secret_arn=data.database_secret_arn,
    cache_secret_arn=data.cache_secret_arn,
    secrets_key_arn=data.data_key_arn,
    cache_connect_arns=data.cache_iam_connect_arns,
)


def connections(workload: str) -> dict[str, pulumi.Input[str]]:
    return connection_environment(
        workload_access[workload],
        region=config.region,
        kafka_bootstrap_servers=kafka.bootstrap_brokers_iam,
        database_secret_arn=data.database_secret_arn,
        cache_secret_arn=data.cache_secret_arn,
    )


engine = MatchingEngineFleet(
    "matching-engine",
    MatchingEngineFleetArgs(
        name_prefix=config.name_prefix,
        engine=config.matching_engine,
        vpc_id=network.vpc_id,
        subnet_ids=network.subnet_ids[SubnetTier.MATCHING_ENGINE],
        security_group_id=network.security_group_ids[Role.MATCHING_ENGINE],
        nlb_security_group_id=network.security_group_ids[Role.MATCHING_ENGINE_NLB],
        logs_kms_key_arn=logs_key.key_arn,
        kafka_bootstrap_servers=kafka.bootstrap_brokers_iam,
        data_access_policy=access_policy(workload_access["matching-engine"], access_targets),
        database_secret_arn=data.database_secret_arn,
        cache_secret_arn=data.cache_secret_arn,
        database_user=config.access.matching_engine.database_user,
        context=context,
        protect=config.protect_stateful,
        volume_key_dependencies=autoscaling_role,
        dr_region=config.dr_region if config.replicates_artifacts else None,
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
        access_logged_buckets=[
            LoggedBucket(
                "engine-artifacts", engine.artifact_bucket_name, engine.artifact_bucket_arn
            )
        ],
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
        control_plane_security_group=network.security_groups[Role.EKS_CONTROL_PLANE],
        node_security_group_id=network.security_group_ids[Role.APP],
        context=context,
        protect=config.protect_stateful,
        volume_key_dependencies=autoscaling_role,
    ),
    opts=in_stack,
)
workloads = TradingWorkloads(
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
        access_policies={
            service: access_policy(workload_access[service.value], access_targets)
            for service in Service
        },
        environment={service: connections(service.value) for service in Service},
        context=context,
    ),
    opts=in_stack,
)

# Last: it watches what the components above built, by the dimensions they export.
observability = Observability(
    "observability",
    ObservabilityArgs(
        name_prefix=config.name_prefix,
        stack=config.stack,
        config=config.observability,
        monthly_budget_usd=config.budget.monthly_usd,
        context=context,
        logs_kms_key_arn=logs_key.key_arn,
        alarms=AlarmTargets(
            alb_arn_suffix=edge.alb_arn_suffix,
            api_target_group_arn_suffix=edge.target_group_arn_suffixes[Service.API],
            database=data.database_metric_dimensions,
            max_connections=config.postgres.max_connections,
            cache=data.cache_metric_dimensions,
            kafka_cluster_name=kafka.cluster_name,
            kafka_topics=kafka.topics,
            consumer_groups=config.access.consumer_groups,
            nlb_arn_suffix=engine.nlb_arn_suffix,
            engine_target_group_arn_suffixes=engine.target_group_arn_suffixes,
            engine_min_healthy=config.matching_engine.fleet_min,
            serverless_cache=ServerlessCacheLimits(
                max_storage_gb=config.cache.serverless.max_storage_gb,
                max_ecpu_per_second=config.cache.serverless.max_ecpu_per_second,
            )
            if config.cache.is_serverless
            else None,
        ),
        web_acl_name=edge.web_acl_name,
        alb_target_group_arn_suffixes=edge.target_group_arn_suffixes,
        cache_serverless=config.cache.is_serverless,
        kafka_broker_count=config.kafka.provisioned_broker_count,
        kafka_topics=kafka.topics,
        engine_log_groups=[engine.application_log_group_name, engine.gc_log_group_name],
        protect=config.protect_stateful,
    ),
    opts=in_stack,
)

# It ships the pods' logs into the service log groups Observability owns.
cluster_services = ClusterServices(
    "cluster-services",
    ClusterServicesArgs(
        name_prefix=config.name_prefix,
        cluster_name=cluster.cluster_name,
        kubernetes_version=config.eks.version,
        kubeconfig=cluster.kubeconfig,
        cluster_key_arn=cluster.key_arn,
        service_log_group_names=observability.log_group_names,
        service_log_group_arns=observability.log_group_arns,
        logs_kms_key_arn=logs_key.key_arn,
        log_retention_days=config.observability.log_retention_days,
        context=context,
        # The same gate as the workloads: Helm releases contact the API server even in preview.
        install_charts=config.eks.image_tag is not None,
        protect=config.protect_stateful,
    ),
    opts=in_stack,
)

# Prometheus, Alertmanager and Grafana: Helm too, so behind the same gate.
monitoring = None
if (
    config.observability.monitoring.enabled
    and cluster_services.kubernetes_provider is not None
    and cluster_services.storage_class is not None
):
    monitoring = InClusterMonitoring(
        "monitoring",
        InClusterMonitoringArgs(
            name_prefix=config.name_prefix,
            config=config.observability.monitoring,
            context=context,
            cluster_name=cluster.cluster_name,
            kubernetes_provider=cluster_services.kubernetes_provider,
            storage_class=cluster_services.storage_class,
            engine_asg_name=engine.asg_name,
            engine_metrics_port=config.matching_engine.metrics_port,
            kafka_bootstrap_brokers=(
                kafka.bootstrap_brokers_iam if config.kafka.is_provisioned else None
            ),
            kafka_broker_count=config.kafka.provisioned_broker_count,
            alert_topic_arn=observability.topic_arn,
            alert_key_arn=observability.alert_key_arn,
            consumer_lag_messages=config.observability.consumer_lag_messages,
            slack_webhook_url=config.alert_slack_webhook_url,
            pager_duty_routing_key=config.alert_pager_duty_routing_key,
            protect=config.protect_stateful,
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
pulumi.export("kafkaClusterArn", kafka.cluster_arn)
pulumi.export("kafkaBootstrapBrokersIam", kafka.bootstrap_brokers_iam)
if kafka.bootstrap_brokers_scram is not None:
    pulumi.export("kafkaBootstrapBrokersScram", kafka.bootstrap_brokers_scram)
pulumi.export("kafkaTopics", kafka.topic_specs)
pulumi.export("kafkaTopicsManaged", kafka.topics_managed)
pulumi.export("matchingEngineNlbDnsName", engine.nlb_dns_name)
pulumi.export(
    "matchingEngineTargetGroupArns", {str(p): arn for p, arn in engine.target_group_arns.items()}
)
pulumi.export("matchingEngineAsgName", engine.asg_name)
pulumi.export("matchingEngineArtifactBucket", engine.artifact_bucket_name)
pulumi.export(
    "matchingEngineLogGroups", [engine.application_log_group_name, engine.gc_log_group_name]
)
pulumi.export("postgresWriterEndpoint", data.writer_endpoint)
pulumi.export("postgresReaderEndpoints", data.reader_endpoints)
pulumi.export("postgresProxyEndpoint", data.proxy_endpoint)
pulumi.export("postgresProxyReadOnlyEndpoint", data.proxy_read_only_endpoint)
pulumi.export("postgresDrEndpoint", data.dr_endpoint)
pulumi.export("postgresMasterSecretArn", data.master_secret_arn)
pulumi.export("databaseSecretArn", data.database_secret_arn)
pulumi.export("cacheEndpoint", data.cache_endpoint)
pulumi.export("cacheReaderEndpoint", data.cache_reader_endpoint)
pulumi.export("cacheSecretArn", data.cache_secret_arn)
pulumi.export("dataKmsKeyArn", data.data_key_arn)
pulumi.export("drDataKmsKeyArn", data.dr_key_arn)
# What an apps stack in the DR region attaches to after a failover (README, "Failing over").
if data.dr_network is not None:
    pulumi.export(
        "drNetwork",
        {
            "region": config.dr_region,
            "vpcId": data.dr_network.vpc_id,
            "subnetIds": {tier.value: ids for tier, ids in data.dr_network.subnet_ids.items()},
            "securityGroupIds": {
                role.value: sg for role, sg in data.dr_network.security_group_ids.items()
            },
            "routeTableIds": {
                tier.value: ids for tier, ids in data.dr_network.route_table_ids.items()
            },
            "dbSubnetGroupName": data.dr_network.db_subnet_group_name,
            "cacheSubnetGroupName": data.dr_network.cache_subnet_group_name,
            "flowLogGroupName": data.dr_network.flow_log_group_name,
        },
    )
# What the DR region holds besides the replica: the backup copies and the engine builds.
pulumi.export("drRegion", config.dr_region)
pulumi.export("drBackupVaultArn", data.dr_vault_arn)
pulumi.export("drBackupVaultKmsKeyArn", data.dr_vault_key_arn)
pulumi.export("drArtifactBucket", engine.dr_artifact_bucket_name)
pulumi.export("drArtifactKmsKeyArn", engine.dr_artifact_key_arn)
pulumi.export("siteUrl", edge.site_url)
pulumi.export("cloudFrontDomainName", edge.distribution_domain_name)
pulumi.export("albDnsName", edge.alb_dns_name)
pulumi.export("webAclArn", edge.web_acl_arn)
pulumi.export("clusterName", cluster.cluster_name)
pulumi.export("kubeconfig", pulumi.Output.secret(cluster.kubeconfig))
pulumi.export("ecrRepositoryUrls", cluster.repository_urls)
# The roles the data flows are granted to: the services' Pod Identity roles and the engine's.
pulumi.export(
    "workloadRoleArns",
    {
        **{str(service): arn for service, arn in workloads.role_arns.items()},
        "matching-engine": engine.instance_role_arn,
    },
)
pulumi.export("dashboardName", observability.dashboard_name)
pulumi.export("alertTopicArn", observability.topic_arn)
pulumi.export("budgetName", observability.budget_name)
pulumi.export("serviceLogGroups", observability.log_group_names)
pulumi.export("clusterPodLogGroup", cluster_services.pod_log_group_name)
if cluster_services.storage_class_name is not None:
    pulumi.export("defaultStorageClass", cluster_services.storage_class_name)
if monitoring is not None:
    pulumi.export("grafanaAdminSecretArn", monitoring.grafana_secret_arn)
