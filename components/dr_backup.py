"""DatabaseBackupCopies: a daily AWS Backup snapshot of the database, copied to the DR region.

The DR mechanism of the tiers without a cross-region replica. A backup vault in each region, each
under its own CMK; a plan whose one daily rule snapshots the database into the primary vault and
copies each recovery point to the DR vault; a selection naming the database by ARN, run by a
role that may snapshot that database and copy those snapshots and nothing else. Both vaults are
locked in governance mode: no recovery point in them can be deleted or have its lifecycle
shortened, and no job may store one for less than the minimum retention (AWS Backup API
reference, PutBackupVaultLockConfiguration). Compliance mode would be irreversible after its
grace time, so a wrong retention could never be fixed; governance mode can be lifted only by a
principal allowed backup:DeleteBackupVaultLockConfiguration
(https://repost.aws/knowledge-center/backup-delete-vault-lock), which no role of this stack is.

RDS and Aurora snapshots are not "fully managed" by AWS Backup: a recovery point in the primary
vault stays encrypted with the database's own key, and the cross-region copy is re-encrypted
with the destination vault's key (https://docs.aws.amazon.com/aws-backup/latest/devguide/cross-region-backup.html,
"AWS Backup will re-encrypt your copy using the customer managed key of your destination
vault"). RDS does that work, so both keys are used through RDS in their own region.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext, policy_json, service_trust_policy
from .blocks import child_options, customer_managed_key
from .data_keys import key_statements

# AWS Backup names RDS snapshots awsbackup:job-<id> and their copies awsbackup:copyjob-<id>
# (https://docs.aws.amazon.com/aws-backup/latest/devguide/troubleshooting.html); the role's
# snapshot permissions stop at that prefix, so it cannot touch the automated or manual snapshots.
SNAPSHOT_PREFIX = "awsbackup:"
# The services the vault keys are used through: RDS encrypts the copies, Backup the vaults.
VAULT_KEY_SERVICES = ("rds", "backup")
# A job that has not started within an hour, or finished within eight, is reported as failed.
START_WINDOW_MINUTES = 60
COMPLETION_WINDOW_MINUTES = 480


@dataclass(frozen=True)
class BackupCopiesTarget:
    """Where the daily copies go and how long they stay there (``trading-platform:dr``)."""

    region: str
    copy_retention_days: int


@dataclass(frozen=True)
class DatabaseBackupCopiesArgs:
    name_prefix: str
    context: AwsContext
    dr_region: str
    database_arn: pulumi.Input[str]  # the RDS instance or the Aurora cluster
    database_key_arn: pulumi.Input[str]  # the CMK the database (and its snapshots) use
    aurora: bool
    backup_window: str  # the database's own daily window, "hh:mm-hh:mm" UTC
    retention_days: int  # in the primary vault
    copy_retention_days: int  # in the DR vault
    protect: bool


def daily_schedule(backup_window: str) -> str:
    """A cron expression an hour after the database's own backup window ends, so the two never
    overlap (an RDS snapshot cannot start while the automated backup runs)."""
    end = backup_window.split("-")[1]
    hour, minute = (int(part) for part in end.split(":"))
    start = (hour + (1 if minute else 0) + 1) % 24
    return f"cron(0 {start} * * ? *)"


def backup_role_policy(
    ctx: AwsContext,
    *,
    dr_region: str,
    aurora: bool,
    database_arn: str,
    database_key_arn: str,
    dr_vault_arn: str,
    dr_vault_key_arn: str,
) -> str:
    """What AWS Backup needs to snapshot the database and copy the snapshot to the DR vault.

    A least-privilege stand-in for AWSBackupServiceRolePolicyForBackup, whose statements reach
    every database and key of the account: here the one database, snapshots under AWS Backup's
    prefix in the two regions, the DR vault, and the two keys through RDS.
    """
    kind = "cluster-snapshot" if aurora else "snapshot"
    snapshots = [
        replace(ctx, region=region).arn("rds", f"{kind}:{SNAPSHOT_PREFIX}*")
        for region in (ctx.region, dr_region)
    ]
    if aurora:
        database_actions = ["rds:CreateDBClusterSnapshot", "rds:DescribeDBClusters"]
        snapshot_actions = [
            "rds:CreateDBClusterSnapshot",
            "rds:DescribeDBClusterSnapshots",
            "rds:CopyDBClusterSnapshot",
            "rds:DeleteDBClusterSnapshot",
        ]
    else:
        database_actions = ["rds:CreateDBSnapshot", "rds:DescribeDBInstances"]
        snapshot_actions = [
            "rds:CreateDBSnapshot",
            "rds:DescribeDBSnapshots",
            "rds:CopyDBSnapshot",
            "rds:DeleteDBSnapshot",
        ]
    tagging = ["rds:AddTagsToResource", "rds:ListTagsForResource"]
    statements: list[dict[str, Any]] = [
        {
            "Sid": "SnapshotTheDatabase",
            "Effect": "Allow",
            "Action": [*database_actions, "rds:ListTagsForResource"],
            "Resource": database_arn,
        },
        {
            "Sid": "ManageBackupSnapshots",
            "Effect": "Allow",
            "Action": [*snapshot_actions, *tagging],
            "Resource": snapshots,
        },
        {
            "Sid": "CopyIntoTheDrVault",
            "Effect": "Allow",
            "Action": "backup:CopyIntoBackupVault",
            "Resource": dr_vault_arn,
        },
    ]
    # RDS encrypts and decrypts under grants it creates with the caller's permissions; the caller
    # needs only to describe the keys and let RDS hold a grant (RDS user guide, "Copying a DB
    # snapshot": the KMS key permissions for an encrypted copy).
    for sid, key_arn, region in (
        ("DatabaseKeyThroughRds", database_key_arn, ctx.region),
        ("DrVaultKeyThroughRds", dr_vault_key_arn, dr_region),
    ):
        via = {"kms:ViaService": f"rds.{region}.{ctx.dns_suffix}"}
        statements += [
            {
                "Sid": f"Describe{sid}",
                "Effect": "Allow",
                "Action": "kms:DescribeKey",
                "Resource": key_arn,
                "Condition": {"StringEquals": via},
            },
            {
                "Sid": f"Grant{sid}",
                "Effect": "Allow",
                "Action": "kms:CreateGrant",
                "Resource": key_arn,
                "Condition": {
                    "StringEquals": via,
                    "Bool": {"kms:GrantIsForAWSResource": "true"},
                },
            },
        ]
    return policy_json(statements)


class DatabaseBackupCopies(pulumi.ComponentResource):
    vault_arn: pulumi.Output[str]
    dr_vault_arn: pulumi.Output[str]
    dr_vault_key_arn: pulumi.Output[str]
    plan_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: DatabaseBackupCopiesArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trading:data:DatabaseBackupCopies", name, None, opts)
        if args.dr_region == args.context.region:
            raise ValueError("backup copies need a DR region other than the primary")
        self._name, self._args = name, args
        prefix, dr = args.name_prefix, args.dr_region
        child = child_options(self)

        key = self._vault_key("key", "backup", None)
        dr_key = self._vault_key("dr-key", "backup-dr", dr)
        vault = self._vault("vault", f"{prefix}-database", key.arn, None, args.retention_days)
        dr_vault = self._vault(
            "dr-vault", f"{prefix}-database-dr", dr_key.arn, dr, args.copy_retention_days
        )

        ctx = args.context
        role = aws.iam.Role(
            f"{name}-role",
            description=f"{prefix}: AWS Backup snapshots and copies of the database",
            # Only AWS Backup acting for this account.
            assume_role_policy=service_trust_policy(
                "backup.amazonaws.com", source_account=ctx.account_id
            ),
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-role-policy",
            role=role.id,
            policy=pulumi.Output.all(
                args.database_arn, args.database_key_arn, dr_vault.arn, dr_key.arn
            ).apply(
                lambda v: backup_role_policy(
                    ctx,
                    dr_region=dr,
                    aurora=args.aurora,
                    database_arn=v[0],
                    database_key_arn=v[1],
                    dr_vault_arn=v[2],
                    dr_vault_key_arn=v[3],
                )
            ),
            opts=child,
        )
        plan = aws.backup.Plan(
            f"{name}-plan",
            name=f"{prefix}-database-dr",
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="daily-copy-to-dr",
                    target_vault_name=vault.name,
                    schedule=daily_schedule(args.backup_window),
                    schedule_expression_timezone="Etc/UTC",
                    start_window=START_WINDOW_MINUTES,
                    completion_window=COMPLETION_WINDOW_MINUTES,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=args.retention_days),
                    copy_actions=[
                        aws.backup.PlanRuleCopyActionArgs(
                            destination_vault_arn=dr_vault.arn,
                            lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(
                                delete_after=args.copy_retention_days
                            ),
                        )
                    ],
                )
            ],
            tags={"Name": f"{prefix}-database-dr"},
            opts=child,
        )
        aws.backup.Selection(
            f"{name}-selection",
            name=f"{prefix}-database",
            plan_id=plan.id,
            iam_role_arn=role.arn,
            resources=[args.database_arn],
            # A job started before the role may act would fail its first run.
            opts=child_options(self, depends_on=[policy]),
        )

        self.vault_arn = vault.arn
        self.dr_vault_arn = dr_vault.arn
        self.dr_vault_key_arn = dr_key.arn
        self.plan_arn = plan.arn
        self.role_arn = role.arn
        self.register_outputs(
            {
                "vaultArn": self.vault_arn,
                "drVaultArn": self.dr_vault_arn,
                "drVaultKeyArn": self.dr_vault_key_arn,
                "planArn": self.plan_arn,
                "roleArn": self.role_arn,
            }
        )

    def _vault_key(self, suffix: str, purpose: str, region: str | None) -> aws.kms.Key:
        args = self._args
        ctx = replace(args.context, region=region) if region else args.context
        return customer_managed_key(
            f"{self._name}-{suffix}",
            parent=self,
            label=f"{args.name_prefix}-{purpose}",
            description=f"{args.name_prefix}: {purpose} vault (AWS Backup copies of the database)",
            statements=key_statements(ctx, VAULT_KEY_SERVICES),
            protect=args.protect,
            region=region,
        )

    def _vault(
        self,
        suffix: str,
        vault_name: str,
        key_arn: pulumi.Input[str],
        region: str | None,
        min_retention_days: int,
    ) -> aws.backup.Vault:
        vault = aws.backup.Vault(
            f"{self._name}-{suffix}",
            name=vault_name,
            kms_key_arn=key_arn,
            force_destroy=False,
            region=region,
            tags={"Name": vault_name},
            opts=child_options(self, protect=self._args.protect),
        )
        # Governance mode: no changeable_for_days (pulumi-aws backup.VaultLockConfiguration).
        aws.backup.VaultLockConfiguration(
            f"{self._name}-{suffix}-lock",
            backup_vault_name=vault.name,
            min_retention_days=min_retention_days,
            region=region,
            opts=child_options(self),
        )
        return vault
