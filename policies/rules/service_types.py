"""Type tokens of the services the family rules examine, as pulumi-aws 7 registers them.

`types.py` holds the tokens of the services the program uses; these are the ones a team may add.
"""

from typing import Final

# S3 access.
S3_PUBLIC_ACCESS_BLOCKS: Final = frozenset(
    {"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"}
)
S3_ACCOUNT_PUBLIC_ACCESS_BLOCK: Final = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
S3_BUCKET_POLICIES: Final = frozenset({"aws:s3/bucketPolicy:BucketPolicy"})
S3_BUCKET_ACLS: Final = frozenset({"aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"})
S3_OWNERSHIP_CONTROLS: Final = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
S3_VERSIONING: Final = frozenset(
    {"aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"}
)

# IAM.
IAM_ROLE: Final = "aws:iam/role:Role"
IAM_INLINE_POLICIES: Final = frozenset(
    {
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
        "aws:iam/policy:Policy",
    }
)
IAM_ATTACHMENTS: Final = frozenset(
    {
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",
    }
)

# KMS.
KMS_KEY_POLICY: Final = "aws:kms/keyPolicy:KeyPolicy"
KMS_GRANT: Final = "aws:kms/grant:Grant"
KMS_REPLICA_KEY: Final = "aws:kms/replicaKey:ReplicaKey"

# Resource policies: (type, the input holding the document).
RESOURCE_POLICIES: Final[dict[str, str]] = {
    "aws:sns/topicPolicy:TopicPolicy": "policy",
    "aws:sns/topic:Topic": "policy",
    "aws:sqs/queuePolicy:QueuePolicy": "policy",
    "aws:sqs/queue:Queue": "policy",
    "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
    "aws:secretsmanager/secret:Secret": "policy",
    "aws:msk/clusterPolicy:ClusterPolicy": "policy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
    "aws:ecr/registryPolicy:RegistryPolicy": "policy",
    "aws:efs/fileSystemPolicy:FileSystemPolicy": "policy",
    "aws:opensearch/domainPolicy:DomainPolicy": "accessPolicies",
    "aws:opensearch/domain:Domain": "accessPolicies",
    "aws:apigateway/restApiPolicy:RestApiPolicy": "policy",
    "aws:apigateway/restApi:RestApi": "policy",
    "aws:kinesis/resourcePolicy:ResourcePolicy": "policy",
    "aws:dynamodb/resourcePolicy:ResourcePolicy": "policy",
    "aws:backup/vaultPolicy:VaultPolicy": "policy",
    "aws:glacier/vault:Vault": "accessPolicy",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "policyDocument",
    "aws:ssm/resourcePolicy:ResourcePolicy": "policy",
}
LAMBDA_PERMISSION: Final = "aws:lambda/permission:Permission"
LAMBDA_FUNCTION: Final = "aws:lambda/function:Function"
LAMBDA_FUNCTION_URL: Final = "aws:lambda/functionUrl:FunctionUrl"
APIGATEWAYV2_ROUTE: Final = "aws:apigatewayv2/route:Route"
APIGATEWAY_METHOD: Final = "aws:apigateway/method:Method"

# Logging.
MSK_BROKER_LOG_GROUP_TYPES: Final = frozenset({"aws:msk/cluster:Cluster"})
LOG_DELIVERY_SOURCE: Final = "aws:cloudwatch/logDeliverySource:LogDeliverySource"
LOG_DELIVERY: Final = "aws:cloudwatch/logDelivery:LogDelivery"
WEB_ACL: Final = "aws:wafv2/webAcl:WebAcl"
WEB_ACL_LOGGING: Final = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration"
IP_SET: Final = "aws:wafv2/ipSet:IpSet"

# Workloads that carry environment variables.
KUBERNETES_WORKLOADS: Final = frozenset(
    {
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:apps/v1:DaemonSet",
        "kubernetes:batch/v1:Job",
        "kubernetes:batch/v1:CronJob",
        "kubernetes:core/v1:Pod",
    }
)
ECS_TASK_DEFINITION: Final = "aws:ecs/taskDefinition:TaskDefinition"
LAUNCH_CONFIGURATION: Final = "aws:ec2/launchConfiguration:LaunchConfiguration"

# Caches.
ELASTICACHE_USER: Final = "aws:elasticache/user:User"
MEMORYDB_CLUSTER: Final = "aws:memorydb/cluster:Cluster"
