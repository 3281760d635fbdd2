"""Per-stack exemptions: one resource URN, one rule, one finding, with reason, owner and expiry.

An exemption covers exactly the finding it was written for: the rule, the resource's URN (or a
URN pattern whose only wildcard is the stack), and the finding's message. A resource that later
gets worse (another finding of the same rule), another resource of the same name elsewhere (a
different URN) or the date passing `expires` all fire again, as cdk-nag's acknowledgements
(`NagSuppressions` with `appliesTo`) and trivy's `.trivyignore.yaml` (`id`, `paths`,
`expired_at`) do.

The CLI gives each policy only its own config block, and a diagnostic's level is its policy's
level, so an exempted finding cannot be demoted by the rule that found it. The pack therefore has
one advisory policy, `policy-exemptions`, that owns the list: it runs first for every resource,
publishes the validated list to an `ExemptionRegistry` shared with the rule wrappers, and reports
each exempted finding as an advisory note carrying the reason. The rules then skip exactly those
findings. The registry only ever holds the list from `Configure`, so concurrent requests all
publish the same value. Stack rules run after every resource was analysed; their exempted
findings, every exemption in use, invalid, expired and unused exemptions are reported by
`policy-exemptions-stack`.
"""

from __future__ import annotations

import copy
import datetime
import fnmatch
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

EXEMPTIONS_POLICY: Final = "policy-exemptions"
EXEMPTIONS_STACK_POLICY: Final = "policy-exemptions-stack"
MIN_REASON_LENGTH: Final = 10
"""Long enough that "n/a" or "temp" is refused; a reason a reviewer can act on."""
MAX_TERM_DAYS: Final = 730
"""An exemption lives at most two years: long enough for a migration, short enough to be read
again by someone who owns it."""

# urn:pulumi:<stack>::<project>::<type chain>::<name>; only <stack> may be `*` (the same resource
# in every stack), so a pattern never reaches another type, parent or name.
# Plain groups only: the CLI validates the schema's pattern with Go's regexp.
_URN: Final = re.compile(r"^urn:pulumi:([^:*]+|\*)::[^*]+::[^*:]+$")
_DATE: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Today = Callable[[], datetime.date]


def utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def exemptions_schema(policy_names: Iterable[str]) -> dict[str, Any]:
    """JSON schema of the `exemptions` config property; the CLI validates it before `Configure`."""
    return {
        "type": "array",
        "default": [],
        "description": "Findings to downgrade to advisory notes: resource URN, policy, the "
        "finding's message, reason, owner and expiry date.",
        "items": {
            "type": "object",
            "properties": {
                "resource": {
                    "type": "string",
                    "pattern": _URN.pattern,
                    "description": "The resource's URN; the stack segment may be `*`.",
                },
                "policy": {"type": "string", "enum": sorted(policy_names)},
                "finding": {
                    "type": "string",
                    "minLength": 1,
                    "description": "The exact finding message this exemption covers.",
                },
                "reason": {"type": "string", "minLength": MIN_REASON_LENGTH},
                "owner": {"type": "string", "minLength": 1},
                "expires": {"type": "string", "pattern": _DATE.pattern},
            },
            "required": ["resource", "policy", "finding", "reason", "owner", "expires"],
            "additionalProperties": False,
        },
    }


@dataclass(frozen=True)
class Exemption:
    resource: str
    policy: str
    finding: str
    reason: str
    owner: str
    expires: datetime.date

    def covers_resource(self, urn: str) -> bool:
        # fnmatchcase: `*` is the only wildcard _URN lets through, and URNs are case-sensitive.
        return fnmatch.fnmatchcase(urn, self.resource)

    def matches(self, policy: str, urn: str, message: str) -> bool:
        return self.policy == policy and self.finding == message and self.covers_resource(urn)

    def describe(self) -> str:
        return (
            f"{self.policy} on {self.resource} for {self.finding!r} (owner {self.owner}, "
            f"expires {self.expires.isoformat()}, reason: {self.reason})"
        )


def parse_exemptions(
    raw: Any, policy_names: Iterable[str], today: datetime.date | None = None
) -> tuple[tuple[Exemption, ...], tuple[Exemption, ...], list[str]]:
    """(active, expired, errors): invalid and expired entries are not applied."""
    known = set(policy_names)
    today = today or utc_today()
    if raw is None:
        return (), (), []
    if not isinstance(raw, list):
        return (), (), ["exemptions must be a list"]
    active: list[Exemption] = []
    expired: list[Exemption] = []
    errors: list[str] = []
    for index, entry in enumerate(raw):
        parsed = _parse(entry, known, today)
        if isinstance(parsed, str):
            errors.append(f"exemption #{index + 1} ignored: {parsed}")
        elif parsed.expires < today:
            expired.append(parsed)
        else:
            active.append(parsed)
    return tuple(active), tuple(expired), errors


def _parse(entry: Any, known: set[str], today: datetime.date) -> Exemption | str:
    if not isinstance(entry, Mapping):
        return "must be an object with resource, policy, finding, reason, owner and expires"
    problem = _problem(entry, known)
    if problem:
        return problem
    expires = _date(entry.get("expires"))
    if expires is None:
        return "expires must be an ISO date (YYYY-MM-DD)"
    if expires > today + datetime.timedelta(days=MAX_TERM_DAYS):
        return f"expires {expires.isoformat()} is more than {MAX_TERM_DAYS} days away"
    return Exemption(
        entry["resource"],
        entry["policy"],
        entry["finding"],
        entry["reason"].strip(),
        entry["owner"].strip(),
        expires,
    )


def _problem(entry: Mapping[str, Any], known: set[str]) -> str:
    resource, policy = entry.get("resource"), entry.get("policy")
    if not isinstance(resource, str) or not _URN.match(resource):
        return (
            f"resource {resource!r} must be a URN (urn:pulumi:<stack>::<project>::<type>::<name>)"
            ", where only the stack may be *"
        )
    if not isinstance(policy, str) or policy not in known:
        return f"policy {policy!r} is not a rule of this pack"
    for key in ("finding", "reason", "owner"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            return f"{key} is missing"
    if len(entry["reason"].strip()) < MIN_REASON_LENGTH:
        return f"reason is shorter than {MIN_REASON_LENGTH} characters"
    return ""


def _date(value: Any) -> datetime.date | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


class ExemptionRegistry:
    """The validated list, shared by `policy-exemptions` and every rule wrapper of one pack."""

    def __init__(self, today: Today = utc_today) -> None:
        self.today = today
        self._active: tuple[Exemption, ...] = ()
        self._expired: tuple[Exemption, ...] = ()
        self._errors: tuple[str, ...] = ()
        self._published: tuple[Any, frozenset[str], datetime.date] | None = None

    def publish(self, raw: Any, policy_names: Iterable[str]) -> None:
        # Every Analyze publishes the same config; parse it again only when it or the day changed.
        key = (raw, frozenset(policy_names), self.today())
        if key == self._published:
            return
        active, expired, errors = parse_exemptions(key[0], key[1], key[2])
        self._active, self._expired, self._errors = active, expired, tuple(errors)
        self._published = (copy.deepcopy(raw), key[1], key[2])

    def find(self, policy: str, urn: str, message: str) -> Exemption | None:
        for exemption in self._active:
            if exemption.matches(policy, urn, message):
                return exemption
        return None

    def for_resource(self, urn: str) -> list[Exemption]:
        return [e for e in self._active if e.covers_resource(urn)]

    def active(self) -> tuple[Exemption, ...]:
        return self._active

    def expired(self) -> tuple[Exemption, ...]:
        return self._expired

    def errors(self) -> tuple[str, ...]:
        return self._errors
