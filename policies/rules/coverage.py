"""Data stores and entry points no rule examines: reported, so a new service never passes
silently.

The list is curated from the AWS services that hold data or accept traffic from outside; the pack
compares it with the types its resource rules declare, so a type stops being reported the day a
rule for it is registered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    Config,
    Finding,
    Resource,
    ResourceRule,
    StackRule,
    stack_rule,
    violation,
)

DATA_STORES: Final = frozenset(
    {
        "aws:athena/workgroup:Workgroup",
        "aws:backup/vault:Vault",
        "aws:cloudtrail/trail:Trail",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:codeartifact/repository:Repository",
        "aws:codecommit/repository:Repository",
        "aws:cognito/userPool:UserPool",
        "aws:dax/cluster:Cluster",
        "aws:docdb/cluster:Cluster",
        "aws:docdbelastic/cluster:Cluster",
        "aws:dynamodb/table:Table",
        "aws:ebs/snapshot:Snapshot",
        "aws:ebs/snapshotCopy:SnapshotCopy",
        "aws:ebs/volume:Volume",
        "aws:ecr/repository:Repository",
        "aws:efs/fileSystem:FileSystem",
        "aws:elasticache/cluster:Cluster",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/serverlessCache:ServerlessCache",
        "aws:elasticsearch/domain:Domain",
        "aws:fsx/lustreFileSystem:LustreFileSystem",
        "aws:fsx/ontapFileSystem:OntapFileSystem",
        "aws:fsx/openZfsFileSystem:OpenZfsFileSystem",
        "aws:fsx/windowsFileSystem:WindowsFileSystem",
        "aws:glacier/vault:Vault",
        "aws:glue/catalogDatabase:CatalogDatabase",
        "aws:keyspaces/table:Table",
        "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
        "aws:kinesis/stream:Stream",
        "aws:kinesis/videoStream:VideoStream",
        "aws:lightsail/database:Database",
        "aws:memorydb/cluster:Cluster",
        "aws:mq/broker:Broker",
        "aws:msk/cluster:Cluster",
        "aws:msk/serverlessCluster:ServerlessCluster",
        "aws:neptune/cluster:Cluster",
        "aws:opensearch/domain:Domain",
        "aws:opensearch/serverlessCollection:ServerlessCollection",
        "aws:qldb/ledger:Ledger",
        "aws:rds/cluster:Cluster",
        "aws:rds/instance:Instance",
        "aws:redshift/cluster:Cluster",
        "aws:redshiftserverless/namespace:Namespace",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:s3/directoryBucket:DirectoryBucket",
        "aws:s3tables/tableBucket:TableBucket",
        "aws:sagemaker/domain:Domain",
        "aws:sagemaker/notebookInstance:NotebookInstance",
        "aws:secretsmanager/secret:Secret",
        "aws:sns/topic:Topic",
        "aws:sqs/queue:Queue",
        "aws:ssm/parameter:Parameter",
        "aws:timestreamwrite/database:Database",
    }
)
ENTRY_POINTS: Final = frozenset(
    {
        "aws:alb/loadBalancer:LoadBalancer",
        "aws:apigateway/method:Method",
        "aws:apigateway/restApi:RestApi",
        "aws:apigateway/stage:Stage",
        "aws:apigatewayv2/api:Api",
        "aws:apigatewayv2/route:Route",
        "aws:apigatewayv2/stage:Stage",
        "aws:appsync/graphQLApi:GraphQLApi",
        "aws:cloudfront/distribution:Distribution",
        "aws:ec2/instance:Instance",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:ec2/launchConfiguration:LaunchConfiguration",
        "aws:eks/cluster:Cluster",
        "aws:elb/loadBalancer:LoadBalancer",
        "aws:globalaccelerator/accelerator:Accelerator",
        "aws:lambda/functionUrl:FunctionUrl",
        "aws:lambda/permission:Permission",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lightsail/instance:Instance",
        "aws:transfer/server:Server",
        "aws:vpclattice/service:Service",
    }
)
WATCHED: Final = DATA_STORES | ENTRY_POINTS


def unexamined_types_rule(rules: Iterable[ResourceRule]) -> StackRule:
    """The stack rule reporting watched types that none of `rules` declares."""
    examined = frozenset(t for rule in rules for t in rule.types)

    @stack_rule(
        name="unexamined-data-stores",
        subjects=sorted(WATCHED - examined),
        description="Reports data stores and entry points of a type no rule of the pack examines, "
        "so a newly added service is reviewed instead of passing silently.",
        level=ADVISORY,
        severity=Severity.MEDIUM,
        unknowns="not applicable: only resource types are read",
    )
    def unexamined_data_stores(resources: Sequence[Resource], _config: Config) -> Iterator[Finding]:
        for resource in resources:
            if resource.type in WATCHED and resource.type not in examined:
                kind = "data store" if resource.type in DATA_STORES else "entry point"
                yield violation(
                    f"{resource.name} ({resource.type}) is a {kind} no rule of the pack examines; "
                    "review its encryption and exposure by hand and add a rule for its type",
                    resource.urn,
                )

    return unexamined_data_stores
