"""Issue 13's classes of insecure change the pack used to miss, on the real prod stack.

The world in other spellings (split halves, short prefixes, IPv6 global unicast, prefix lists,
network ACLs, internet routes from private tiers, subnets that map public IPs, MSK public access,
Kubernetes load balancers and node ports, EKS public CIDRs), the WAF shortcut, older resource
shapes (listener rules, classic ELBs, launch configurations, snapshot copies, account EBS
default, memcached, DocumentDB, Neptune, MySQL and SQL Server TLS), and values unknown in
preview. Each case is a modification of a real resource or realistic added resources; see
`tests/policies/mutation.py` for the machinery.
"""

from __future__ import annotations

from typing import Any, Final

import pytest

from offline.analyzer_client import PolicyPackProcess
from policies.rules import types
from tests.test_stacks import stack

from .helpers import DELETE, WIRE_UNKNOWN
from .mutation import (
    Added,
    Change,
    Mutation,
    add_ingress,
    assert_caught,
    drop,
    put,
    round_trip_sample,
    unknown,
)

SG_INGRESS: Final = types.SECURITY_GROUP_INGRESS_RULE
DB_RULE: Final = "network-database-ingress-from-db-proxy-tcp5432"
ALB_RULE: Final = "network-alb-ingress-from-cloudfront-tcp443"
CACHE_RULE: Final = "network-cache-ingress-from-app-tcp6379"
KAFKA_RULE: Final = "network-kafka-ingress-from-app-tcp9098"
ENGINE_RULE: Final = "network-matching-engine-ingress-from-matching-engine-nlb-tcp8080"
LISTENER: Final = "aws:lb/listener:Listener"
LISTENER_RULE: Final = "aws:lb/listenerRule:ListenerRule"
LOAD_BALANCER: Final = "aws:lb/loadBalancer:LoadBalancer"
SERVICE: Final = "kubernetes:core/v1:Service"
INGRESS: Final = "kubernetes:networking.k8s.io/v1:Ingress"
ROUTE: Final = "aws:ec2/route:Route"
ROUTE_TABLE: Final = "aws:ec2/routeTable:RouteTable"
ASSOCIATION: Final = "aws:ec2/routeTableAssociation:RouteTableAssociation"
SUBNET: Final = "aws:ec2/subnet:Subnet"
VPC_CHAIN: Final = "trading:network:TradingVpc$"
EDGE_CHAIN: Final = "trading:edge:EdgeProtection$"
IGW: Final = "igw-5bcf562748ddb44ea"
VPC_ID: Final = "vpc-5d47f01129ab284c9"
PUBLIC_SUBNETS: Final = ("network-public-0", "network-public-1", "network-public-2")
API_TG_ARN: Final = (
    "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/edge-api-tg/b0da2588"
)
CUSTOMER_PL: Final = "pl-0a1b2c3d4e5f60718"

# Public /9s: each 1/512 of the IPv4 space, so below the world-open share alone.
WIDE_NINES: Final = ["3.0.0.0/9", "3.128.0.0/9", "13.0.0.0/9", "13.128.0.0/9"]


def sg_rule(name: str, group: str, **cidr: str) -> Added:
    """A standalone ingress rule on one of the reachability table's groups."""
    return Added(
        SG_INGRESS,
        name,
        {
            "ipProtocol": "tcp",
            "fromPort": 443.0,
            "toPort": 443.0,
            "securityGroupId": "sg-x",
            **cidr,
        },
        deps={"securityGroupId": (group,)},
        parent_chain=VPC_CHAIN,
    )


def prefix_list(name: str, *cidrs: str, family: str = "IPv4") -> Added:
    return Added(
        "aws:ec2/managedPrefixList:ManagedPrefixList",
        name,
        {
            "name": f"trading-prod-{name}",
            "addressFamily": family,
            "maxEntries": 10.0,
            "entries": [{"cidr": cidr, "description": "partner"} for cidr in cidrs],
        },
    )


def nacl_rule(name: str, **inputs: Any) -> Added:
    return Added(
        "aws:ec2/networkAclRule:NetworkAclRule",
        name,
        {
            "networkAclId": "acl-0d1e2f3a4b5c6d7e8",
            "ruleNumber": 100.0,
            "egress": False,
            "ruleAction": "allow",
            **inputs,
        },
    )


def route(name: str, table: str, **inputs: Any) -> Added:
    return Added(
        ROUTE,
        name,
        {"routeTableId": "rtb-0", "gatewayId": IGW, **inputs},
        deps={"routeTableId": (table,), "gatewayId": ("network-igw",)},
        parent_chain=VPC_CHAIN,
    )


def service_type(kind: str, annotations: dict[str, str] | None = None, **spec: Any) -> Change:
    values: dict[str, Any] = {"spec.type": kind, **{f"spec.{k}": v for k, v in spec.items()}}
    if annotations is not None:
        values["metadata.annotations"] = annotations
    return put(values)


def header_rule(name: str, listener: str, header: dict[str, Any] | None) -> Added:
    conditions: list[dict[str, Any]] = [{"pathPattern": {"values": ["/admin/*"]}}]
    if header is not None:
        conditions.append({"httpHeader": header})
    return Added(
        LISTENER_RULE,
        name,
        {
            "listenerArn": "arn:aws:elasticloadbalancing:listener/app/x",
            "priority": 300.0,
            "actions": [{"type": "forward", "targetGroupArn": API_TG_ARN}],
            "conditions": conditions,
        },
        deps={"listenerArn": (listener,), "actions": ("edge-api-tg",)},
        parent_chain=EDGE_CHAIN,
    )


# A network ACL entry that lets everything in from anywhere.
ALLOW_ALL_FROM_WORLD = {
    "ruleNo": 100.0,
    "action": "allow",
    "protocol": "-1",
    "fromPort": 0.0,
    "toPort": 0.0,
    "cidrBlock": "0.0.0.0/0",
}
HTTP_LISTENER = Added(
    LISTENER,
    "edge-http",
    {
        "loadBalancerArn": "arn:aws:elasticloadbalancing:loadbalancer/app/trading-prod-edge",
        "port": 80.0,
        "protocol": "HTTP",
        "defaultActions": [
            {
                "type": "redirect",
                "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
            }
        ],
    },
    deps={"loadBalancerArn": ("edge-alb",)},
    parent_chain=EDGE_CHAIN,
)
SECOND_ALB = Added(
    LOAD_BALANCER,
    "edge-admin-alb",
    {
        "internal": False,
        "loadBalancerType": "application",
        "securityGroups": ["sg-f641b1c2d0698a7d8"],
        "subnets": ["subnet-a", "subnet-b"],
        "dropInvalidHeaderFields": True,
        "accessLogs": {"enabled": True, "bucket": "trading-prod-alb-logs"},
    },
    deps={"securityGroups": ("network-alb-sg",), "subnets": PUBLIC_SUBNETS},
    parent_chain=EDGE_CHAIN,
)
STATIC_CDN = Added(
    types.CLOUDFRONT_DISTRIBUTION,
    "edge-docs-cdn",
    {
        "enabled": True,
        "webAclId": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/trading-prod/x",
        "origins": [{"originId": "docs", "domainName": "docs.s3.amazonaws.com"}],
        "defaultCacheBehavior": {"targetOriginId": "docs", "viewerProtocolPolicy": "https-only"},
        "viewerCertificate": {
            "acmCertificateArn": "arn:aws:acm:x",
            "minimumProtocolVersion": "TLSv1.2_2021",
        },
        "loggingConfig": {"bucket": "trading-prod-cdn-logs.s3.amazonaws.com"},
    },
    deps={"webAclId": ("edge-waf-acl",)},
)


def classic_elb(name: str, *listeners: dict[str, Any], internal: bool = True) -> Added:
    return Added(
        "aws:elb/loadBalancer:LoadBalancer",
        name,
        {"internal": internal, "subnets": ["subnet-a"], "listeners": list(listeners)},
    )


def launch_configuration(name: str, **inputs: Any) -> Added:
    base: dict[str, Any] = {
        "imageId": "ami-0c55b159cbfafe1f0",
        "instanceType": "c6i.large",
        "associatePublicIpAddress": False,
        "metadataOptions": {"httpTokens": "required", "httpEndpoint": "enabled"},
        "rootBlockDevice": {"encrypted": True, "volumeType": "gp3", "volumeSize": 50.0},
    }
    for key, value in inputs.items():
        if value is DELETE:
            base.pop(key)
        else:
            base[key] = value
    return Added("aws:ec2/launchConfiguration:LaunchConfiguration", name, base)


def cache_cluster(name: str, **inputs: Any) -> Added:
    return Added(
        "aws:elasticache/cluster:Cluster",
        name,
        {
            "clusterId": f"trading-prod-{name}",
            "nodeType": "cache.r6g.large",
            "numCacheNodes": 2.0,
            "port": 11211.0,
            **inputs,
        },
    )


def docdb_cluster(name: str, **inputs: Any) -> Added:
    base: dict[str, Any] = {
        "clusterIdentifier": "trading-prod-docs",
        "engine": "docdb",
        "storageEncrypted": True,
        "kmsKeyId": "arn:aws:kms:ap-northeast-2:123456789012:key/x",
        "deletionProtection": True,
        "backupRetentionPeriod": 35.0,
        "masterUsername": "docs",
        "manageMasterUserPassword": True,
    }
    for key, value in inputs.items():
        if value is DELETE:
            base.pop(key)
        else:
            base[key] = value
    return Added("aws:docdb/cluster:Cluster", name, base)


def neptune_cluster(name: str, **inputs: Any) -> Added:
    base: dict[str, Any] = {
        "clusterIdentifier": "trading-prod-graph",
        "engine": "neptune",
        "storageEncrypted": True,
        "kmsKeyArn": "arn:aws:kms:ap-northeast-2:123456789012:key/x",
        "deletionProtection": True,
        "backupRetentionPeriod": 35.0,
        "iamDatabaseAuthenticationEnabled": True,
    }
    for key, value in inputs.items():
        if value is DELETE:
            base.pop(key)
        else:
            base[key] = value
    return Added("aws:neptune/cluster:Cluster", name, base)


def parameter_group(type_: str, name: str, family: str, *parameters: tuple[str, str]) -> Added:
    return Added(
        type_,
        name,
        {"family": family, "parameters": [{"name": n, "value": v} for n, v in parameters]},
    )


def mysql_instance(name: str, **inputs: Any) -> Added:
    return Added(
        types.RDS_INSTANCE,
        name,
        {
            "engine": "mysql",
            "instanceClass": "db.r6i.large",
            "storageEncrypted": True,
            "kmsKeyId": "arn:aws:kms:ap-northeast-2:123456789012:key/x",
            "deletionProtection": True,
            "backupRetentionPeriod": 35.0,
            "iamDatabaseAuthenticationEnabled": True,
            "manageMasterUserPassword": True,
            "publiclyAccessible": False,
            **inputs,
        },
    )


def node_group(name: str, subnets: tuple[str, ...]) -> Added:
    return Added(
        types.EKS_NODE_GROUP,
        name,
        {
            "clusterName": "trading-prod",
            "subnetIds": ["subnet-a"],
            "launchTemplate": {"id": "lt-1", "version": "1"},
            "scalingConfig": {"minSize": 1.0, "maxSize": 3.0, "desiredSize": 1.0},
        },
        deps={"subnetIds": subnets},
        parent_chain="trading:cluster:ServiceCluster$",
    )


PG: Final = types.RDS_PARAMETER_GROUP
CPG: Final = types.RDS_CLUSTER_PARAMETER_GROUP
DOCDB_PG: Final = "aws:docdb/clusterParameterGroup:ClusterParameterGroup"
PL: Final = "aws:ec2/managedPrefixList:ManagedPrefixList"
PL_ENTRY: Final = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
NACL: Final = "aws:ec2/networkAcl:NetworkAcl"
NACL_RULE: Final = "aws:ec2/networkAclRule:NetworkAclRule"
DEFAULT_NACL: Final = "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"
CLASSIC_ELB: Final = "aws:elb/loadBalancer:LoadBalancer"
LAUNCH_CONFIG: Final = "aws:ec2/launchConfiguration:LaunchConfiguration"
SNAPSHOT_COPY: Final = "aws:ebs/snapshotCopy:SnapshotCopy"
EBS_DEFAULT: Final = "aws:ebs/encryptionByDefault:EncryptionByDefault"
CACHE_CLUSTER: Final = "aws:elasticache/cluster:Cluster"
DOCDB: Final = "aws:docdb/cluster:Cluster"
NEPTUNE: Final = "aws:neptune/cluster:Cluster"
NEPTUNE_INSTANCE: Final = "aws:neptune/clusterInstance:ClusterInstance"
NO_WORLD: Final = "no-world-ingress"
COMBINED: Final = "security-group-ingress-not-world-combined"
WAF: Final = "public-entry-points-waf"
ROUTES: Final = "private-subnets-no-internet-route"

WORLD_OPEN = [
    Mutation(
        "db-rule-from-lower-half",
        SG_INGRESS,
        DB_RULE,
        NO_WORLD,
        put({"referencedSecurityGroupId": DELETE, "cidrIpv4": "0.0.0.0/1"}),
    ),
    Mutation(
        "alb-rule-from-upper-half",
        SG_INGRESS,
        ALB_RULE,
        NO_WORLD,
        put({"prefixListId": DELETE, "cidrIpv4": "128.0.0.0/1"}),
    ),
    Mutation(
        "cache-rule-from-slash-4",
        SG_INGRESS,
        CACHE_RULE,
        NO_WORLD,
        put({"referencedSecurityGroupId": DELETE, "cidrIpv4": "0.0.0.0/4"}),
    ),
    Mutation(
        "kafka-rule-from-ipv6-global-unicast",
        SG_INGRESS,
        KAFKA_RULE,
        NO_WORLD,
        put({"referencedSecurityGroupId": DELETE, "cidrIpv6": "2000::/3"}),
    ),
    Mutation(
        "engine-rule-from-ipv6-slash-1",
        SG_INGRESS,
        ENGINE_RULE,
        NO_WORLD,
        put({"referencedSecurityGroupId": DELETE, "cidrIpv6": "::/1"}),
    ),
    Mutation(
        "db-rule-from-ipv6-slash-6",
        SG_INGRESS,
        DB_RULE,
        NO_WORLD,
        put({"referencedSecurityGroupId": DELETE, "cidrIpv6": "2400::/6"}),
    ),
    Mutation(
        "db-rule-from-host-bits-zero-prefix",
        SG_INGRESS,
        DB_RULE,
        NO_WORLD,
        put({"referencedSecurityGroupId": DELETE, "cidrIpv4": "10.0.0.1/0"}),
    ),
    Mutation(
        "app-sg-inline-split-halves",
        types.SECURITY_GROUP,
        "network-app-sg",
        NO_WORLD,
        add_ingress(
            {
                "protocol": "tcp",
                "fromPort": 443.0,
                "toPort": 443.0,
                "cidrBlocks": ["0.0.0.0/1", "128.0.0.0/1"],
            }
        ),
    ),
    Mutation(
        "db-sg-inline-many-wide-nines",
        types.SECURITY_GROUP,
        "network-database-sg",
        NO_WORLD,
        add_ingress(
            {"protocol": "tcp", "fromPort": 5432.0, "toPort": 5432.0, "cidrBlocks": WIDE_NINES}
        ),
    ),
    Mutation(
        "kafka-sg-inline-short-prefix",
        types.SECURITY_GROUP,
        "network-kafka-sg",
        NO_WORLD,
        add_ingress(
            {"protocol": "tcp", "fromPort": 9098.0, "toPort": 9098.0, "cidrBlocks": ["52.0.0.0/6"]}
        ),
    ),
    Mutation(
        "cache-sg-inline-ipv6-halves",
        types.SECURITY_GROUP,
        "network-cache-sg",
        NO_WORLD,
        add_ingress(
            {
                "protocol": "-1",
                "fromPort": 0.0,
                "toPort": 0.0,
                "ipv6CidrBlocks": ["2000::/4", "3000::/4"],
            }
        ),
    ),
    Mutation(
        "dr-sg-inline-all-from-slash-2",
        types.SECURITY_GROUP,
        "data-dr-network-database-sg",
        NO_WORLD,
        add_ingress(
            {"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["64.0.0.0/2"]}
        ),
    ),
    Mutation(
        "db-sg-added-rule-from-slash-1",
        SG_INGRESS,
        "network-database-ingress-from-vpn",
        NO_WORLD,
        add=(
            sg_rule(
                "network-database-ingress-from-vpn", "network-database-sg", cidrIpv4="128.0.0.0/1"
            ),
        ),
    ),
    Mutation(
        "db-sg-wide-nines-as-separate-rules",
        types.SECURITY_GROUP,
        "network-database-sg",
        COMBINED,
        add=tuple(
            sg_rule(f"network-database-ingress-partner-{i}", "network-database-sg", cidrIpv4=cidr)
            for i, cidr in enumerate(WIDE_NINES)
        ),
    ),
    Mutation(
        "alb-sg-ipv6-twelves-as-separate-rules",
        types.SECURITY_GROUP,
        "network-alb-sg",
        COMBINED,
        # Each /12 is 1/512 of 2000::/3; three of them are more than 1/256.
        add=tuple(
            sg_rule(f"network-alb-ingress-v6-{i}", "network-alb-sg", cidrIpv6=cidr)
            for i, cidr in enumerate(("2400::/12", "2600::/12", "2a00::/12"))
        ),
        more=((WAF, "edge-alb"),),
    ),
    # Customer-managed prefix lists that hold the world.
    Mutation(
        "prefix-list-with-the-world",
        PL,
        "partner-ranges",
        "prefix-list-not-world-open",
        add=(prefix_list("partner-ranges", "198.51.100.0/24", "0.0.0.0/0"),),
    ),
    Mutation(
        "prefix-list-with-split-halves",
        PL,
        "partner-ranges",
        "prefix-list-not-world-open",
        add=(prefix_list("partner-ranges", "0.0.0.0/1", "128.0.0.0/1"),),
    ),
    Mutation(
        "prefix-list-ipv6-world",
        PL,
        "partner-ranges-v6",
        "prefix-list-not-world-open",
        add=(prefix_list("partner-ranges-v6", "::/0", family="IPv6"),),
    ),
    Mutation(
        "prefix-list-many-wide-nines",
        PL,
        "partner-ranges",
        "prefix-list-not-world-open",
        add=(prefix_list("partner-ranges", *WIDE_NINES),),
    ),
    Mutation(
        "prefix-list-entry-upper-half",
        PL_ENTRY,
        "partner-ranges-extra",
        "prefix-list-not-world-open",
        add=(
            Added(
                PL_ENTRY,
                "partner-ranges-extra",
                {"prefixListId": CUSTOMER_PL, "cidr": "128.0.0.0/1"},
            ),
        ),
    ),
    # Network ACLs.
    Mutation(
        "nacl-all-traffic-from-world",
        NACL,
        "network-database-nacl",
        "nacl-no-world-admin-ingress",
        add=(
            Added(
                NACL,
                "network-database-nacl",
                {
                    "vpcId": VPC_ID,
                    "subnetIds": ["subnet-1"],
                    "ingress": [ALLOW_ALL_FROM_WORLD],
                },
            ),
        ),
    ),
    Mutation(
        "nacl-rule-ssh-from-half",
        NACL_RULE,
        "network-nacl-ssh",
        "nacl-no-world-admin-ingress",
        add=(
            nacl_rule(
                "network-nacl-ssh",
                protocol="tcp",
                fromPort=22.0,
                toPort=22.0,
                cidrBlock="0.0.0.0/1",
            ),
        ),
    ),
    Mutation(
        "nacl-rule-rdp-from-ipv6-world",
        NACL_RULE,
        "network-nacl-rdp",
        "nacl-no-world-admin-ingress",
        add=(
            nacl_rule(
                "network-nacl-rdp",
                protocol="6",
                fromPort=3389.0,
                toPort=3389.0,
                ipv6CidrBlock="::/0",
            ),
        ),
    ),
    Mutation(
        "nacl-rule-every-tcp-port",
        NACL_RULE,
        "network-nacl-tcp",
        "nacl-no-world-admin-ingress",
        add=(
            nacl_rule(
                "network-nacl-tcp",
                protocol="tcp",
                fromPort=0.0,
                toPort=65535.0,
                cidrBlock="0.0.0.0/0",
            ),
        ),
    ),
    Mutation(
        "nacl-rule-all-protocols-numbered",
        NACL_RULE,
        "network-nacl-all",
        "nacl-no-world-admin-ingress",
        add=(nacl_rule("network-nacl-all", protocol="-1", cidrBlock="0.0.0.0/0"),),
    ),
    Mutation(
        "default-nacl-adopted-allow-all",
        DEFAULT_NACL,
        "network-default-nacl",
        "nacl-no-world-admin-ingress",
        add=(
            Added(
                DEFAULT_NACL,
                "network-default-nacl",
                {
                    "defaultNetworkAclId": "acl-1",
                    "ingress": [ALLOW_ALL_FROM_WORLD],
                },
            ),
        ),
    ),
    # Routes from private tiers to the internet gateway.
    Mutation(
        "database-tier-route-to-igw",
        ROUTE,
        "network-database-internet",
        ROUTES,
        add=(
            route(
                "network-database-internet", "network-database-rt", destinationCidrBlock="0.0.0.0/0"
            ),
        ),
        names="network-database-0",
        more=((ROUTES, "network-database-1"), (ROUTES, "network-database-2")),
    ),
    Mutation(
        "private-nat-route-swapped-for-igw",
        ROUTE,
        "network-private-nat-0",
        ROUTES,
        put({"natGatewayId": DELETE, "gatewayId": IGW}),
        deps={"natGatewayId": (), "gatewayId": ("network-igw",)},
        names="network-private-0",
    ),
    Mutation(
        "engine-tier-ipv6-route-to-igw",
        ROUTE,
        "network-engine-v6",
        ROUTES,
        add=(
            route(
                "network-engine-v6", "network-matchingEngine-rt", destinationIpv6CidrBlock="::/0"
            ),
        ),
        names="network-matchingEngine-0",
        more=((ROUTES, "network-matchingEngine-1"), (ROUTES, "network-matchingEngine-2")),
    ),
    Mutation(
        "database-subnet-moved-to-public-table",
        ASSOCIATION,
        "network-database-rta-0",
        ROUTES,
        put({"routeTableId": "rtb-4cdd82485758eef27"}),
        deps={"routeTableId": ("network-public-rt",)},
        names="network-database-0",
    ),
    Mutation(
        "database-tier-partner-route-to-igw",
        ROUTE,
        "network-database-partner",
        ROUTES,
        add=(
            route(
                "network-database-partner",
                "network-database-rt",
                destinationCidrBlock="198.51.100.0/24",
            ),
        ),
        names="network-database-0",
        more=((ROUTES, "network-database-1"), (ROUTES, "network-database-2")),
    ),
    Mutation(
        "inline-route-table-for-database-subnet",
        ROUTE_TABLE,
        "network-database-rt-2",
        ROUTES,
        add=(
            Added(
                ROUTE_TABLE,
                "network-database-rt-2",
                {"vpcId": VPC_ID, "routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": IGW}]},
                parent_chain=VPC_CHAIN,
            ),
            Added(
                ASSOCIATION,
                "network-database-rta-x",
                {"subnetId": "subnet-1", "routeTableId": "rtb-1"},
                deps={
                    "subnetId": ("network-database-2",),
                    "routeTableId": ("network-database-rt-2",),
                },
                parent_chain=VPC_CHAIN,
            ),
        ),
        names="network-database-2",
    ),
    # Subnets that map public IPs.
    Mutation(
        "public-subnet-maps-public-ips",
        SUBNET,
        "network-public-0",
        "subnet-no-auto-public-ip",
        put({"mapPublicIpOnLaunch": True}),
    ),
    Mutation(
        "database-subnet-maps-public-ips",
        SUBNET,
        "network-database-1",
        "subnet-no-auto-public-ip",
        put({"mapPublicIpOnLaunch": True}),
    ),
    Mutation(
        "dr-subnet-maps-public-ips",
        SUBNET,
        "data-dr-network-database-0",
        "subnet-no-auto-public-ip",
        put({"mapPublicIpOnLaunch": True}),
    ),
    Mutation(
        "added-subnet-maps-public-ips",
        SUBNET,
        "network-bastion-0",
        "subnet-no-auto-public-ip",
        add=(
            Added(
                SUBNET,
                "network-bastion-0",
                {"vpcId": VPC_ID, "cidrBlock": "10.0.41.0/24", "mapPublicIpOnLaunch": True},
            ),
        ),
    ),
    # MSK.
    Mutation(
        "kafka-public-access-eips",
        types.MSK_CLUSTER,
        "kafka-cluster",
        "msk-no-public-access",
        put(
            {
                "brokerNodeGroupInfo.connectivityInfo": {
                    "publicAccess": {"type": "SERVICE_PROVIDED_EIPS"}
                }
            }
        ),
    ),
    # Kubernetes.
    Mutation(
        "api-service-load-balancer-default-scheme",
        SERVICE,
        "workloads-api-service",
        "k8s-service-not-internet-facing",
        service_type("LoadBalancer"),
    ),
    Mutation(
        "websocket-service-internet-facing-nlb",
        SERVICE,
        "workloads-websocket-service",
        "k8s-service-not-internet-facing",
        service_type(
            "LoadBalancer",
            {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"},
            loadBalancerClass="service.k8s.aws/nlb",
        ),
    ),
    Mutation(
        "api-service-internet-facing-world-ranges",
        SERVICE,
        "workloads-api-service",
        "k8s-service-not-internet-facing",
        service_type(
            "LoadBalancer",
            {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"},
            loadBalancerSourceRanges=["0.0.0.0/1", "128.0.0.0/1"],
        ),
    ),
    Mutation(
        "api-service-internal-annotation-false",
        SERVICE,
        "workloads-api-service",
        "k8s-service-not-internet-facing",
        service_type(
            "LoadBalancer", {"service.beta.kubernetes.io/aws-load-balancer-internal": "false"}
        ),
    ),
    Mutation(
        "api-ingress-internet-facing-alb",
        INGRESS,
        "workloads-api-ingress",
        "k8s-service-not-internet-facing",
        add=(
            Added(
                INGRESS,
                "workloads-api-ingress",
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "Ingress",
                    "metadata": {
                        "namespace": "trading",
                        "name": "api",
                        "annotations": {"alb.ingress.kubernetes.io/scheme": "internet-facing"},
                    },
                    "spec": {
                        "ingressClassName": "alb",
                        "rules": [
                            {
                                "http": {
                                    "paths": [
                                        {
                                            "path": "/",
                                            "pathType": "Prefix",
                                            "backend": {
                                                "service": {"name": "api", "port": {"number": 3000}}
                                            },
                                        }
                                    ]
                                }
                            }
                        ],
                    },
                },
            ),
        ),
    ),
    Mutation(
        "api-service-node-port-on-public-nodes",
        SERVICE,
        "workloads-api-service",
        "k8s-node-port-not-on-public-nodes",
        service_type("NodePort"),
        add=(node_group("services-edge", PUBLIC_SUBNETS),),
    ),
    Mutation(
        "node-group-moved-to-public-subnets-with-node-port",
        SERVICE,
        "workloads-websocket-service",
        "k8s-node-port-not-on-public-nodes",
        service_type("NodePort"),
        add=(node_group("services-public", ("network-public-0",)),),
    ),
    # EKS public endpoint CIDRs.
    Mutation(
        "eks-public-cidrs-split-halves",
        types.EKS_COMPONENT,
        "services-eks",
        "eks-endpoint-not-public",
        put({"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1"]}),
    ),
    Mutation(
        "eks-public-cidrs-office-plus-slash-8",
        types.EKS_COMPONENT,
        "services-eks",
        "eks-endpoint-not-public",
        put({"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24", "52.0.0.0/8"]}),
    ),
    Mutation(
        "eks-public-cidrs-wide-nines",
        types.EKS_COMPONENT,
        "services-eks",
        "eks-endpoint-not-public",
        put({"endpointPublicAccess": True, "publicAccessCidrs": WIDE_NINES}),
    ),
    Mutation(
        "raw-eks-cluster-default-endpoint",
        types.EKS_CLUSTER,
        "services-raw-eks",
        "eks-endpoint-not-public",
        add=(
            Added(
                types.EKS_CLUSTER,
                "services-raw-eks",
                {
                    "roleArn": "arn:aws:iam::1:role/x",
                    "vpcConfig": {
                        "subnetIds": ["subnet-1"],
                        "publicAccessCidrs": ["0.0.0.0/2", "64.0.0.0/2"],
                    },
                    "encryptionConfig": {
                        "provider": {"keyArn": "arn:aws:kms:x"},
                        "resources": ["secrets"],
                    },
                    "enabledClusterLogTypes": ["api", "audit", "authenticator"],
                },
            ),
        ),
    ),
]

WAF_SHORTCUT = [
    Mutation(
        "alb-sg-admits-a-customer-prefix-list",
        SG_INGRESS,
        ALB_RULE,
        WAF,
        put({"prefixListId": CUSTOMER_PL}),
        names="edge-alb",
    ),
    Mutation(
        "cdn-alb-origin-points-elsewhere",
        types.CLOUDFRONT_DISTRIBUTION,
        "edge-cdn",
        WAF,
        put({"origins.0.domainName": "api.partner.example.com"}),
        names="edge-alb",
    ),
    Mutation(
        "api-rule-drops-the-origin-secret",
        LISTENER_RULE,
        "edge-api-rule",
        WAF,
        put({"conditions": [{"pathPattern": {"values": ["/api/*"]}}]}),
        names="edge-alb",
    ),
    Mutation(
        "websocket-rule-header-is-not-the-secret",
        LISTENER_RULE,
        "edge-websocket-rule",
        WAF,
        put({"conditions.1.httpHeader.values": ["1"]}),
        names="edge-alb",
    ),
    Mutation(
        "websocket-rule-checks-another-header",
        LISTENER_RULE,
        "edge-websocket-rule",
        WAF,
        put({"conditions.1.httpHeader.httpHeaderName": "X-Forwarded-Host"}),
        names="edge-alb",
    ),
    Mutation(
        "alb-default-action-forwards",
        LISTENER,
        "edge-https",
        WAF,
        put({"defaultActions": [{"type": "forward", "targetGroupArn": API_TG_ARN}]}),
        names="edge-alb",
    ),
    Mutation(
        "added-admin-rule-without-secret",
        LISTENER_RULE,
        "edge-admin-rule",
        WAF,
        add=(header_rule("edge-admin-rule", "edge-https", None),),
        names="edge-alb",
    ),
    Mutation(
        "second-alb-on-the-cloudfront-sg", LOAD_BALANCER, "edge-admin-alb", WAF, add=(SECOND_ALB,)
    ),
    Mutation(
        "cdn-waf-moved-to-another-distribution",
        types.CLOUDFRONT_DISTRIBUTION,
        "edge-cdn",
        WAF,
        put({"webAclId": DELETE}),
        add=(STATIC_CDN,),
        names="edge-alb",
    ),
    Mutation(
        "alb-sg-rule-from-partner-cidr",
        SG_INGRESS,
        "network-alb-ingress-partner",
        WAF,
        add=(sg_rule("network-alb-ingress-partner", "network-alb-sg", cidrIpv4="198.51.100.0/24"),),
        names="edge-alb",
    ),
    Mutation(
        "classic-elb-internet-facing",
        CLASSIC_ELB,
        "edge-legacy-elb",
        WAF,
        add=(
            classic_elb(
                "edge-legacy-elb",
                {
                    "lbProtocol": "https",
                    "lbPort": 443.0,
                    "instanceProtocol": "http",
                    "instancePort": 3000.0,
                    "sslCertificateId": "arn:aws:acm:x",
                },
                internal=False,
            ),
        ),
    ),
]

OLDER_SHAPES = [
    Mutation(
        "listener-rule-forwards-on-http-listener",
        LISTENER_RULE,
        "edge-plain-rule",
        "lb-listener-rules-tls",
        add=(
            HTTP_LISTENER,
            header_rule(
                "edge-plain-rule",
                "edge-http",
                {"httpHeaderName": "X-Origin-Verify", "values": ["x"]},
            ),
        ),
        # It requires a header value that is not the origin secret, so the shortcut fails too.
        more=((WAF, "edge-alb"),),
    ),
    Mutation(
        "https-listener-downgraded-under-its-rules",
        LISTENER,
        "edge-https",
        "lb-listener-rules-tls",
        put(
            {
                "protocol": "HTTP",
                "port": 80.0,
                "sslPolicy": DELETE,
                "certificateArn": DELETE,
                "defaultActions": [{"type": "redirect", "redirect": {"protocol": "HTTPS"}}],
            }
        ),
        names="edge-api-rule",
        more=(("lb-listener-rules-tls", "edge-websocket-rule"),),
    ),
    Mutation(
        "classic-elb-plain-http",
        CLASSIC_ELB,
        "engine-legacy-elb",
        "lb-listener-tls",
        add=(
            classic_elb(
                "engine-legacy-elb",
                {
                    "lbProtocol": "http",
                    "lbPort": 80.0,
                    "instanceProtocol": "http",
                    "instancePort": 8080.0,
                },
            ),
        ),
    ),
    Mutation(
        "classic-elb-plain-tcp",
        CLASSIC_ELB,
        "engine-legacy-tcp-elb",
        "lb-listener-tls",
        add=(
            classic_elb(
                "engine-legacy-tcp-elb",
                {
                    "lbProtocol": "TCP",
                    "lbPort": 9090.0,
                    "instanceProtocol": "TCP",
                    "instancePort": 9090.0,
                },
            ),
        ),
    ),
    Mutation(
        "classic-elb-https-default-policy",
        CLASSIC_ELB,
        "engine-legacy-tls-elb",
        "lb-listener-tls",
        add=(
            classic_elb(
                "engine-legacy-tls-elb",
                {
                    "lbProtocol": "https",
                    "lbPort": 443.0,
                    "instanceProtocol": "http",
                    "instancePort": 8080.0,
                    "sslCertificateId": "arn:aws:acm:x",
                },
            ),
        ),
    ),
    Mutation(
        "launch-configuration-unencrypted-root",
        LAUNCH_CONFIG,
        "engine-legacy-lc",
        "ebs-encrypted",
        add=(launch_configuration("engine-legacy-lc", rootBlockDevice={"encrypted": False}),),
    ),
    Mutation(
        "launch-configuration-ami-root",
        LAUNCH_CONFIG,
        "engine-legacy-lc",
        "ebs-encrypted",
        add=(launch_configuration("engine-legacy-lc", rootBlockDevice=DELETE),),
    ),
    Mutation(
        "launch-configuration-unencrypted-data-volume",
        LAUNCH_CONFIG,
        "engine-legacy-lc",
        "ebs-encrypted",
        add=(
            launch_configuration(
                "engine-legacy-lc",
                ebsBlockDevices=[{"deviceName": "/dev/xvdb", "volumeSize": 100.0}],
            ),
        ),
    ),
    Mutation(
        "launch-configuration-imdsv1",
        LAUNCH_CONFIG,
        "engine-legacy-lc",
        "imdsv2-required",
        add=(launch_configuration("engine-legacy-lc", metadataOptions=DELETE),),
    ),
    Mutation(
        "launch-configuration-public-ip",
        LAUNCH_CONFIG,
        "engine-legacy-lc",
        "no-public-ip",
        add=(launch_configuration("engine-legacy-lc", associatePublicIpAddress=True),),
    ),
    Mutation(
        "snapshot-copy-unencrypted",
        SNAPSHOT_COPY,
        "data-dr-snapshot",
        "ebs-encrypted",
        add=(
            Added(
                SNAPSHOT_COPY,
                "data-dr-snapshot",
                {"sourceSnapshotId": "snap-1", "sourceRegion": "ap-northeast-2"},
            ),
        ),
    ),
    Mutation(
        "snapshot-copy-encrypted-false",
        SNAPSHOT_COPY,
        "data-dr-snapshot",
        "ebs-encrypted",
        add=(
            Added(
                SNAPSHOT_COPY,
                "data-dr-snapshot",
                {
                    "sourceSnapshotId": "snap-1",
                    "sourceRegion": "ap-northeast-2",
                    "encrypted": False,
                },
            ),
        ),
    ),
    Mutation(
        "account-ebs-encryption-by-default-off",
        EBS_DEFAULT,
        "account-ebs-default",
        "ebs-encryption-by-default",
        add=(Added(EBS_DEFAULT, "account-ebs-default", {"enabled": False}),),
    ),
    Mutation(
        "memcached-without-tls",
        CACHE_CLUSTER,
        "data-sessions-memcached",
        "elasticache-in-transit",
        add=(cache_cluster("data-sessions-memcached", engine="memcached"),),
        also=("elasticache-encrypted-at-rest",),
    ),
    Mutation(
        "memcached-tls-but-nothing-at-rest",
        CACHE_CLUSTER,
        "data-sessions-memcached",
        "elasticache-encrypted-at-rest",
        add=(
            cache_cluster(
                "data-sessions-memcached", engine="memcached", transitEncryptionEnabled=True
            ),
        ),
    ),
    Mutation(
        "standalone-redis-node",
        CACHE_CLUSTER,
        "data-scratch-redis",
        "elasticache-in-transit",
        add=(cache_cluster("data-scratch-redis", engine="redis", snapshotRetentionLimit=7.0),),
        also=("elasticache-encrypted-at-rest",),
    ),
    Mutation(
        "documentdb-unencrypted",
        DOCDB,
        "data-docs",
        "rds-storage-encrypted",
        add=(docdb_cluster("data-docs", storageEncrypted=DELETE),),
    ),
    Mutation(
        "documentdb-no-deletion-protection",
        DOCDB,
        "data-docs",
        "rds-deletion-protection",
        add=(docdb_cluster("data-docs", deletionProtection=False),),
    ),
    Mutation(
        "documentdb-one-day-backups",
        DOCDB,
        "data-docs",
        "rds-backup-retention",
        add=(docdb_cluster("data-docs", backupRetentionPeriod=1.0),),
    ),
    Mutation(
        "documentdb-master-password-in-config",
        DOCDB,
        "data-docs",
        "rds-managed-master-password",
        add=(
            docdb_cluster(
                "data-docs", manageMasterUserPassword=DELETE, masterPassword="hunter2hunter2"
            ),
        ),
    ),
    Mutation(
        "documentdb-tls-disabled",
        DOCDB_PG,
        "data-docs-params",
        "db-parameter-group-tls",
        add=(parameter_group(DOCDB_PG, "data-docs-params", "docdb5.0", ("tls", "disabled")),),
    ),
    Mutation(
        "neptune-unencrypted",
        NEPTUNE,
        "data-graph",
        "rds-storage-encrypted",
        add=(neptune_cluster("data-graph", storageEncrypted=False),),
    ),
    Mutation(
        "neptune-no-iam-auth",
        NEPTUNE,
        "data-graph",
        "rds-iam-auth",
        add=(neptune_cluster("data-graph", iamDatabaseAuthenticationEnabled=DELETE),),
    ),
    Mutation(
        "neptune-instance-public",
        NEPTUNE_INSTANCE,
        "data-graph-0",
        "db-not-public",
        add=(
            Added(
                NEPTUNE_INSTANCE,
                "data-graph-0",
                {
                    "clusterIdentifier": "trading-prod-graph",
                    "instanceClass": "db.r6g.large",
                    "publiclyAccessible": True,
                },
            ),
        ),
    ),
    Mutation(
        "mysql-secure-transport-off",
        PG,
        "data-ledger-params",
        "db-parameter-group-tls",
        add=(
            parameter_group(
                PG, "data-ledger-params", "mysql8.0", ("require_secure_transport", "0")
            ),
        ),
    ),
    Mutation(
        "aurora-mysql-secure-transport-missing",
        CPG,
        "data-ledger-cluster-params",
        "db-parameter-group-tls",
        add=(
            parameter_group(
                CPG, "data-ledger-cluster-params", "aurora-mysql8.0", ("time_zone", "UTC")
            ),
        ),
    ),
    Mutation(
        "mariadb-secure-transport-off",
        PG,
        "data-ledger-params",
        "db-parameter-group-tls",
        add=(
            parameter_group(
                PG, "data-ledger-params", "mariadb10.11", ("require_secure_transport", "OFF")
            ),
        ),
    ),
    Mutation(
        "sqlserver-force-ssl-off",
        PG,
        "data-reports-params",
        "db-parameter-group-tls",
        add=(
            parameter_group(PG, "data-reports-params", "sqlserver-se-16.0", ("rds.force_ssl", "0")),
        ),
    ),
    Mutation(
        "mysql-instance-on-default-parameters",
        types.RDS_INSTANCE,
        "data-ledger",
        "db-parameter-group-tls",
        add=(mysql_instance("data-ledger"),),
    ),
    Mutation(
        "postgres-primary-on-its-default-group",
        types.RDS_INSTANCE,
        "data-postgres-primary",
        "postgres-force-ssl",
        put({"parameterGroupName": "default.postgres14", "engineVersion": "14.12"}),
    ),
]

# Family rules (issue 13's second half) that apply to resources this stack has.
ON_FAMILY_RULES = [
    Mutation(
        "static-bucket-public-read-acl",
        "aws:s3/bucket:Bucket",
        "edge-static",
        "s3-no-public-acl",
        put({"acl": "public-read"}),
    ),
    Mutation(
        "lb-controller-values-carry-a-password",
        "kubernetes:helm.sh/v3:Release",
        "workloads-lb-controller",
        "no-plaintext-secret-config",
        put({"values.webhookTLS": {"password": "Sup3r-s3cret-webhook-pass"}}),
    ),
    Mutation(
        "public-message-broker-no-rule-examines",
        "aws:mq/broker:Broker",
        "settlement-broker",
        "unexamined-data-stores",
        add=(
            Added(
                "aws:mq/broker:Broker",
                "settlement-broker",
                {
                    "brokerName": "trading-prod-settlement",
                    "engineType": "RabbitMQ",
                    "hostInstanceType": "mq.m5.large",
                    "publiclyAccessible": True,
                    "users": [{"username": "settle", "password": WIRE_UNKNOWN}],
                },
            ),
        ),
    ),
]

PREVIEW_UNKNOWNS = [
    Mutation(
        "dr-replica-source-unknown-without-key",
        types.RDS_INSTANCE,
        "data-postgres-dr-replica",
        "rds-storage-encrypted",
        drop("kmsKeyId"),
        preview=True,
    ),
    Mutation(
        "kafka-public-access-unknown",
        types.MSK_CLUSTER,
        "kafka-cluster",
        "msk-no-public-access",
        unknown("brokerNodeGroupInfo.connectivityInfo"),
        preview=True,
    ),
    Mutation(
        "subnet-map-public-ip-unknown",
        SUBNET,
        "network-database-0",
        "subnet-no-auto-public-ip",
        unknown("mapPublicIpOnLaunch"),
        preview=True,
    ),
    Mutation(
        "db-rule-cidr-unknown",
        SG_INGRESS,
        DB_RULE,
        NO_WORLD,
        put({"referencedSecurityGroupId": DELETE, "cidrIpv4": WIRE_UNKNOWN}),
        preview=True,
    ),
    Mutation(
        "service-type-unknown",
        SERVICE,
        "workloads-api-service",
        "k8s-service-not-internet-facing",
        unknown("spec.type"),
        preview=True,
    ),
    Mutation(
        "eks-public-cidrs-unknown",
        types.EKS_COMPONENT,
        "services-eks",
        "eks-endpoint-not-public",
        put({"endpointPublicAccess": True, "publicAccessCidrs": WIRE_UNKNOWN}),
        preview=True,
    ),
    Mutation(
        "prefix-list-entries-unknown",
        PL,
        "partner-ranges",
        "prefix-list-not-world-open",
        add=(prefix_list("partner-ranges", WIRE_UNKNOWN),),
        preview=True,
    ),
    Mutation(
        "nacl-rule-cidr-unknown",
        NACL_RULE,
        "network-nacl-ssh",
        "nacl-no-world-admin-ingress",
        add=(
            nacl_rule(
                "network-nacl-ssh",
                protocol="tcp",
                fromPort=22.0,
                toPort=22.0,
                cidrBlock=WIRE_UNKNOWN,
            ),
        ),
        preview=True,
    ),
    Mutation(
        "route-gateway-unknown-without-dependency",
        ROUTE,
        "network-database-mystery",
        ROUTES,
        add=(
            Added(
                ROUTE,
                "network-database-mystery",
                {
                    "routeTableId": "rtb-0",
                    "destinationCidrBlock": "0.0.0.0/0",
                    "gatewayId": WIRE_UNKNOWN,
                },
                deps={"routeTableId": ("network-database-rt",)},
                parent_chain=VPC_CHAIN,
            ),
        ),
        names="network-database-0",
        more=((ROUTES, "network-database-1"), (ROUTES, "network-database-2")),
        preview=True,
    ),
    Mutation(
        "snapshot-copy-encrypted-unknown",
        SNAPSHOT_COPY,
        "data-dr-snapshot",
        "ebs-encrypted",
        add=(
            Added(
                SNAPSHOT_COPY,
                "data-dr-snapshot",
                {"sourceSnapshotId": "snap-1", "encrypted": WIRE_UNKNOWN},
            ),
        ),
        preview=True,
    ),
    Mutation(
        "classic-elb-listeners-unknown",
        CLASSIC_ELB,
        "engine-legacy-elb",
        "lb-listener-tls",
        add=(
            Added(CLASSIC_ELB, "engine-legacy-elb", {"internal": True, "listeners": WIRE_UNKNOWN}),
        ),
        preview=True,
    ),
    Mutation(
        "listener-rule-listener-protocol-unknown",
        LISTENER,
        "edge-https",
        "lb-listener-rules-tls",
        unknown("protocol"),
        names="edge-api-rule",
        more=(("lb-listener-rules-tls", "edge-websocket-rule"),),
        also=(),
        preview=True,
    ),
]

CLASS_MUTATIONS: Final = WORLD_OPEN + WAF_SHORTCUT + OLDER_SHAPES + ON_FAMILY_RULES
BY_ID: Final = {m.id: m for m in CLASS_MUTATIONS + PREVIEW_UNKNOWNS}
# Updates whose value is as literal in preview: run again there.
PREVIEW_TOO: Final = [
    "db-rule-from-lower-half",
    "db-sg-wide-nines-as-separate-rules",
    "prefix-list-with-the-world",
    "database-tier-route-to-igw",
    "public-subnet-maps-public-ips",
    "kafka-public-access-eips",
    "api-service-load-balancer-default-scheme",
    "api-service-node-port-on-public-nodes",
    "alb-sg-admits-a-customer-prefix-list",
    "api-rule-drops-the-origin-secret",
    "listener-rule-forwards-on-http-listener",
    "documentdb-tls-disabled",
]


@pytest.mark.parametrize("mutation", CLASS_MUTATIONS, ids=[m.id for m in CLASS_MUTATIONS])
def test_mutation_is_blocked_by_its_rule(pack: PolicyPackProcess, mutation: Mutation) -> None:
    assert_caught(pack, stack("prod", False).resources, mutation)


@pytest.mark.parametrize("mutation", PREVIEW_UNKNOWNS, ids=[m.id for m in PREVIEW_UNKNOWNS])
def test_unknown_security_value_cannot_be_verified_in_preview(
    preview_pack: PolicyPackProcess, mutation: Mutation
) -> None:
    assert_caught(preview_pack, stack("prod", True).resources, mutation)


@pytest.mark.parametrize("mutation_id", PREVIEW_TOO)
def test_mutation_is_blocked_in_preview(preview_pack: PolicyPackProcess, mutation_id: str) -> None:
    assert_caught(preview_pack, stack("prod", True).resources, BY_ID[mutation_id])


def test_cases_round_trip_over_grpc(
    grpc_pack: PolicyPackProcess, grpc_preview_pack: PolicyPackProcess
) -> None:
    """The pack started as the CLI starts it blocks a sample of each kind of case alike."""
    sample = round_trip_sample(CLASS_MUTATIONS)
    assert {case.stack_rule for case in sample} == {False, True}
    for mutation in sample:
        assert_caught(grpc_pack, stack("prod", False).resources, mutation)
    for mutation in (PREVIEW_UNKNOWNS[0], BY_ID[PREVIEW_TOO[0]]):
        assert_caught(grpc_preview_pack, stack("prod", True).resources, mutation)


def test_the_suite_is_large_and_varied() -> None:
    everything = CLASS_MUTATIONS + PREVIEW_UNKNOWNS
    assert len(BY_ID) == len(everything) >= 80
    assert all(m.preview for m in PREVIEW_UNKNOWNS)
    assert not any(m.preview for m in CLASS_MUTATIONS)
    added = sum(bool(m.add) for m in everything)
    assert 0 < added < len(everything)
