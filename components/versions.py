"""Engine versions: which AWS still creates, and when each leaves standard support.

One table, read by the config model (to refuse versions AWS no longer creates) and by the
offline plan's deploy checks (to warn 90 days before a version leaves standard support, when
extended support starts billing). Dates are AWS's published calendars; refresh them here.

Version policy (README, "Versions"):
- RDS for PostgreSQL: major only (``16``) with auto minor upgrades: RDS picks the minor, and a
  prefix is what pulumi-aws compares against ``engineVersionActual``, so AWS's upgrades never
  show as drift or a downgrade.
- Aurora PostgreSQL: the cluster needs a full version; the plan pins the one configured and
  ignores engine-version drift, so AWS's minor upgrades are not undone on the next ``up``.
- ElastiCache (Valkey 7.2+/8, Redis 7): ``major.minor``; the service applies patches.
- MSK provisioned: ``3.9.x`` style versions, where MSK applies the patch releases.
- EKS: the default is a version in standard support; upgrading is a config change. An explicit
  version in extended support is accepted (a cost, which the deploy checks warn about); one past
  extended support, or not in the table, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

WARN_BEFORE = timedelta(days=90)


class Product(StrEnum):
    EKS = "EKS"
    RDS_POSTGRES = "RDS for PostgreSQL"
    AURORA_POSTGRES = "Aurora PostgreSQL"
    ELASTICACHE_VALKEY = "ElastiCache for Valkey"
    ELASTICACHE_REDIS = "ElastiCache for Redis OSS"
    MSK = "Amazon MSK"


@dataclass(frozen=True)
class Release:
    """A major (or EKS minor) line and the end of its standard support."""

    version: str
    end_of_standard_support: date | None  # None: AWS has announced no date
    # The oldest minor AWS still creates, for products that retire minors (RDS).
    oldest_creatable_minor: int | None = None
    # After this AWS upgrades the cluster itself (EKS); None: not tracked here.
    end_of_extended_support: date | None = None


# https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html: 14 months of
# standard support, then 12 months of extended support at about 6x the cluster-hour price.
EKS_RELEASES = (
    Release("1.32", date(2026, 3, 23), end_of_extended_support=date(2027, 3, 23)),
    Release("1.33", date(2026, 7, 29), end_of_extended_support=date(2027, 7, 29)),
    Release("1.34", date(2026, 12, 2), end_of_extended_support=date(2027, 12, 2)),
    Release("1.35", date(2027, 3, 27), end_of_extended_support=date(2028, 3, 27)),
)
DEFAULT_EKS_VERSION = "1.35"

# RDS for PostgreSQL release calendar (PostgreSQLReleaseNotes/postgresql-release-calendar).
# Since 2026-05-01 RDS refuses to create 14.14-14.17, 15.9-15.12, 16.5-16.8 and 17.1-17.4
# (AWS Health notice; AWS upgrades running ones to 14.20 / 15.15 / 16.11 / 17.7).
RDS_POSTGRES_RELEASES = (
    Release("14", date(2027, 2, 28), oldest_creatable_minor=18),
    Release("15", date(2028, 2, 29), oldest_creatable_minor=13),
    Release("16", date(2029, 2, 28), oldest_creatable_minor=9),
    Release("17", date(2030, 2, 28), oldest_creatable_minor=5),
)
# The major alone: RDS creates its default minor and auto minor upgrades keep it current.
DEFAULT_RDS_POSTGRES_VERSION = "16"
# Aurora PostgreSQL follows the community majors' end of life (AuroraPostgreSQLReleaseNotes).
AURORA_POSTGRES_RELEASES = (
    Release("14", date(2027, 2, 28)),
    Release("15", date(2028, 2, 29)),
    Release("16", date(2029, 2, 28)),
    Release("17", date(2030, 2, 28)),
)
# Aurora's cluster is created at a full version: 16.11, a current Aurora 16 minor (CDK's
# AuroraPostgresEngineVersion.VER_16_11). The cluster ignores engine-version drift afterwards,
# so AWS's minor upgrades stand; check `aws rds describe-db-engine-versions` when changing it.
DEFAULT_AURORA_POSTGRES_VERSION = "16.11"
# ElastiCache has announced no end of standard support for these lines.
VALKEY_RELEASES = (Release("7.2", None), Release("8.0", None), Release("8.1", None))
REDIS_RELEASES = (Release("7.0", None), Release("7.1", None))
# MSK "x" versions receive patch releases; MSK has announced no end of support for 3.9.x.
MSK_RELEASES = (Release("3.6.0", None), Release("3.7.x", None), Release("3.8.x", None),
                Release("3.9.x", None))  # fmt: skip

RELEASES: dict[Product, tuple[Release, ...]] = {
    Product.EKS: EKS_RELEASES,
    Product.RDS_POSTGRES: RDS_POSTGRES_RELEASES,
    Product.AURORA_POSTGRES: AURORA_POSTGRES_RELEASES,
    Product.ELASTICACHE_VALKEY: VALKEY_RELEASES,
    Product.ELASTICACHE_REDIS: REDIS_RELEASES,
    Product.MSK: MSK_RELEASES,
}


def release_line(product: Product, version: str) -> str:
    """The line of a version: ``16.9`` -> ``16``, ``1.35`` -> ``1.35``, ``8.0.1`` -> ``8.0``."""
    if product in (Product.RDS_POSTGRES, Product.AURORA_POSTGRES):
        return version.split(".", maxsplit=1)[0]
    if product is Product.MSK:
        return version
    return ".".join(version.split(".")[:2])


def find_release(product: Product, version: str) -> Release | None:
    line = release_line(product, version)
    return next((r for r in RELEASES[product] if r.version == line), None)


def creation_problem(product: Product, version: str) -> str | None:
    """Why AWS would refuse to create ``version`` today, or None."""
    release = find_release(product, version)
    if release is None:
        known = ", ".join(r.version for r in RELEASES[product])
        return f"{product} {version} is not a version this project knows ({known})"
    parts = version.split(".")
    floor = release.oldest_creatable_minor
    if floor is not None and len(parts) > 1 and int(parts[1]) < floor:
        return (
            f"{product} {version} can no longer be created; use {release.version}.{floor} or "
            f"later, or the major {release.version!r} alone to let AWS pick the minor"
        )
    return None


def support_problem(product: Product, version: str, today: date) -> str | None:
    """Why a stack must not use ``version`` today: AWS would not create it, or its extended
    support is over (EKS would upgrade the cluster on its own). Extended support is a cost,
    not a failure: ``support_warning`` reports it."""
    problem = creation_problem(product, version)
    if problem is not None:
        return problem
    release = find_release(product, version)
    end = release.end_of_extended_support if release else None
    if end is not None and today >= end:
        return f"{product} {version} left extended support on {end}; upgrade to a newer version"
    return None


def supported_versions(product: Product, today: date) -> list[str]:
    """The lines a stack may use today, oldest first (for "allowed" in errors)."""
    return [
        r.version for r in RELEASES[product] if support_problem(product, r.version, today) is None
    ]


@dataclass(frozen=True)
class SupportWarning:
    product: Product
    version: str
    end: date
    days_left: int

    @property
    def message(self) -> str:
        when = (
            f"left standard support on {self.end}"
            if self.days_left < 0
            else f"leaves standard support on {self.end} (in {self.days_left} days)"
        )
        return f"{self.product} {self.version} {when}; extended support costs extra - upgrade"


def support_warning(product: Product, version: str, today: date) -> SupportWarning | None:
    """A warning when ``version`` is past, or within 90 days of, its end of standard support."""
    release = find_release(product, version)
    if release is None or release.end_of_standard_support is None:
        return None
    end = release.end_of_standard_support
    if today + WARN_BEFORE < end:
        return None
    return SupportWarning(product, version, end, (end - today).days)


# Cluster Autoscaler Helm chart per EKS version: the autoscaler's minor must match the
# cluster's (autoscaler README, "Releases"). Chart 9.50.1 ships 1.33.0 and 9.53.0 ships 1.34.2
# (kubernetes/autoscaler#8891); 9.59.0 ships 1.35.0 (kubermatic/kubermatic#16253). Not checked
# against the chart repository offline: run `helm search repo autoscaler/cluster-autoscaler
# --versions` when adding a line. A cluster version missing here is refused when the charts
# are installed.
CLUSTER_AUTOSCALER_CHARTS: dict[str, str] = {"1.33": "9.50.1", "1.34": "9.53.0", "1.35": "9.59.0"}
