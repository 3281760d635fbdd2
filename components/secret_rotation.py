"""MasterPasswordRotation: Secrets Manager rotates the PostgreSQL master password on a schedule.

Two shapes, one schedule (``postgres.rotation``):

- RDS (or Aurora) manages the master secret: Secrets Manager's managed rotation, where RDS
  changes the password itself; only the schedule is set here (no function: "For secrets that use
  managed rotation, omit" RotationLambdaARN, Secrets Manager API reference, RotateSecret; the
  provider takes no function for a secret "managed by AWS", pulumi-aws
  secretsmanager.SecretRotation).
- The password is ours (an instance with replicas, where RDS cannot manage it): AWS's PostgreSQL
  single-user rotation function, deployed from the Serverless Application Repository
  (Secrets Manager user guide, "Rotation function templates": SecretsManagerRDSPostgreSQLRotation-
  SingleUser, which reads the {engine, host, username, password, dbname, port} secret the
  database component writes). It runs in the database subnets with the reachability table's
  rotation security group: 5432 to the database and 443 to the Secrets Manager endpoint, nothing
  else. Its role is the template's: Secrets Manager actions only on secrets whose rotation names
  this function, and the data key only for the secret it is given (``kmsKeyArn``).

After a rotation the password in the database and in the secret is no longer the generated
one, so the database ignores changes to its ``password`` and the secret to its value: otherwise a
later ``up`` would set the old password back (pulumi-aws rds.Instance, secretsmanager.
SecretVersion; ``ignore_changes`` is applied by ``components/postgres.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .aws_context import AwsContext
from .blocks import child_options
from .config.data import RotationConfig

# Published by AWS (account 297356227824) in us-east-1 and deployable from every region.
ROTATION_APPLICATION = "applications/SecretsManagerRDSPostgreSQLRotationSingleUser"
ROTATION_APPLICATION_ACCOUNT = "297356227824"
# The template creates its role and the permission Secrets Manager needs to invoke it.
ROTATION_CAPABILITIES = ("CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY")
# Characters the generated password leaves out: RDS rejects '/', '"', '@' and space in master
# passwords, and quotes or a backslash would need escaping in the connection strings DBAs type.
EXCLUDED_CHARACTERS = "/@\"' \\"


@dataclass(frozen=True)
class RotationNetwork:
    """Where the rotation function runs: the database subnets, with the rotation role's SG."""

    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]


@dataclass(frozen=True)
class MasterPasswordRotationArgs:
    name_prefix: str
    secret_arn: pulumi.Input[str]
    schedule: RotationConfig
    context: AwsContext
    # None: RDS manages the secret (managed rotation); else our secret, rotated by the function.
    network: RotationNetwork | None = None
    kms_key_arn: pulumi.Input[str] | None = None  # the key our secret is encrypted with
    # What must exist before the first rotation runs: the database and the secret's value.
    after: Sequence[pulumi.Resource] = ()


def rotation_application_id(ctx: AwsContext) -> str:
    return (
        f"arn:{ctx.partition}:serverlessrepo:us-east-1:{ROTATION_APPLICATION_ACCOUNT}:"
        f"{ROTATION_APPLICATION}"
    )


def rotation_rules(schedule: RotationConfig) -> aws.secretsmanager.SecretRotationRotationRulesArgs:
    return aws.secretsmanager.SecretRotationRotationRulesArgs(
        schedule_expression=schedule.schedule_expression, duration=schedule.duration
    )


class MasterPasswordRotation(pulumi.ComponentResource):
    function_arn: pulumi.Output[str] | None  # None with managed rotation

    def __init__(
        self,
        name: str,
        args: MasterPasswordRotationArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("trading:data:MasterPasswordRotation", name, None, opts)
        self.function_arn = self._function(name, args) if args.network else None
        aws.secretsmanager.SecretRotation(
            f"{name}-schedule",
            secret_id=args.secret_arn,
            rotation_lambda_arn=self.function_arn,
            rotation_rules=rotation_rules(args.schedule),
            opts=child_options(self, depends_on=list(args.after)),
        )
        self.register_outputs({"functionArn": self.function_arn})

    def _function(self, name: str, args: MasterPasswordRotationArgs) -> pulumi.Output[str]:
        network, ctx = args.network, args.context
        if network is None or args.kms_key_arn is None:
            raise ValueError("a rotation function needs its network and the secret's key")
        stack = aws.serverlessrepository.CloudFormationStack(
            f"{name}-function",
            # CloudFormation names it serverlessrepo-<name>.
            name=f"{args.name_prefix}-postgres-rotation",
            application_id=rotation_application_id(ctx),
            capabilities=list(ROTATION_CAPABILITIES),
            parameters={
                "functionName": f"{args.name_prefix}-postgres-master-rotation",
                # Resolves to the interface endpoint (private DNS), the only way out of the
                # database subnets.
                "endpoint": f"https://secretsmanager.{ctx.region}.{ctx.dns_suffix}",
                "vpcSubnetIds": pulumi.Output.all(*network.subnet_ids).apply(",".join),
                "vpcSecurityGroupIds": network.security_group_id,
                "kmsKeyArn": args.kms_key_arn,
                "excludeCharacters": EXCLUDED_CHARACTERS,
            },
            tags={"Name": f"{args.name_prefix}-postgres-rotation"},
            opts=child_options(self),
        )
        return stack.outputs.apply(_function_arn)


def _function_arn(outputs: Mapping[str, str] | None) -> str:
    arn = (outputs or {}).get("RotationLambdaARN")
    if not arn:
        raise ValueError("the rotation application's stack reports no RotationLambdaARN output")
    return arn
