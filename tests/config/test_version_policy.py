"""The version policy in the schema: what each engine defaults to, and what is refused."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from components.config import StackConfig, StackConfigError, load_stack_config
from components.versions import (
    DEFAULT_AURORA_POSTGRES_VERSION,
    DEFAULT_EKS_VERSION,
    DEFAULT_RDS_POSTGRES_VERSION,
    Product,
    find_release,
)
from tests.stack_values import P, base_values

TODAY = date(2026, 12, 1)
AURORA = {"engine": "aurora-postgresql"}


def load(today: date = TODAY, **sections: Any) -> StackConfig:
    values: dict[str, Any] = base_values("growth")
    values.update({f"{P}:{name}": section for name, section in sections.items()})
    return load_stack_config(values, stack="test", today=today)


def errors_of(today: date = TODAY, **sections: Any) -> StackConfigError:
    with pytest.raises(StackConfigError) as caught:
        load(today, **sections)
    return caught.value


# --- PostgreSQL ------------------------------------------------------------------------------


def test_rds_defaults_to_the_major_alone_so_rds_picks_the_minor() -> None:
    postgres = load().postgres
    assert postgres.engine_version == DEFAULT_RDS_POSTGRES_VERSION == "16"
    assert postgres.parameter_family == "postgres16"
    assert not postgres.pins_minor


def test_aurora_defaults_to_a_full_version_it_pins() -> None:
    postgres = load(postgres=AURORA).postgres
    assert postgres.engine_version == DEFAULT_AURORA_POSTGRES_VERSION
    assert "." in postgres.engine_version
    assert postgres.parameter_family == "aurora-postgresql16"
    assert postgres.pins_minor


def test_a_minor_rds_still_creates_may_be_pinned() -> None:
    postgres = load(postgres={"engineVersion": "16.11"}).postgres
    assert (postgres.engine_version, postgres.pins_minor) == ("16.11", True)


@pytest.mark.parametrize(
    ("postgres", "fragment"),
    [
        ({"engineVersion": "16.6"}, "16.6 can no longer be created; use 16.9 or later"),
        ({"engineVersion": "17.4"}, "17.4 can no longer be created; use 17.5 or later"),
        ({"engineVersion": "14.17"}, "14.17 can no longer be created"),
        ({"engineVersion": "13"}, "not a version this project knows"),
        ({**AURORA, "engineVersion": "16"}, "aurora-postgresql needs a full version"),
        ({**AURORA, "engineVersion": "12.9"}, "Aurora PostgreSQL 12.9 is not a version"),
    ],
)
def test_versions_aws_will_not_create_are_refused_naming_the_key(
    postgres: dict[str, Any], fragment: str
) -> None:
    error = errors_of(postgres=postgres)
    assert [e.key for e in error.errors] == [f"{P}:postgres.engineVersion"]
    assert fragment in str(error)


# --- EKS -------------------------------------------------------------------------------------


def test_eks_defaults_to_the_version_table_s_default_in_standard_support() -> None:
    assert load().eks.version == DEFAULT_EKS_VERSION
    release = find_release(Product.EKS, DEFAULT_EKS_VERSION)
    assert release is not None
    assert release.end_of_standard_support is not None
    # Past 1.34's end of standard support (2026-12-02): neither 1.33 nor 1.34 may be the default.
    assert release.end_of_standard_support > date(2026, 12, 2)


@pytest.mark.parametrize("version", ["1.33", "1.34"])
def test_an_explicit_version_in_extended_support_is_accepted(version: str) -> None:
    # A cost, not a failure: the offline plan's deploy checks warn about it.
    assert load(eks={"version": version}).eks.version == version


@pytest.mark.parametrize(
    ("version", "today", "fragment"),
    [
        ("1.32", date(2027, 3, 23), "left extended support on 2027-03-23"),
        ("1.29", TODAY, "not a version this project knows"),
        ("1.36", TODAY, "not a version this project knows"),
    ],
)
def test_unknown_or_past_extended_support_is_refused(
    version: str, today: date, fragment: str
) -> None:
    error = errors_of(today, eks={"version": version})
    assert [e.key for e in error.errors] == [f"{P}:eks.version"]
    assert fragment in str(error)


def test_past_extended_support_lists_what_is_still_allowed() -> None:
    error = errors_of(date(2027, 8, 1), eks={"version": "1.33"})
    assert error.errors[0].allowed == "1.34, 1.35"


def test_version_problems_are_reported_together() -> None:
    error = errors_of(eks={"version": "1.29"}, postgres={"engineVersion": "16.6"})
    assert sorted(e.key for e in error.errors) == [
        f"{P}:eks.version",
        f"{P}:postgres.engineVersion",
    ]
