"""The version table: what AWS still creates, and the warning 90 days before support ends."""

from __future__ import annotations

from datetime import date

import pytest

from components.versions import (
    DEFAULT_AURORA_POSTGRES_VERSION,
    DEFAULT_EKS_VERSION,
    DEFAULT_RDS_POSTGRES_VERSION,
    RELEASES,
    Product,
    creation_problem,
    find_release,
    support_problem,
    support_warning,
    supported_versions,
)

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("product", "version"),
    [
        (Product.RDS_POSTGRES, "16.5"),
        (Product.RDS_POSTGRES, "16.8"),
        (Product.RDS_POSTGRES, "14.17"),
        (Product.RDS_POSTGRES, "15.12"),
        (Product.RDS_POSTGRES, "17.4"),
        (Product.RDS_POSTGRES, "13"),  # not in the table at all
        (Product.EKS, "1.29"),
    ],
)
def test_versions_aws_no_longer_creates_are_refused(product: Product, version: str) -> None:
    assert creation_problem(product, version) is not None


@pytest.mark.parametrize(
    ("product", "version"),
    [
        (Product.RDS_POSTGRES, "16"),
        (Product.RDS_POSTGRES, "16.9"),
        (Product.RDS_POSTGRES, "17.7"),
        (Product.AURORA_POSTGRES, "16.9"),
        (Product.EKS, "1.35"),
        (Product.ELASTICACHE_VALKEY, "8.0"),
        (Product.MSK, "3.9.x"),
    ],
)
def test_creatable_versions_pass(product: Product, version: str) -> None:
    assert creation_problem(product, version) is None


def test_the_default_eks_version_is_in_standard_support_today() -> None:
    release = find_release(Product.EKS, DEFAULT_EKS_VERSION)
    assert release is not None
    assert release.end_of_standard_support is not None
    assert release.end_of_standard_support > TODAY


def test_warns_within_90_days_and_after_the_end_only() -> None:
    assert support_warning(Product.EKS, "1.35", TODAY) is None  # 2027-03-27: 116 days away
    soon = support_warning(Product.EKS, "1.35", date(2026, 12, 28))
    assert soon is not None
    assert soon.days_left == 89
    past = support_warning(Product.EKS, "1.33", TODAY)
    assert past is not None
    assert "left standard support on 2026-07-29" in past.message
    assert support_warning(Product.ELASTICACHE_VALKEY, "8.0", TODAY) is None  # no date announced


def test_each_product_lists_its_lines_once_in_order() -> None:
    for releases in RELEASES.values():
        versions = [r.version for r in releases]
        assert len(versions) == len(set(versions))
        ends = [r.end_of_standard_support for r in releases if r.end_of_standard_support]
        assert ends == sorted(ends)


def test_the_database_defaults_are_versions_aws_creates() -> None:
    assert creation_problem(Product.RDS_POSTGRES, DEFAULT_RDS_POSTGRES_VERSION) is None
    assert "." not in DEFAULT_RDS_POSTGRES_VERSION  # the major alone: RDS picks the minor
    assert creation_problem(Product.AURORA_POSTGRES, DEFAULT_AURORA_POSTGRES_VERSION) is None
    assert "." in DEFAULT_AURORA_POSTGRES_VERSION  # Aurora is created at a full version


def test_extended_support_is_a_cost_and_its_end_a_problem() -> None:
    # 1.33 left standard support on 2026-07-29 and extended support ends on 2027-07-29.
    assert support_problem(Product.EKS, "1.33", TODAY) is None
    assert support_warning(Product.EKS, "1.33", TODAY) is not None
    ended = support_problem(Product.EKS, "1.33", date(2027, 7, 29))
    assert ended is not None
    assert "left extended support on 2027-07-29" in ended
    # What AWS no longer creates stays a problem whatever the date.
    assert support_problem(Product.RDS_POSTGRES, "16.6", TODAY) is not None


def test_supported_versions_drop_each_line_when_its_extended_support_ends() -> None:
    assert supported_versions(Product.EKS, TODAY) == ["1.32", "1.33", "1.34", "1.35"]
    assert supported_versions(Product.EKS, date(2027, 3, 23)) == ["1.33", "1.34", "1.35"]


def test_every_eks_line_has_twelve_months_of_extended_support() -> None:
    for release in RELEASES[Product.EKS]:
        standard, extended = release.end_of_standard_support, release.end_of_extended_support
        assert standard is not None
        assert extended == standard.replace(year=standard.year + 1)
