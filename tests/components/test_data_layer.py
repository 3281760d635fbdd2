"""DataLayer, built on its own under mocks: each engine x cache mode x tier, update and preview."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest

from components.aws_context import AwsContext
from components.config import StackConfig, load_stack_config
from components.data_layer import DataLayer, DataLayerArgs
from components.dr_network import DrNetworkSettings
from components.reachability import REACHABILITY
from offline.capture import UNKNOWN, CapturedResource
from offline.mock_outputs import MOCK_SECRET_MARKER
from offline.mocks import ACCOUNT_ID, AVAILABILITY_ZONES
from offline.runner import ProgramRun, run_component
from tests.programs import stack as shared_stack
from tests.resources import linked_one, within
from tests.stack_values import base_values

REGION, DR_REGION = "ap-northeast-2", "ap-northeast-1"
SECRET_SIG = "4dabf18193072939515e22adb298388d"  # the engine's marker of a secret envelope
CONTEXT = AwsContext(ACCOUNT_ID, "aws", REGION, "amazonaws.com")
SUBNETS = ["subnet-db-a", "subnet-db-b", "subnet-db-c"]
ZONES = AVAILABILITY_ZONES[REGION]
SG = {
    "database": "sg-database",
    "proxy": "sg-db-proxy",
    "cache": "sg-cache",
    "rotation": "sg-rotation",
}
LOGS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/logs"

ENGINES = ("postgres", "aurora-postgresql")
CACHE_MODES = ("replication-group", "serverless")
TIERS = ("startup", "growth", "scale")

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
PROXY = "aws:rds/proxy:Proxy"
PROXY_ENDPOINT = "aws:rds/proxyEndpoint:ProxyEndpoint"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SERVERLESS_CACHE = "aws:elasticache/serverlessCache:ServerlessCache"
KMS_KEY = "aws:kms/key:Key"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


def stack_config(
    engine: str,
    cache_mode: str,
    tier: str,
    postgres: dict[str, Any] | None = None,
    cache: dict[str, Any] | None = None,
) -> StackConfig:
    postgres = {"engine": engine, **(postgres or {})}
    if engine == "aurora-postgresql":
        # Aurora cannot have a cross-region replica with an RDS-managed password (see config).
        postgres["crossRegionReplica"] = False
    values = {
        **base_values(tier, environment="prod" if tier == "scale" else "dev"),
        "trading-platform:postgres": postgres,
        "trading-platform:cache": {"mode": cache_mode, **(cache or {})},
    }
    return load_stack_config(values, stack="test")


def dr_settings(config: StackConfig) -> DrNetworkSettings | None:
    if config.dr_region is None or config.dr_network_config is None:
        return None
    return DrNetworkSettings(
        region=config.dr_region,
        network=config.dr_network_config,
        cluster_name="trading-test",
        cloudfront_prefix_list_id="pl-dr-cloudfront",
        reachability=REACHABILITY,
        failover=config.dr_network.failover,
    )


def data_layer_args(config: StackConfig) -> DataLayerArgs:
    return DataLayerArgs(
        name_prefix="trading-test",
        postgres=config.postgres,
        cache=config.cache,
        context=CONTEXT,
        db_subnet_group_name="db-subnets",
        cache_subnet_group_name="cache-subnets",
        database_subnet_ids=SUBNETS,
        database_security_group_id=SG["database"],
        proxy_security_group_id=SG["proxy"],
        cache_security_group_id=SG["cache"],
        rotation_security_group_id=SG["rotation"],
        logs_kms_key_arn=LOGS_KEY,
        protect=config.protect_stateful,
        availability_zones=ZONES[: config.network.az_count],
        dr_network=dr_settings(config),
    )


def build(config: StackConfig) -> None:
    layer = DataLayer("data", data_layer_args(config))
    for name in (
        "writer_endpoint",
        "reader_endpoints",
        "proxy_endpoint",
        "proxy_read_only_endpoint",
        "dr_endpoint",
        "cache_endpoint",
        "master_secret_arn",
        "database_secret_arn",
        "cache_secret_arn",
        "data_key_arn",
        "dr_key_arn",
    ):
        pulumi.export(name, getattr(layer, name))


class Case:
    """One built DataLayer with the config that produced it."""

    def __init__(
        self,
        engine: str,
        cache_mode: str,
        tier: str,
        preview: bool,
        *,
        postgres: dict[str, Any] | None = None,
        cache: dict[str, Any] | None = None,
    ) -> None:
        self.config = stack_config(engine, cache_mode, tier, postgres, cache)
        self.tier = tier
        self.preview = preview
        self.run: ProgramRun = run_component(lambda: build(self.config), preview=preview)

    def known(self, value: Any) -> Any:
        """What a computed value looks like here: itself in an update, unknown in a preview."""
        return UNKNOWN if self.preview else value

    def one(self, type_token: str) -> CapturedResource:
        found = self.run.of_type(type_token)
        assert len(found) == 1, f"{len(found)} x {type_token}"
        return found[0]

    @property
    def data_key(self) -> Any:
        return self.known(self.run.outputs["data_key_arn"])

    def in_region(self, type_token: str, region: str | None) -> list[CapturedResource]:
        return [r for r in self.run.of_type(type_token) if r.inputs.get("region") == region]


_CASES: dict[tuple[str, str, str, bool], Case] = {}
MATRIX = [
    pytest.param((e, c, t, p), id=f"{e}-{c}-{t}-{'preview' if p else 'update'}")
    for e in ENGINES
    for c in CACHE_MODES
    for t in TIERS
    for p in (False, True)
]


@pytest.fixture(params=MATRIX)
def case(request: pytest.FixtureRequest) -> Case:
    key = request.param
    if key not in _CASES:
        _CASES[key] = Case(*key)
    return _CASES[key]


def plaintext_secrets(value: Any) -> Iterator[str]:
    """Strings carrying a generated secret that are not inside a secret envelope."""
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return
        for item in value.values():
            yield from plaintext_secrets(item)
    elif isinstance(value, list):
        for item in value:
            yield from plaintext_secrets(item)
    elif isinstance(value, str) and MOCK_SECRET_MARKER in value:
        yield value


def test_no_plaintext_secret_in_any_input(case: Case) -> None:
    leaks = {r.name: list(plaintext_secrets(r.inputs)) for r in case.run.resources}
    assert not {name: found for name, found in leaks.items() if found}
    if not case.preview:
        # The check has teeth: the generated credentials do reach resources, as envelopes.
        enveloped = [
            r
            for r in case.run.resources
            if any(isinstance(v, dict) and SECRET_SIG in v for v in r.inputs.values())
        ]
        assert enveloped


def test_no_plaintext_secret_in_outputs(case: Case) -> None:
    assert not list(plaintext_secrets(case.run.outputs))
    assert MOCK_SECRET_MARKER not in json.dumps(case.run.outputs)


def test_every_resource_is_inside_the_data_layer(case: Case) -> None:
    layer = case.one("trading:data:DataLayer")
    for resource in case.run.resources:
        if resource is not layer:
            assert within(resource, layer, case.run.resources), f"{resource.name} escapes"


def test_data_keys_rotate_and_are_protected_in_prod(case: Case) -> None:
    by_urn = case.run.by_urn()
    keys = [
        k
        for k in case.run.of_type(KMS_KEY)
        if by_urn[k.parent].type == "trading:data:DataEncryptionKey"
    ]
    dr = case.config.postgres.cross_region_replica
    assert len(keys) == (2 if dr else 1)
    for key in keys:
        assert key.get("enableKeyRotation") is True
        assert key.get("deletionWindowInDays") == 30
        assert key.protect is (case.tier == "scale")
        policy = json.loads(key.get("policy"))
        region = key.get("region") or REGION
        via = next(s for s in policy["Statement"] if s["Sid"] == "DataServicesUseKey")
        assert sorted(via["Condition"]["StringEquals"]["kms:ViaService"]) == [
            f"elasticache.{region}.amazonaws.com",
            f"rds.{region}.amazonaws.com",
            f"secretsmanager.{region}.amazonaws.com",
        ]
        admin = next(s for s in policy["Statement"] if s["Sid"] == "AccountAdministersKey")
        assert "kms:Decrypt" not in admin["Action"]
        assert "kms:*" not in admin["Action"]
    assert [k.get("region") for k in keys if k.get("region")] == ([DR_REGION] if dr else [])


def test_postgres_rds_instances(case: Case) -> None:
    pg = case.config.postgres
    if pg.engine.value != "postgres":
        assert not case.run.of_type(INSTANCE)
        return
    primary, *replicas = case.in_region(INSTANCE, None)
    assert primary.get("replicateSourceDb") is None
    expected = {
        "engine": "postgres",
        "engineVersion": "16",
        "instanceClass": pg.instance_class,
        "allocatedStorage": pg.allocated_storage_gb,
        "maxAllocatedStorage": pg.max_allocated_storage_gb,
        "storageType": "gp3",
        "storageEncrypted": True,
        "kmsKeyId": case.data_key,
        "multiAz": pg.multi_az,
        "dbSubnetGroupName": "db-subnets",
        "vpcSecurityGroupIds": [SG["database"]],
        "publiclyAccessible": False,
        "iamDatabaseAuthenticationEnabled": True,
        "backupRetentionPeriod": pg.backup_retention_days,
        "backupWindow": "03:00-04:00",
        "maintenanceWindow": "mon:04:00-mon:05:00",
        "deletionProtection": True,
        "skipFinalSnapshot": False,
        "finalSnapshotIdentifier": "trading-test-postgres-final",
        "copyTagsToSnapshot": True,
        "autoMinorVersionUpgrade": True,
        "enabledCloudwatchLogsExports": ["postgresql", "upgrade"],
        "performanceInsightsEnabled": True,
        "performanceInsightsKmsKeyId": case.data_key,
        "monitoringInterval": 60,
    }
    assert {k: primary.get(k) for k in expected} == expected
    # The major alone never drifts (a prefix of the actual version): no version to ignore; a
    # password of ours is the rotation's after the first up.
    rotated = ("password",) if case.config.postgres.self_managed_master_password else ()
    assert primary.ignore_changes == rotated
    monitoring_role = linked_one(primary, "monitoringRoleArn", case.run.resources)
    assert monitoring_role.name == "data-postgres-monitoring-role"
    attachment = case.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.get("policyArn").endswith("service-role/AmazonRDSEnhancedMonitoringRole")
    assert primary.protect is (case.tier == "scale")
    # gp3 takes explicit IOPS/throughput only from 400 GB (the scale tier's 500 GB).
    if pg.allocated_storage_gb >= 400:
        assert (primary.get("iops"), primary.get("storageThroughput")) == (pg.iops, 500)
    else:
        assert primary.get("iops") is None
        assert primary.get("storageThroughput") is None

    azs = ZONES[: case.config.network.az_count]
    assert primary.get("availabilityZone") == (None if pg.multi_az else azs[0])
    # Replicas go round robin from the AZ after the primary's: never next to it.
    assert sorted(r.get("availabilityZone") for r in replicas) == sorted(
        azs[(i + 1) % len(azs)] for i in range(pg.replica_count)
    )
    assert len(replicas) == pg.replica_count
    for replica in replicas:
        assert replica.get("replicateSourceDb") == "trading-test-postgres"
        assert replica.get("instanceClass") == pg.replica_instance_class
        assert replica.get("publiclyAccessible") is False
        assert replica.get("vpcSecurityGroupIds") == [SG["database"]]
        assert replica.get("performanceInsightsKmsKeyId") == case.data_key
        # Like the primary's: a scanner (Checkov) flags a replica that exports no logs.
        assert replica.get("enabledCloudwatchLogsExports") == ["postgresql", "upgrade"]
        assert replica.protect is (case.tier == "scale")


def test_master_password_never_in_config_and_managed_where_rds_allows(case: Case) -> None:
    pg = case.config.postgres
    writer = case.in_region(CLUSTER if pg.engine.value != "postgres" else INSTANCE, None)[0]
    has_replicas = pg.engine.value == "postgres" and (pg.replica_count or pg.cross_region_replica)
    if has_replicas:
        # RDS rejects replicas of an instance whose password it manages: generated, enveloped.
        assert writer.get("manageMasterUserPassword") is None
        assert SECRET_SIG in writer.get("password")
        master = [
            s for s in case.run.of_type(SECRET) if s.get("name") == "trading-test/postgres/master"
        ]
        assert len(master) == 1
        assert master[0].get("kmsKeyId") == case.data_key
    else:
        assert writer.get("manageMasterUserPassword") is True
        assert writer.get("masterUserSecretKmsKeyId") == case.data_key
        assert writer.get("password") is None
        assert writer.get("masterPassword") is None
        assert "password" not in writer.ignore_changes


ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
ROTATION_APP = "aws:serverlessrepository/cloudFormationStack:CloudFormationStack"


def test_master_password_rotates_on_the_configured_schedule(case: Case) -> None:
    """Our own secret: AWS's single-user function in the database subnets with the rotation SG;
    RDS's own secret: managed rotation, the same schedule and no function."""
    pg = case.config.postgres
    (rotation,) = case.run.of_type(ROTATION)
    assert rotation.get("rotationRules") == {
        "scheduleExpression": "cron(0 18 ? * SAT *)",
        "duration": "2h",
    }
    functions = case.run.of_type(ROTATION_APP)
    if not case.preview:
        assert rotation.get("secretId") == case.run.outputs["master_secret_arn"]
    if not pg.self_managed_master_password:
        assert not functions
        assert rotation.get("rotationLambdaArn") is None
        return
    (function,) = functions
    assert function.get("applicationId") == (
        "arn:aws:serverlessrepo:us-east-1:297356227824:applications/"
        "SecretsManagerRDSPostgreSQLRotationSingleUser"
    )
    assert function.get("capabilities") == ["CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"]
    parameters = function.get("parameters")
    assert parameters["vpcSecurityGroupIds"] == SG["rotation"]
    assert parameters["endpoint"] == f"https://secretsmanager.{REGION}.amazonaws.com"
    # RDS master passwords may not contain these (and a rotation must not generate them).
    assert set('/@" ') <= set(parameters["excludeCharacters"])
    if not case.preview:
        assert parameters["vpcSubnetIds"] == ",".join(SUBNETS)
        assert parameters["kmsKeyArn"] == case.data_key
        assert rotation.get("rotationLambdaArn") == (
            f"arn:aws:lambda:{REGION}:123456789012:function:{parameters['functionName']}"
        )
    # The first rotation needs the database and the secret's value to exist.
    (primary,) = [i for i in case.run.of_type(INSTANCE) if i.name == "data-postgres-primary"]
    assert primary.urn in rotation.dependencies
    # After a rotation, neither the database nor the secret gets the generated password back.
    assert "password" in primary.ignore_changes
    (master,) = [
        v for v in case.run.of_type(SECRET_VERSION) if v.name == "data-postgres-master-secret-value"
    ]
    assert master.ignore_changes == ("secretString",)
    assert master.urn in rotation.dependencies


def test_dr_replica_only_where_asked_in_the_dr_region_with_the_dr_key(case: Case) -> None:
    dr_instances = case.in_region(INSTANCE, DR_REGION)
    if not case.config.postgres.cross_region_replica:
        assert not dr_instances
        assert not [r for r in case.run.resources if r.get("region") == DR_REGION]
        assert case.run.outputs["dr_endpoint"] is None
        return
    assert case.tier == "scale"
    (replica,) = dr_instances
    assert replica.get("replicateSourceDb") == case.known(
        f"arn:aws:rds:{REGION}:{ACCOUNT_ID}:db:trading-test-postgres"
    )
    assert replica.get("kmsKeyId") == case.known(case.run.outputs["dr_key_arn"])
    assert replica.get("kmsKeyId") != case.data_key or case.preview
    assert replica.get("storageEncrypted") is True
    assert replica.get("performanceInsightsKmsKeyId") == replica.get("kmsKeyId")
    assert replica.get("backupRetentionPeriod") == 35
    # Exported in the DR region (the replica's own), where RDS creates its log groups.
    assert replica.get("enabledCloudwatchLogsExports") == ["postgresql", "upgrade"]
    assert replica.protect is True
    network = case.one("trading:data:DrDatabaseNetwork")
    dr_children = case.run.children_of(network)
    assert all(r.get("region") == DR_REGION for r in dr_children if r.custom)
    # Standing by: the primary's tiers, but nothing that bills by the hour.
    types = {r.type for r in dr_children}
    assert "aws:ec2/natGateway:NatGateway" not in types
    assert "aws:ec2/eip:Eip" not in types
    subnets = [
        r
        for r in dr_children
        if r.type == "aws:ec2/subnet:Subnet" and r.get("tags")["Tier"] == "database"
    ]
    assert sorted(s.get("cidrBlock") for s in subnets) == [
        "10.1.21.0/24",
        "10.1.22.0/24",
        "10.1.23.0/24",
    ]
    assert sorted(s.get("availabilityZone") for s in subnets) == AVAILABILITY_ZONES[DR_REGION]
    (group,) = [
        r
        for r in dr_children
        if r.type == "aws:ec2/securityGroup:SecurityGroup" and r.get("tags")["Role"] == "database"
    ]
    # Its rules are separate resources; the group itself holds none inline.
    assert not group.get("ingress")
    assert not group.get("egress")
    (sg_id,) = replica.get("vpcSecurityGroupIds")
    assert sg_id == UNKNOWN if case.preview else sg_id.startswith("sg-")
    assert sg_id != SG["database"]
    # The parameter group is regional: the DR region gets its own copy of the tuning.
    dr_params = case.in_region("aws:rds/parameterGroup:ParameterGroup", DR_REGION)
    assert len(dr_params) == 1
    assert replica.get("parameterGroupName") == dr_params[0].get("name")


def test_aurora_cluster_and_members(case: Case) -> None:
    pg = case.config.postgres
    if pg.engine.value != "aurora-postgresql":
        assert not case.run.of_type(CLUSTER)
        return
    cluster = case.one(CLUSTER)
    expected = {
        "engine": "aurora-postgresql",
        "engineVersion": "16.11",
        "storageEncrypted": True,
        "kmsKeyId": case.data_key,
        "manageMasterUserPassword": True,
        "iamDatabaseAuthenticationEnabled": True,
        "dbSubnetGroupName": "db-subnets",
        "vpcSecurityGroupIds": [SG["database"]],
        "backupRetentionPeriod": pg.backup_retention_days,
        "preferredBackupWindow": "03:00-04:00",
        "preferredMaintenanceWindow": "mon:04:00-mon:05:00",
        "deletionProtection": True,
        "skipFinalSnapshot": False,
        "copyTagsToSnapshot": True,
        "enabledCloudwatchLogsExports": ["postgresql"],
    }
    assert {k: cluster.get(k) for k in expected} == expected
    assert cluster.protect is (case.tier == "scale")
    # Pinned: AWS's minor upgrades are kept rather than downgraded on the next up.
    assert cluster.ignore_changes == ("engineVersion",)
    members = {m.get("identifier"): m for m in case.run.of_type(CLUSTER_INSTANCE)}
    readers = [f"trading-test-postgres-reader-{i + 1}" for i in range(pg.replica_count)]
    assert sorted(members) == sorted(["trading-test-postgres-writer", *readers])
    writer = members["trading-test-postgres-writer"]
    assert len({m.get("availabilityZone") for m in members.values()}) == min(
        len(members), case.config.network.az_count
    )
    assert (writer.get("instanceClass"), writer.get("promotionTier")) == (pg.instance_class, 0)
    for reader in readers:
        assert members[reader].get("instanceClass") == pg.replica_instance_class
    for member in members.values():
        assert member.get("publiclyAccessible") is False
        assert member.get("performanceInsightsKmsKeyId") == case.data_key
        # An input of the cluster's, so known even in a preview.
        assert member.get("clusterIdentifier") == "trading-test-postgres"
        assert member.protect is (case.tier == "scale")
        # Members run the cluster's version; a second pin would only drift too.
        assert member.get("engineVersion") is None


def test_parameter_group_tuning(case: Case) -> None:
    pg = case.config.postgres
    token = (
        "aws:rds/parameterGroup:ParameterGroup"
        if pg.engine.value == "postgres"
        else "aws:rds/clusterParameterGroup:ClusterParameterGroup"
    )
    group = case.in_region(token, None)[0]
    assert group.get("family") == pg.parameter_family
    params = {p["name"]: (p["value"], p["applyMethod"]) for p in group.get("parameters")}
    assert params["rds.force_ssl"] == ("1", "immediate")
    assert params["max_connections"] == (str(pg.max_connections), "pending-reboot")
    assert params["log_min_duration_statement"][0] == str(pg.slow_query_ms)
    assert params["work_mem"][0] == str(pg.work_mem_kb)
    if pg.engine.value == "postgres":
        # 25% of memory in 8 KiB pages, not the seed's bytes/4.
        assert params["shared_buffers"] == ("{DBInstanceClassMemory/32768}", "pending-reboot")
    else:
        assert "shared_buffers" not in params


def test_proxy_requires_tls_and_reads_only_its_secret(case: Case) -> None:
    pg = case.config.postgres
    proxy = case.one(PROXY)
    assert proxy.get("requireTls") is True
    assert proxy.get("engineFamily") == "POSTGRESQL"
    assert proxy.get("vpcSubnetIds") == SUBNETS
    assert proxy.get("vpcSecurityGroupIds") == [SG["proxy"]]
    assert proxy.get("idleClientTimeout") == 1800
    (auth,) = proxy.get("auths")
    master = case.known(case.run.outputs["master_secret_arn"])
    assert auth["secretArn"] == master
    assert auth["iamAuth"] == "REQUIRED"
    assert auth["authScheme"] == "SECRETS"
    pool = case.one("aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup")
    assert pool.get("connectionPoolConfig") == {
        "maxConnectionsPercent": 80,
        "connectionBorrowTimeout": 120,
    }
    target = case.one("aws:rds/proxyTarget:ProxyTarget")
    aurora = pg.engine.value == "aurora-postgresql"
    assert (target.get("dbClusterIdentifier") is not None) is aurora
    assert (target.get("dbInstanceIdentifier") is not None) is not aurora
    endpoints = case.run.of_type(PROXY_ENDPOINT)
    assert len(endpoints) == (1 if aurora and pg.replica_count else 0)
    for endpoint in endpoints:
        assert endpoint.get("targetRole") == "READ_ONLY"
        assert endpoint.get("vpcSecurityGroupIds") == [SG["proxy"]]
    if not case.preview:
        (proxy_policy,) = [
            p for p in case.run.of_type("aws:iam/rolePolicy:RolePolicy") if "proxy" in p.name
        ]
        policy = json.loads(proxy_policy.get("policy"))
        read, decrypt = policy["Statement"]
        assert read["Action"] == "secretsmanager:GetSecretValue"
        assert read["Resource"] == master
        assert decrypt["Resource"] == case.data_key
        assert decrypt["Condition"]["StringEquals"]["kms:ViaService"] == (
            f"secretsmanager.{REGION}.amazonaws.com"
        )


def test_replication_group_cache(case: Case) -> None:
    cache = case.config.cache
    if cache.mode.value != "replication-group":
        assert not case.run.of_type(REPLICATION_GROUP)
        return
    group = case.one(REPLICATION_GROUP)
    expected = {
        "engine": "valkey",
        "nodeType": cache.node_type,
        "atRestEncryptionEnabled": True,
        "kmsKeyId": case.data_key,
        "transitEncryptionEnabled": True,
        "transitEncryptionMode": "required",
        "automaticFailoverEnabled": True,
        "multiAzEnabled": True,
        "subnetGroupName": "cache-subnets",
        "securityGroupIds": [SG["cache"]],
        "snapshotRetentionLimit": cache.snapshot_retention_days,
        "snapshotWindow": "03:00-05:00",
        "finalSnapshotIdentifier": "trading-test-cache-final",
        "maintenanceWindow": "mon:05:00-mon:07:00",
    }
    assert {k: group.get(k) for k in expected} == expected
    # IAM authentication by default: an RBAC user group and no AUTH token to leak or rotate.
    assert group.get("authToken") is None
    assert group.get("userGroupIds") == ["trading-test-cache-users"]
    # A group deployed with a token can only take the user group if the token is deleted.
    assert group.get("authTokenUpdateStrategy") == "DELETE"
    assert_iam_app_user(case)
    assert group.protect is (case.tier == "scale")
    if cache.cluster_mode:
        assert (group.get("numNodeGroups"), group.get("replicasPerNodeGroup")) == (3, 2)
        assert group.get("clusterMode") == "enabled"
    else:
        assert group.get("numCacheClusters") == 1 + cache.replicas_per_shard
        assert group.get("numNodeGroups") is None
    logs = {c["logType"]: c for c in group.get("logDeliveryConfigurations")}
    assert set(logs) == {"slow-log", "engine-log"}
    log_groups = [
        g
        for g in case.run.of_type("aws:cloudwatch/logGroup:LogGroup")
        if "/cache/" in g.get("name")
    ]
    assert {g.get("name") for g in log_groups} == {c["destination"] for c in logs.values()}
    assert all(g.get("kmsKeyId") == LOGS_KEY and g.get("retentionInDays") == 30 for g in log_groups)
    params = case.one("aws:elasticache/parameterGroup:ParameterGroup")
    assert params.get("family") == "valkey8"
    values = {p["name"]: p["value"] for p in params.get("parameters")}
    assert values["maxmemory-policy"] == "volatile-lru"
    assert values["timeout"] == "300"
    assert values["cluster-enabled"] == ("yes" if cache.cluster_mode else "no")


def test_serverless_cache(case: Case) -> None:
    if case.config.cache.mode.value != "serverless":
        assert not case.run.of_type(SERVERLESS_CACHE)
        return
    cache = case.one(SERVERLESS_CACHE)
    assert cache.get("engine") == "valkey"
    assert cache.get("majorEngineVersion") == "8"
    assert cache.get("kmsKeyId") == case.data_key
    assert cache.get("securityGroupIds") == [SG["cache"]]
    assert cache.get("subnetIds") == SUBNETS
    assert cache.get("cacheUsageLimits") == {
        "dataStorage": {"minimum": 1, "maximum": 10, "unit": "GB"},
        "ecpuPerSeconds": [{"minimum": 1000, "maximum": 100000}],
    }
    assert cache.get("dailySnapshotTime") == "03:00"
    assert cache.protect is (case.tier == "scale")
    assert_iam_app_user(case)
    assert cache.get("userGroupId") == "trading-test-cache-users"


def assert_iam_app_user(case: Case) -> None:
    """The one application user signs IAM tokens: no password exists, and its name is its id
    (ElastiCache refuses an IAM user whose name differs from its id)."""
    user = case.one("aws:elasticache/user:User")
    assert "-@dangerous" in user.get("accessString")
    assert user.get("authenticationMode") == {"type": "iam"}
    assert user.get("userName") == user.get("userId") == "trading-test-cache-app"
    generated = case.run.of_type("random:index/randomPassword:RandomPassword")
    assert all("cache" not in r.name for r in generated)


def test_application_secrets_are_encrypted_envelopes(case: Case) -> None:
    secrets = {s.get("name"): s for s in case.run.of_type(SECRET)}
    assert {"trading-test/app/database", "trading-test/app/cache"} <= set(secrets)
    for secret in secrets.values():
        assert secret.get("kmsKeyId") == case.data_key
        assert secret.get("recoveryWindowInDays") == 30
    for version in case.run.of_type(SECRET_VERSION):
        envelope = version.get("secretString")
        assert SECRET_SIG in envelope
        if case.preview:
            continue
        value = json.loads(envelope["value"])
        if value["engine"] == "postgres" and "password" not in value:
            assert value["host"] == case.run.outputs["proxy_endpoint"]
            assert value["port"] == 5432
            assert value["iamAuth"] is True
        elif value["engine"] == "valkey":
            # IAM: the settings name the user and the method; there is no password to store.
            assert "password" not in value
            assert (value["auth"], value["username"]) == ("iam", "trading-test-cache-app")
            assert value["host"] == case.run.outputs["cache_endpoint"]
            assert value["tls"] is True


def test_outputs_are_endpoints_and_arns(case: Case) -> None:
    outputs = case.run.outputs
    if case.preview:
        assert outputs["writer_endpoint"] == UNKNOWN
        return
    assert outputs["writer_endpoint"].endswith(f".{REGION}.rds.amazonaws.com")
    assert outputs["proxy_endpoint"].startswith("trading-test-postgres.proxy-")
    assert outputs["data_key_arn"].startswith(f"arn:aws:kms:{REGION}:")
    assert outputs["database_secret_arn"].startswith(f"arn:aws:secretsmanager:{REGION}:")
    assert len(outputs["reader_endpoints"]) == (
        case.config.postgres.replica_count
        if case.config.postgres.engine.value == "postgres"
        else min(1, case.config.postgres.replica_count)
    )
    assert ".cache.amazonaws.com" in outputs["cache_endpoint"]
    if case.config.postgres.cross_region_replica:
        assert outputs["dr_endpoint"].endswith(f".{DR_REGION}.rds.amazonaws.com")
        assert outputs["dr_key_arn"].startswith(f"arn:aws:kms:{DR_REGION}:")


def test_rds_manages_the_password_when_there_is_no_replica() -> None:
    case = Case(
        "postgres",
        "replication-group",
        "growth",
        False,
        postgres={"replicaCount": 0},
    )
    (primary,) = case.run.of_type(INSTANCE)
    assert primary.get("manageMasterUserPassword") is True
    assert primary.get("masterUserSecretKmsKeyId") == case.data_key
    assert primary.get("password") is None
    # Nothing is generated: RDS keeps the master password and the cache uses IAM.
    assert not case.run.of_type("random:index/randomPassword:RandomPassword")
    assert "trading-test/postgres/master" not in {s.get("name") for s in case.run.of_type(SECRET)}
    # The proxy logs in with the secret RDS created and rotates.
    (auth,) = case.one(PROXY).get("auths")
    assert auth["secretArn"] == case.run.outputs["master_secret_arn"]
    assert ":secret:rds!trading-test-postgres-" in auth["secretArn"]
    assert case.run.outputs["reader_endpoints"] == []


@pytest.mark.parametrize("preview", [False, True])
def test_a_pinned_rds_minor_ignores_aws_s_minor_upgrades(preview: bool) -> None:
    case = Case(
        "postgres", "replication-group", "growth", preview, postgres={"engineVersion": "16.11"}
    )
    primary, *replicas = case.in_region(INSTANCE, None)
    assert primary.get("engineVersion") == "16.11"
    assert primary.ignore_changes == ("engineVersion", "password")
    # Replicas follow their source and set no version of their own.
    assert all(r.get("engineVersion") is None for r in replicas)


@pytest.mark.parametrize("preview", [False, True])
def test_aurora_serverless_v2(preview: bool) -> None:
    case = Case(
        "aurora-postgresql",
        "serverless",
        "growth",
        preview,
        postgres={"serverlessMinAcu": 0.5, "serverlessMaxAcu": 32},
    )
    cluster = case.one(CLUSTER)
    assert cluster.get("serverlessv2ScalingConfiguration") == {
        "minCapacity": 0.5,
        "maxCapacity": 32,
    }
    members = case.run.of_type(CLUSTER_INSTANCE)
    assert len(members) == 2
    assert {m.get("instanceClass") for m in members} == {"db.serverless"}
    (endpoint,) = case.run.of_type(PROXY_ENDPOINT)
    assert endpoint.get("targetRole") == "READ_ONLY"


def test_replication_group_with_an_rbac_password_user_instead_of_iam() -> None:
    case = Case("postgres", "replication-group", "scale", False, cache={"auth": "rbac"})
    group = case.one(REPLICATION_GROUP)
    assert group.get("authToken") is None
    assert group.get("userGroupIds") == ["trading-test-cache-users"]
    assert group.get("authTokenUpdateStrategy") == "DELETE"
    assert group.get("transitEncryptionMode") == "required"
    user = case.one("aws:elasticache/user:User")
    assert user.get("userName") == "trading-app"
    mode = user.get("authenticationMode")
    assert SECRET_SIG in mode
    assert mode["value"]["type"] == "password"
    assert mode["value"]["passwords"][0].startswith(MOCK_SECRET_MARKER)
    users = case.one("aws:elasticache/userGroup:UserGroup")
    assert users.get("userIds") == ["trading-test-cache-app"]


def test_replication_group_with_an_auth_token_in_a_preview() -> None:
    case = Case("postgres", "replication-group", "scale", True, cache={"auth": "token"})
    group = case.one(REPLICATION_GROUP)
    assert SECRET_SIG in group.get("authToken")
    assert group.get("userGroupIds") is None
    assert group.get("authTokenUpdateStrategy") is None  # AWS's default, ROTATE
    assert not case.run.of_type("aws:elasticache/user:User")


def test_redis_replication_group_uses_the_redis_family() -> None:
    case = Case("postgres", "replication-group", "startup", False, cache={"engine": "redis"})
    group = case.one(REPLICATION_GROUP)
    assert (group.get("engine"), group.get("engineVersion")) == ("redis", "7.1")
    params = case.one("aws:elasticache/parameterGroup:ParameterGroup")
    assert params.get("family") == "redis7"
    assert group.get("parameterGroupName") == params.get("name")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_program_exports_the_data_layer(stack: str) -> None:
    run = shared_stack(stack, False)
    assert run.outputs["postgresProxyEndpoint"].startswith(f"trading-{stack}-postgres.proxy-")
    assert run.outputs["cacheSecretArn"].startswith("arn:aws:secretsmanager:")
    database = next(r for r in run.of_type(INSTANCE) if r.get("replicateSourceDb") is None)
    assert database.get("dbSubnetGroupName", "").startswith("network-db-")
    (sg_id,) = database.get("vpcSecurityGroupIds")
    assert sg_id.startswith("sg-")
    if stack == "prod":
        assert run.outputs["postgresDrEndpoint"].endswith(f".{DR_REGION}.rds.amazonaws.com")
        assert all(r.protect for r in run.of_type(INSTANCE))
    else:
        assert run.outputs["postgresDrEndpoint"] is None
        assert not any(r.protect for r in run.of_type(INSTANCE))


def test_dr_network_has_encrypted_flow_logs_in_the_dr_region(case: Case) -> None:
    flow_logs = case.run.of_type("aws:ec2/flowLog:FlowLog")
    if not case.config.postgres.cross_region_replica:
        assert flow_logs == []
        return
    (flow_log,) = flow_logs
    assert flow_log.get("trafficType") == "ALL"
    assert flow_log.get("region") == DR_REGION
    (group,) = [
        g
        for g in case.run.of_type("aws:cloudwatch/logGroup:LogGroup")
        if g.get("name").endswith("/vpc-flow-logs")
    ]
    assert group.get("region") == DR_REGION
    assert group.protect is (case.tier == "scale")
    logs_key = next(
        k
        for k in case.run.of_type(KMS_KEY)
        if k.get("tags", {}).get("Name", "").endswith("-dr-logs")
    )
    assert logs_key.get("region") == DR_REGION
    assert logs_key.get("enableKeyRotation") is True
    assert f"logs.{DR_REGION}.amazonaws.com" in logs_key.get("policy")
