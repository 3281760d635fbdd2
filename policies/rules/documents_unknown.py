"""Documents the family rules could not read during preview, reported rather than passed.

A policy document or user data script built from other resources' outputs is unknown as a whole
during preview: its principals and statements are there in the program, but not on the wire.
The rules that read documents skip such a value (a mandatory "cannot verify" would block every
preview of the real stacks, whose documents all name ARNs) and this advisory rule names each one;
`pulumi up` sends the document known and the mandatory rules read it then, before anything is
created.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    cannot_verify,
    resource_rule,
)
from . import service_types as st
from . import types

# Every (type, input) a family rule reads as a document or script.
DOCUMENTS: Final[dict[str, tuple[str, ...]]] = {
    **dict.fromkeys(st.S3_BUCKET_POLICIES | types.S3_BUCKETS, ("policy",)),
    **dict.fromkeys(st.IAM_INLINE_POLICIES, ("policy",)),
    st.IAM_ROLE: ("assumeRolePolicy", "inlinePolicies"),
    types.KMS_KEY: ("policy",),
    st.KMS_KEY_POLICY: ("policy",),
    st.KMS_REPLICA_KEY: ("policy",),
    **{t: (path,) for t, path in st.RESOURCE_POLICIES.items()},
    st.WEB_ACL: ("ruleJson", "rules"),
    types.LAUNCH_TEMPLATE: ("userData",),
    types.INSTANCE: ("userData", "userDataBase64"),
    st.LAUNCH_CONFIGURATION: ("userData", "userDataBase64"),
}


@resource_rule(
    name="documents-unknown-in-preview",
    description="Policy documents and user data that are unknown during preview, so the rules "
    "reading them run at update instead.",
    types=tuple(DOCUMENTS),
    level=ADVISORY,
    severity=Severity.LOW,
    unknowns="the subject of the rule: each unknown document is reported as cannot verify",
)
def documents_unknown_in_preview(resource: Resource, _config: Config) -> Iterator[Finding]:
    for path in DOCUMENTS[resource.type]:
        if resource.get(path) is UNKNOWN:
            yield cannot_verify(f"{path} (read at update)")


RULES: list[ResourceRule] = [documents_unknown_in_preview]

REPORT_ONLY: Final = frozenset({documents_unknown_in_preview.info.name})
"""Rules that only report and so stay advisory in prod too: a mandatory "cannot verify" on every
computed document would block each preview of the real stacks."""
