"""Run the policy pack the way `pulumi preview --policy-pack policies` does, over gRPC.

The pack is started as the CLI's `pulumi-analyzer-policy-python` starts it: `python -u -m
pulumi.policy <engine address> .` in the pack directory, with the stack's project/stack/dry-run
in the environment; it prints its port, and this client then speaks the analyzer protocol
(GetAnalyzerInfo, Configure, Analyze per resource, AnalyzeStack once). The config file is
reconciled the way the CLI does it (schema defaults, "all", per-policy levels and properties,
schema validation) before `Configure`.

    diagnostics = analyze_stack(captured, load_config("policies/config/prod.json"))
"""

from __future__ import annotations

import difflib
import json
import os
import re
import selectors
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from .capture import CapturedResource

DEFAULT_PACK_DIR: Final = Path(__file__).resolve().parents[1] / "policies"
PROJECT: Final = "trading-platform"
# The pack never dials the engine; the CLI passes its address, so a placeholder stands in.
_ENGINE_ADDRESS: Final = "127.0.0.1:0"
_LEVELS: Final = {
    analyzer_pb2.ADVISORY: "advisory",
    analyzer_pb2.MANDATORY: "mandatory",
    analyzer_pb2.REMEDIATE: "remediate",
    analyzer_pb2.DISABLED: "disabled",
}
_LEVEL_VALUES: Final = {name: value for value, name in _LEVELS.items()}


class PolicyPackError(RuntimeError):
    """The pack did not start, or its config was rejected (as the CLI would reject it)."""


@dataclass(frozen=True)
class Diagnostic:
    """One policy violation as the engine receives it."""

    policy_name: str
    enforcement_level: str
    """advisory, mandatory, remediate or disabled."""
    message: str
    """The policy's description, then the rule's message on the next line (pulumi_policy's form)."""
    description: str
    urn: str
    """The resource's URN; empty for a stack-wide finding."""
    policy_pack: str = ""

    @property
    def mandatory(self) -> bool:
        return self.enforcement_level == "mandatory"

    @property
    def detail(self) -> str:
        """The rule's own message, without the policy description in front of it."""
        prefix = f"{self.description}\n"
        return self.message.removeprefix(prefix)

    @property
    def resource_name(self) -> str:
        return self.urn.rsplit("::", 1)[-1] if self.urn else ""


def load_config(path: str | Path) -> dict[str, Any]:
    """A `--policy-pack-config` file; PolicyConfigError names the file, line and column."""
    path = Path(path)
    try:
        config = json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise PolicyConfigError(
            [f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"]
        ) from error
    if not isinstance(config, dict):
        raise PolicyConfigError([f"{path}: must be a JSON object of policy names"])
    return config


class PolicyConfigError(PolicyPackError):
    """Every problem of one policy config, as the CLI would refuse it before `Configure`."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("policy pack configuration is invalid: " + "; ".join(errors))
        self.errors = errors


def _level(name: Any, where: str, errors: list[str]) -> int | None:
    if name not in _LEVEL_VALUES:
        allowed = ", ".join(sorted(_LEVEL_VALUES))
        errors.append(f"{where}: {name!r} is not a valid enforcement level (allowed: {allowed})")
        return None
    return _LEVEL_VALUES[name]


def _unknown_policy(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{key}: not a policy of this pack{hint}"


def reconcile_config(
    info: analyzer_pb2.AnalyzerInfo, config: Mapping[str, Any]
) -> dict[str, analyzer_pb2.PolicyConfig]:
    """What the CLI sends to `Configure` for this config file, or PolicyConfigError with every
    problem: unknown policy names, invalid levels, values that break a policy's schema."""
    levels: dict[str, int] = {}
    properties: dict[str, dict[str, Any]] = {}
    schemas: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties)
        schemas[policy.name] = (schema, list(policy.configSchema.required))
        levels[policy.name] = policy.enforcementLevel
        properties[policy.name] = {
            key: prop["default"] for key, prop in schema.items() if "default" in prop
        }
    errors: list[str] = []
    given: dict[str, tuple[int | None, dict[str, Any]]] = {}
    for key, value in config.items():
        if key != "all" and key not in schemas:
            errors.append(_unknown_policy(key, schemas))
        elif isinstance(value, str):
            given[key] = (_level(value, key, errors), {})
        elif isinstance(value, Mapping):
            props = {k: v for k, v in value.items() if k != "enforcementLevel"}
            level = value.get("enforcementLevel")
            given[key] = (None if level is None else _level(level, key, errors), props)
        else:
            errors.append(f"{key}: must be a string or an object")
    if "all" in given and given["all"][0] is not None:
        levels = dict.fromkeys(levels, given["all"][0])
    for key, (level, props) in given.items():
        if level is not None:
            levels[key] = level
        properties.setdefault(key, {}).update(props)
    errors += [
        f"{name}: {error}"
        for name, (schema, required) in schemas.items()
        for error in _schema_errors(
            {"type": "object", "properties": schema, "required": required},
            properties.get(name, {}),
            "",
        )
    ]
    if errors:
        raise PolicyConfigError(errors)
    result: dict[str, analyzer_pb2.PolicyConfig] = {}
    for name in levels.keys() | properties.keys():
        struct = struct_pb2.Struct()
        struct.update(properties.get(name, {}))
        level = analyzer_pb2.EnforcementLevel.ValueType(levels.get(name, analyzer_pb2.ADVISORY))
        result[name] = analyzer_pb2.PolicyConfig(enforcementLevel=level, properties=struct)
    return result


_JSON_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int, float),
}


def _number(value: Any) -> str:
    """A schema figure as written: the protobuf Struct turns every number into a float."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _schema_errors(schema: Mapping[str, Any], value: Any, path: str) -> list[str]:
    """The JSON-schema keywords the pack's config schemas use, checked as the CLI checks them."""
    where = path or "(root)"
    kind = schema.get("type")
    if kind in _JSON_TYPES:
        wrong = not isinstance(value, _JSON_TYPES[kind]) or (
            isinstance(value, bool) and kind in ("number", "integer")
        )
        if kind == "integer" and isinstance(value, float) and not value.is_integer():
            wrong = True
        if wrong:
            return [f"{where}: expected {kind}"]
    errors: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: must be one of {schema['enum']}")
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        errors.append(f"{where}: shorter than {_number(schema['minLength'])} characters")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{where}: does not match {schema['pattern']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: less than {_number(schema['minimum'])}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: greater than {_number(schema['maximum'])}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [
            f"{where}: {key} is required" for key in schema.get("required", []) if key not in value
        ]
        for key, item in value.items():
            if key in props:
                errors += _schema_errors(props[key], item, f"{path}.{key}".lstrip("."))
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: {key} is not allowed")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += _schema_errors(schema["items"], item, f"{path}[{index}]")
    return errors


def _properties(resource: CapturedResource) -> struct_pb2.Struct:
    # The engine marshals with SkipInternalKeys: "__"-prefixed keys never reach the analyzer.
    struct = struct_pb2.Struct()
    json_format.ParseDict(
        {key: value for key, value in resource.inputs.items() if not key.startswith("__")}, struct
    )
    return struct


def _options(resource: CapturedResource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=resource.protect,
        ignoreChanges=list(resource.ignore_changes),
        deleteBeforeReplace=resource.delete_before_replace,
        deleteBeforeReplaceDefined=resource.delete_before_replace,
        additionalSecretOutputs=list(resource.additional_secret_outputs),
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(),
        parent=resource.parent,
    )


def _diagnostics(response: analyzer_pb2.AnalyzeResponse, default_urn: str = "") -> list[Diagnostic]:
    return [
        Diagnostic(
            policy_name=d.policyName,
            enforcement_level=_LEVELS.get(d.enforcementLevel, str(d.enforcementLevel)),
            message=d.message,
            description=d.description,
            urn=d.urn or default_urn,
            policy_pack=d.policyPackName,
        )
        for d in response.diagnostics
    ]


class PolicyPackProcess:
    """The pack as a child process and a stub to it; use as a context manager."""

    def __init__(
        self,
        pack_dir: Path = DEFAULT_PACK_DIR,
        python: str = sys.executable,
        *,
        stack: str = "dev",
        dry_run: bool = True,
        start_timeout: float = 60.0,
    ) -> None:
        self.pack_dir = pack_dir
        self.python = python
        self.stack = stack
        self.dry_run = dry_run
        self.start_timeout = start_timeout
        self.startup_seconds = 0.0
        """Process start until the pack printed its port."""
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def start(self) -> None:
        env = dict(os.environ)
        env.update(
            PULUMI_PROJECT=PROJECT,
            PULUMI_STACK=self.stack,
            PULUMI_DRY_RUN="true" if self.dry_run else "false",
        )
        started = time.perf_counter()
        self._process = subprocess.Popen(
            [self.python, "-u", "-m", "pulumi.policy", _ENGINE_ADDRESS, "."],
            cwd=self.pack_dir,
            env=env,
            stdout=subprocess.PIPE,
            # The pack writes to stderr only when it fails; read then, after it has exited.
            stderr=subprocess.PIPE,
        )
        try:
            port = self._read_port()
            self.startup_seconds = time.perf_counter() - started
            self._channel = grpc.insecure_channel(f"127.0.0.1:{port}")
            grpc.channel_ready_future(self._channel).result(timeout=self.start_timeout)
        except BaseException:
            # __exit__ does not run when __enter__ fails: never leave the pack running.
            self.close()
            raise
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)

    def _read_port(self) -> int:
        assert self._process is not None
        assert self._process.stdout is not None
        # A selector, not select(): a long test session may hold descriptors above 1024.
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            ready = selector.select(self.start_timeout)
        line = self._process.stdout.readline() if ready else b""
        if not line.strip().isdigit():
            self._process.kill()
            _, stderr = self._process.communicate()
            detail = stderr.decode(errors="replace")
            raise PolicyPackError(f"policy pack did not print its port: {line!r}\n{detail}")
        return int(line)

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            for stream in (self._process.stdout, self._process.stderr):
                if stream is not None:
                    stream.close()
            self._process = None

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            raise PolicyPackError("policy pack is not running")
        return self._stub

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self.stub.GetAnalyzerInfo(empty_pb2.Empty())

    def configure(self, config: Mapping[str, Any]) -> None:
        """Sends a `--policy-pack-config` file's content, reconciled as the CLI does."""
        policy_config = reconcile_config(self.info(), config)
        self.stub.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig=policy_config))

    def resource_diagnostics(self, resource: CapturedResource) -> list[Diagnostic]:
        """`Analyze`: what the engine asks before it registers one resource."""
        request = analyzer_pb2.AnalyzeRequest(
            type=resource.type,
            properties=_properties(resource),
            urn=resource.urn,
            name=resource.name,
            options=_options(resource),
        )
        return _diagnostics(self.stub.Analyze(request), resource.urn)

    def stack_diagnostics(self, resources: Sequence[CapturedResource]) -> list[Diagnostic]:
        """`AnalyzeStack`: what the engine asks once every resource is registered."""
        request = analyzer_pb2.AnalyzeStackRequest(
            resources=[
                analyzer_pb2.AnalyzerResource(
                    type=r.type,
                    properties=_properties(r),
                    urn=r.urn,
                    name=r.name,
                    options=_options(r),
                    parent=r.parent,
                    dependencies=list(r.dependencies),
                    propertyDependencies={
                        key: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
                        for key, urns in r.property_dependencies.items()
                        if urns
                    },
                )
                for r in resources
            ]
        )
        return _diagnostics(self.stub.AnalyzeStack(request))

    def diagnostics(self, resources: Iterable[CapturedResource]) -> list[Diagnostic]:
        """Every resource through `Analyze`, in order, then the stack through `AnalyzeStack`."""
        resources = list(resources)
        found = [d for resource in resources for d in self.resource_diagnostics(resource)]
        return found + self.stack_diagnostics(resources)


def analyze_stack(
    resources: Sequence[CapturedResource],
    config: Mapping[str, Any],
    *,
    stack: str = "dev",
    dry_run: bool = True,
    pack_dir: Path = DEFAULT_PACK_DIR,
    python: str = sys.executable,
) -> list[Diagnostic]:
    """Starts the pack, configures it with `config` (a config file's content), analyses every
    resource and the stack, stops the pack, and returns every diagnostic."""
    with PolicyPackProcess(pack_dir, python, stack=stack, dry_run=dry_run) as pack:
        pack.configure(config)
        return pack.diagnostics(resources)
