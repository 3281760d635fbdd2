"""IAM policy documents as rules read them: statements, principals, and conditions that restrict.

A document arrives as a JSON string (what `json.dumps` or `get_policy_document` produce), as an
object, or unknown during preview. Principals may be spelled `"*"`, `["*"]`, `{"AWS": "*"}`,
`{"AWS": ["*"]}` or `arn:aws:iam::*:root`, and all of them mean anyone (IAM User Guide,
"AWS JSON policy elements: Principal").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from . import world
from .engine import UNKNOWN, Finding, Resource, cannot_verify, violation

_ACCOUNT_ARN: Final = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}|\*):")
_ACCOUNT_ID: Final = re.compile(r"^\d{12}$")

# Condition keys that pin a public principal to this account, organisation, network or source.
# A condition on any other key (a user agent, a date) leaves the statement public.
RESTRICTING_KEYS: Final = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourceip",
        "aws:userid",
        "kms:calleraccount",
        "kms:viaservice",
        "lambda:functionurlauthtype",
        "sts:externalid",
    }
)
_NEGATED_OPERATORS: Final = ("StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike")


UNKNOWN_TEXT: Final = "<unknown during preview>"
"""What an unknown value inside a known document reads as."""


UNKNOWN_DOCUMENT: Final = (
    "a document unknown as a whole is left to documents-unknown-in-preview (advisory) and read "
    "at update; an unknown principal inside a known document: cannot verify"
)
"""How every document rule treats unknowns (README table)."""


class InvalidDocumentError(ValueError):
    """A policy that is neither a JSON object nor a string holding one."""


@dataclass(frozen=True)
class Statement:
    sid: str
    effect: str
    principals: tuple[str, ...]
    """Every principal value flattened (AWS, Service, Federated, CanonicalUser); `*` for anyone."""
    aws_principals: tuple[str, ...]
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    condition: Mapping[str, Mapping[str, Any]]

    @property
    def allows(self) -> bool:
        return self.effect == "Allow"

    @property
    def unknown_principal(self) -> bool:
        return UNKNOWN_TEXT in self.principals

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else "a statement"


def parse(document: Any) -> list[Statement] | None:
    """The statements of a document; None when unknown or absent. Raises InvalidDocumentError."""
    if document is None or document is UNKNOWN or document == "":
        return None
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as error:
            raise InvalidDocumentError(f"policy is not valid JSON ({error.msg})") from error
    if not isinstance(document, Mapping):
        raise InvalidDocumentError("policy is not a JSON object")
    raw = document.get("Statement", [])
    statements = raw if isinstance(raw, list) else [raw]
    return [_statement(item) for item in statements if isinstance(item, Mapping)]


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(UNKNOWN_TEXT if item is UNKNOWN else str(item) for item in items)


def _statement(raw: Mapping[str, Any]) -> Statement:
    principal = raw.get("Principal")
    aws: tuple[str, ...] = ()
    if isinstance(principal, Mapping):
        aws = _strings(principal.get("AWS"))
        everything = tuple(value for item in principal.values() for value in _strings(item))
    else:
        everything = aws = _strings(principal)
    condition = raw.get("Condition")
    return Statement(
        sid=str(raw.get("Sid", "")),
        effect=str(raw.get("Effect", "")),
        principals=everything,
        aws_principals=aws,
        actions=_strings(raw.get("Action", raw.get("NotAction"))),
        not_action="NotAction" in raw,
        resources=_strings(raw.get("Resource", raw.get("NotResource"))),
        condition=condition if isinstance(condition, Mapping) else {},
    )


def is_anyone(principal: str) -> bool:
    """`*` or an ARN that names every account."""
    match = _ACCOUNT_ARN.match(principal)
    return principal.strip() == "*" or (match is not None and match.group(1) == "*")


def account_of(principal: str) -> str | None:
    """The account an AWS principal belongs to (an ARN or a bare account id), if it names one."""
    if _ACCOUNT_ID.match(principal):
        return principal
    match = _ACCOUNT_ARN.match(principal)
    return match.group(1) if match and match.group(1) != "*" else None


def restricts(condition: Mapping[str, Mapping[str, Any]]) -> bool:
    """Whether a condition block pins the caller with a key that names who or where they are.

    A negated operator (`StringNotEquals aws:SourceAccount`) still lets everyone else in, and a
    wildcard value (`aws:PrincipalOrgID: "*"`) matches every caller.
    """
    for operator, clauses in condition.items():
        if operator.startswith(_NEGATED_OPERATORS) or not isinstance(clauses, Mapping):
            continue
        for key, value in clauses.items():
            values = _strings(value)
            if key.lower() not in RESTRICTING_KEYS or not values or "*" in values:
                continue
            # aws:SourceIp 0.0.0.0/0 (or any world-open list) pins nobody.
            if key.lower() != "aws:sourceip" or not world.world_open_union(values):
                return True
    return False


def public_statements(statements: list[Statement]) -> Iterator[Statement]:
    """Allow statements any principal can use: `*` in any spelling, no restricting condition."""
    for statement in statements:
        if not statement.allows:
            continue
        if any(is_anyone(principal) for principal in statement.principals) and not restricts(
            statement.condition
        ):
            yield statement


def action_matches(pattern: str, action: str) -> bool:
    """IAM's case-insensitive action glob (`s3:*`, `kms:Put*`, `*`)."""
    regex = re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, action.lower()) is not None


def read(resource: Resource, path: str) -> tuple[list[Statement], list[Finding]]:
    """The statements of the document at `path`, or the finding that stands in for them.

    A document unknown as a whole (computed from outputs during preview) gives no statements:
    `documents-unknown-in-preview` reports it, and `pulumi up` reads it again, known. Absent: no
    statements (nothing is granted).
    """
    try:
        return parse(resource.get(path)) or [], []
    except InvalidDocumentError as error:
        return [], [violation(f"{path}: {error}")]


@dataclass(frozen=True)
class Grants:
    """A document read for who it grants to: its statements, what reading it found (malformed,
    or an allow whose principal is unknown in preview: cannot verify), and the statements that
    grant to anyone."""

    statements: list[Statement]
    findings: list[Finding]
    public: list[Statement]


def read_grants(resource: Resource, path: str) -> Grants:
    statements, problems = read(resource, path)
    unknown = [
        cannot_verify(f"{path}: the principal of {statement.label}")
        for statement in statements
        if statement.allows and statement.unknown_principal
    ]
    return Grants(statements, [*problems, *unknown], list(public_statements(statements)))
