"""Documents unknown during preview are reported (advisory), known ones are not."""

from policies.rules import types
from policies.rules.documents_unknown import DOCUMENTS, REPORT_ONLY, documents_unknown_in_preview

from .helpers import WIRE_UNKNOWN, evaluate, messages


def test_unknown_documents_are_named() -> None:
    inputs = {"assumeRolePolicy": WIRE_UNKNOWN, "inlinePolicies": []}
    findings = evaluate(documents_unknown_in_preview, "aws:iam/role:Role", inputs)
    assert messages(findings) == [
        "cannot verify assumeRolePolicy (read at update): unknown during preview"
    ]
    assert findings[0].unverifiable


def test_known_documents_pass() -> None:
    assert evaluate(documents_unknown_in_preview, types.LAUNCH_TEMPLATE, {"userData": "IyEv"}) == []


def test_it_stays_advisory_and_covers_user_data() -> None:
    assert documents_unknown_in_preview.info.name in REPORT_ONLY
    assert DOCUMENTS[types.INSTANCE] == ("userData", "userDataBase64")
