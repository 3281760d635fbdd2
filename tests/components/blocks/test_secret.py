"""stored_secret / json_secret: CMK, 30-day recovery, the value as a Pulumi secret."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.blocks import SECRET_RECOVERY_DAYS, json_secret, stored_secret
from offline.runner import run_component

from .conftest import Host, host_urn, run_in_host

KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/abc"
SECRET_SIG = "4dabf18193072939515e22adb298388d"  # the engine's marker of a secret envelope


def test_secret_is_encrypted_recoverable_and_its_value_enveloped() -> None:
    run = run_in_host(
        lambda host: stored_secret(
            "s", parent=host, kms_key_arn=KEY, description="d", value="plain", name="p/s"
        )
    )
    secret, version = run.named("s"), run.named("s-value")
    assert secret.inputs["kmsKeyId"] == KEY
    assert secret.inputs["recoveryWindowInDays"] == SECRET_RECOVERY_DAYS == 30
    assert secret.inputs["name"] == "p/s"
    # A plain string given as the value still reaches the state as a secret.
    assert SECRET_SIG in version.inputs["secretString"]
    assert version.inputs["secretString"]["value"] == "plain"
    assert {secret.parent, version.parent} == {host_urn(run)}
    assert (secret.protect, version.protect) == (False, False)


def test_json_secret_holds_the_json_of_its_value_including_outputs() -> None:
    run = run_in_host(
        lambda host: json_secret(
            "s",
            parent=host,
            kms_key_arn=KEY,
            description="d",
            value={"host": pulumi.Output.from_input("db.local"), "port": 5432},
            name_prefix="p/s-",
            protect=True,
            version_resource_name="s-credentials",
        )
    )
    version = run.named("s-credentials")
    assert json.loads(version.inputs["secretString"]["value"]) == {"host": "db.local", "port": 5432}
    assert run.named("s").inputs["namePrefix"] == "p/s-"
    assert run.named("s").protect is True


@pytest.mark.parametrize(
    ("name", "name_prefix"), [(None, None), ("a", "b")], ids=["neither", "both"]
)
def test_exactly_one_of_name_and_prefix(name: str | None, name_prefix: str | None) -> None:
    errors: list[str] = []

    def build() -> None:
        try:
            stored_secret(
                "s",
                parent=Host(),
                kms_key_arn=KEY,
                description="d",
                value="v",
                name=name,
                name_prefix=name_prefix,
            )
        except ValueError as error:
            errors.append(str(error))

    run = run_component(build, preview=False)
    assert errors == ["secret s: give exactly one of name and name_prefix"]
    assert not run.of_type("aws:secretsmanager/secret:Secret")
