"""PostgresDatabase: the system of record, as RDS for PostgreSQL or an Aurora cluster.

Both engines get the same guarantees: storage, Performance Insights and the RDS-managed master
secret are encrypted with the data CMK; the master password exists only in Secrets Manager;
IAM database authentication is on; TLS is forced by parameter; slow queries are logged and
exported; enhanced monitoring runs; nothing is public; deletion needs two deliberate steps
(deletion protection off, then a final snapshot is still taken).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from .aws_context import AwsContext, service_trust_policy
from .blocks import StoredSecret, child_options, json_secret
from .config import PostgresConfig, PostgresEngine
from .config.data import GP3_PROVISIONED_FROM_GB
from .secret_rotation import MasterPasswordRotation, MasterPasswordRotationArgs, RotationNetwork

POSTGRES_PORT = 5432
# Performance Insights keeps 7 days free of charge, which covers an incident's investigation.
PERFORMANCE_INSIGHTS_DAYS = 7
# Secrets Manager keeps a deleted secret this long before it is gone (its maximum).
# RDS master passwords: printable ASCII except '/', '"', '@' and space.
MASTER_PASSWORD_SPECIALS = "!#%^*-_=+"
# What RDS for PostgreSQL can export, on a primary and on a read replica alike (create and
# modify take the same list; a change applies in place, immediately). RDS writes each to
# /aws/rds/instance/<identifier>/<type> in the instance's own region, so the DR replica's logs
# stay in the DR region. https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CloudwatchLogsExportConfiguration.html
INSTANCE_LOG_EXPORTS = ("postgresql", "upgrade")


DR_SUFFIX = "-dr"


def database_identifier(name_prefix: str) -> str:
    """The RDS primary's (or Aurora cluster's) identifier; the DR replica's adds ``-dr``."""
    return f"{name_prefix}-postgres"


@dataclass(frozen=True)
class DrReplicaTarget:
    """Where the cross-region replica goes: a region and that region's network and key."""

    region: str
    db_subnet_group_name: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    # After a failover (``drNetwork.failover``): promoted, so no longer a replica of anything.
    promoted: bool = False


@dataclass(frozen=True)
class PostgresDatabaseArgs:
    name_prefix: str
    config: PostgresConfig
    db_subnet_group_name: pulumi.Input[str]
    security_group_id: pulumi.Input[str]  # the database role's SG: only the proxy gets in
    kms_key_arn: pulumi.Input[str]
    context: AwsContext
    protect: bool
    availability_zones: Sequence[str]  # the database subnets' AZs, to spread instances over
    # Where a rotation function for our own master secret runs (the database subnets and the
    # reachability table's rotation SG); used only when the password is ours.
    rotation_network: RotationNetwork
    dr: DrReplicaTarget | None = None


@dataclass(frozen=True)
class Parameter:
    name: str
    value: str
    static: bool = False  # needs a reboot to take effect

    @property
    def apply_method(self) -> str:
        return "pending-reboot" if self.static else "immediate"


class InstanceObservability(TypedDict):
    """Settings every database instance shares: primary, replica or Aurora member."""

    performance_insights_enabled: bool
    performance_insights_kms_key_id: pulumi.Input[str]
    performance_insights_retention_period: int
    monitoring_interval: int
    monitoring_role_arn: pulumi.Input[str]
    auto_minor_version_upgrade: bool
    publicly_accessible: bool


def tuning_parameters(config: PostgresConfig) -> list[Parameter]:
    """Seed 002's tuning, with the units RDS actually uses.

    ``shared_buffers`` and ``effective_cache_size`` count 8 KiB pages while
    ``DBInstanceClassMemory`` is in bytes, so 25% of memory is ``/32768`` (the seed's ``/4``
    would ask for twice the instance's memory and the instance would not start). Aurora sizes
    its own buffer cache for its storage model, so those two are left to Aurora there.
    """
    common = [
        Parameter("max_connections", str(config.max_connections), static=True),
        Parameter("work_mem", str(config.work_mem_kb)),
        Parameter("maintenance_work_mem", str(config.maintenance_work_mem_kb)),
        Parameter("random_page_cost", "1.1"),
        Parameter("log_min_duration_statement", str(config.slow_query_ms)),
        Parameter("rds.force_ssl", "1"),
    ]
    if config.engine is PostgresEngine.AURORA:
        return common
    return [
        Parameter("shared_buffers", "{DBInstanceClassMemory/32768}", static=True),
        Parameter("effective_cache_size", "{DBInstanceClassMemory*3/32768}"),
        Parameter("effective_io_concurrency", "200"),
        *common,
    ]


@dataclass(frozen=True)
class PostgresBuild:
    """What either engine yields; the component assigns it once."""

    writer_endpoint: pulumi.Output[str]
    reader_endpoints: list[pulumi.Output[str]]
    master_secret_arn: pulumi.Output[str]
    metric_dimensions: dict[str, pulumi.Output[str]]
    dr_endpoint: pulumi.Output[str] | None = None
    # Our own master secret's value, with the database, both of which the first rotation needs.
    rotation_after: tuple[pulumi.Resource, ...] = ()
    proxy_target_instance: pulumi.Output[str] | None = None
    proxy_target_cluster: pulumi.Output[str] | None = None
    # db-... or cluster-...: what the proxy's rds-db:connect resources name.
    resource_id: pulumi.Output[str] | None = None
    # The RDS primary or the Aurora cluster: what AWS Backup selects.
    arn: pulumi.Output[str] | None = None


class PostgresDatabase(pulumi.ComponentResource):
    writer_endpoint: pulumi.Output[str]
    reader_endpoints: list[pulumi.Output[str]]
    dr_endpoint: pulumi.Output[str] | None
    master_secret_arn: pulumi.Output[str]
    proxy_target_instance: pulumi.Output[str] | None  # RDS: the primary's identifier
    proxy_target_cluster: pulumi.Output[str] | None  # Aurora: the cluster's identifier
    resource_id: pulumi.Output[str] | None  # db-... (RDS) or cluster-... (Aurora)
    arn: pulumi.Output[str] | None  # the RDS primary or the Aurora cluster
    # AWS/RDS dimensions of the writer: DBInstanceIdentifier (RDS) or DBClusterIdentifier.
    metric_dimensions: dict[str, pulumi.Output[str]]

    def __init__(
        self, name: str, args: PostgresDatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:data:PostgresDatabase", name, None, opts)
        self._name = name
        self._args = args
        self._monitoring_role = self._enhanced_monitoring_role()
        built = self._aurora() if args.config.engine is PostgresEngine.AURORA else self._instances()
        self._rotation(built)
        self.writer_endpoint = built.writer_endpoint
        self.reader_endpoints = built.reader_endpoints
        self.dr_endpoint = built.dr_endpoint
        self.master_secret_arn = built.master_secret_arn
        self.proxy_target_instance = built.proxy_target_instance
        self.proxy_target_cluster = built.proxy_target_cluster
        self.resource_id = built.resource_id
        self.arn = built.arn
        self.metric_dimensions = built.metric_dimensions
        self.register_outputs(
            {
                "writerEndpoint": self.writer_endpoint,
                "readerEndpoints": self.reader_endpoints,
                "drEndpoint": self.dr_endpoint,
                "masterSecretArn": self.master_secret_arn,
            }
        )

    def _zone(self, index: int) -> str | None:
        """Instance ``index`` (0 = primary/writer) goes to the ``index``-th AZ, round robin, so a
        replica never shares its source's AZ while there is another one."""
        zones = self._args.availability_zones
        return zones[index % len(zones)] if zones else None

    @property
    def _identifier(self) -> str:
        return database_identifier(self._args.name_prefix)

    def _enhanced_monitoring_role(self) -> aws.iam.Role:
        ctx = self._args.context
        # Only this account's databases publish through it.
        trust = service_trust_policy("monitoring.rds.amazonaws.com", source_account=ctx.account_id)
        role = aws.iam.Role(
            f"{self._name}-monitoring-role",
            assume_role_policy=trust,
            description=f"{self._args.name_prefix}: RDS enhanced monitoring",
            opts=child_options(self),
        )
        aws.iam.RolePolicyAttachment(
            f"{self._name}-monitoring-policy",
            role=role.name,
            policy_arn=(
                f"arn:{ctx.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
            ),
            opts=child_options(self),
        )
        return role

    def _observability(self, kms_key_arn: pulumi.Input[str]) -> InstanceObservability:
        return InstanceObservability(
            performance_insights_enabled=True,
            performance_insights_kms_key_id=kms_key_arn,
            performance_insights_retention_period=PERFORMANCE_INSIGHTS_DAYS,
            monitoring_interval=self._args.config.monitoring_interval_seconds,
            monitoring_role_arn=self._monitoring_role.arn,
            auto_minor_version_upgrade=True,
            publicly_accessible=False,
        )

    def _parameter_group(self, suffix: str, region: str | None = None) -> aws.rds.ParameterGroup:
        config = self._args.config
        return aws.rds.ParameterGroup(
            f"{self._name}-params{suffix}",
            name=f"{self._identifier}{suffix}-{config.parameter_family}",
            family=config.parameter_family,
            description=f"{self._args.name_prefix}: trading tuning, TLS only, slow-query log",
            parameters=[
                aws.rds.ParameterGroupParameterArgs(
                    name=p.name, value=p.value, apply_method=p.apply_method
                )
                for p in tuning_parameters(config)
            ],
            region=region,
            opts=child_options(self),
        )

    def _instances(self) -> PostgresBuild:
        """RDS for PostgreSQL: a primary (with a Multi-AZ standby if asked) and read replicas."""
        args, config = self._args, self._args.config
        params = self._parameter_group("")
        provisioned = config.allocated_storage_gb >= GP3_PROVISIONED_FROM_GB
        # RDS refuses to create read replicas (same- or cross-region) of an instance whose
        # master password it manages in Secrets Manager. With replicas, the password is
        # generated here (never in config), kept in our own CMK-encrypted secret and handed
        # to RDS as a secret value, and then rotated by our rotation function; without
        # replicas, RDS manages and rotates it.
        managed = not config.self_managed_master_password
        password = None if managed else self._generated_password()
        # The rotation owns the password after the first up: the generated one is only the
        # initial value, and applying it again would undo a rotation (and lock out the proxy).
        rotated = [] if managed else ["password"]
        primary = aws.rds.Instance(
            f"{self._name}-primary",
            identifier=self._identifier,
            engine=config.engine.value,
            engine_version=config.engine_version,
            instance_class=config.instance_class,
            allocated_storage=config.allocated_storage_gb,
            max_allocated_storage=config.max_allocated_storage_gb,
            storage_type="gp3",
            iops=config.iops if provisioned else None,
            storage_throughput=config.storage_throughput if provisioned else None,
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            db_name=config.database_name,
            username=config.master_username,
            manage_master_user_password=True if managed else None,
            master_user_secret_kms_key_id=args.kms_key_arn if managed else None,
            password=password.result if password else None,
            iam_database_authentication_enabled=True,
            port=POSTGRES_PORT,
            multi_az=config.multi_az,
            # A Multi-AZ primary is placed by RDS (with its standby elsewhere); AWS rejects both.
            availability_zone=None if config.multi_az else self._zone(0),
            db_subnet_group_name=args.db_subnet_group_name,
            vpc_security_group_ids=[args.security_group_id],
            parameter_group_name=params.name,
            backup_retention_period=config.backup_retention_days,
            backup_window=config.backup_window,
            maintenance_window=config.maintenance_window,
            # Backups outlive the instance: a deleted database can still be restored.
            delete_automated_backups=False,
            copy_tags_to_snapshot=True,
            deletion_protection=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"{self._identifier}-final",
            enabled_cloudwatch_logs_exports=list(INSTANCE_LOG_EXPORTS),
            **self._observability(args.kms_key_arn),
            tags={"Name": self._identifier, "Role": "primary"},
            opts=child_options(
                self,
                protect=self._args.protect,
                ignore_changes=[*_version_drift(config), *rotated],
            ),
        )
        # A replica inherits storage encryption, the master user and its secret from the source;
        # RDS takes no final snapshot of a replica (the source's backups cover its data).
        replicas = [
            aws.rds.Instance(
                f"{self._name}-replica-{index}",
                identifier=f"{self._identifier}-replica-{index + 1}",
                replicate_source_db=primary.identifier,
                instance_class=config.replica_instance_class,
                availability_zone=self._zone(index + 1),
                max_allocated_storage=config.max_allocated_storage_gb,
                storage_type="gp3",
                storage_encrypted=True,
                iam_database_authentication_enabled=True,
                vpc_security_group_ids=[args.security_group_id],
                parameter_group_name=params.name,
                copy_tags_to_snapshot=True,
                deletion_protection=True,
                skip_final_snapshot=True,
                enabled_cloudwatch_logs_exports=list(INSTANCE_LOG_EXPORTS),
                **self._observability(args.kms_key_arn),
                tags={"Name": f"{self._identifier}-replica-{index + 1}", "Role": "replica"},
                opts=child_options(self, protect=self._args.protect),
            )
            for index in range(config.replica_count)
        ]
        own_secret = None if managed else self._own_master_secret(primary, password)
        return PostgresBuild(
            writer_endpoint=primary.address,
            reader_endpoints=[replica.address for replica in replicas],
            master_secret_arn=(
                primary.master_user_secrets.apply(lambda s: _managed_secret(s[0].secret_arn))
                if own_secret is None
                else own_secret.secret.arn
            ),
            rotation_after=(primary,) if own_secret is None else (primary, own_secret.version),
            metric_dimensions={"DBInstanceIdentifier": primary.identifier},
            arn=primary.arn,
            dr_endpoint=self._dr_replica(primary, args.dr).address if args.dr else None,
            proxy_target_instance=primary.identifier,
            resource_id=primary.resource_id,
        )

    def _generated_password(self) -> random.RandomPassword:
        return random.RandomPassword(
            f"{self._name}-master-password",
            length=40,
            override_special=MASTER_PASSWORD_SPECIALS,
            min_lower=2,
            min_upper=2,
            min_numeric=2,
            min_special=2,
            opts=child_options(self),
        )

    def _own_master_secret(
        self, primary: aws.rds.Instance, password: random.RandomPassword | None
    ) -> StoredSecret:
        """The master credentials in the shape RDS Proxy and the rotation templates read."""
        if password is None:
            raise ValueError("a self-managed master secret needs a generated password")
        args, config = self._args, self._args.config
        return json_secret(
            f"{self._name}-master-secret",
            parent=self,
            kms_key_arn=args.kms_key_arn,
            description=f"{args.name_prefix}: PostgreSQL master user (for RDS Proxy and DBAs)",
            value={
                "engine": config.engine.value,
                "host": primary.address,
                "port": POSTGRES_PORT,
                "dbname": config.database_name,
                "username": config.master_username,
                "password": password.result,
            },
            name=f"{args.name_prefix}/postgres/master",
            # The rotation function writes each new password as a new version; the value set
            # here is only the first (see _instances).
            rotated=True,
        )

    def _rotation(self, built: PostgresBuild) -> None:
        """Secrets Manager rotates the master secret on ``postgres.rotation``'s schedule: with
        our function when the password is ours, else RDS's managed rotation."""
        args = self._args
        own = args.config.self_managed_master_password
        MasterPasswordRotation(
            f"{self._name}-rotation",
            MasterPasswordRotationArgs(
                name_prefix=args.name_prefix,
                secret_arn=built.master_secret_arn,
                schedule=args.config.rotation,
                context=args.context,
                network=args.rotation_network if own else None,
                kms_key_arn=args.kms_key_arn if own else None,
                after=built.rotation_after,
            ),
            opts=child_options(self),
        )

    def _dr_replica(self, primary: aws.rds.Instance, dr: DrReplicaTarget) -> aws.rds.Instance:
        """A cross-region replica to promote if the primary region is lost.

        Cross-region replication of encrypted storage needs a key in the target region; the
        parameter group is regional too, so the DR region gets its own copy of the tuning. It
        keeps automated backups so a promoted replica is protected from its first minute.
        """
        config = self._args.config
        params = self._parameter_group("-dr", region=dr.region)
        identifier = f"{self._identifier}{DR_SUFFIX}"
        return aws.rds.Instance(
            f"{self._name}-dr-replica",
            identifier=identifier,
            region=dr.region,
            # Dropping the source promotes the replica in place (pulumi-aws rds.Instance:
            # "Removing the replicateSourceDb attribute from an existing RDS Replicate database
            # ... will promote the database to a fully standalone database"); the runbook
            # promotes it with the CLI first, so this only records it.
            replicate_source_db=None if dr.promoted else primary.arn,
            instance_class=config.replica_instance_class,
            max_allocated_storage=config.max_allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=dr.kms_key_arn,
            iam_database_authentication_enabled=True,
            db_subnet_group_name=dr.db_subnet_group_name,
            vpc_security_group_ids=[dr.security_group_id],
            parameter_group_name=params.name,
            backup_retention_period=config.backup_retention_days,
            backup_window=config.backup_window,
            maintenance_window=config.maintenance_window,
            copy_tags_to_snapshot=True,
            deletion_protection=True,
            # Promoted, it has no replicas, so RDS may manage and rotate its master password, in
            # a secret in the DR region under the DR key (the primary's is in the lost region);
            # "you can turn on this management" on an existing instance (ModifyDBInstance,
            # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html).
            manage_master_user_password=True if dr.promoted else None,
            master_user_secret_kms_key_id=dr.kms_key_arn if dr.promoted else None,
            # Promoted, it is the system of record and keeps a final snapshot like the primary.
            skip_final_snapshot=not dr.promoted,
            final_snapshot_identifier=f"{identifier}-final" if dr.promoted else None,
            enabled_cloudwatch_logs_exports=list(INSTANCE_LOG_EXPORTS),
            **self._observability(dr.kms_key_arn),
            tags={"Name": identifier, "Role": "dr-primary" if dr.promoted else "dr-replica"},
            opts=child_options(self, protect=self._args.protect),
        )

    def _aurora(self) -> PostgresBuild:
        """Aurora: a writer and ``replicaCount`` readers, provisioned or Serverless v2."""
        args, config = self._args, self._args.config
        params = aws.rds.ClusterParameterGroup(
            f"{self._name}-cluster-params",
            name=f"{self._identifier}-{config.parameter_family}",
            family=config.parameter_family,
            description=f"{args.name_prefix}: trading tuning, TLS only, slow-query log",
            parameters=[
                aws.rds.ClusterParameterGroupParameterArgs(
                    name=p.name, value=p.value, apply_method=p.apply_method
                )
                for p in tuning_parameters(config)
            ],
            opts=child_options(self),
        )
        serverless = config.serverless
        cluster = aws.rds.Cluster(
            f"{self._name}-cluster",
            cluster_identifier=self._identifier,
            engine=config.engine.value,
            engine_version=config.engine_version,
            database_name=config.database_name,
            master_username=config.master_username,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.kms_key_arn,
            iam_database_authentication_enabled=True,
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            port=POSTGRES_PORT,
            db_subnet_group_name=args.db_subnet_group_name,
            vpc_security_group_ids=[args.security_group_id],
            db_cluster_parameter_group_name=params.name,
            backup_retention_period=config.backup_retention_days,
            preferred_backup_window=config.backup_window,
            preferred_maintenance_window=config.maintenance_window,
            delete_automated_backups=False,
            copy_tags_to_snapshot=True,
            deletion_protection=True,
            skip_final_snapshot=False,
            final_snapshot_identifier=f"{self._identifier}-final",
            # Aurora PostgreSQL exports only the postgresql log; upgrades are cluster events.
            enabled_cloudwatch_logs_exports=["postgresql"],
            serverlessv2_scaling_configuration=(
                aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                    min_capacity=serverless.min_acu, max_capacity=serverless.max_acu
                )
                if serverless
                else None
            ),
            tags={"Name": self._identifier},
            opts=child_options(
                self, protect=self._args.protect, ignore_changes=_version_drift(config)
            ),
        )
        # Promotion tier 0 for the writer and 1 for readers: after a failover the old writer's
        # size class is preferred back. Serverless v2 members all use the db.serverless class.
        members = [
            ("writer", config.instance_class, 0),
            *(
                (f"reader-{i + 1}", config.replica_instance_class, 1)
                for i in range(config.replica_count)
            ),
        ]
        for index, (member, instance_class, tier) in enumerate(members):
            aws.rds.ClusterInstance(
                f"{self._name}-{member}",
                identifier=f"{self._identifier}-{member}",
                cluster_identifier=cluster.cluster_identifier,
                # No engine_version: a member runs its cluster's, and only the cluster's can be
                # changed (pulumi-aws rds.ClusterInstance engine_version), so pinning it here too
                # would only add a second place for AWS's minor upgrades to drift from.
                engine=aws.rds.EngineType.AURORA_POSTGRESQL,
                instance_class="db.serverless" if serverless else instance_class,
                db_subnet_group_name=args.db_subnet_group_name,
                availability_zone=self._zone(index),
                promotion_tier=tier,
                copy_tags_to_snapshot=True,
                **self._observability(args.kms_key_arn),
                tags={"Name": f"{self._identifier}-{member}"},
                opts=child_options(self, protect=self._args.protect),
            )
        return PostgresBuild(
            writer_endpoint=cluster.endpoint,
            reader_endpoints=[cluster.reader_endpoint] if config.replica_count else [],
            master_secret_arn=cluster.master_user_secrets.apply(
                lambda s: _managed_secret(s[0].secret_arn)
            ),
            metric_dimensions={"DBClusterIdentifier": cluster.cluster_identifier},
            arn=cluster.arn,
            proxy_target_cluster=cluster.cluster_identifier,
            resource_id=cluster.cluster_resource_id,
            rotation_after=(cluster,),
        )


def _version_drift(config: PostgresConfig) -> list[str]:
    """A pinned minor (always, on Aurora) drifts when AWS applies a minor upgrade; without
    ignoring it the next ``up`` would try a downgrade. The major alone never drifts: pulumi-aws
    compares it as a prefix of ``engine_version_actual`` (rds.Instance ``engine_version``)."""
    return ["engineVersion"] if config.pins_minor else []


def _managed_secret(arn: str | None) -> str:
    if arn is None:
        raise ValueError("RDS returned no managed master secret although it manages the password")
    return arn
