"""Which input changes replace a resource, and which resources hold data.

pulumi-aws is bridged from the Terraform AWS provider, whose `ForceNew` arguments become
replacements in `pulumi preview`; its resource docs mark them "Changing this forces a new
resource" / "(Forces new resource)" (registry.terraform.io/providers/hashicorp/aws/latest/docs),
and CloudFormation's reference says "Update requires: Replacement" for the same service limits
(docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference, e.g. AWS::MSK::Cluster
EncryptionAtRest). The table covers every type this program registers; a path names a wire
input, dotted for a nested one. Kubernetes objects are replaced when their name or namespace
changes (metadata is immutable), Deployments also on a new selector.
"""

from __future__ import annotations

from typing import Final

_NAMED: Final = ("name", "namePrefix")
_K8S_IDENTITY: Final = ("metadata.name", "metadata.namespace")

FORCE_NEW: Final[dict[str, frozenset[str]]] = {
    type_: frozenset(paths)
    for type_, paths in {
        "aws:acm/certificate:Certificate": (
            "domainName", "subjectAlternativeNames", "validationMethod", "keyAlgorithm",
        ),
        "aws:acm/certificateValidation:CertificateValidation": (
            "certificateArn", "validationRecordFqdns",
        ),
        "aws:autoscaling/group:Group": _NAMED,
        # No update API for selections or vault locks; a vault's name and key are fixed.
        "aws:backup/plan:Plan": ("name",),
        "aws:backup/selection:Selection": (
            "name", "planId", "iamRoleArn", "resources", "notResources", "selectionTags",
            "conditions",
        ),
        "aws:backup/vault:Vault": ("name", "kmsKeyArn"),
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration": (
            "backupVaultName", "changeableForDays", "maxRetentionDays", "minRetentionDays",
        ),
        "aws:budgets/budget:Budget": (*_NAMED, "accountId"),
        "aws:cloudwatch/dashboard:Dashboard": ("dashboardName",),
        "aws:cloudwatch/logDelivery:LogDelivery": (
            "deliverySourceName", "deliveryDestinationArn",
        ),
        "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": ("name",),
        "aws:cloudwatch/logDeliverySource:LogDeliverySource": ("name", "logType", "resourceArn"),
        "aws:cloudwatch/logGroup:LogGroup": _NAMED,
        "aws:cloudwatch/metricAlarm:MetricAlarm": ("alarmName",),
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("vpcId",),
        "aws:ec2/eip:Eip": ("domain", "networkBorderGroup"),
        "aws:ec2/flowLog:FlowLog": (
            "vpcId", "subnetId", "logDestination", "logDestinationType", "trafficType",
            "iamRoleArn", "logFormat", "maxAggregationInterval",
        ),
        "aws:ec2/launchTemplate:LaunchTemplate": _NAMED,
        "aws:ec2/natGateway:NatGateway": ("allocationId", "subnetId", "connectivityType"),
        "aws:ec2/placementGroup:PlacementGroup": ("name", "strategy", "partitionCount"),
        "aws:ec2/route:Route": (
            "routeTableId", "destinationCidrBlock", "destinationIpv6CidrBlock",
            "destinationPrefixListId",
        ),
        "aws:ec2/routeTable:RouteTable": ("vpcId",),
        "aws:ec2/routeTableAssociation:RouteTableAssociation": ("subnetId", "gatewayId"),
        "aws:ec2/securityGroup:SecurityGroup": (*_NAMED, "vpcId", "description"),
        "aws:ec2/subnet:Subnet": ("vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"),
        "aws:ec2/vpc:Vpc": ("cidrBlock",),
        "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpcId", "serviceName", "vpcEndpointType"),
        "aws:ecr/lifecyclePolicy:LifecyclePolicy": ("repository",),
        "aws:ecr/repository:Repository": ("name", "encryptionConfigurations"),
        "aws:eks/addon:Addon": ("clusterName", "addonName"),
        "aws:eks/nodeGroup:NodeGroup": (
            "clusterName", "nodeGroupName", "nodeGroupNamePrefix", "nodeRoleArn", "subnetIds",
            "amiType", "capacityType", "diskSize", "instanceTypes", "remoteAccess",
        ),
        "aws:eks/podIdentityAssociation:PodIdentityAssociation": (
            "clusterName", "namespace", "serviceAccount",
        ),
        "aws:elasticache/parameterGroup:ParameterGroup": ("name", "family", "description"),
        "aws:elasticache/replicationGroup:ReplicationGroup": (
            "replicationGroupId", "atRestEncryptionEnabled", "kmsKeyId", "subnetGroupName",
            "port", "preferredCacheClusterAzs", "dataTieringEnabled", "snapshotArns",
            "snapshotName", "networkType",
        ),
        "aws:elasticache/serverlessCache:ServerlessCache": (
            "name", "kmsKeyId", "subnetIds", "snapshotArnsToRestores",
        ),
        "aws:elasticache/subnetGroup:SubnetGroup": ("name",),
        # ModifyUser / ModifyUserGroup change access strings, authentication, members and
        # engine; the ids (and a user's name) are the identity.
        "aws:elasticache/user:User": ("userId", "userName"),
        "aws:elasticache/userGroup:UserGroup": ("userGroupId",),
        "aws:iam/instanceProfile:InstanceProfile": (*_NAMED, "path"),
        "aws:iam/role:Role": (*_NAMED, "path"),
        "aws:iam/rolePolicy:RolePolicy": (*_NAMED, "role"),
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("role", "policyArn"),
        "aws:kms/alias:Alias": _NAMED,
        "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage", "multiRegion"),
        "aws:lb/listener:Listener": ("loadBalancerArn",),
        "aws:lb/listenerRule:ListenerRule": ("listenerArn",),
        "aws:lb/loadBalancer:LoadBalancer": (*_NAMED, "internal", "loadBalancerType"),
        "aws:lb/targetGroup:TargetGroup": (
            *_NAMED, "port", "protocol", "protocolVersion", "vpcId", "targetType",
        ),
        "aws:msk/cluster:Cluster": (
            "clusterName", "brokerNodeGroupInfo.clientSubnets",
            "brokerNodeGroupInfo.securityGroups", "brokerNodeGroupInfo.azDistribution",
            "encryptionInfo.encryptionAtRestKmsKeyArn",
            "encryptionInfo.encryptionInTransit.inCluster",
        ),
        "aws:msk/configuration:Configuration": ("name", "kafkaVersions"),
        "aws:msk/serverlessCluster:ServerlessCluster": (
            "clusterName", "vpcConfigs", "clientAuthentication",
        ),
        "aws:msk/topic:Topic": ("name", "clusterArn"),
        "aws:rds/cluster:Cluster": (
            "clusterIdentifier", "clusterIdentifierPrefix", "engine", "engineMode",
            "storageEncrypted", "kmsKeyId", "databaseName", "masterUsername",
            "availabilityZones", "dbSubnetGroupName", "snapshotIdentifier",
        ),
        "aws:rds/clusterInstance:ClusterInstance": (
            "identifier", "identifierPrefix", "clusterIdentifier", "engine", "availabilityZone",
            "dbSubnetGroupName",
        ),
        "aws:rds/instance:Instance": (
            "identifier", "identifierPrefix", "engine", "storageEncrypted", "kmsKeyId",
            "availabilityZone", "dbName", "username", "characterSetName", "timezone",
            "snapshotIdentifier",
        ),
        "aws:rds/parameterGroup:ParameterGroup": (*_NAMED, "family", "description"),
        "aws:rds/proxy:Proxy": ("name", "engineFamily"),
        "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": ("dbProxyName",),
        "aws:rds/proxyTarget:ProxyTarget": (
            "dbProxyName", "targetGroupName", "dbInstanceIdentifier", "dbClusterIdentifier",
        ),
        "aws:rds/subnetGroup:SubnetGroup": _NAMED,
        "aws:route53/healthCheck:HealthCheck": ("type", "referenceName"),
        "aws:route53/record:Record": ("zoneId", "name", "setIdentifier"),
        "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix", "objectLockEnabled"),
        "aws:secretsmanager/secret:Secret": _NAMED,
        "aws:secretsmanager/secretVersion:SecretVersion": ("secretId", "secretString"),
        "aws:secretsmanager/secretRotation:SecretRotation": ("secretId",),
        # A Serverless Application Repository stack is a CloudFormation stack of that name.
        "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": (
            "name",
            "applicationId",
        ),
        "aws:sns/topic:Topic": (*_NAMED, "fifoTopic"),
        "aws:sns/topicPolicy:TopicPolicy": ("arn",),
        # A subscription's topic, protocol and endpoint are its identity (SNS Subscribe).
        "aws:sns/topicSubscription:TopicSubscription": ("topic", "protocol", "endpoint"),
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("securityGroupId",),
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("securityGroupId",),
        "aws:wafv2/ipSet:IpSet": (*_NAMED, "scope", "ipAddressVersion"),
        "aws:wafv2/webAcl:WebAcl": (*_NAMED, "scope"),
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ("resourceArn",),
        "eks:index:Cluster": ("name", "encryptionConfigKeyArn"),
        "kubernetes:apps/v1:Deployment": (*_K8S_IDENTITY, "spec.selector"),
        "random:index/randomPassword:RandomPassword": (
            "length", "special", "upper", "lower", "numeric", "minLower", "minUpper",
            "minNumeric", "minSpecial", "overrideSpecial", "keepers",
        ),
    }.items()
}  # fmt: skip
"""Per type, the inputs whose change makes the provider delete and recreate the resource."""

# S3 buckets (aws:s3/bucket...) whose name is their identity: every bucket sub-resource is
# re-created when it moves to another bucket.
_BUCKET_CHILDREN: Final = (
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
)

STATEFUL: Final = frozenset(
    {
        "aws:backup/vault:Vault",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:ecr/repository:Repository",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/serverlessCache:ServerlessCache",
        "aws:kms/key:Key",
        "aws:msk/cluster:Cluster",
        "aws:msk/serverlessCluster:ServerlessCluster",
        "aws:msk/topic:Topic",
        "aws:rds/cluster:Cluster",
        "aws:rds/instance:Instance",
        "aws:s3/bucket:Bucket",
        "aws:secretsmanager/secret:Secret",
        "eks:index:Cluster",
    }
)
"""Types whose replacement or deletion loses data: rows, messages, objects, logs, images,
secrets, recovery points, the cluster's etcd, or (a KMS key) the ability to decrypt what it
protected."""


def _kubernetes(type_: str) -> bool:
    return type_.startswith("kubernetes:") and not type_.startswith("kubernetes:helm")


def force_new_paths(type_: str) -> frozenset[str]:
    """The replacing inputs of one type (empty when every input updates in place)."""
    if type_ in FORCE_NEW:
        return FORCE_NEW[type_]
    if type_ in _BUCKET_CHILDREN:
        return frozenset({"bucket"})
    if _kubernetes(type_):
        return frozenset(_K8S_IDENTITY)
    return frozenset()


def forces_replacement(type_: str, path: str) -> bool:
    """Whether a change at ``path`` (dotted wire names, list items by index) replaces the
    resource: the path is a replacing input, lies inside one, or contains one."""
    for forced in force_new_paths(type_):
        if path == forced or path.startswith(f"{forced}.") or forced.startswith(f"{path}."):
            return True
    return False
