"""Type tokens the rules match, as pulumi-aws 7 / pulumi-eks 4 / pulumi-awsx 3 register them."""

from typing import Final

SECURITY_GROUP: Final = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP: Final = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUP_RULE: Final = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECURITY_GROUP_INGRESS_RULE: Final = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
VPC: Final = "aws:ec2/vpc:Vpc"
AWSX_VPC: Final = "awsx:ec2:Vpc"
FLOW_LOG: Final = "aws:ec2/flowLog:FlowLog"

INSTANCE: Final = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE: Final = "aws:ec2/launchTemplate:LaunchTemplate"
EBS_VOLUME: Final = "aws:ebs/volume:Volume"

EKS_CLUSTER: Final = "aws:eks/cluster:Cluster"
EKS_COMPONENT: Final = "eks:index:Cluster"
EKS_NODE_GROUP: Final = "aws:eks/nodeGroup:NodeGroup"

RDS_INSTANCE: Final = "aws:rds/instance:Instance"
RDS_CLUSTER: Final = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE: Final = "aws:rds/clusterInstance:ClusterInstance"
RDS_PROXY: Final = "aws:rds/proxy:Proxy"
RDS_PARAMETER_GROUP: Final = "aws:rds/parameterGroup:ParameterGroup"
RDS_CLUSTER_PARAMETER_GROUP: Final = "aws:rds/clusterParameterGroup:ClusterParameterGroup"

REPLICATION_GROUP: Final = "aws:elasticache/replicationGroup:ReplicationGroup"
SERVERLESS_CACHE: Final = "aws:elasticache/serverlessCache:ServerlessCache"

MSK_CLUSTER: Final = "aws:msk/cluster:Cluster"
MSK_SERVERLESS_CLUSTER: Final = "aws:msk/serverlessCluster:ServerlessCluster"

# pulumi-aws 7 still registers the deprecated V2 S3 resources under their own tokens.
S3_BUCKETS: Final = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
S3_ENCRYPTION_CONFIGS: Final = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    }
)
S3_BUCKET_LOGGING: Final = frozenset(
    {"aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"}
)

SNS_TOPIC: Final = "aws:sns/topic:Topic"
LOG_GROUP: Final = "aws:cloudwatch/logGroup:LogGroup"
SECRET: Final = "aws:secretsmanager/secret:Secret"
KMS_KEY: Final = "aws:kms/key:Key"

# aws:alb/* are the same resources under their historical alias tokens.
LOAD_BALANCERS: Final = frozenset(
    {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}
)
LISTENERS: Final = frozenset({"aws:lb/listener:Listener", "aws:alb/listener:Listener"})
# awsx's ALB component: analysed through its inputs, since offline it runs as a remote component.
AWSX_ALB: Final = "awsx:lb:ApplicationLoadBalancer"
CLOUDFRONT_DISTRIBUTION: Final = "aws:cloudfront/distribution:Distribution"
WEB_ACL_ASSOCIATION: Final = "aws:wafv2/webAclAssociation:WebAclAssociation"

MANAGED_PREFIX_LIST: Final = "aws:ec2/managedPrefixList:ManagedPrefixList"
MANAGED_PREFIX_LIST_ENTRY: Final = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
NETWORK_ACL: Final = "aws:ec2/networkAcl:NetworkAcl"
DEFAULT_NETWORK_ACL: Final = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
NETWORK_ACL_RULE: Final = "aws:ec2/networkAclRule:NetworkAclRule"
SUBNET: Final = "aws:ec2/subnet:Subnet"
ROUTE: Final = "aws:ec2/route:Route"
ROUTE_TABLE: Final = "aws:ec2/routeTable:RouteTable"
ROUTE_TABLE_ASSOCIATION: Final = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INTERNET_GATEWAY: Final = "aws:ec2/internetGateway:InternetGateway"

LAUNCH_CONFIGURATION: Final = "aws:ec2/launchConfiguration:LaunchConfiguration"
EBS_SNAPSHOT_COPY: Final = "aws:ebs/snapshotCopy:SnapshotCopy"
EBS_ENCRYPTION_BY_DEFAULT: Final = "aws:ebs/encryptionByDefault:EncryptionByDefault"

CACHE_CLUSTER: Final = "aws:elasticache/cluster:Cluster"

DOCDB_CLUSTER: Final = "aws:docdb/cluster:Cluster"
DOCDB_CLUSTER_PARAMETER_GROUP: Final = "aws:docdb/clusterParameterGroup:ClusterParameterGroup"
NEPTUNE_CLUSTER: Final = "aws:neptune/cluster:Cluster"
NEPTUNE_CLUSTER_INSTANCE: Final = "aws:neptune/clusterInstance:ClusterInstance"

CLASSIC_LOAD_BALANCER: Final = "aws:elb/loadBalancer:LoadBalancer"
LISTENER_RULES: Final = frozenset(
    {"aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"}
)
TARGET_GROUPS: Final = frozenset(
    {"aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"}
)
ROUTE53_RECORD: Final = "aws:route53/record:Record"

K8S_SERVICE: Final = "kubernetes:core/v1:Service"
K8S_INGRESS: Final = "kubernetes:networking.k8s.io/v1:Ingress"
