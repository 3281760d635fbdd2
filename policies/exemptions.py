"""Per-stack exemptions: one resource, one rule, a mandatory reason.

The CLI gives each policy only its own config block, and a diagnostic's level is its policy's
level, so an exempted finding cannot be demoted by the rule that found it. The pack therefore has
one advisory policy, `policy-exemptions`, that owns the list: it runs first for every resource,
publishes the validated list to an `ExemptionRegistry` shared with the rule wrappers, and reports
each exempted finding as an advisory note carrying the reason. The rules then skip exactly those
findings. The registry only ever holds the list from `Configure`, so concurrent requests all
publish the same value. Stack rules run after every resource was analysed; their exempted
findings, invalid entries and unused exemptions are reported by `policy-exemptions-stack`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

EXEMPTIONS_POLICY: Final = "policy-exemptions"
EXEMPTIONS_STACK_POLICY: Final = "policy-exemptions-stack"
MIN_REASON_LENGTH: Final = 10
"""Long enough that "n/a" or "temp" is refused; a reason a reviewer can act on."""


def exemptions_schema(policy_names: Iterable[str]) -> dict[str, Any]:
    """JSON schema of the `exemptions` config property; the CLI validates it before `Configure`."""
    return {
        "type": "array",
        "default": [],
        "description": "Findings to downgrade to advisory notes: resource, policy, reason.",
        "items": {
            "type": "object",
            "properties": {
                "resource": {
                    "type": "string",
                    "minLength": 1,
                    "description": "Resource name or URN.",
                },
                "policy": {"type": "string", "enum": sorted(policy_names)},
                "reason": {"type": "string", "minLength": MIN_REASON_LENGTH},
            },
            "required": ["resource", "policy", "reason"],
            "additionalProperties": False,
        },
    }


@dataclass(frozen=True)
class Exemption:
    resource: str
    policy: str
    reason: str

    def matches(self, policy: str, name: str, urn: str) -> bool:
        return self.policy == policy and self.resource in (name, urn)


def parse_exemptions(
    raw: Any, policy_names: Iterable[str]
) -> tuple[tuple[Exemption, ...], list[str]]:
    """Valid exemptions and an error per invalid entry (invalid entries are not applied)."""
    known = set(policy_names)
    if raw is None:
        return (), []
    if not isinstance(raw, list):
        return (), ["exemptions must be a list"]
    valid: list[Exemption] = []
    errors: list[str] = []
    for index, entry in enumerate(raw):
        problem = _problem(entry, known)
        if problem:
            errors.append(f"exemption #{index + 1} ignored: {problem}")
        else:
            valid.append(Exemption(entry["resource"], entry["policy"], entry["reason"].strip()))
    return tuple(valid), errors


def _problem(entry: Any, known: set[str]) -> str:
    if not isinstance(entry, Mapping):
        return "must be an object with resource, policy and reason"
    resource, policy, reason = entry.get("resource"), entry.get("policy"), entry.get("reason")
    if not isinstance(resource, str) or not resource:
        return "resource (name or URN) is missing"
    if not isinstance(policy, str) or policy not in known:
        return f"policy {policy!r} is not a rule of this pack"
    if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON_LENGTH:
        return f"reason is missing or shorter than {MIN_REASON_LENGTH} characters"
    return ""


class ExemptionRegistry:
    """The validated list, shared by `policy-exemptions` and every rule wrapper of one pack."""

    def __init__(self) -> None:
        self._exemptions: tuple[Exemption, ...] = ()
        self._errors: tuple[str, ...] = ()

    def publish(self, exemptions: tuple[Exemption, ...], errors: list[str]) -> None:
        self._exemptions, self._errors = exemptions, tuple(errors)

    def find(self, policy: str, name: str, urn: str) -> Exemption | None:
        for exemption in self._exemptions:
            if exemption.matches(policy, name, urn):
                return exemption
        return None

    def for_resource(self, name: str, urn: str) -> list[Exemption]:
        return [e for e in self._exemptions if e.resource in (name, urn)]

    def all(self) -> tuple[Exemption, ...]:
        return self._exemptions

    def errors(self) -> tuple[str, ...]:
        return self._errors
