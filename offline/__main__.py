"""``python -m offline <stack> [--preview]``: the stack's plan, offline, with no CLI or cloud."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.config import ConfigError

from .plan import render_plan
from .runner import ProgramError, run_program
from .stack_files import PROJECT_DIR, MissingConfigError


def main(argv: list[str] | None = None, project_dir: Path = PROJECT_DIR) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline", description=__doc__)
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument(
        "--preview",
        action="store_true",
        help="preview mode: computed values stay unknown, as in `pulumi preview` of a new stack",
    )
    args = parser.parse_args(argv)
    try:
        run = run_program(args.stack, preview=args.preview, project_dir=project_dir)
    except (MissingConfigError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ProgramError as error:
        label = "config error" if isinstance(error.cause, ConfigError) else "program error"
        print(f"{label}: {error}", file=sys.stderr)
        return 2 if isinstance(error.cause, ConfigError) else 1
    print(render_plan(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
