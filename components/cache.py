"""RealtimeCache: sessions, heartbeats, request queues and rate limits in Redis or Valkey.

Either a replication group sized by the tier (seed 002/001: volatile-lru eviction, idle
connections closed after 300 s, snapshots 03:00-05:00, maintenance mon:05:00-07:00, slow and
engine logs shipped) or ElastiCache Serverless within usage limits (seed 000). Both encrypt at
rest with the data CMK, refuse plaintext connections, and demand a credential (``cache.auth``):
by default an RBAC application user that authenticates with IAM, so no static secret exists
(clients sign a token with ``elasticache:Connect`` on the cache and the user, valid 15 minutes);
or that user with a password generated here; or, on a replication group, one AUTH token.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from .blocks import child_options, encrypted_log_group
from .config import CacheAuth, CacheConfig, CacheMode

CACHE_PORT = 6379
# ElastiCache AUTH tokens and user passwords: 16-128 printable characters; of the specials only
# these are accepted.
AUTH_TOKEN_SPECIALS = "!&#$^<>-"
APP_USER_NAME = "trading-app"
# Everything an application needs; administrative and dangerous commands (FLUSHALL, CONFIG,
# DEBUG, KEYS...) are not.
APP_ACCESS_STRING = "on ~* &* +@all -@dangerous"


@dataclass(frozen=True)
class RealtimeCacheArgs:
    name_prefix: str
    config: CacheConfig
    subnet_group_name: pulumi.Input[str]  # replication groups
    subnet_ids: Sequence[pulumi.Input[str]]  # Serverless takes subnets directly
    security_group_id: pulumi.Input[str]  # the cache role's SG
    kms_key_arn: pulumi.Input[str]
    logs_kms_key_arn: pulumi.Input[str]
    protect: bool


def member_cluster_suffixes(shards: int | None, replicas_per_shard: int) -> list[str]:
    """How ElastiCache names a replication group's member clusters, after ``<group>-``.

    Without cluster mode: ``001``, ``002``...; with it, ``0001-001`` per shard and node. Node
    metrics are published per member cluster, so alarms name each one.
    """
    nodes = [f"{n:03d}" for n in range(1, replicas_per_shard + 2)]
    if shards is None:
        return nodes
    return [f"{s:04d}-{n}" for s in range(1, shards + 1) for n in nodes]


@dataclass(frozen=True)
class CacheBuild:
    """What either cache shape yields; the component assigns it once."""

    endpoint: pulumi.Output[str]
    reader_endpoint: pulumi.Output[str]
    metric_dimensions: list[dict[str, pulumi.Output[str]]]
    arn: pulumi.Output[str]  # the replication group's or the Serverless cache's


@dataclass(frozen=True)
class AppUser:
    """The RBAC application user and the user group that holds it."""

    user_name: str
    arn: pulumi.Output[str]
    group_id: pulumi.Output[str]


def app_user_name(cache_id: str, auth: CacheAuth) -> str:
    """An IAM-enabled user's name must equal its id (ElastiCache user guide, "Authenticating with
    IAM", limitations); a password user keeps the short name clients already send."""
    return f"{cache_id}-app" if auth is CacheAuth.IAM else APP_USER_NAME


class RealtimeCache(pulumi.ComponentResource):
    endpoint: pulumi.Output[str]
    reader_endpoint: pulumi.Output[str]
    port: int
    auth: CacheAuth
    username: str | None  # the RBAC user; an AUTH token has none
    # The AUTH token or the user's password, a secret Output; None with IAM: there is none.
    password: pulumi.Output[str] | None
    # What a client's role needs elasticache:Connect on to sign an IAM token: the cache and the
    # user (ElastiCache user guide, "Authenticating with IAM"); empty unless auth is iam.
    iam_connect_arns: list[pulumi.Output[str]]
    # AWS/ElastiCache dimensions, one set per node (CacheClusterId) or the Serverless cache's
    # single set (clusterId): the two publish different metrics under different dimensions.
    metric_dimensions: list[dict[str, pulumi.Output[str]]]

    def __init__(
        self, name: str, args: RealtimeCacheArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:data:RealtimeCache", name, None, opts)
        self._name = name
        self._args = args
        self.port = CACHE_PORT
        auth = args.config.auth
        if auth is None:
            raise ValueError("cache.auth is filled in by the config")
        self.auth = auth
        credential = (
            None
            if auth is CacheAuth.IAM
            else random.RandomPassword(
                f"{name}-auth-token",
                length=64,
                override_special=AUTH_TOKEN_SPECIALS,
                min_special=2,
                min_numeric=2,
                opts=child_options(self),
            )
        )
        self.password = pulumi.Output.secret(credential.result) if credential else None
        user = self._app_user(auth, credential) if auth.has_user else None
        self.username = user.user_name if user else None
        if args.config.mode is CacheMode.SERVERLESS:
            if user is None:
                raise ValueError("a Serverless cache needs an RBAC user (checked by the config)")
            built = self._serverless(user.group_id)
        else:
            built = self._replication_group(
                None if user else credential, user.group_id if user else None
            )
        self.endpoint = built.endpoint
        self.reader_endpoint = built.reader_endpoint
        self.metric_dimensions = built.metric_dimensions
        self.iam_connect_arns = [built.arn, user.arn] if user and auth is CacheAuth.IAM else []
        self.register_outputs(
            {"endpoint": self.endpoint, "readerEndpoint": self.reader_endpoint, "port": self.port}
        )

    @property
    def _id(self) -> str:
        return f"{self._args.name_prefix}-cache"

    def _app_user(self, auth: CacheAuth, credential: random.RandomPassword | None) -> AppUser:
        """One application user, IAM- or password-authenticated, in a user group of its own.

        The group holds no ``default`` user, so the engine's default user (no password) cannot
        log in: Valkey user groups need none (ElastiCache user guide, "Role-Based Access Control").
        """
        engine = self._args.config.engine.value
        user_name = app_user_name(self._id, auth)
        if credential is None:
            mode: pulumi.Input[aws.elasticache.UserAuthenticationModeArgs] = (
                aws.elasticache.UserAuthenticationModeArgs(type="iam")
            )
        else:
            # Built inside a secret Output: a secret nested in a list of an input type loses
            # its secret flag on the wire, and the password would reach the state in clear.
            mode = pulumi.Output.secret(credential.result).apply(
                lambda password: aws.elasticache.UserAuthenticationModeArgs(
                    type="password", passwords=[password]
                )
            )
        user = aws.elasticache.User(
            f"{self._name}-app-user",
            user_id=f"{self._id}-app",
            user_name=user_name,
            engine=engine,
            access_string=APP_ACCESS_STRING,
            authentication_mode=mode,
            opts=child_options(self),
        )
        group = aws.elasticache.UserGroup(
            f"{self._name}-users",
            user_group_id=f"{self._id}-users",
            engine=engine,
            user_ids=[user.user_id],
            opts=child_options(self),
        )
        return AppUser(user_name=user_name, arn=user.arn, group_id=group.user_group_id)

    def _replication_group(
        self, token: random.RandomPassword | None, user_group: pulumi.Output[str] | None
    ) -> CacheBuild:
        args, config = self._args, self._args.config
        params = aws.elasticache.ParameterGroup(
            f"{self._name}-params",
            name=f"{self._id}-{config.parameter_family}",
            family=config.parameter_family,
            description=f"{args.name_prefix}: evict only keys with a TTL, drop idle clients",
            parameters=[
                # Sessions and queues carry TTLs; evicting keys without one would drop work.
                aws.elasticache.ParameterGroupParameterArgs(
                    name="maxmemory-policy", value="volatile-lru"
                ),
                aws.elasticache.ParameterGroupParameterArgs(name="timeout", value="300"),
                aws.elasticache.ParameterGroupParameterArgs(
                    name="cluster-enabled", value="yes" if config.cluster_mode else "no"
                ),
            ],
            opts=child_options(self),
        )
        logs = {
            log_type: encrypted_log_group(
                f"{self._name}-{log_type}",
                parent=self,
                name=f"/{args.name_prefix}/cache/{log_type}",
                kms_key_arn=args.logs_kms_key_arn,
                retention_in_days=config.log_retention_days,
                protect=args.protect,
            )
            for log_type in ("slow-log", "engine-log")
        }
        group = aws.elasticache.ReplicationGroup(
            f"{self._name}-group",
            replication_group_id=self._id,
            description=f"{args.name_prefix}: sessions, heartbeats, queues, rate limits",
            engine=config.engine.value,
            engine_version=config.engine_version,
            node_type=config.node_type,
            port=CACHE_PORT,
            parameter_group_name=params.name,
            subnet_group_name=args.subnet_group_name,
            security_group_ids=[args.security_group_id],
            cluster_mode="enabled" if config.cluster_mode else "disabled",
            num_node_groups=config.shards if config.cluster_mode else None,
            replicas_per_node_group=config.replicas_per_shard if config.cluster_mode else None,
            num_cache_clusters=None if config.cluster_mode else 1 + config.replicas_per_shard,
            automatic_failover_enabled=True,
            multi_az_enabled=True,
            at_rest_encryption_enabled=True,
            kms_key_id=args.kms_key_arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=token.result if token else None,
            # A group that had an AUTH token cannot take a user group until the token goes:
            # ModifyReplicationGroup refuses "User group can't be associated with auth token
            # enabled. Pass AuthStrategy delete" (hashicorp/terraform-provider-aws#39546). DELETE
            # is ignored on create ("Not used during initial create", pulumi-aws docs), so a new
            # group is unaffected and a stack moving from `token` to `rbac`/`iam` can apply.
            auth_token_update_strategy=None if token else "DELETE",
            user_group_ids=[user_group] if user_group else None,
            snapshot_retention_limit=config.snapshot_retention_days,
            snapshot_window=config.snapshot_window,
            # Deleting the group still leaves the sessions and queues' last state behind.
            final_snapshot_identifier=f"{self._id}-final",
            maintenance_window=config.maintenance_window,
            auto_minor_version_upgrade=True,
            log_delivery_configurations=[
                aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                    destination=log_group.name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type=log_type,
                )
                for log_type, log_group in logs.items()
            ],
            tags={"Name": self._id},
            opts=child_options(self, protect=self._args.protect),
        )
        # Cluster mode has one configuration endpoint for every shard; otherwise the primary.
        return CacheBuild(
            endpoint=(
                group.configuration_endpoint_address
                if config.cluster_mode
                else group.primary_endpoint_address
            ),
            reader_endpoint=(
                group.configuration_endpoint_address
                if config.cluster_mode
                else group.reader_endpoint_address
            ),
            metric_dimensions=[
                {"CacheClusterId": group.replication_group_id.apply(lambda g, n=node: f"{g}-{n}")}
                for node in member_cluster_suffixes(
                    config.shards if config.cluster_mode else None, config.replicas_per_shard
                )
            ],
            arn=group.arn,
        )

    def _serverless(self, user_group: pulumi.Output[str]) -> CacheBuild:
        args, config = self._args, self._args.config
        limits = config.serverless
        # Serverless always encrypts in transit and has no TLS switch to forget.
        cache = aws.elasticache.ServerlessCache(
            f"{self._name}-serverless",
            name=self._id,
            description=f"{args.name_prefix}: sessions, heartbeats, queues, rate limits",
            engine=config.engine.value,
            major_engine_version=config.major_version,
            cache_usage_limits=aws.elasticache.ServerlessCacheCacheUsageLimitsArgs(
                data_storage=aws.elasticache.ServerlessCacheCacheUsageLimitsDataStorageArgs(
                    minimum=limits.min_storage_gb, maximum=limits.max_storage_gb, unit="GB"
                ),
                ecpu_per_seconds=[
                    aws.elasticache.ServerlessCacheCacheUsageLimitsEcpuPerSecondArgs(
                        minimum=limits.min_ecpu_per_second, maximum=limits.max_ecpu_per_second
                    )
                ],
            ),
            daily_snapshot_time=limits.daily_snapshot_time,
            snapshot_retention_limit=config.snapshot_retention_days,
            kms_key_id=args.kms_key_arn,
            security_group_ids=[args.security_group_id],
            subnet_ids=list(args.subnet_ids),
            user_group_id=user_group,
            tags={"Name": self._id},
            opts=child_options(self, protect=self._args.protect),
        )
        return CacheBuild(
            endpoint=cache.endpoints.apply(lambda endpoints: endpoints[0].address),
            reader_endpoint=cache.reader_endpoints.apply(lambda endpoints: endpoints[0].address),
            metric_dimensions=[{"clusterId": cache.name}],
            arn=cache.arn,
        )
