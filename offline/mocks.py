"""Realistic provider behaviour for the offline run: resource outputs and invoke results.

In update mode every resource gets a plausible id, ARN and name; in preview mode only the
inputs come back, so computed outputs (ids, ARNs, endpoints) are unknown, as in a real preview
of a new stack.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

ACCOUNT_ID = "123456789012"
PARTITION = "aws"

AVAILABILITY_ZONES: dict[str, list[str]] = {
    "ap-northeast-1": ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],
    "ap-northeast-2": ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"],
    "us-west-1": ["us-west-1a", "us-west-1c"],  # a real two-zone region
    "us-east-1": ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"],
}
# Managed prefix lists by name (ids as AWS publishes them for ap-northeast-2).
PREFIX_LISTS: dict[str, str] = {
    "com.amazonaws.global.cloudfront.origin-facing": "pl-22a6434b",
    "com.amazonaws.ap-northeast-2.s3": "pl-78a54011",
    "com.amazonaws.ap-northeast-2.dynamodb": "pl-01a04568",
}
_AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default"
SSM_PARAMETERS: dict[str, str] = {
    f"{_AL2023}-x86_64": "ami-0c9c942bd7bf113a2",
    f"{_AL2023}-arm64": "ami-0f3a440bbcff3d043",
    "/aws/service/eks/optimized-ami/1.33/amazon-linux-2023/x86_64/standard/recommended/image_id": (
        "ami-0e8f4a1b7c2d3e4f5"
    ),
}

# Prefixes of ids AWS gives, by resource type; others get "<name>-<hash>".
_ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
}


# Every generated secret (random passwords, tokens) starts with this, so tests can prove that no
# plaintext secret reaches a resource input outside a secret envelope.
MOCK_SECRET_MARKER = "mock-secret-"


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _uuid(*parts: str) -> str:
    h = _digest(*parts, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


Inputs = dict[str, Any]


def _msk_cluster(inputs: Inputs, _: str, region: str) -> Inputs:
    name = str(inputs.get("clusterName"))
    brokers = int(inputs.get("numberOfBrokerNodes") or 0)
    host = f"{name}.{_digest(name, length=6)}.c3.kafka.{region}.amazonaws.com"

    def listener(port: int) -> str:
        return ",".join(f"b-{i}.{host}:{port}" for i in range(1, min(brokers, 3) + 1))

    sasl = (inputs.get("clientAuthentication") or {}).get("sasl") or {}
    return {
        "arn": f"arn:{PARTITION}:kafka:{region}:{ACCOUNT_ID}:cluster/{name}/{_uuid(name)}-3",
        "bootstrapBrokersSaslIam": listener(9098) if sasl.get("iam") else "",
        "bootstrapBrokersSaslScram": listener(9096) if sasl.get("scram") else "",
        # MSK opens the TLS-only listener just for mTLS or unauthenticated clients.
        "bootstrapBrokersTls": "",
        "currentVersion": "K3AEGXETSR30VB",
        "zookeeperConnectString": "",
    }


def _msk_serverless(inputs: Inputs, _: str, region: str) -> Inputs:
    name = str(inputs.get("clusterName"))
    return {
        "arn": f"arn:{PARTITION}:kafka:{region}:{ACCOUNT_ID}:cluster/{name}/{_uuid(name)}-s2",
        "bootstrapBrokersSaslIam": (
            f"boot-{_digest(name, length=8)}.c2.kafka-serverless.{region}.amazonaws.com:9098"
        ),
        "clusterUuid": f"{_uuid(name)}-s2",
    }


def _msk_configuration(inputs: Inputs, _: str, region: str) -> Inputs:
    name = str(inputs.get("name"))
    return {
        "arn": f"arn:{PARTITION}:kafka:{region}:{ACCOUNT_ID}:configuration/{name}/{_uuid(name)}-2",
        "latestRevision": 1,
    }


def _msk_topic(inputs: Inputs, _: str, region: str) -> Inputs:
    cluster = str(inputs.get("clusterArn", ""))
    return {"arn": cluster.replace(":cluster/", ":topic/", 1) + f"/{inputs.get('name')}"}


def _load_balancer(inputs: Inputs, resource_id: str, region: str) -> Inputs:
    kind = "net" if inputs.get("loadBalancerType") == "network" else "app"
    suffix = f"{kind}/{resource_id[:32]}/{_digest(resource_id, length=16)}"
    scheme = "internal-" if inputs.get("internal") else ""
    return {
        "arn": f"arn:{PARTITION}:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/{suffix}",
        "arnSuffix": suffix,
        "dnsName": f"{scheme}{resource_id[:32]}-{_digest(resource_id, length=10)}"
        f".elb.{region}.amazonaws.com",
        "zoneId": "ZIBE1TIR4HY56",
    }


def _target_group(_: Inputs, resource_id: str, region: str) -> Inputs:
    suffix = f"targetgroup/{resource_id[:32]}/{_digest(resource_id, length=16)}"
    return {
        "arn": f"arn:{PARTITION}:elasticloadbalancing:{region}:{ACCOUNT_ID}:{suffix}",
        "arnSuffix": suffix,
    }


def _bucket(inputs: Inputs, resource_id: str, _: str) -> Inputs:
    name = str(inputs.get("bucket") or resource_id)
    return {"bucket": name, "arn": f"arn:{PARTITION}:s3:::{name}", "id": name}


def _iam(kind: str) -> Callable[[Inputs, str, str], Inputs]:
    def computed(inputs: Inputs, resource_id: str, _: str) -> Inputs:
        name = str(inputs.get("name") or resource_id)
        return {"arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:{kind}/{name}", "name": name}

    return computed


def _launch_template(_: Inputs, __: str, ___: str) -> Inputs:
    return {"latestVersion": 1, "defaultVersion": 1}


def _rds_host(region: str) -> str:
    return f"c{_digest(ACCOUNT_ID, region, length=12)}.{region}.rds.amazonaws.com"


def _random_password(inputs: Inputs, resource_id: str, _: str) -> Inputs:
    length = int(inputs.get("length", 32))
    return {"result": (MOCK_SECRET_MARKER + _digest(resource_id, length=64))[:length]}


def _secret_arn(region: str, name: str) -> str:
    return f"arn:{PARTITION}:secretsmanager:{region}:{ACCOUNT_ID}:secret:{name}-{_digest(name)[:6]}"


def _secret(inputs: Inputs, resource_id: str, region: str) -> Inputs:
    arn = _secret_arn(region, inputs.get("name") or resource_id)
    return {"arn": arn, "id": arn}


def _managed_master_secret(inputs: dict[str, Any], region: str, name: str) -> dict[str, Any]:
    """RDS creates and reports the master secret only when it manages the password."""
    if not inputs.get("manageMasterUserPassword"):
        return {}
    secret = {
        "secretArn": _secret_arn(region, f"rds!{name}"),
        "kmsKeyId": inputs.get("masterUserSecretKmsKeyId"),
        "secretStatus": "active",
    }
    return {"masterUserSecrets": [secret]}


def _rds_instance(inputs: Inputs, resource_id: str, region: str) -> Inputs:
    name = inputs.get("identifier") or resource_id
    address = f"{name}.{_rds_host(region)}"
    port = inputs.get("port", 5432)
    return {
        "arn": f"arn:{PARTITION}:rds:{region}:{ACCOUNT_ID}:db:{name}",
        "identifier": name,
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        **_managed_master_secret(inputs, region, name),
    }


def _rds_cluster(inputs: Inputs, resource_id: str, region: str) -> Inputs:
    name = inputs.get("clusterIdentifier") or resource_id
    return {
        "arn": f"arn:{PARTITION}:rds:{region}:{ACCOUNT_ID}:cluster:{name}",
        "clusterIdentifier": name,
        "endpoint": f"{name}.cluster-{_rds_host(region)}",
        "readerEndpoint": f"{name}.cluster-ro-{_rds_host(region)}",
        "port": inputs.get("port", 5432),
        **_managed_master_secret(inputs, region, name),
    }


def _rds_cluster_instance(inputs: Inputs, resource_id: str, region: str) -> Inputs:
    return {"endpoint": f"{inputs.get('identifier') or resource_id}.{_rds_host(region)}"}


def _rds_proxy(inputs: Inputs, resource_id: str, region: str) -> Inputs:
    return {"endpoint": f"{inputs.get('name')}.proxy-{_rds_host(region)}"}


def _rds_proxy_endpoint(inputs: Inputs, resource_id: str, region: str) -> Inputs:
    name = inputs.get("dbProxyEndpointName")
    return {"endpoint": f"{name}.endpoint.proxy-{_rds_host(region)}"}


def _replication_group(inputs: Inputs, resource_id: str, region: str) -> Inputs:
    group = str(inputs.get("replicationGroupId"))
    host = f"{group}.{_digest(group, length=6)}.{region}.cache.amazonaws.com"
    if inputs.get("clusterMode") == "enabled":
        return {"configurationEndpointAddress": f"clustercfg.{host}"}
    return {"primaryEndpointAddress": f"master.{host}", "readerEndpointAddress": f"replica.{host}"}


def _serverless_cache(inputs: Inputs, resource_id: str, region: str) -> Inputs:
    host = f"{inputs.get('name')}-{_digest(resource_id, length=6)}.serverless.{region}"
    address = f"{host}.cache.amazonaws.com"
    return {
        "endpoints": [{"address": address, "port": 6379}],
        "readerEndpoints": [{"address": address, "port": 6380}],
    }


def _vpc_endpoint(inputs: Inputs, _: str, __: str) -> Inputs:
    service = str(inputs.get("serviceName", ""))
    return {"prefixListId": PREFIX_LISTS.get(service, "pl-" + _digest(service, length=8))}


def _eip(_: Inputs, resource_id: str, __: str) -> Inputs:
    return {"allocationId": resource_id, "publicIp": "203.0.113.10"}


def _kms_key(_: Inputs, resource_id: str, region: str) -> Inputs:
    return {
        "keyId": resource_id,
        "arn": f"arn:{PARTITION}:kms:{region}:{ACCOUNT_ID}:key/{resource_id}",
    }


def _log_group(inputs: Inputs, resource_id: str, region: str) -> Inputs:
    name = inputs.get("name") or resource_id
    return {"arn": f"arn:{PARTITION}:logs:{region}:{ACCOUNT_ID}:log-group:{name}"}


# Computed attributes by resource type: (inputs, id, region) -> outputs the program reads.
_COMPUTED: dict[str, Callable[[Inputs, str, str], Inputs]] = {
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
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/cluster:Cluster": _rds_cluster,
    "aws:rds/clusterInstance:ClusterInstance": _rds_cluster_instance,
    "aws:rds/proxy:Proxy": _rds_proxy,
    "aws:rds/proxyEndpoint:ProxyEndpoint": _rds_proxy_endpoint,
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": lambda _, __, ___: {
        "name": "default"
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": _replication_group,
    "aws:elasticache/serverlessCache:ServerlessCache": _serverless_cache,
}


class PlatformMocks(Mocks):
    """Mocks for every resource and invoke the program uses, in update or preview mode."""

    def __init__(self, *, preview: bool, region: str) -> None:
        self.preview = preview
        self.region = region

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if self.preview:
            # Ids and computed attributes are unknown until the resource exists.
            return None, dict(args.inputs)
        resource_id = self._resource_id(args)
        service = args.typ.split(":")[1].split("/")[0] if ":" in args.typ else "index"
        region = args.inputs.get("region") or self.region
        outputs: dict[str, Any] = {
            "name": args.inputs.get("name") or f"{args.name}-{_digest(args.name, length=7)}",
            "arn": f"arn:{PARTITION}:{service}:{region}:{ACCOUNT_ID}:{args.name}/{resource_id}",
            "id": resource_id,
            **args.inputs,
        }
        outputs.update(self._computed(args, resource_id))
        # Some providers use a natural key as the id (a bucket's name, a secret's ARN).
        return str(outputs["id"]), outputs

    def _resource_id(self, args: MockResourceArgs) -> str:
        prefix = _ID_PREFIX.get(args.typ)
        if prefix:
            return prefix + _digest(args.typ, args.name)
        if args.typ == "aws:kms/key:Key":
            h = _digest(args.name, length=32)
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return f"{args.name}-{_digest(args.name, length=7)}"

    def _computed(self, args: MockResourceArgs, resource_id: str) -> dict[str, Any]:
        """Attributes the provider computes that the program reads."""
        handler = _COMPUTED.get(args.typ)
        if handler is None:
            return {}
        return handler(args.inputs, resource_id, str(args.inputs.get("region") or self.region))

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        handler = _INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(
                f"offline mocks have no result for invoke {args.token}; add one to offline/mocks.py"
            )
        inputs = dict(args.args)
        return handler(inputs, str(inputs.get("region") or self.region))


Invoke = dict[str, Any]
InvokeResult = tuple[Invoke, list[tuple[str, str]]]


def _caller_identity(_: Invoke, __: str) -> InvokeResult:
    return {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:{PARTITION}:iam::{ACCOUNT_ID}:role/ci-deployer",
        "userId": "AROAEXAMPLEID:ci",
        "id": ACCOUNT_ID,
    }, []


def _partition(_: Invoke, __: str) -> InvokeResult:
    return {
        "partition": PARTITION,
        "dnsSuffix": "amazonaws.com",
        "reverseDnsPrefix": "com.amazonaws",
        "id": PARTITION,
    }, []


def _region(_: Invoke, region: str) -> InvokeResult:
    return {
        "region": region,
        "name": region,
        "endpoint": f"ec2.{region}.amazonaws.com",
        "description": region,
        "id": region,
    }, []


def _availability_zones(_: Invoke, region: str) -> InvokeResult:
    names = AVAILABILITY_ZONES.get(region)
    if names is None:
        return {}, [("region", f"no mocked availability zones for {region}")]
    return {
        "names": names,
        "zoneIds": [f"{region}-az{i + 1}" for i in range(len(names))],
        "groupNames": [region] * len(names),
        "id": region,
    }, []


def _managed_prefix_list(inputs: Invoke, region: str) -> InvokeResult:
    name = str(inputs.get("name", ""))
    if name not in PREFIX_LISTS:
        return {}, [("name", f"no managed prefix list named {name!r}")]
    return {
        "id": PREFIX_LISTS[name],
        "name": name,
        "addressFamily": "IPv4",
        "maxEntries": 55 if "cloudfront" in name else 1,
        "ownerId": "AWS",
        "arn": f"arn:{PARTITION}:ec2:{region}:aws:prefix-list/{PREFIX_LISTS[name]}",
        "entries": [],
        "tags": {},
        "version": 1,
    }, []


def _ssm_parameter(inputs: Invoke, region: str) -> InvokeResult:
    name = str(inputs.get("name", ""))
    if name not in SSM_PARAMETERS:
        return {}, [("name", f"no mocked SSM parameter {name!r}")]
    return {
        "name": name,
        "value": SSM_PARAMETERS[name],
        "insecureValue": SSM_PARAMETERS[name],
        "type": "String",
        "version": 1,
        "arn": f"arn:{PARTITION}:ssm:{region}::parameter{name}",
        "id": name,
    }, []


def _policy_document(inputs: Invoke, _: str) -> InvokeResult:
    return {"json": json.dumps(inputs, sort_keys=True), "id": "policy"}, []


_INVOKES: dict[str, Callable[[Invoke, str], InvokeResult]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": _managed_prefix_list,
    "aws:ssm/getParameter:getParameter": _ssm_parameter,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
}
