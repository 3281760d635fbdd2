"""A small evaluator of identity-based IAM policies, for checking captured roles offline.

It answers "may this role do ``action`` on ``resource``?" the way IAM evaluates one principal's
identity policies in one account (IAM User Guide, "Policy evaluation logic"): an explicit Deny
wins, otherwise an Allow is needed, otherwise the request is implicitly denied. ``Action`` /
``NotAction`` match case-insensitively and ``Resource`` / ``NotResource`` case-sensitively, with
``*`` and ``?`` wildcards ("IAM JSON policy elements"). Conditions are not evaluated: a
statement with a Condition is taken to allow (or deny) whenever its condition holds, which is
what a test of "may it, at all" wants; the tests check the conditions themselves.

No maintained Python library does this without a cloud: moto's evaluator needs its whole mock
backend, and policyuniverse or parliament expand and lint actions rather than evaluate them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

Document = Mapping[str, Any]


@cache
def _pattern(glob: str, ignore_case: bool) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile("".join(parts), re.IGNORECASE if ignore_case else 0)


def matches(glob: str, value: str, *, ignore_case: bool = False) -> bool:
    return _pattern(glob, ignore_case).fullmatch(value) is not None


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    conditional: bool

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Statement:
        return cls(
            effect=raw["Effect"],
            actions=tuple(_list(raw.get("Action"))),
            not_actions=tuple(_list(raw.get("NotAction"))),
            resources=tuple(_list(raw.get("Resource"))),
            not_resources=tuple(_list(raw.get("NotResource"))),
            conditional=bool(raw.get("Condition")),
        )

    def applies(self, action: str, resource: str) -> bool:
        if self.actions:
            action_ok = any(matches(a, action, ignore_case=True) for a in self.actions)
        else:
            action_ok = not any(matches(a, action, ignore_case=True) for a in self.not_actions)
        if self.resources:
            resource_ok = any(matches(r, resource) for r in self.resources)
        else:
            resource_ok = not any(matches(r, resource) for r in self.not_resources)
        return action_ok and resource_ok


def statements(documents: Iterable[Document | str]) -> Iterator[Statement]:
    for document in documents:
        parsed = json.loads(document) if isinstance(document, str) else document
        raw = parsed.get("Statement", [])
        for statement in [raw] if isinstance(raw, Mapping) else raw:
            yield Statement.parse(statement)


def is_allowed(documents: Iterable[Document | str], action: str, resource: str) -> bool:
    """Explicit deny, then explicit allow, else implicit deny."""
    parsed = list(statements(documents))
    if any(s.effect == "Deny" and s.applies(action, resource) for s in parsed):
        return False
    return any(s.effect == "Allow" and s.applies(action, resource) for s in parsed)


def grants(documents: Iterable[Document | str]) -> set[tuple[str, str]]:
    """Every (action, resource) an Allow statement names literally (no NotAction/NotResource:
    those grant an open-ended set, which ``open_ended`` reports)."""
    return {
        (action, resource)
        for s in statements(documents)
        if s.effect == "Allow"
        for action in s.actions
        for resource in s.resources
    }


def open_ended(documents: Iterable[Document | str]) -> list[Statement]:
    """Allow statements whose reach is "everything except": NotAction or NotResource."""
    return [
        s
        for s in statements(documents)
        if s.effect == "Allow" and (s.not_actions or s.not_resources)
    ]
