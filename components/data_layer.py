"""DataLayer: the system of record (PostgreSQL behind RDS Proxy) and the real-time cache.

Composes the data CMK, the database (RDS or Aurora) with its optional cross-region replica,
the proxy, the cache, and the connection secrets applications read. Only ids, endpoints and
ARNs leave the component; credentials stay in Secrets Manager.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from .aws_context import AwsContext
from .blocks import child_options, json_secret
from .cache import RealtimeCache, RealtimeCacheArgs
from .config import CacheConfig, PostgresConfig, PostgresEngine, ProxyIamAuth
from .config.failover import AttachedDatabaseConfig
from .data_keys import DataEncryptionKey, DataEncryptionKeyArgs
from .db_proxy import DatabaseProxy, DatabaseProxyArgs
from .dr_backup import BackupCopiesTarget, DatabaseBackupCopies, DatabaseBackupCopiesArgs
from .dr_network import DrNetwork, DrNetworkSettings
from .logs_key import LogsEncryptionKey, LogsEncryptionKeyArgs
from .postgres import (
    POSTGRES_PORT,
    DrReplicaTarget,
    PostgresBuild,
    PostgresDatabase,
    PostgresDatabaseArgs,
)
from .reachability import Role
from .secret_rotation import RotationNetwork


@dataclass(frozen=True)
class DataLayerArgs:
    name_prefix: str
    postgres: PostgresConfig
    cache: CacheConfig
    context: AwsContext
    db_subnet_group_name: pulumi.Input[str]
    cache_subnet_group_name: pulumi.Input[str]
    database_subnet_ids: Sequence[pulumi.Input[str]]
    database_security_group_id: pulumi.Input[str]
    proxy_security_group_id: pulumi.Input[str]
    cache_security_group_id: pulumi.Input[str]
    rotation_security_group_id: pulumi.Input[str]  # the master password's rotation function
    logs_kms_key_arn: pulumi.Input[str]
    protect: bool
    availability_zones: Sequence[str]  # of the database subnets, in subnet order
    dr_network: DrNetworkSettings | None = None  # with postgres.crossRegionReplica
    # The failover stack: the primary stack's promoted DR instance instead of a new database.
    attached_database: AttachedDatabaseConfig | None = None
    # Daily AWS Backup copies of the database in another region; None: no copies.
    backup_copies: BackupCopiesTarget | None = None
    database_users: Sequence[str] = ()  # the workloads', logging in with IAM tokens


class DataLayer(pulumi.ComponentResource):
    writer_endpoint: pulumi.Output[str]
    reader_endpoints: list[pulumi.Output[str]]
    proxy_endpoint: pulumi.Output[str]
    proxy_arn: pulumi.Output[str]
    proxy_read_only_endpoint: pulumi.Output[str] | None
    dr_endpoint: pulumi.Output[str] | None
    cache_endpoint: pulumi.Output[str]
    cache_reader_endpoint: pulumi.Output[str]
    master_secret_arn: pulumi.Output[str]
    database_secret_arn: pulumi.Output[str]
    cache_secret_arn: pulumi.Output[str]
    cache_iam_connect_arns: list[pulumi.Output[str]]  # elasticache:Connect targets, or []
    data_key_arn: pulumi.Output[str]
    dr_key_arn: pulumi.Output[str] | None
    dr_network: DrNetwork | None  # where the apps go at a failover
    dr_vault_arn: pulumi.Output[str] | None  # where the backup copies land, if any
    dr_vault_key_arn: pulumi.Output[str] | None
    database_metric_dimensions: dict[str, pulumi.Output[str]]  # the writer's AWS/RDS dims
    cache_metric_dimensions: list[dict[str, pulumi.Output[str]]]  # AWS/ElastiCache, per node

    def __init__(
        self, name: str, args: DataLayerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:data:DataLayer", name, None, opts)
        self._name = name
        self._args = args
        child = child_options(self)
        prefix, pg = args.name_prefix, args.postgres

        key = DataEncryptionKey(
            f"{name}-key",
            DataEncryptionKeyArgs(
                name_prefix=prefix, purpose="data", context=args.context, protect=args.protect
            ),
            opts=child,
        )
        self.data_key_arn = key.key_arn
        dr, self.dr_network = self._dr_target() if pg.cross_region_replica else (None, None)
        self.dr_key_arn = pulumi.Output.from_input(dr.kms_key_arn) if dr else None

        database: PostgresDatabase | PostgresBuild
        attached = args.attached_database
        if attached is None:
            database = PostgresDatabase(
                f"{name}-postgres",
                PostgresDatabaseArgs(
                    name_prefix=prefix,
                    config=pg,
                    db_subnet_group_name=args.db_subnet_group_name,
                    security_group_id=args.database_security_group_id,
                    kms_key_arn=key.key_arn,
                    context=args.context,
                    protect=args.protect,
                    availability_zones=args.availability_zones,
                    rotation_network=RotationNetwork(
                        subnet_ids=args.database_subnet_ids,
                        security_group_id=args.rotation_security_group_id,
                    ),
                    dr=dr,
                ),
                opts=child,
            )
        else:
            database = attached_database(attached)
        # The key the master secret is under: ours, or the DR key the promoted instance's is.
        master_secret_key = key.key_arn if attached is None else attached.kms_key_arn
        copies = self._backup_copies(database, key.key_arn)
        self.dr_vault_arn = copies.dr_vault_arn if copies else None
        self.dr_vault_key_arn = copies.dr_vault_key_arn if copies else None
        proxy = DatabaseProxy(
            f"{name}-proxy",
            DatabaseProxyArgs(
                name_prefix=prefix,
                proxy=pg.proxy,
                secret_arn=database.master_secret_arn,
                kms_key_arn=master_secret_key,
                subnet_ids=args.database_subnet_ids,
                security_group_id=args.proxy_security_group_id,
                context=args.context,
                target_instance=database.proxy_target_instance,
                target_cluster=database.proxy_target_cluster,
                read_only_endpoint=pg.engine is PostgresEngine.AURORA and pg.replica_count > 0,
                database_users=args.database_users,
                target_resource_id=database.resource_id,
            ),
            opts=child,
        )
        cache = RealtimeCache(
            f"{name}-cache",
            RealtimeCacheArgs(
                name_prefix=prefix,
                config=args.cache,
                subnet_group_name=args.cache_subnet_group_name,
                subnet_ids=args.database_subnet_ids,
                security_group_id=args.cache_security_group_id,
                kms_key_arn=key.key_arn,
                logs_kms_key_arn=args.logs_kms_key_arn,
                protect=args.protect,
            ),
            opts=child,
        )

        self.writer_endpoint = database.writer_endpoint
        self.reader_endpoints = database.reader_endpoints
        self.dr_endpoint = database.dr_endpoint
        self.master_secret_arn = database.master_secret_arn
        self.proxy_endpoint = proxy.endpoint
        self.proxy_arn = proxy.arn
        self.proxy_read_only_endpoint = proxy.read_only_endpoint
        self.cache_endpoint = cache.endpoint
        self.cache_reader_endpoint = cache.reader_endpoint
        self.database_metric_dimensions = database.metric_dimensions
        self.cache_metric_dimensions = cache.metric_dimensions

        self.database_secret_arn = self._secret(
            "database",
            "PostgreSQL connection settings (credentials: IAM token or the master secret)",
            key.key_arn,
            {
                "engine": "postgres",
                # Applications connect through the proxy; the database SG admits nothing else.
                "host": proxy.endpoint,
                "readOnlyHost": proxy.read_only_endpoint,
                "writerHost": database.writer_endpoint,
                "readerHosts": database.reader_endpoints,
                "port": POSTGRES_PORT,
                "dbname": pg.database_name,
                "username": pg.master_username,
                "iamAuth": pg.proxy.iam_auth is ProxyIamAuth.REQUIRED,
                "sslmode": "verify-full",
                "credentialsSecretArn": database.master_secret_arn,
            },
        )
        # auth iam: AUTH <username> <IAM token the client signs>, so no password is stored;
        # rbac: AUTH <username> <password>; token: AUTH <password>.
        cache_settings: dict[str, object] = {
            "engine": args.cache.engine.value,
            "host": cache.endpoint,
            "readerHost": cache.reader_endpoint,
            "port": cache.port,
            "tls": True,
            "auth": cache.auth.value,
            "username": cache.username,
        }
        if cache.password is not None:
            cache_settings["password"] = cache.password
        self.cache_secret_arn = self._secret(
            "cache",
            "Redis/Valkey connection settings (and credential, unless IAM)",
            key.key_arn,
            cache_settings,
        )
        self.cache_iam_connect_arns = cache.iam_connect_arns
        self.register_outputs(
            {
                "writerEndpoint": self.writer_endpoint,
                "readerEndpoints": self.reader_endpoints,
                "proxyEndpoint": self.proxy_endpoint,
                "proxyReadOnlyEndpoint": self.proxy_read_only_endpoint,
                "drEndpoint": self.dr_endpoint,
                "cacheEndpoint": self.cache_endpoint,
                "cacheReaderEndpoint": self.cache_reader_endpoint,
                "masterSecretArn": self.master_secret_arn,
                "databaseSecretArn": self.database_secret_arn,
                "cacheSecretArn": self.cache_secret_arn,
                "dataKeyArn": self.data_key_arn,
                "drKeyArn": self.dr_key_arn,
                "drVaultArn": self.dr_vault_arn,
                "drVaultKeyArn": self.dr_vault_key_arn,
            }
        )

    def _backup_copies(
        self, database: PostgresDatabase | PostgresBuild, key_arn: pulumi.Input[str]
    ) -> DatabaseBackupCopies | None:
        args, pg = self._args, self._args.postgres
        target = args.backup_copies
        if target is None:
            return None
        if database.arn is None:
            raise ValueError("backup copies need the database's ARN")
        return DatabaseBackupCopies(
            f"{self._name}-backup",
            DatabaseBackupCopiesArgs(
                name_prefix=args.name_prefix,
                context=args.context,
                dr_region=target.region,
                database_arn=database.arn,
                database_key_arn=key_arn,
                aurora=pg.engine is PostgresEngine.AURORA,
                backup_window=pg.backup_window,
                retention_days=pg.backup_retention_days,
                copy_retention_days=target.copy_retention_days,
                protect=args.protect,
            ),
            opts=child_options(self),
        )

    def _dr_target(self) -> tuple[DrReplicaTarget, DrNetwork]:
        """A key and the DR network in the DR region for the cross-region replica."""
        args = self._args
        settings = args.dr_network
        if settings is None:
            raise ValueError("postgres.crossRegionReplica needs drRegion (checked by the config)")
        region = settings.region
        child = child_options(self)
        key = DataEncryptionKey(
            f"{self._name}-dr-key",
            DataEncryptionKeyArgs(
                name_prefix=args.name_prefix,
                purpose="data-dr",
                context=args.context,
                protect=args.protect,
                region=region,
            ),
            opts=child,
        )
        logs_key = LogsEncryptionKey(
            f"{self._name}-dr-logs",
            LogsEncryptionKeyArgs(
                name_prefix=f"{args.name_prefix}-dr",
                context=args.context,
                protect=args.protect,
                region=region,
            ),
            opts=child,
        )
        network = DrNetwork(
            f"{self._name}-dr-network",
            settings.vpc_args(
                name_prefix=args.name_prefix,
                logs_kms_key_arn=logs_key.key_arn,
                context=args.context,
                protect=args.protect,
            ),
            opts=child,
        )
        target = DrReplicaTarget(
            region=region,
            db_subnet_group_name=network.db_subnet_group_name,
            security_group_id=network.security_group_ids[Role.DATABASE],
            kms_key_arn=key.key_arn,
            promoted=settings.failover,
        )
        return target, network

    def _secret(
        self,
        purpose: str,
        description: str,
        kms_key_arn: pulumi.Input[str],
        value: dict[str, object],
    ) -> pulumi.Output[str]:
        """A CMK-encrypted secret whose value is the JSON of ``value`` (marked secret)."""
        prefix = self._args.name_prefix
        return json_secret(
            f"{self._name}-{purpose}-secret",
            parent=self,
            kms_key_arn=kms_key_arn,
            description=f"{prefix}: {description}",
            value=value,
            name=f"{prefix}/app/{purpose}",
        ).arn


def attached_database(attached: AttachedDatabaseConfig) -> PostgresBuild:
    """The promoted DR instance as the proxy, the secrets and the alarms see a database."""
    return PostgresBuild(
        writer_endpoint=pulumi.Output.from_input(attached.address),
        reader_endpoints=[],
        master_secret_arn=pulumi.Output.from_input(attached.master_secret_arn),
        metric_dimensions={"DBInstanceIdentifier": pulumi.Output.from_input(attached.identifier)},
        proxy_target_instance=pulumi.Output.from_input(attached.identifier),
        resource_id=pulumi.Output.from_input(attached.resource_id),
    )
