"""Stack config as the CLI hands it over: declared defaults, required keys, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.stack_files import SECRET_PLACEHOLDER, MissingConfigError, read_stack_files

PROJECT = """
name: demo
runtime: python
config:
  tier: {type: string, default: startup}
  owner: {type: string}
"""


def write(tmp_path: Path, stack_yaml: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "Pulumi.s.yaml").write_text(stack_yaml)
    return tmp_path


def test_declared_defaults_fill_in_and_stack_values_win(tmp_path: Path) -> None:
    files = read_stack_files("s", project_dir=write(tmp_path, "config:\n  demo:owner: me\n"))
    assert files.values == {"demo:owner": "me", "demo:tier": "startup"}


def test_declared_key_without_default_is_required(tmp_path: Path) -> None:
    with pytest.raises(MissingConfigError, match="missing configuration value 'demo:owner'"):
        read_stack_files("s", project_dir=write(tmp_path, "config: {}\n"))


def test_secure_values_stay_secret_and_undecrypted(tmp_path: Path) -> None:
    stack = "config:\n  demo:owner: me\n  demo:token:\n    secure: AAABAxyz\n"
    files = read_stack_files("s", project_dir=write(tmp_path, stack))
    assert files.values["demo:token"] == SECRET_PLACEHOLDER
    assert files.secret_keys == {"demo:token"}


def test_objects_reach_the_engine_as_json(tmp_path: Path) -> None:
    stack = "config:\n  demo:owner: me\n  demo:network:\n    azCount: 3\n  demo:on: true\n"
    config = read_stack_files("s", project_dir=write(tmp_path, stack)).engine_config()
    assert config["demo:network"] == '{"azCount": 3}'
    assert config["demo:on"] == "true"
