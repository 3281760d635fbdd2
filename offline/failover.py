"""``python -m offline.failover <stack>``: fail a stack over to its DR region.

Without inputs it prints the runbook's AWS steps for this stack: promote the cross-region
replica, let RDS manage its master password in the DR region, and save what the next step
reads. With ``--outputs`` (``pulumi stack output --json`` of the stack) and ``--describe``
(``aws rds describe-db-instances`` of the promoted instance) it writes the failover stack
``<stack>-dr``: ``Pulumi.<stack>-dr.yaml`` (the stack's config in the DR region, attached to the
DR network and the promoted database by ``failoverFrom``) and its policy config, and records the
promotion in ``Pulumi.<stack>.yaml`` (``drNetwork.failover``). Both files are validated like any
stack config first; a stack without a DR replica, or one that failed over already, is refused
(exit 2) with the key named. README, "Failing over to the DR region", has the whole runbook.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from components.config import PROJECT, load_stack_config
from components.config.errors import ConfigError, StackConfigError
from components.postgres import DR_SUFFIX, database_identifier
from offline.stack_files import PROJECT_DIR, load_yaml, read_stack_files

SECTION = f"{PROJECT}:drNetwork"
FAILOVER_FROM = f"{PROJECT}:failoverFrom"
DR_STACK_SUFFIX = "-dr"
POLICY_CONFIG_DIR = Path("policies") / "config"


@dataclass(frozen=True)
class FailoverPlan:
    stack: str
    dr_region: str
    replica_identifier: str
    backup_retention_days: int
    dr_vpc_cidr: str
    data_key_arn: str  # the DR data key: the promoted instance's storage and master secret

    @property
    def dr_stack(self) -> str:
        return self.stack + DR_STACK_SUFFIX

    @property
    def recorded(self) -> dict[str, Any]:
        """The primary stack's change: the replica is promoted (``drNetwork.failover``)."""
        return {SECTION: {"failover": True}}

    def aws_commands(self) -> list[str]:
        where = f"--region {self.dr_region} --db-instance-identifier {self.replica_identifier}"
        return [
            # Keeps the replica's retention: a promoted instance is backed up from the start.
            f"aws rds promote-read-replica {where} "
            f"--backup-retention-period {self.backup_retention_days}",
            f"aws rds wait db-instance-available {where}",
            # The primary's master secret is in the lost region; RDS makes one here, under the
            # DR data key, and rotates it (a standalone instance may turn this on).
            f"aws rds modify-db-instance {where} --manage-master-user-password "
            f"--master-user-secret-kms-key-id {self.data_key_arn} --apply-immediately",
            f"aws rds wait db-instance-available {where}",
            f"aws rds describe-db-instances {where} > promoted.json",
            f"pulumi stack output --stack {self.stack} --json > {self.stack}-outputs.json",
        ]


def _refused(stack: str, key: str, problem: str) -> StackConfigError:
    return StackConfigError([ConfigError(key, problem)], f"Pulumi.{stack}.yaml")


def plan_failover(stack: str, values: Mapping[str, Any], data_key_arn: str) -> FailoverPlan:
    """The failover of ``stack`` (config ``values``); refused with the key named when there is
    nothing to fail over to."""
    config = load_stack_config(values, stack=stack)
    if not config.has_dr_replica or config.dr_region is None:
        raise _refused(
            stack,
            f"{PROJECT}:postgres.crossRegionReplica",
            "is off (or drRegion unset): there is no DR replica to fail over to",
        )
    if config.dr_network.failover:
        raise _refused(stack, f"{SECTION}.failover", "is already true: this stack has failed over")
    return FailoverPlan(
        stack=stack,
        dr_region=config.dr_region,
        replica_identifier=database_identifier(config.name_prefix) + DR_SUFFIX,
        backup_retention_days=config.postgres.backup_retention_days,
        dr_vpc_cidr=config.postgres.dr_vpc_cidr,
        data_key_arn=data_key_arn,
    )


def promoted_database(describe: Mapping[str, Any], plan: FailoverPlan) -> dict[str, str]:
    """``failoverFrom.database`` from ``describe-db-instances`` after the AWS steps."""
    (instance,) = describe["DBInstances"]
    if instance.get("ReadReplicaSourceDBInstanceIdentifier"):
        raise _refused(
            plan.stack,
            f"{FAILOVER_FROM}.database",
            f"{plan.replica_identifier} is still a replica: run promote-read-replica first",
        )
    secret = (instance.get("MasterUserSecret") or {}).get("SecretArn")
    if not secret:
        raise _refused(
            plan.stack,
            f"{FAILOVER_FROM}.database.masterSecretArn",
            "is not in the description: run modify-db-instance --manage-master-user-password",
        )
    return {
        "identifier": instance["DBInstanceIdentifier"],
        "address": instance["Endpoint"]["Address"],
        "resourceId": instance["DbiResourceId"],
        "kmsKeyArn": instance["KmsKeyId"],
        "masterSecretArn": secret,
    }


def dr_stack_config(
    stack_file_config: Mapping[str, Any],
    outputs: Mapping[str, Any],
    database: Mapping[str, str],
    plan: FailoverPlan,
) -> dict[str, Any]:
    """The failover stack's ``config:``: the primary's, moved to the DR region and attached to
    its DR network and promoted database. What cannot move is dropped, with the reason."""
    config = {k: v for k, v in stack_file_config.items() if not k.startswith(f"{PROJECT}:dr")}
    config["aws:region"] = plan.dr_region
    network = dict(config.get(f"{PROJECT}:network") or {})
    network.pop("availabilityZones", None)  # the DR region's, from the region table or DR pins
    # The attached VPC's layout, for the record: the subnets are the DR network's, by id.
    network.pop("subnets", None)
    network["vpcCidr"] = plan.dr_vpc_cidr
    pinned = stack_file_config.get(f"{PROJECT}:drAvailabilityZones")
    if pinned:
        network["availabilityZones"] = pinned
    config[f"{PROJECT}:network"] = network
    postgres = dict(config.get(f"{PROJECT}:postgres") or {})
    postgres["crossRegionReplica"] = False  # the promoted instance has no DR of its own yet
    config[f"{PROJECT}:postgres"] = postgres
    # Its DR region would be the one that failed: no backup copies or replicated builds there.
    config[f"{PROJECT}:dr"] = {"backupCopies": False, "replicateArtifacts": False}
    eks = dict(config.get(f"{PROJECT}:eks") or {})
    # The primary's runner groups live in its VPC; the DR runners' groups are set by hand.
    eks.pop("privateAccessSecurityGroupIds", None)
    # Images and engine builds are not in the DR stack's new repositories and bucket yet: the
    # first `up` runs without them (as in a new account) and the release flow sets them.
    eks.pop("imageTag", None)
    config[f"{PROJECT}:eks"] = eks
    engine = dict(config.get(f"{PROJECT}:matchingEngine") or {})
    engine.pop("artifactVersion", None)
    config[f"{PROJECT}:matchingEngine"] = engine
    edge = dict(config.get(f"{PROJECT}:edge") or {})
    # CloudFront holds an alternate domain name in one distribution only, and the primary's
    # still does: the DR edge serves dr.<domain> until the manual DNS switch.
    if edge.get("domainName"):
        edge["domainName"] = f"dr.{edge['domainName']}"
    config[f"{PROJECT}:edge"] = edge
    config[FAILOVER_FROM] = {
        "primaryStack": plan.stack,
        "network": dict(outputs["drNetwork"]),
        "database": dict(database),
    }
    return config


# The ALB's group and its rules are the primary stack's (the DR network, from the same table:
# 443 from CloudFront's origin-facing list only), so the failover stack's pack cannot see them.
ALB_FINDING = (
    "internet-facing ALB edge-alb has no WebAclAssociation and is not reachable only through "
    "CloudFront with WAF (origin-facing prefix list only, origin of a distribution with a web "
    "ACL, origin secret required by every forwarding rule)"
)
ALB_URN = "trading:edge:EdgeProtection$aws:lb/loadBalancer:LoadBalancer::edge-alb"
EXEMPTION_DAYS = 90  # a failover stack lives until the fail-back


def dr_policy_config(
    policy: dict[str, Any], plan: FailoverPlan, today: date | None = None
) -> dict[str, Any]:
    """The primary's rules, levels and exemptions for the failover stack (an exemption names
    its resource by URN, which starts with the stack), and one for what it attaches to."""
    text = json.dumps(policy).replace(
        f'"urn:pulumi:{plan.stack}::', f'"urn:pulumi:{plan.dr_stack}::'
    )
    config = json.loads(text)
    block = config.setdefault("policy-exemptions", {"enforcementLevel": "advisory"})
    expires = (today or date.today()) + timedelta(days=EXEMPTION_DAYS)
    block.setdefault("exemptions", []).append(
        {
            "resource": f"urn:pulumi:{plan.dr_stack}::{PROJECT}::{ALB_URN}",
            "policy": "public-entry-points-waf",
            "finding": ALB_FINDING,
            "reason": f"The ALB's security group is {plan.stack}'s DR network group, built from "
            "the same reachability table: 443 from CloudFront's origin-facing prefix list only. "
            f"It is declared, and checked by this pack, in {plan.stack}; the origin secret and "
            "the web ACL are this stack's and checked here",
            "owner": "platform-team",
            "expires": expires.isoformat(),
        }
    )
    return config


def write_dr_stack(project_dir: Path, plan: FailoverPlan, config: Mapping[str, Any]) -> list[Path]:
    """The failover stack's file and policy config, refused if either exists already."""
    stack_path = project_dir / f"Pulumi.{plan.dr_stack}.yaml"
    policy_dir = project_dir / POLICY_CONFIG_DIR
    policy_path = policy_dir / f"{plan.dr_stack}.json"
    for path in (stack_path, policy_path):
        if path.exists():
            raise _refused(plan.dr_stack, FAILOVER_FROM, f"{path.name} exists already")
    header = (
        f"# Failover of {plan.stack} to {plan.dr_region}, written by python -m offline.failover.\n"
        f"# Attached to {plan.stack}'s DR network and promoted database; see README.\n"
    )
    body = yaml.safe_dump({"config": dict(config)}, sort_keys=False, default_flow_style=False)
    stack_path.write_text(header + body)
    primary_policy = json.loads((policy_dir / f"{plan.stack}.json").read_text())
    policy_path.write_text(json.dumps(dr_policy_config(primary_policy, plan), indent=2) + "\n")
    return [stack_path, policy_path]


def record_promotion(path: Path, plan: FailoverPlan) -> None:
    """Appends ``drNetwork.failover: true`` to the primary's ``config:`` (the file's last
    mapping, as in every stack file here); a file that sets the section is left for a human."""
    text = path.read_text()
    if f"{SECTION}:" in text:
        raise _refused(
            plan.stack,
            SECTION,
            "is already in the file: set drNetwork.failover to true there by hand",
        )
    path.write_text(text.rstrip("\n") + f"\n  {SECTION}:\n    failover: true\n")


def main(argv: Sequence[str] | None = None, *, project_dir: Path = PROJECT_DIR) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m offline.failover",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("stack", help="the stack to fail over, e.g. prod")
    parser.add_argument("--outputs", type=Path, help="pulumi stack output --json of the stack")
    parser.add_argument("--describe", type=Path, help="describe-db-instances of the promoted one")
    args = parser.parse_args(argv)
    files = read_stack_files(args.stack, project_dir=project_dir)
    outputs = json.loads(args.outputs.read_text()) if args.outputs else {}
    try:
        plan = plan_failover(
            args.stack, files.values, str(outputs.get("drDataKmsKeyArn") or "<drDataKmsKeyArn>")
        )
        if args.outputs is None or args.describe is None:
            print(f"# 1. In {plan.dr_region}: promote, let RDS manage the password, save inputs")
            print("\n".join(plan.aws_commands()))
            print(
                f"# 2. python -m offline.failover {args.stack} "
                f"--outputs {args.stack}-outputs.json --describe promoted.json"
            )
            return 0
        database = promoted_database(json.loads(args.describe.read_text()), plan)
        stack_file = project_dir / f"Pulumi.{args.stack}.yaml"
        raw = load_yaml(stack_file).get("config") or {}
        config = dr_stack_config(raw, outputs, database, plan)
        # Both stacks' configs must load as the program loads them, before anything is written.
        load_stack_config(config, stack=plan.dr_stack)
        load_stack_config({**files.values, **plan.recorded}, stack=args.stack)
        written = write_dr_stack(project_dir, plan, config)
        record_promotion(stack_file, plan)
    except StackConfigError as error:
        print(error, file=sys.stderr)
        return 2
    print(
        f"# Wrote {', '.join(p.name for p in written)}; recorded the promotion in {stack_file.name}"
    )
    print(f"pulumi stack init {plan.dr_stack}")
    print(f"python -m offline {plan.dr_stack}          # the offline plan and the pack, first")
    print(f"pulumi up --stack {plan.dr_stack}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
