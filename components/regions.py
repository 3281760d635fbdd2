"""Per-region facts the program cannot look up reliably: default AZ names, ELB log delivery.

AZ names are the defaults of ``network.availabilityZones`` so that a stack's zones are pinned in
config rather than taken by index from a live lookup (a changed lookup would move every subnet
and database). In a few old regions AWS maps names to physical zones per account and not every
account sees every name (us-west-1 shows two of three): there the key has no default and must
be set; the live lookup then only checks the configured names exist.

ELB access logs: regions opened before August 2022 deliver as a regional ELB account, named in
the bucket policy; later ones only as the ``logdelivery.elasticloadbalancing.amazonaws.com``
service principal (ELB user guide, "Enable access logs for your Application Load Balancer",
step 2). pulumi-aws's ``elb.getServiceAccount`` knows only the older regions and fails on the
others, so the program reads this table instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegionFacts:
    zones: tuple[str, ...]  # default AZ names, in order; () where names differ per account
    elb_account: str | None  # None: the log-delivery service principal only


def _zones(region: str, letters: str) -> tuple[str, ...]:
    return tuple(f"{region}{letter}" for letter in letters)


_TABLE: dict[str, tuple[str, str | None]] = {
    # region: (AZ letters, ELB log-delivery account)
    "us-east-1": ("abcdf", "127311923021"),  # us-east-1e lacks current instance families
    "us-east-2": ("abc", "033677994240"),
    "us-west-1": ("", "027434742980"),
    "us-west-2": ("abcd", "797873946194"),
    "ca-central-1": ("abd", "985666609251"),
    "ca-west-1": ("abc", None),
    "mx-central-1": ("abc", None),
    "sa-east-1": ("abc", "507241528517"),
    "eu-west-1": ("abc", "156460612806"),
    "eu-west-2": ("abc", "652711504416"),
    "eu-west-3": ("abc", "009996457667"),
    "eu-central-1": ("abc", "054676820928"),
    "eu-central-2": ("abc", None),
    "eu-north-1": ("abc", "897822967062"),
    "eu-south-1": ("abc", "635631232127"),
    "eu-south-2": ("abc", None),
    "af-south-1": ("abc", "098369216593"),
    "me-south-1": ("abc", "076674570225"),
    "me-central-1": ("abc", None),
    "il-central-1": ("abc", None),
    "ap-east-1": ("abc", "754344448648"),
    "ap-east-2": ("abc", None),
    "ap-south-1": ("abc", "718504428378"),
    "ap-south-2": ("abc", None),
    "ap-northeast-1": ("acd", "582318560864"),  # Tokyo has no 1b for new accounts
    "ap-northeast-2": ("abcd", "600734575887"),
    "ap-northeast-3": ("abc", "383597477331"),
    "ap-southeast-1": ("abc", "114774131450"),
    "ap-southeast-2": ("abc", "783225319266"),
    "ap-southeast-3": ("abc", "589379963580"),
    "ap-southeast-4": ("abc", None),
    "ap-southeast-5": ("abc", None),
    "ap-southeast-7": ("abc", None),
}

REGIONS: dict[str, RegionFacts] = {
    region: RegionFacts(_zones(region, letters), account)
    for region, (letters, account) in _TABLE.items()
}


def region_facts(region: str) -> RegionFacts:
    """Facts of a commercial region; an unknown one has no defaults and uses the principal."""
    return REGIONS.get(region, RegionFacts((), None))


def elb_log_delivery_statements(log_objects_arn: str, region: str) -> list[dict[str, object]]:
    """Bucket-policy statements that let ELB deliver access logs in ``region``."""
    statements: list[dict[str, object]] = [
        {
            "Sid": "ElbLogDelivery",
            "Effect": "Allow",
            "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": log_objects_arn,
        }
    ]
    account = region_facts(region).elb_account
    if account is not None:
        statements.append(
            {
                "Sid": "ElbRegionalAccountLogDelivery",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "s3:PutObject",
                "Resource": log_objects_arn,
            }
        )
    return statements
