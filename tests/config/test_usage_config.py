"""``usage`` config: the tiers' defaults (the seed's figures where it has them), overrides, and
bad values refused with the key named."""

from __future__ import annotations

from typing import Any

import pytest

from components.config import StackConfigError, load_stack_config
from tests.stack_values import P, base_values


def load(tier: str, usage: Any) -> Any:
    values: dict[str, Any] = base_values(tier)
    values[f"{P}:usage"] = usage
    return load_stack_config(values, stack="test").usage


@pytest.mark.parametrize(
    ("tier", "transfer", "cloud_front", "s3"),
    [("startup", 1000, 500, 50), ("growth", 3000, 2000, 200), ("scale", 10_000, 10_000, 1000)],
)
def test_tier_defaults_are_the_seeds_quantities(
    tier: str, transfer: int, cloud_front: int, s3: int
) -> None:
    usage = load(tier, {})
    assert (usage.data_transfer_out_gb, usage.cloud_front_gb, usage.s3_storage_gb) == (
        transfer,
        cloud_front,
        s3,
    )


@pytest.mark.parametrize(
    ("tier", "gib"), [("startup", 6266), ("growth", 12_531), ("scale", 125_313)]
)
def test_kafka_gib_default_to_the_seeds_message_rates_at_512_bytes(tier: str, gib: int) -> None:
    # 5K / 10K / 100K messages a second, 512 bytes each, 730 hours, in GiB; read once.
    usage = load(tier, {})
    assert (usage.kafka_in_gib, usage.kafka_out_gib) == (gib, gib)


def test_a_stack_overrides_one_key_and_keeps_the_others() -> None:
    usage = load("growth", {"cloudFrontGb": 5000})
    assert usage.cloud_front_gb == 5000
    assert usage.nat_processed_gb == 3000


@pytest.mark.parametrize(
    ("usage", "key", "problem"),
    [
        ({"natProcessedGb": -1}, "usage.natProcessedGb", "must be >= 0, got -1"),
        ({"cloudFrontGb": "lots"}, "usage.cloudFrontGb", "must be an integer"),
        ({"cloudFrontTb": 2}, "usage.cloudFrontTb", "did you mean 'cloudFrontGb'"),
        ({"albLcu": True}, "usage.albLcu", "must be an integer"),
        ({"kafkaInGib": -5}, "usage.kafkaInGib", "must be >= 0, got -5"),
        ({"kafkaOutGb": 10}, "usage.kafkaOutGb", "did you mean 'kafkaOutGib'"),
    ],
)
def test_bad_usage_is_refused_with_the_key_named(usage: Any, key: str, problem: str) -> None:
    with pytest.raises(StackConfigError) as info:
        load("startup", usage)
    (error,) = info.value.errors
    assert error.key == f"{P}:{key}"
    assert problem in str(error)
