"""Types no rule examines are reported; examined ones and non-stores are not."""

from policies.pack import RESOURCE_RULES
from policies.rules.coverage import DATA_STORES, ENTRY_POINTS, unexamined_types_rule
from policies.rules.encryption_at_rest import data_store_encrypted_with_cmk

from .helpers import resource, stack_findings

PARAMETER = resource("aws:glue/catalogDatabase:CatalogDatabase", {"name": "reports"}, "reports")
QUEUE = resource("aws:sqs/queue:Queue", {"name": "q"}, "queue")
ALARM = resource("aws:cloudwatch/metricAlarm:MetricAlarm", {}, "alarm")


def test_unexamined_store_is_reported_by_urn() -> None:
    rule = unexamined_types_rule(RESOURCE_RULES)
    [finding] = stack_findings(rule, [PARAMETER, QUEUE, ALARM])
    assert finding.urn == PARAMETER.urn
    assert "data store no rule of the pack examines" in finding.message


def test_a_type_stops_being_reported_once_a_rule_examines_it() -> None:
    assert len(stack_findings(unexamined_types_rule([]), [QUEUE])) == 1
    assert stack_findings(unexamined_types_rule([data_store_encrypted_with_cmk]), [QUEUE]) == []


def test_lists_are_disjoint_type_tokens() -> None:
    assert not DATA_STORES & ENTRY_POINTS
    assert all(
        token.startswith("aws:") and token.count(":") == 2 for token in DATA_STORES | ENTRY_POINTS
    )
