"""The mutation suites' machinery: one realistic insecure change to the real prod stack at a time.

A `Mutation` takes the prod stack as the program registers it, changes one thing - an input on a
deep copy of a resource's wire inputs (and, where the change re-points a reference, its property
dependencies), the `protect` option, dropping a resource, or adding realistic new resources - and
names the rule that must block it at mandatory level in prod, on which resource.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from offline.analyzer_client import DEFAULT_PACK_DIR, Diagnostic, PolicyPackProcess, load_config
from offline.capture import UNKNOWN, CapturedResource
from policies.pack import STACK_RULES

from .helpers import DELETE, changed

PROD: Final = load_config(DEFAULT_PACK_DIR / "config" / "prod.json")
STACK_POLICIES: Final = frozenset(rule.info.name for rule in STACK_RULES)
ROOT: Final = "urn:pulumi:prod::trading-platform::pulumi:pulumi:Stack::trading-platform-prod"

Change = Callable[[dict[str, Any]], dict[str, Any]]
"""Takes a deep copy of a resource's wire inputs and returns the changed inputs."""


def put(values: dict[str, Any]) -> Change:
    """Sets each dotted wire path to its value (DELETE removes it)."""

    def change(inputs: dict[str, Any]) -> dict[str, Any]:
        for path, value in values.items():
            inputs = changed(inputs, path, value)
        return inputs

    return change


def drop(*paths: str) -> Change:
    return put(dict.fromkeys(paths, DELETE))


def unknown(*paths: str) -> Change:
    """Makes each path unknown, as preview sends an output of a resource not created yet."""
    return put(dict.fromkeys(paths, UNKNOWN))


def add_ingress(rule: dict[str, Any]) -> Change:
    """Appends an inline ingress rule to a SecurityGroup or DefaultSecurityGroup."""

    def change(inputs: dict[str, Any]) -> dict[str, Any]:
        inputs["ingress"] = [*inputs.get("ingress", []), rule]
        return inputs

    return change


@dataclass(frozen=True)
class Added:
    """A realistic resource the change adds; `deps` name existing (or added) resources."""

    type: str
    name: str
    inputs: dict[str, Any]
    deps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    parent_chain: str = ""
    """Type chain of its parents, e.g. "trading:network:TradingVpc$" (empty: the stack)."""


@dataclass(frozen=True)
class Mutation:
    id: str
    type: str
    name: str
    policy: str
    """The rule that must block it, at mandatory level in prod."""
    change: Change | None = None
    protect: bool | None = None
    remove: bool = False
    """Drop the resource from the stack (a stack rule's missing relation)."""
    names: str = ""
    """The resource the finding names when it is not the mutated one (stack rules)."""
    also: tuple[str, ...] = ()
    """Other rules the same change rightly trips on the same resource."""
    deps: Mapping[str, tuple[str, ...]] | None = None
    """Property dependencies the change re-points, by resource name."""
    add: tuple[Added, ...] = ()
    """Resources the change adds; (type, name) may name one of them."""
    more: tuple[tuple[str, str], ...] = ()
    """Further (rule, resource) findings the same change rightly causes (stack rules)."""
    preview: bool = False
    """Only meaningful in preview: the change makes a value unknown."""

    @property
    def stack_rule(self) -> bool:
        return self.policy in STACK_POLICIES

    @property
    def target(self) -> str:
        return self.names or self.name

    @property
    def expected(self) -> set[tuple[str, str]]:
        return {(self.policy, self.target), *((p, self.target) for p in self.also), *self.more}


def _urns_by_name(resources: list[CapturedResource]) -> dict[str, str]:
    return {r.name: r.urn for r in resources}


def _resolve(
    deps: Mapping[str, tuple[str, ...]], urns: Mapping[str, str]
) -> dict[str, tuple[str, ...]]:
    return {prop: tuple(urns[name] for name in names) for prop, names in deps.items()}


def _captured(
    added: Added, urns: Mapping[str, str], stack: list[CapturedResource]
) -> CapturedResource:
    parent = ROOT
    if added.parent_chain:
        # A child's URN chains its parents' types; the parent's own URN starts at the stack.
        component = added.parent_chain.removesuffix("$").rsplit("$", 1)[-1]
        [parent] = [r.urn for r in stack if r.type == component]
    urn = f"urn:pulumi:prod::trading-platform::{added.parent_chain}{added.type}::{added.name}"
    return CapturedResource(
        urn=urn,
        type=added.type,
        name=added.name,
        custom=True,
        inputs=copy.deepcopy(added.inputs),
        parent=parent,
        protect=False,
        property_dependencies=_resolve(added.deps, urns),
    )


def select(resources: list[CapturedResource], mutation: Mutation) -> CapturedResource:
    [found] = [r for r in resources if r.type == mutation.type and r.name == mutation.name]
    return found


def mutated(
    resource: CapturedResource, mutation: Mutation, urns: Mapping[str, str] | None = None
) -> CapturedResource:
    result = resource
    if mutation.change is not None:
        inputs = mutation.change(copy.deepcopy(resource.inputs))
        assert inputs != resource.inputs, f"{mutation.id} changes nothing"
        result = dataclasses.replace(result, inputs=inputs)
    if mutation.protect is not None:
        assert resource.protect != mutation.protect, f"{mutation.id} changes nothing"
        result = dataclasses.replace(result, protect=mutation.protect)
    if mutation.deps is not None:
        assert urns is not None
        dependencies = {**resource.property_dependencies, **_resolve(mutation.deps, urns)}
        result = dataclasses.replace(result, property_dependencies=dependencies)
    return result


def mutated_stack(resources: list[CapturedResource], mutation: Mutation) -> list[CapturedResource]:
    urns = _urns_by_name(resources)
    for added in mutation.add:
        urns[added.name] = (
            f"urn:pulumi:prod::trading-platform::{added.parent_chain}{added.type}::{added.name}"
        )
    stack = [*resources, *(_captured(added, urns, resources) for added in mutation.add)]
    subject = select(stack, mutation)
    if mutation.remove:
        return [r for r in stack if r is not subject]
    if mutation.change is None and mutation.protect is None and mutation.deps is None:
        return stack
    return [mutated(r, mutation, urns) if r is subject else r for r in stack]


def blocking(diagnostics: list[Diagnostic]) -> set[tuple[str, str]]:
    return {(d.policy_name, d.resource_name) for d in diagnostics if d.mandatory}


def assert_caught(pack: PolicyPackProcess, resources: list[CapturedResource], m: Mutation) -> None:
    after = mutated_stack(resources, m)
    if m.stack_rule:
        # The unmutated stack's AnalyzeStack is checked once, by the baseline test.
        assert blocking(pack.stack_diagnostics(after)) == m.expected
        return
    added = {(a.type, a.name) for a in m.add}
    if (m.type, m.name) not in added:
        assert blocking(pack.resource_diagnostics(select(resources, m))) == set()
    assert blocking(pack.resource_diagnostics(select(after, m))) == m.expected


def round_trip_sample(cases: Iterable[Mutation]) -> list[Mutation]:
    """The first case of each kind - resource or stack rule, changed or added resource - for the
    suites' gRPC round trip (their other cases run in process, through the same servicer)."""
    kinds: dict[tuple[bool, bool], Mutation] = {}
    for case in cases:
        kinds.setdefault((case.stack_rule, bool(case.add)), case)
    return list(kinds.values())


def without_parameter(name: str) -> Change:
    def change(inputs: dict[str, Any]) -> dict[str, Any]:
        inputs["parameters"] = [p for p in inputs["parameters"] if p["name"] != name]
        return inputs

    return change


def set_parameter(name: str, value: str) -> Change:
    def change(inputs: dict[str, Any]) -> dict[str, Any]:
        [parameter] = [p for p in inputs["parameters"] if p["name"] == name]
        parameter["value"] = value
        return inputs

    return change
