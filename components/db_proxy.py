"""DatabaseProxy: RDS Proxy in front of PostgreSQL, the only way clients reach the database.

Short-lived pods and engine restarts open connections constantly; the proxy keeps a warm pool
to the database (seed 000: at most 80% of max_connections, 120 s borrow timeout, 30 min idle
client timeout), rides through failovers, and reads the master credentials from Secrets Manager
itself. Clients must use TLS and, by default, IAM tokens instead of a password.

Workloads log in as their own database users (``access.<workload>.databaseUser``) with IAM
tokens end to end: the proxy's default auth scheme is ``IAM_AUTH``, so it also logs in to the
database with IAM tokens for those users, which its role may create (``rds-db:connect`` on the
database's ``dbuser:<resource id>/<user>``). The master user keeps its Secrets Manager login
through the proxy, for migrations and for creating those users (RDS user guide, "Configuring IAM
authentication for RDS Proxy" and "Migrating to end-to-end IAM authentication", which keeps both
while the users move).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .access import db_user_arn
from .aws_context import AwsContext, policy_json, service_trust_policy
from .blocks import child_options
from .config.data import ProxyConfig


@dataclass(frozen=True)
class DatabaseProxyArgs:
    name_prefix: str
    proxy: ProxyConfig
    secret_arn: pulumi.Input[str]  # the master credentials the proxy logs in with
    kms_key_arn: pulumi.Input[str]  # the key that secret is encrypted with
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]  # the db-proxy role's SG
    context: AwsContext
    target_instance: pulumi.Input[str] | None = None  # RDS: the primary's identifier
    target_cluster: pulumi.Input[str] | None = None  # Aurora: the cluster's identifier
    read_only_endpoint: bool = False  # Aurora with readers only
    # The workloads' database users, and the target's resource id (db-... or cluster-...) that
    # their rds-db:connect resources name.
    database_users: Sequence[str] = ()
    target_resource_id: pulumi.Input[str] | None = None


def proxy_role_policy(
    ctx: AwsContext,
    secret_arn: str,
    kms_key_arn: str,
    *,
    target_resource_id: str | None = None,
    database_users: Sequence[str] = (),
) -> str:
    """Read one secret, decrypt with one key only as Secrets Manager does it for us, and log in
    to the database as the workloads' users with IAM tokens."""
    connect = (
        [
            {
                "Sid": "ConnectAsWorkloadUsers",
                "Effect": "Allow",
                "Action": "rds-db:connect",
                "Resource": [
                    db_user_arn(ctx, target_resource_id, user) for user in sorted(database_users)
                ],
            }
        ]
        if database_users and target_resource_id is not None
        else []
    )
    return policy_json(
        [
            {
                "Sid": "ReadDatabaseCredentials",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret_arn,
            },
            {
                "Sid": "DecryptThroughSecretsManager",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": kms_key_arn,
                "Condition": {
                    "StringEquals": {
                        "kms:ViaService": ctx.service_principal("secretsmanager"),
                    }
                },
            },
            *connect,
        ]
    )


class DatabaseProxy(pulumi.ComponentResource):
    endpoint: pulumi.Output[str]
    arn: pulumi.Output[str]  # its prx-... id names the workloads' rds-db:connect resources
    read_only_endpoint: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: DatabaseProxyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:data:DatabaseProxy", name, None, opts)
        if (args.target_instance is None) == (args.target_cluster is None):
            raise ValueError("DatabaseProxy needs exactly one of target_instance, target_cluster")
        if args.database_users and args.target_resource_id is None:
            raise ValueError("DatabaseProxy needs the target's resource id for database users")
        ctx = args.context
        proxy_name = f"{args.name_prefix}-postgres"

        trust = service_trust_policy("rds.amazonaws.com", source_account=ctx.account_id)
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=trust,
            description=f"{args.name_prefix}: RDS Proxy reads the database credentials",
            opts=child_options(self),
        )
        aws.iam.RolePolicy(
            f"{name}-read-secret",
            role=role.id,
            policy=pulumi.Output.all(
                args.secret_arn, args.kms_key_arn, args.target_resource_id
            ).apply(
                lambda v: proxy_role_policy(
                    ctx,
                    v[0],
                    v[1],
                    target_resource_id=v[2],
                    database_users=args.database_users,
                )
            ),
            opts=child_options(self),
        )
        proxy = aws.rds.Proxy(
            f"{name}-proxy",
            name=proxy_name,
            engine_family="POSTGRESQL",
            role_arn=role.arn,
            # IAM tokens from the client through to the database for the workloads' users.
            default_auth_scheme="IAM_AUTH" if args.database_users else None,
            require_tls=True,
            idle_client_timeout=args.proxy.idle_client_timeout_seconds,
            vpc_subnet_ids=list(args.subnet_ids),
            vpc_security_group_ids=[args.security_group_id],
            auths=[
                aws.rds.ProxyAuthArgs(
                    auth_scheme="SECRETS",
                    secret_arn=args.secret_arn,
                    iam_auth=args.proxy.iam_auth.value,
                    client_password_auth_type="POSTGRES_SCRAM_SHA_256",
                    description="master credentials from Secrets Manager",
                )
            ],
            tags={"Name": proxy_name},
            opts=child_options(self),
        )
        target_group = aws.rds.ProxyDefaultTargetGroup(
            f"{name}-targets",
            db_proxy_name=proxy.name,
            connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
                max_connections_percent=args.proxy.max_connections_percent,
                connection_borrow_timeout=args.proxy.borrow_timeout_seconds,
            ),
            opts=child_options(self),
        )
        aws.rds.ProxyTarget(
            f"{name}-target",
            db_proxy_name=proxy.name,
            target_group_name=target_group.name,
            db_instance_identifier=args.target_instance,
            db_cluster_identifier=args.target_cluster,
            opts=child_options(self),
        )
        self.endpoint = proxy.endpoint
        self.arn = proxy.arn
        self.read_only_endpoint = None
        if args.read_only_endpoint:
            # Only Aurora targets have readers behind a proxy; the endpoint spreads
            # connections over them and fails over with the cluster.
            self.read_only_endpoint = aws.rds.ProxyEndpoint(
                f"{name}-read-only",
                db_proxy_name=proxy.name,
                db_proxy_endpoint_name=f"{proxy_name}-ro",
                target_role="READ_ONLY",
                vpc_subnet_ids=list(args.subnet_ids),
                vpc_security_group_ids=[args.security_group_id],
                tags={"Name": f"{proxy_name}-ro"},
                opts=child_options(self),
            ).endpoint
        self.register_outputs(
            {
                "endpoint": self.endpoint,
                "arn": self.arn,
                "readOnlyEndpoint": self.read_only_endpoint,
            }
        )
