"""``python -m offline.failover <stack> [--write]``: the failover of a stack to its DR region.

Prints the runbook for this stack (README, "Failing over to the DR region"): the AWS CLI
commands that promote the cross-region replica, then the config change that records the
promotion and turns on what the DR network leaves off while standing by (NAT gateways, interface
endpoints), as ``pulumi config set`` commands. ``--write`` adds that change to
``Pulumi.<stack>.yaml`` instead. The changed config is validated like any stack config first,
and refused (exit 2, the key named) when the stack has no DR replica or has already failed over.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.config import PROJECT, StackConfig, load_stack_config
from components.config.errors import ConfigError, StackConfigError
from components.postgres import DR_SUFFIX, database_identifier
from offline.stack_files import PROJECT_DIR, read_stack_files

SECTION = f"{PROJECT}:drNetwork"


@dataclass(frozen=True)
class FailoverPlan:
    stack: str
    dr_region: str
    replica_identifier: str
    backup_retention_days: int
    dr_network: dict[str, Any]  # the whole drNetwork section after the failover

    @property
    def overrides(self) -> dict[str, Any]:
        """The change as config values, as ``run_program(overrides=...)`` takes them."""
        return {SECTION: self.dr_network}

    def promote_commands(self) -> list[str]:
        where = f"--region {self.dr_region} --db-instance-identifier {self.replica_identifier}"
        return [
            # Keeps the retention the replica already has: a promoted instance takes a backup
            # right away and is protected from its first minute.
            f"aws rds promote-read-replica {where} "
            f"--backup-retention-period {self.backup_retention_days}",
            f"aws rds wait db-instance-available {where}",
        ]

    def config_command(self) -> str:
        """One ``pulumi config set-all --path``: with ``--path``, "true" is stored as a boolean
        (https://www.pulumi.com/docs/iac/cli/commands/pulumi_config_set/), a list item by index."""
        pairs: list[str] = []
        for key, value in self.dr_network.items():
            if isinstance(value, list):
                pairs += [f"drNetwork.{key}[{i}]={item}" for i, item in enumerate(value)]
            else:
                pairs.append(f"drNetwork.{key}={json.dumps(value).strip(chr(34))}")
        flags = " ".join(f"--plaintext '{pair}'" for pair in pairs)
        return f"pulumi config set-all --stack {self.stack} --path {flags}"

    def yaml_block(self) -> str:
        """The section as lines of the stack file's ``config:`` mapping."""
        lines = [f"  {SECTION}:"]
        lines += [f"    {key}: {json.dumps(value)}" for key, value in self.dr_network.items()]
        return "\n".join(lines) + "\n"


def plan_failover(stack: str, values: dict[str, Any], file_order: Any = None) -> FailoverPlan:
    """The failover of ``stack`` whose config values are ``values``; refused with the key named
    when there is nothing to fail over to, or when the changed config would not load."""
    config = load_stack_config(values, stack=stack, file_order=file_order)
    if not config.has_dr_replica or config.dr_region is None:
        raise StackConfigError(
            [
                ConfigError(
                    f"{PROJECT}:postgres.crossRegionReplica",
                    "is off (or drRegion unset): there is no DR replica to fail over to",
                )
            ],
            f"Pulumi.{stack}.yaml",
        )
    if config.dr_network.failover:
        raise StackConfigError(
            [ConfigError(f"{SECTION}.failover", "is already true: this stack has failed over")],
            f"Pulumi.{stack}.yaml",
        )
    dr_network = _after_failover(config)
    # The changed config must load too (the same checks the program runs first).
    load_stack_config({**values, SECTION: dr_network}, stack=stack)
    return FailoverPlan(
        stack=stack,
        dr_region=config.dr_region,
        replica_identifier=database_identifier(config.name_prefix) + DR_SUFFIX,
        backup_retention_days=config.postgres.backup_retention_days,
        dr_network=dr_network,
    )


def _after_failover(config: StackConfig) -> dict[str, Any]:
    """The DR network serves the apps now: the primary's NAT strategy and endpoints."""
    return {
        "failover": True,
        "natStrategy": config.network.nat_strategy.value,
        "interfaceEndpoints": list(config.network.interface_endpoints),
    }


def write_stack_file(path: Path, plan: FailoverPlan) -> None:
    """Appends the section to the stack file's ``config:`` (the file's last mapping, as in
    every stack file here); a file that already sets the section is left for a human."""
    text = path.read_text()
    if f"{SECTION}:" in text:
        raise StackConfigError(
            [
                ConfigError(
                    SECTION,
                    "is already in the file: apply the printed `pulumi config set` commands",
                )
            ],
            path.name,
        )
    path.write_text(text.rstrip("\n") + "\n" + plan.yaml_block())


def main(argv: Sequence[str] | None = None, *, project_dir: Path = PROJECT_DIR) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.failover", description=__doc__)
    parser.add_argument("stack", help="the stack to fail over, e.g. prod")
    parser.add_argument(
        "--write", action="store_true", help="add the config change to Pulumi.<stack>.yaml"
    )
    args = parser.parse_args(argv)
    files = read_stack_files(args.stack, project_dir=project_dir)
    try:
        plan = plan_failover(args.stack, files.values)
    except StackConfigError as error:
        print(error, file=sys.stderr)
        return 2
    stack_file = project_dir / f"Pulumi.{args.stack}.yaml"
    print(f"# 1. Promote the replica in {plan.dr_region} (minutes; replication stops for good):")
    print("\n".join(plan.promote_commands()))
    if args.write:
        try:
            write_stack_file(stack_file, plan)
        except StackConfigError as error:
            print(error, file=sys.stderr)
            return 2
        print(f"# 2. Recorded in {stack_file.name}:")
        print(plan.yaml_block(), end="")
    else:
        print("# 2. Record the promotion and open the DR network (or rerun with --write):")
        print(plan.config_command())
    print(f"# 3. Preview, then apply: `pulumi preview --stack {args.stack}`, `pulumi up`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
