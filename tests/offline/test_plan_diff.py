"""Diffs of two plans: add, change, replace and delete, and what a stateful replacement means."""

from __future__ import annotations

import base64
import copy
from typing import Any

from offline.diff_report import format_diff
from offline.plan_diff import (
    PlanDiff,
    PropertyChange,
    ResourceChange,
    diff_plans,
    name_collision_findings,
    stateful_findings,
)
from offline.plan_document import resources_only
from offline.replacement import FORCE_NEW, forces_replacement
from offline.verdict import EXIT_DEPLOY_RISK, decide
from tests.programs import stack

from .small_stack import run_store


def plan(**kwargs: Any) -> dict[str, Any]:
    return resources_only(run_store(**kwargs))


def diff(earlier: dict[str, Any], current: dict[str, Any]) -> PlanDiff:
    return diff_plans(earlier, current, against="main.json")


def by_name(result: PlanDiff) -> dict[str, Any]:
    return {change.name: change for change in result.changes}


def test_same_plan_has_no_changes() -> None:
    result = diff(plan(), plan())
    assert result.changes == ()
    assert (
        format_diff(result)
        == "Changes against main.json: 0 add, 0 change, 0 replace, 0 delete\n  no changes"
    )


def test_changed_setting_is_a_change_with_the_property() -> None:
    [change] = diff(plan(), plan(retention_days=7)).changes
    assert (change.action, change.name) == ("change", "store-bucket")
    [prop] = change.properties
    assert (prop.path, prop.before, prop.after, prop.replaces) == (
        "tags.Retention",
        "30",
        "7",
        False,
    )
    assert (
        "  ~   aws:s3/bucket:Bucket  store-bucket\n        ~ tags.Retention: 30 => 7"
        in format_diff(diff(plan(), plan(retention_days=7)))
    )


def test_changed_secret_is_a_change_that_hides_both_values() -> None:
    result = diff(plan(), plan(secret_value="correct horse"))
    [change] = result.changes
    [prop] = change.properties
    assert (change.name, prop.path) == ("store-secret-value", "secretString")
    assert prop.before.startswith("(secret ")
    assert prop.after.startswith("(secret ")
    assert "correct horse" not in format_diff(result)


def test_new_resource_is_an_add_and_a_removed_one_a_delete() -> None:
    added = by_name(diff(plan(), plan(with_queue_key=True)))
    assert added["store-queue-key"].action == "add"
    removed = diff(plan(with_queue_key=True), plan())
    [change] = removed.changes
    assert (change.action, change.stateful, change.data_loss) == ("delete", True, True)
    assert "  -   aws:kms/key:Key  store-queue-key  (STATEFUL: DATA LOSS RISK)" in format_diff(
        removed
    )


def test_renamed_bucket_is_a_stateful_replacement_flagged_as_data_loss() -> None:
    result = diff(plan(), plan(bucket_name="trading-test-store-2"))
    [change] = result.changes
    assert (change.action, change.reason, change.stateful, change.protected) == (
        "replace",
        "bucket",
        True,
        True,
    )
    text = format_diff(result)
    assert (
        "  -/+ aws:s3/bucket:Bucket  store-bucket  (replaced because of bucket; "
        "STATEFUL: DATA LOSS RISK; protected)"
    ) in text
    assert "~ bucket: trading-test-store => trading-test-store-2  (forces replacement)" in text
    [finding] = stateful_findings(result)
    assert (finding.check, finding.level, finding.resource) == (
        "stateful-replacement",
        "error",
        change.urn,
    )
    assert finding.message.startswith(
        "DATA LOSS RISK: aws:s3/bucket:Bucket store-bucket would be replaced"
    )
    assert "protected" in finding.message


def test_stateful_replacement_fails_unless_allowed() -> None:
    result = diff(plan(), plan(bucket_name="other"))
    findings = stateful_findings(result)
    blocked = decide(
        resource_count=5,
        diff=result,
        findings=[],
        deploy_findings=findings,
        allow_stateful_replacement=False,
    )
    assert blocked.exit_code == EXIT_DEPLOY_RISK
    assert blocked.summary_line == (
        "Plan: 0 to add, 0 to change, 1 to replace (1 stateful), 0 to delete; "
        "policies: 0 mandatory, 0 advisory; deploy checks: 1 error, 0 warnings"
    )
    assert "stateful replacement" in blocked.verdict_line
    allowed = decide(
        resource_count=5,
        diff=result,
        findings=[],
        deploy_findings=findings,
        allow_stateful_replacement=True,
    )
    assert (allowed.exit_code, allowed.verdict_line) == (0, "Verdict: OK (exit 0)")


def test_changed_json_document_shows_a_unified_diff() -> None:
    result = diff(plan(), plan(long_policy=True))
    text = format_diff(result)
    assert "~ policy: JSON document" in text
    assert '            +      "Sid": "S1",\n' in text


def test_dropped_protect_is_a_change() -> None:
    earlier, current = plan(), plan()
    for resource in current["resources"]:
        if resource["name"] == "store-bucket":
            resource["options"]["protect"] = False
    [change] = diff(earlier, current).changes
    assert change.action == "change"
    assert change.properties == (PropertyChange("(options).protect", True, False, False),)
    assert "~ (options).protect: true => false" in format_diff(diff(earlier, current))


def test_ignored_inputs_are_not_changes() -> None:
    earlier, current = plan(), plan(retention_days=7)
    for resource in [*earlier["resources"], *current["resources"]]:
        if resource["name"] == "store-bucket":
            resource["options"]["ignoreChanges"] = ["tags"]
    assert diff(earlier, current).changes == ()


def test_replacing_inputs_cover_nested_paths() -> None:
    msk = "aws:msk/cluster:Cluster"
    assert forces_replacement(msk, "brokerNodeGroupInfo.clientSubnets")
    assert forces_replacement(msk, "brokerNodeGroupInfo")  # the whole object changed
    assert not forces_replacement(msk, "brokerNodeGroupInfo.instanceType")
    assert forces_replacement("aws:eks/nodeGroup:NodeGroup", "instanceTypes")
    assert not forces_replacement("aws:eks/nodeGroup:NodeGroup", "scalingConfig.desiredSize")
    assert forces_replacement("kubernetes:core/v1:Service", "metadata.name")
    assert forces_replacement("aws:s3/bucketPolicy:BucketPolicy", "bucket")
    assert not forces_replacement("aws:elasticache/replicationGroup:ReplicationGroup", "nodeType")


def test_every_type_the_real_stacks_use_is_in_the_table() -> None:
    custom = {r.type for name in ("dev", "prod") for r in stack(name, False).resources if r.custom}
    without = {
        t
        for t in custom - FORCE_NEW.keys()
        if not t.startswith(("kubernetes:", "pulumi:providers:", "aws:s3/bucket"))
    }
    # Types every input of which updates in place.
    assert without <= {
        "aws:cloudfront/distribution:Distribution",
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        # UpdateResponseHeadersPolicy takes the whole configuration, name included.
        "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
        "aws:ec2/internetGateway:InternetGateway",
    }, without


def test_changed_user_data_shows_a_line_diff_of_the_script() -> None:
    def encoded(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    change = PropertyChange("userData", encoded("a\nb\nc\n"), encoded("a\nB\nc\n"), False)
    resource = ResourceChange(
        "change", "urn:x", "aws:ec2/launchTemplate:LaunchTemplate", "lt", (change,)
    )
    text = format_diff(PlanDiff("main.json", (resource,)))
    assert "        ~ userData: base64, decoded\n" in text
    assert "            -b\n            +B\n" in text


def test_plans_of_different_modes_are_flagged() -> None:
    result = diff(plan(), plan(preview=True))
    assert result.mode_mismatch
    assert "note: the earlier plan was made in the other mode" in format_diff(result)
    changed = {p.path for c in result.changes for p in c.properties}
    assert "kmsKeyId" in changed  # known in update mode, unknown in preview


def _with_bucket_input(document: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    for resource in changed["resources"]:
        if resource["name"] == "store-bucket":
            resource["inputs"][key] = value
    return changed


def test_a_replacement_under_the_same_fixed_name_is_a_collision() -> None:
    earlier = plan()
    # Object lock forces a new bucket, and the bucket keeps its fixed name.
    result = diff(earlier, _with_bucket_input(earlier, "objectLockEnabled", True))
    [finding] = name_collision_findings(result)
    assert finding.check == "name-collision"
    assert "'trading-test-store'" in finding.message
    # Renaming it with the change, or deleting before replacing, does not collide.
    renamed = diff(earlier, plan(bucket_name="trading-test-store-2"))
    assert name_collision_findings(renamed) == []
    gap = _with_bucket_input(earlier, "objectLockEnabled", True)
    for resource in gap["resources"]:
        if resource["name"] == "store-bucket":
            resource["options"]["deleteBeforeReplace"] = True
    assert name_collision_findings(diff(earlier, gap)) == []
