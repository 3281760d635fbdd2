"""encrypted_log_group: always the given CMK, a positive retention, a child of the host."""

from __future__ import annotations

import pytest

from components.blocks import encrypted_log_group
from offline.runner import run_component

from .conftest import Host, host_urn, run_in_host

KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/abc"


@pytest.mark.parametrize("preview", [False, True])
def test_group_is_encrypted_with_the_key_and_kept(preview: bool) -> None:
    run = run_in_host(
        lambda host: encrypted_log_group(
            "g", parent=host, name="/p/g", kms_key_arn=KEY, retention_in_days=30, protect=True
        ),
        preview=preview,
    )
    group = run.named("g")
    assert group.inputs["kmsKeyId"] == KEY
    assert group.inputs["name"] == "/p/g"
    assert group.inputs["retentionInDays"] == 30
    assert group.protect is True
    assert group.parent == host_urn(run)


@pytest.mark.parametrize("days", [0, -1])
def test_non_positive_retention_is_refused(days: int) -> None:
    errors: list[str] = []

    def build() -> None:
        try:
            encrypted_log_group(
                "g",
                parent=Host(),
                name="/p/g",
                kms_key_arn=KEY,
                retention_in_days=days,
                protect=False,
            )
        except ValueError as error:
            errors.append(str(error))

    run = run_component(build, preview=False)
    assert len(errors) == 1
    assert not run.of_type("aws:cloudwatch/logGroup:LogGroup")
