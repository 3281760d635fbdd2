"""What the provider computes when a resource is created, by resource type.

Each function gets the created resource (type, logical name, inputs, region, id) and returns the
attributes the program reads back (ARNs, endpoints, DNS names...), shaped as AWS returns them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ACCOUNT_ID = "123456789012"
PARTITION = "aws"
# Every generated secret (random passwords, tokens) starts with this, so tests can prove that no
# plaintext secret reaches a resource input outside a secret envelope.
MOCK_SECRET_MARKER = "mock-secret-"
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"  # every CloudFront alias target lives in this zone
# Route 53 zone of each region's load balancers.
ALB_ZONE_IDS: dict[str, str] = {"ap-northeast-2": "ZWKZPGTI48KDX", "us-east-1": "Z35SXDOTRQ7X7K"}
NLB_ZONE_IDS: dict[str, str] = {"ap-northeast-2": "ZIBE1TIR4HY56", "us-east-1": "Z26RNL4JYFTOTI"}
# Managed prefix lists by name (ids as AWS publishes them for ap-northeast-2).
PREFIX_LISTS: dict[str, str] = {
    "com.amazonaws.global.cloudfront.origin-facing": "pl-22a6434b",
    "com.amazonaws.ap-northeast-2.s3": "pl-78a54011",
    "com.amazonaws.ap-northeast-2.dynamodb": "pl-01a04568",
}


def digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def uuid(*parts: str) -> str:
    h = digest(*parts, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def secret_arn(region: str, name: str) -> str:
    return f"arn:{PARTITION}:secretsmanager:{region}:{ACCOUNT_ID}:secret:{name}-{digest(name)[:6]}"


@dataclass(frozen=True)
class Created:
    """A resource the mock provider just created."""

    typ: str
    logical_name: str
    inputs: dict[str, Any]
    region: str
    resource_id: str

    @property
    def name(self) -> str:
        return str(self.inputs.get("name") or self.logical_name)


Outputs = dict[str, Any]


def _msk_cluster(r: Created) -> Outputs:
    name = str(r.inputs.get("clusterName"))
    brokers = int(r.inputs.get("numberOfBrokerNodes") or 0)
    host = f"{name}.{digest(name, length=6)}.c3.kafka.{r.region}.amazonaws.com"

    def listener(port: int) -> str:
        return ",".join(f"b-{i}.{host}:{port}" for i in range(1, min(brokers, 3) + 1))

    sasl = (r.inputs.get("clientAuthentication") or {}).get("sasl") or {}
    return {
        "arn": f"arn:{PARTITION}:kafka:{r.region}:{ACCOUNT_ID}:cluster/{name}/{uuid(name)}-3",
        "bootstrapBrokersSaslIam": listener(9098) if sasl.get("iam") else "",
        "bootstrapBrokersSaslScram": listener(9096) if sasl.get("scram") else "",
        # MSK opens the TLS-only listener just for mTLS or unauthenticated clients.
        "bootstrapBrokersTls": "",
        "currentVersion": "K3AEGXETSR30VB",
        "zookeeperConnectString": "",
    }


def _msk_serverless(r: Created) -> Outputs:
    name = str(r.inputs.get("clusterName"))
    return {
        "arn": f"arn:{PARTITION}:kafka:{r.region}:{ACCOUNT_ID}:cluster/{name}/{uuid(name)}-s2",
        "bootstrapBrokersSaslIam": (
            f"boot-{digest(name, length=8)}.c2.kafka-serverless.{r.region}.amazonaws.com:9098"
        ),
        "clusterUuid": f"{uuid(name)}-s2",
    }


def _msk_configuration(r: Created) -> Outputs:
    return {
        "arn": f"arn:{PARTITION}:kafka:{r.region}:{ACCOUNT_ID}:configuration/{r.name}/"
        f"{uuid(r.name)}-2",
        "latestRevision": 1,
    }


def _msk_topic(r: Created) -> Outputs:
    cluster = str(r.inputs.get("clusterArn", ""))
    return {"arn": cluster.replace(":cluster/", ":topic/", 1) + f"/{r.inputs.get('name')}"}


def _load_balancer(r: Created) -> Outputs:
    network = r.inputs.get("loadBalancerType") == "network"
    suffix = f"{'net' if network else 'app'}/{r.name[:32]}/{digest(r.logical_name, length=16)}"
    scheme = "internal-" if r.inputs.get("internal") else ""
    zones = NLB_ZONE_IDS if network else ALB_ZONE_IDS
    elb = f"arn:{PARTITION}:elasticloadbalancing:{r.region}:{ACCOUNT_ID}"
    return {
        "arn": f"{elb}:loadbalancer/{suffix}",
        "arnSuffix": suffix,
        # NLBs and ALBs spell their DNS names differently.
        "dnsName": (
            f"{scheme}{r.name[:32]}-{digest(r.logical_name, length=16)}"
            f".elb.{r.region}.amazonaws.com"
            if network
            else f"{scheme}{r.name[:32]}-{int(digest(r.logical_name, length=8), 16)}"
            f".{r.region}.elb.amazonaws.com"
        ),
        "zoneId": zones.get(r.region, "Z" + digest(r.region, length=12).upper()),
    }


def _target_group(r: Created) -> Outputs:
    suffix = f"targetgroup/{r.name[:32]}/{digest(r.logical_name, length=16)}"
    return {
        "arn": f"arn:{PARTITION}:elasticloadbalancing:{r.region}:{ACCOUNT_ID}:{suffix}",
        "arnSuffix": suffix,
    }


def _bucket(r: Created) -> Outputs:
    bucket = r.resource_id  # a bucket's id is its name
    return {
        "bucket": bucket,
        "arn": f"arn:{PARTITION}:s3:::{bucket}",
        "bucketRegionalDomainName": f"{bucket}.s3.{r.region}.amazonaws.com",
    }


def _iam(kind: str) -> Callable[[Created], Outputs]:
    def computed(r: Created) -> Outputs:
        name = str(r.inputs.get("name") or r.resource_id)
        return {"arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:{kind}/{name}", "name": name}

    return computed


def _launch_template(_: Created) -> Outputs:
    return {"latestVersion": 1, "defaultVersion": 1}


def _vpc_endpoint(r: Created) -> Outputs:
    service = str(r.inputs.get("serviceName", ""))
    return {"prefixListId": PREFIX_LISTS.get(service, "pl-" + digest(service, length=8))}


def _eip(r: Created) -> Outputs:
    return {"allocationId": r.resource_id, "publicIp": "203.0.113.10"}


def _kms_key(r: Created) -> Outputs:
    arn = f"arn:{PARTITION}:kms:{r.region}:{ACCOUNT_ID}:key/{r.resource_id}"
    return {"keyId": r.resource_id, "arn": arn}


def _log_group(r: Created) -> Outputs:
    return {"arn": f"arn:{PARTITION}:logs:{r.region}:{ACCOUNT_ID}:log-group:{r.name}"}


def _secret(r: Created) -> Outputs:
    return {"arn": r.resource_id}  # a secret's id is its ARN


def _serverless_application_stack(r: Created) -> Outputs:
    """The rotation application's one output, as its template declares it."""
    function = (r.inputs.get("parameters") or {}).get("functionName", r.logical_name)
    arn = f"arn:{PARTITION}:lambda:{r.region}:{ACCOUNT_ID}:function:{function}"
    return {"outputs": {"RotationLambdaARN": arn}}


def _random_password(r: Created) -> Outputs:
    length = int(r.inputs.get("length", 32))
    return {"result": (MOCK_SECRET_MARKER + digest(r.logical_name, length=64))[:length]}


def _rds_host(region: str) -> str:
    return f"c{digest(ACCOUNT_ID, region, length=12)}.{region}.rds.amazonaws.com"


def _managed_master_secret(r: Created, name: str) -> Outputs:
    """RDS creates and reports the master secret only when it manages the password."""
    if not r.inputs.get("manageMasterUserPassword"):
        return {}
    secret = {
        "secretArn": secret_arn(r.region, f"rds!{name}"),
        "kmsKeyId": r.inputs.get("masterUserSecretKmsKeyId"),
        "secretStatus": "active",
    }
    return {"masterUserSecrets": [secret]}


def _rds_instance(r: Created) -> Outputs:
    name = r.inputs.get("identifier") or r.resource_id
    address = f"{name}.{_rds_host(r.region)}"
    port = r.inputs.get("port", 5432)
    return {
        "arn": f"arn:{PARTITION}:rds:{r.region}:{ACCOUNT_ID}:db:{name}",
        "identifier": name,
        # RDS's immutable DbiResourceId, which IAM database authentication names.
        "resourceId": "db-" + digest(name, r.region, length=26).upper(),
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        **_managed_master_secret(r, name),
    }


def _rds_cluster(r: Created) -> Outputs:
    name = r.inputs.get("clusterIdentifier") or r.resource_id
    return {
        "arn": f"arn:{PARTITION}:rds:{r.region}:{ACCOUNT_ID}:cluster:{name}",
        "clusterIdentifier": name,
        "clusterResourceId": "cluster-" + digest(name, r.region, length=26).upper(),
        "endpoint": f"{name}.cluster-{_rds_host(r.region)}",
        "readerEndpoint": f"{name}.cluster-ro-{_rds_host(r.region)}",
        "port": r.inputs.get("port", 5432),
        **_managed_master_secret(r, name),
    }


def _rds_cluster_instance(r: Created) -> Outputs:
    return {"endpoint": f"{r.inputs.get('identifier') or r.resource_id}.{_rds_host(r.region)}"}


def _rds_proxy(r: Created) -> Outputs:
    name = r.inputs.get("name")
    return {
        "arn": f"arn:{PARTITION}:rds:{r.region}:{ACCOUNT_ID}:db-proxy:prx-"
        + digest(str(name), r.region, length=17),
        "endpoint": f"{name}.proxy-{_rds_host(r.region)}",
    }


def _rds_proxy_endpoint(r: Created) -> Outputs:
    name = r.inputs.get("dbProxyEndpointName")
    return {"endpoint": f"{name}.endpoint.proxy-{_rds_host(r.region)}"}


def _replication_group(r: Created) -> Outputs:
    group = str(r.inputs.get("replicationGroupId"))
    host = f"{group}.{digest(group, length=6)}.{r.region}.cache.amazonaws.com"
    if r.inputs.get("clusterMode") == "enabled":
        return {"configurationEndpointAddress": f"clustercfg.{host}"}
    return {"primaryEndpointAddress": f"master.{host}", "readerEndpointAddress": f"replica.{host}"}


def _serverless_cache(r: Created) -> Outputs:
    host = f"{r.inputs.get('name')}-{digest(r.logical_name, length=6)}.serverless.{r.region}"
    address = f"{host}.cache.amazonaws.com"
    return {
        "endpoints": [{"address": address, "port": 6379}],
        "readerEndpoints": [{"address": address, "port": 6380}],
    }


def _certificate(r: Created) -> Outputs:
    hosts = [r.inputs["domainName"], *r.inputs.get("subjectAlternativeNames", [])]
    return {
        "arn": f"arn:{PARTITION}:acm:{r.region}:{ACCOUNT_ID}:certificate/{r.resource_id}",
        "domainValidationOptions": [
            {
                "domainName": host,
                "resourceRecordName": f"_{digest(host, length=32)}.{host}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{digest('v', host, length=32)}.acm-validations.aws.",
            }
            for host in hosts
        ],
    }


def _record(r: Created) -> Outputs:
    return {"fqdn": r.name.rstrip(".")}


def _distribution(r: Created) -> Outputs:
    return {
        "arn": f"arn:{PARTITION}:cloudfront::{ACCOUNT_ID}:distribution/{r.resource_id}",
        "domainName": f"d{digest(r.logical_name, length=13)}.cloudfront.net",
        "hostedZoneId": CLOUDFRONT_ZONE_ID,
        "status": "Deployed",
    }


def _waf(r: Created) -> Outputs:
    kind = "webacl" if r.typ.endswith("WebAcl") else "ipset"
    scope = "global" if r.inputs.get("scope") == "CLOUDFRONT" else "regional"
    where = f"{scope}/{kind}/{r.name}/{r.resource_id}"
    return {"arn": f"arn:{PARTITION}:wafv2:{r.region}:{ACCOUNT_ID}:{where}"}


def _sns_topic(r: Created) -> Outputs:
    return {"arn": f"arn:{PARTITION}:sns:{r.region}:{ACCOUNT_ID}:{r.name}"}


def _repository(r: Created) -> Outputs:
    return {
        "repositoryUrl": f"{ACCOUNT_ID}.dkr.ecr.{r.region}.amazonaws.com/{r.name}",
        "registryId": ACCOUNT_ID,
    }


def eks_cluster_outputs(name: str, region: str) -> Outputs:
    """What pulumi-eks's Cluster component returns: a kubeconfig a Kubernetes provider can use."""
    oidc_id = digest("oidc", name, length=32).upper()
    endpoint = f"https://{oidc_id}.gr7.{region}.eks.amazonaws.com"
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "kubernetes",
                "cluster": {
                    "server": endpoint,
                    "certificate-authority-data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
                },
            }
        ],
        "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
        "current-context": "aws",
        "users": [
            {
                "name": "aws",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": ["eks", "get-token", "--cluster-name", name, "--output", "json"],
                        "env": [{"name": "AWS_REGION", "value": region}],
                    }
                },
            }
        ],
    }
    issuer = f"oidc.eks.{region}.amazonaws.com/id/{oidc_id}"
    return {
        "kubeconfig": kubeconfig,
        "kubeconfigJson": json.dumps(kubeconfig),
        "oidcIssuer": issuer,
        "oidcProviderUrl": f"https://{issuer}",
        "oidcProviderArn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:oidc-provider/{issuer}",
        "clusterSecurityGroupId": "sg-" + digest("eks-cluster-sg", name),
    }


COMPUTED: dict[str, Callable[[Created], Outputs]] = {
    "aws:msk/cluster:Cluster": _msk_cluster,
    "aws:msk/serverlessCluster:ServerlessCluster": _msk_serverless,
    "aws:msk/configuration:Configuration": _msk_configuration,
    "aws:msk/topic:Topic": _msk_topic,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:iam/role:Role": _iam("role"),
    "aws:iam/instanceProfile:InstanceProfile": _iam("instance-profile"),
    "aws:secretsmanager/secret:Secret": _secret,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/eip:Eip": _eip,
    "aws:kms/key:Key": _kms_key,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "random:index/randomPassword:RandomPassword": _random_password,
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": (
        _serverless_application_stack
    ),
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:rds/clusterInstance:ClusterInstance": _rds_cluster_instance,
    "aws:rds/proxy:Proxy": _rds_proxy,
    "aws:rds/proxyEndpoint:ProxyEndpoint": _rds_proxy_endpoint,
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": lambda _: {"name": "default"},
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/serverlessCache:ServerlessCache": _serverless_cache,
    "aws:acm/certificate:Certificate": _certificate,
    "aws:route53/record:Record": _record,
    "aws:cloudfront/distribution:Distribution": _distribution,
    "aws:wafv2/webAcl:WebAcl": _waf,
    "aws:wafv2/ipSet:IpSet": _waf,
    "aws:ecr/repository:Repository": _repository,
    "aws:sns/topic:Topic": _sns_topic,
    "eks:index:Cluster": lambda r: eks_cluster_outputs(r.name, r.region),
}
