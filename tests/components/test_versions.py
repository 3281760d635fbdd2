"""The version table: what AWS still creates, and the warning 90 days before support ends."""

from __future__ import annotations

from datetime import date

import pytest

from components.versions import (
    DEFAULT_EKS_VERSION,
    RELEASES,
    Product,
    creation_problem,
    find_release,
    support_warning,
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
