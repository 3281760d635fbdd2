"""The dev stack plans in other commercial regions, old and new, with each region's own facts."""

from __future__ import annotations

import json

import pytest

from components.regions import region_facts
from offline.runner import run_program

# Two regions with an ELB log-delivery account, two opened later without one (Tokyo's missing
# "b" zone is the region table's own test).
REGIONS = ("eu-west-1", "us-east-2", "ap-southeast-4", "il-central-1")
# Israel has one region, so no default DR region (components/config/dr.py): the stack names one.
DR_REGIONS = {"il-central-1": "eu-central-1"}


@pytest.mark.parametrize("region", REGIONS)
def test_dev_plans_in(region: str) -> None:
    dr = {"trading-platform:drRegion": DR_REGIONS[region]} if region in DR_REGIONS else {}
    run = run_program("dev", preview=False, overrides={"aws:region": region, **dr})
    zones = {r.inputs["availabilityZone"] for r in run.of_type("aws:ec2/subnet:Subnet")}
    assert zones == set(region_facts(region).zones[:2])
    (policy,) = [r for r in run.of_type("aws:s3/bucketPolicy:BucketPolicy") if "alb-logs" in r.name]
    principals = [s["Principal"] for s in json.loads(policy.inputs["policy"])["Statement"]]
    account = region_facts(region).elb_account
    has_account = any("AWS" in p and "iam::" in str(p["AWS"]) for p in principals)
    assert has_account is (account is not None)
    assert {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"} in principals
