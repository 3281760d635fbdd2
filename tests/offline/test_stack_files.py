"""Stack config as the CLI hands it over: declared defaults, required keys, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.stack_files import (
    SECRET_PLACEHOLDER,
    MissingConfigError,
    StackFileError,
    read_stack_files,
)

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


def test_nested_secure_values_become_the_placeholder_and_mark_the_key(tmp_path: Path) -> None:
    # What `pulumi config set --path --secret edge.origin.token x` writes.
    stack = (
        "config:\n  demo:owner: me\n  demo:edge:\n    origin:\n      token:\n"
        "        secure: v1:abc\n"
    )
    files = read_stack_files("s", project_dir=write(tmp_path, stack))
    assert files.values["demo:edge"] == {"origin": {"token": SECRET_PLACEHOLDER}}
    assert files.secret_keys == {"demo:edge"}


def test_yaml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    stack = "config:\n  demo:owner: me\n  demo:tier: [startup\n"
    with pytest.raises(StackFileError) as raised:
        read_stack_files("s", project_dir=write(tmp_path, stack))
    [error] = raised.value.errors
    assert error.startswith("Pulumi.s.yaml:4:1: ")
    assert "flow sequence" in error


def test_duplicate_key_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    stack = "config:\n  demo:owner: me\n  demo:tier: startup\n  demo:tier: growth\n"
    with pytest.raises(StackFileError) as raised:
        read_stack_files("s", project_dir=write(tmp_path, stack))
    assert raised.value.errors == [
        "Pulumi.s.yaml:4:3: duplicate key 'demo:tier' (first given on line 3)"
    ]


def test_unknown_namespaces_are_errors_with_a_suggestion(tmp_path: Path) -> None:
    stack = "config:\n  demo:owner: me\n  dmeo:tier: growth\n  aws:region: x\n  zzz:q: 1\n"
    with pytest.raises(StackFileError) as raised:
        read_stack_files("s", project_dir=write(tmp_path, stack))
    assert raised.value.errors == [
        "Pulumi.s.yaml: dmeo:tier: unknown namespace 'dmeo' (did you mean demo:tier?)",
        "Pulumi.s.yaml: zzz:q: unknown namespace 'zzz'",
    ]


def test_project_file_errors_name_it(tmp_path: Path) -> None:
    write(tmp_path, "config: {}\n")
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nname: again\n")
    with pytest.raises(StackFileError, match=r"^Pulumi.yaml:2:1: duplicate key 'name'"):
        read_stack_files("s", project_dir=tmp_path)
