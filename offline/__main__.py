"""``python -m offline <stack> [--preview]``: the stack's plan and policy report, offline.

Runs the program with the stack's real YAML under mocks (no Pulumi CLI, no AWS credentials),
prints the plan, then serves the policy pack over the analyzer protocol with
``policies/config/<stack>.json`` and appends its report, as ``pulumi preview --policy-pack``
would. Exit status: 0 clean, 1 program error, 2 config error, 3 mandatory policy violations.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.config import ConfigError

from .analyzer_client import DEFAULT_PACK_DIR, analyze_stack, load_config
from .plan import render_plan
from .policy_report import format_policy_report
from .runner import ProgramError, run_program
from .stack_files import PROJECT_DIR, MissingConfigError

EXIT_PROGRAM_ERROR = 1
EXIT_CONFIG_ERROR = 2
EXIT_MANDATORY_VIOLATIONS = 3


def main(argv: list[str] | None = None, project_dir: Path = PROJECT_DIR) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline", description=__doc__)
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument(
        "--preview",
        action="store_true",
        help="preview mode: computed values stay unknown, as in `pulumi preview` of a new stack",
    )
    parser.add_argument("--no-policy", action="store_true", help="skip the policy pack")
    args = parser.parse_args(argv)
    try:
        run = run_program(args.stack, preview=args.preview, project_dir=project_dir)
    except (MissingConfigError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    except ProgramError as error:
        if isinstance(error.cause, ConfigError):
            print(f"config error: {error}", file=sys.stderr)
            return EXIT_CONFIG_ERROR
        print(f"program error: {error}", file=sys.stderr)
        return EXIT_PROGRAM_ERROR
    print(render_plan(run))
    if args.no_policy:
        return 0

    config_path = DEFAULT_PACK_DIR / "config" / f"{args.stack}.json"
    config = load_config(config_path) if config_path.exists() else {}
    diagnostics = analyze_stack(run.resources, config, stack=args.stack, dry_run=args.preview)
    source = config_path.name if config else "the pack's default levels"
    print()
    print(format_policy_report(diagnostics, title=f"Policies ({source})"))
    return EXIT_MANDATORY_VIOLATIONS if any(d.mandatory for d in diagnostics) else 0


if __name__ == "__main__":
    sys.exit(main())
