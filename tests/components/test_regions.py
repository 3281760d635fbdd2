"""Per-region facts: default AZ names and how ELB delivers access logs."""

from __future__ import annotations

import pytest

from components.regions import REGIONS, elb_log_delivery_statements, region_facts


def test_every_default_zone_belongs_to_its_region_and_there_are_at_least_three() -> None:
    for region, facts in REGIONS.items():
        assert all(zone.startswith(region) and len(zone) == len(region) + 1 for zone in facts.zones)
        assert facts.zones == () or len(facts.zones) >= 3, region


def test_tokyo_skips_the_zone_new_accounts_do_not_have() -> None:
    assert region_facts("ap-northeast-1").zones[:3] == (
        "ap-northeast-1a",
        "ap-northeast-1c",
        "ap-northeast-1d",
    )


@pytest.mark.parametrize("region", ["ap-northeast-2", "us-east-1", "eu-west-1"])
def test_older_regions_deliver_logs_as_their_elb_account_too(region: str) -> None:
    statements = elb_log_delivery_statements("arn:aws:s3:::logs/alb/*", region)
    account = region_facts(region).elb_account
    assert account is not None
    principals = [s["Principal"] for s in statements]
    assert {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"} in principals
    assert {"AWS": f"arn:aws:iam::{account}:root"} in principals


@pytest.mark.parametrize("region", ["ap-southeast-4", "il-central-1", "ca-west-1", "xx-new-1"])
def test_newer_or_unknown_regions_use_the_service_principal_only(region: str) -> None:
    (statement,) = elb_log_delivery_statements("arn:aws:s3:::logs/alb/*", region)
    assert statement["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
