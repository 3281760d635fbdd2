"""``python -m offline <stack>``: the stack's full plan, policy report and verdict, offline.

Runs the program with the stack's real YAML under mocks (no Pulumi CLI, no AWS credentials),
serves the policy pack over the analyzer protocol with ``policies/config/<stack>.json`` as
``pulumi preview --policy-pack`` would, and ends with one summary line and the verdict.

examples:
  python -m offline dev                         the text plan of dev, its policy report, verdict
  python -m offline prod --preview              computed values unknown, as for a new stack
  python -m offline prod --json > prod.json     one JSON document (schema in the README)
  python -m offline prod --diff main-prod.json  what changes against an earlier --json plan
  python -m offline prod --diff main.json --markdown comment.md   summary for a PR comment
  python -m offline prod --graph prod.svg --component data        the architecture as a graph
  python -m offline prod --cost                 what it costs a month, against the tier and budget

exit status: 0 clean, 1 program error, 2 config error (stack YAML, config values, policy config,
earlier plan), 3 mandatory policy violations, 4 deploy risk (a deploy-check error, or a stateful
resource replaced or deleted without --allow-stateful-replacement). Lowest non-zero code wins.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from dataclasses import dataclass
from pathlib import Path

from pulumi.runtime.proto import analyzer_pb2

from components.config import ConfigError

from .analyzer_client import (
    DEFAULT_PACK_DIR,
    PolicyConfigError,
    PolicyPackError,
    PolicyPackProcess,
    load_config,
    reconcile_config,
)
from .cost.report import cost_document, render_cost
from .cost.stack_cost import StackCost, stack_cost
from .deploy_checks import run_deploy_checks
from .deploy_findings import DeployFinding
from .diff_report import format_diff
from .graph import GraphError, write_graph
from .markdown import render_markdown
from .plan import render_plan
from .plan_diff import PlanDiff, diff_plans, name_collision_findings, stateful_findings
from .plan_document import (
    PlanFileError,
    PolicyResult,
    dump,
    load_plan_document,
    plan_document,
    resources_only,
)
from .policy_findings import policy_findings, rule_metadata
from .policy_report import format_findings
from .runner import ProgramError, ProgramRun, run_program
from .stack_files import PROJECT_DIR, MissingConfigError, StackFileError, read_stack_files
from .verdict import EXIT_CONFIG_ERROR, EXIT_PROGRAM_ERROR, decide

STDOUT = "-"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m offline",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("stack", help="stack name: reads Pulumi.<stack>.yaml")
    parser.add_argument(
        "--preview",
        action="store_true",
        help="preview mode: computed values stay unknown, as in `pulumi preview` of a new stack",
    )
    parser.add_argument("--no-policy", action="store_true", help="skip the policy pack")
    parser.add_argument(
        "--policy-config",
        type=Path,
        metavar="FILE",
        help="policy pack config (default: policies/config/<stack>.json, which must exist)",
    )
    parser.add_argument(
        "--full", action="store_true", help="show long JSON documents (dashboards) in full"
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const=STDOUT,
        metavar="FILE",
        help="write the plan as one JSON document to FILE (alone: to stdout, instead of text)",
    )
    parser.add_argument(
        "--diff", type=Path, metavar="EARLIER.json", help="compare with an earlier --json plan"
    )
    parser.add_argument(
        "--allow-stateful-replacement",
        action="store_true",
        help="do not fail (exit 4) when a stateful resource would be replaced or deleted",
    )
    parser.add_argument(
        "--markdown",
        nargs="?",
        const=STDOUT,
        metavar="FILE",
        help="write a pull-request summary to FILE (alone: to stdout, instead of text)",
    )
    parser.add_argument(
        "--graph",
        type=Path,
        metavar="FILE",
        help="draw the planned architecture: FILE.dot (or .gv) as Graphviz source; .svg/.png "
        "also rendered when Graphviz `dot` is on PATH",
    )
    parser.add_argument(
        "--component", metavar="NAME", help="with --graph: only this component's resources"
    )
    parser.add_argument(
        "--cost",
        action="store_true",
        help="estimate the monthly cost per component and item (also in --json; with --diff, "
        "the change)",
    )
    return parser


def collect_deploy_findings(run: ProgramRun, diff: PlanDiff | None) -> list[DeployFinding]:
    """Everything that would fail or surprise on a real `pulumi up`: the deploy checks of
    `run` (offline.deploy_checks); the diff's stateful replacements and deletions, and
    replacements that would collide with their own fixed name."""
    from_diff = [*stateful_findings(diff), *name_collision_findings(diff)] if diff else []
    return [*run_deploy_checks(run.resources, invokes=run.invokes), *from_diff]


@dataclass(frozen=True)
class _Policy:
    config_path: Path
    config: dict[str, object]


def _policy_config(args: argparse.Namespace, pack_dir: Path) -> _Policy | None:
    if args.no_policy:
        return None
    path: Path = args.policy_config or pack_dir / "config" / f"{args.stack}.json"
    if not path.exists():
        raise PolicyConfigError(
            [
                f"{path}: no policy config for stack '{args.stack}'. Every stack needs one: copy "
                "policies/config/prod.json (every rule mandatory) or dev.json (README, 'Add a "
                "stack'), or pass --policy-config FILE or --no-policy"
            ]
        )
    return _Policy(path, load_config(path))


def _display_path(path: Path, project_dir: Path) -> str:
    with contextlib.suppress(ValueError):
        return str(path.resolve().relative_to(project_dir.resolve()))
    return str(path)


def _write(target: str, text: str) -> None:
    if target == STDOUT:
        print(text)
    else:
        Path(target).write_text(text + "\n")


def main(
    argv: list[str] | None = None,
    project_dir: Path = PROJECT_DIR,
    pack_dir: Path = DEFAULT_PACK_DIR,
) -> int:
    args = _parser().parse_args(argv)
    with contextlib.ExitStack() as cleanup:
        try:
            earlier = load_plan_document(args.diff) if args.diff else None
            read_stack_files(args.stack, project_dir=project_dir)
            policy = _policy_config(args, pack_dir)
            pack: PolicyPackProcess | None = None
            info: analyzer_pb2.AnalyzerInfo | None = None
            if policy is not None:
                # Started before the program runs, so its config is refused before any output.
                pack = cleanup.enter_context(
                    PolicyPackProcess(pack_dir, stack=args.stack, dry_run=args.preview)
                )
                info = pack.info()
                reconcile_config(info, policy.config)
        except PolicyConfigError as error:
            for problem in error.errors:
                print(f"policy config error: {problem}", file=sys.stderr)
            return EXIT_CONFIG_ERROR
        except PolicyPackError as error:
            print(f"policy pack error: {error}", file=sys.stderr)
            return EXIT_PROGRAM_ERROR
        except (StackFileError, MissingConfigError, FileNotFoundError, PlanFileError) as error:
            for line in str(error).splitlines():
                print(f"error: {line}", file=sys.stderr)
            return EXIT_CONFIG_ERROR
        try:
            run = run_program(args.stack, preview=args.preview, project_dir=project_dir)
        except ProgramError as error:
            if isinstance(error.cause, ConfigError):
                print(f"config error: {error}", file=sys.stderr)
                return EXIT_CONFIG_ERROR
            print(f"program error: {error}", file=sys.stderr)
            return EXIT_PROGRAM_ERROR

        result: PolicyResult | None = None
        if pack is not None and policy is not None and info is not None:
            pack.configure(policy.config)
            findings = policy_findings(pack.diagnostics(run.resources), rule_metadata(info))
            result = PolicyResult(_display_path(policy.config_path, project_dir), tuple(findings))
    return _report(args, run, earlier, result, project_dir)


def _report(
    args: argparse.Namespace,
    run: ProgramRun,
    earlier: dict[str, object] | None,
    policy: PolicyResult | None,
    project_dir: Path,
) -> int:
    diff = None
    if earlier is not None:
        diff = diff_plans(
            earlier, resources_only(run), against=_display_path(args.diff, project_dir)
        )
    deploy = collect_deploy_findings(run, diff)
    verdict = decide(
        resource_count=len(run.resources),
        diff=diff,
        findings=None if policy is None else policy.findings,
        deploy_findings=deploy,
        allow_stateful_replacement=args.allow_stateful_replacement,
    )
    document = plan_document(
        run, policy=policy, deploy_findings=deploy, diff=diff, summary=verdict.summary
    )
    cost: StackCost | None = None
    if args.cost:
        cost = stack_cost(run, project_dir=project_dir, earlier=earlier)
        document["cost"] = cost_document(cost.estimate, cost.budget, cost.delta)
    if args.graph:
        try:
            done = write_graph(document, args.graph, component=args.component)
        except GraphError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_CONFIG_ERROR
        for line in done:
            print(line, file=sys.stderr)
    if args.json:
        _write(args.json, dump(document))
    if args.markdown:
        _write(args.markdown, render_markdown(document))
    if STDOUT in (args.json, args.markdown):
        return verdict.exit_code

    sections = [render_plan(run, full=args.full)]
    if policy is not None:
        sections.append(format_findings(policy.findings, title=f"Policies ({policy.source})"))
    sections.append(_deploy_section(deploy))
    if diff is not None:
        sections.append(format_diff(diff))
    if cost is not None:
        sections.append(render_cost(cost.estimate, cost.budget, cost.delta))
    sections.append(f"{verdict.summary_line}\n{verdict.verdict_line}")
    print("\n\n".join(sections))
    return verdict.exit_code


def _deploy_section(findings: list[DeployFinding]) -> str:
    if not findings:
        return "Deploy checks: none failed"
    lines = [f"Deploy checks: {len(findings)}"]
    for finding in sorted(findings, key=lambda f: (f.level != "error", f.check, f.resource)):
        where = finding.resource.rsplit("::", 1)[-1] or "stack"
        lines.append(f"  {finding.level} [{finding.check}] {where}: {finding.message}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
