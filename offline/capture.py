"""What the program registered, exactly as the engine would have received it.

The mock monitor sees every RegisterResourceRequest, so we keep the wire-form inputs (camelCase
keys, unknown sentinels, secret envelopes) and the options the analyzer gets: parent, protect,
provider, dependencies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor, Mocks
from pulumi.runtime.proto import resource_pb2

UNKNOWN = rpc.UNKNOWN
"""The string the engine uses on the wire for a value not known until apply."""


@dataclass(frozen=True)
class CapturedResource:
    """One registered resource: type token, name, wire-form inputs and resource options."""

    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    parent: str
    protect: bool
    provider: str = ""
    dependencies: tuple[str, ...] = ()
    remote: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    ignore_changes: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    property_dependencies: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # What the mocks answered: ids, ARNs and names as the engine would have recorded them.
    outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def is_component(self) -> bool:
        return not self.custom

    def get(self, path: str, default: Any = None) -> Any:
        """Reads a dotted path of wire names, e.g. ``"encryptionInfo.encryptionAtRest"``."""
        value: Any = self.inputs
        for part in path.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                return default
        return value

    def inputs_struct(self) -> struct_pb2.Struct:
        """The inputs as the protobuf Struct the analyzer protocol carries."""
        struct = struct_pb2.Struct()
        json_format.ParseDict(self.inputs, struct)
        return struct


def _struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct, preserving_proto_field_name=True)


class CapturingMonitor(MockMonitor):
    """A mock monitor that records every registration with its options, in order."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self.captured: list[CapturedResource] = []

    def GetDeploymentInfo(self, request: Any) -> Any:
        # Without resource references a resource given to a component (a SecurityGroup to
        # eks.Cluster) travels as its id. With them, the mock monitor would rebuild the
        # resource on its own thread and event loop, and the run would deadlock.
        info = super().GetDeploymentInfo(request)
        features = [
            feature
            for feature in info.supportedFeatures
            if feature != resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES
        ]
        return resource_pb2.DeploymentInfo(supportedFeatures=features)

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.captured.append(
                CapturedResource(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    custom=bool(request.custom),
                    inputs=_struct_to_dict(request.object),
                    parent=request.parent,
                    protect=bool(request.protect),
                    provider=request.provider,
                    dependencies=tuple(request.dependencies),
                    remote=bool(request.remote),
                    retain_on_delete=bool(request.retainOnDelete),
                    delete_before_replace=bool(request.deleteBeforeReplace),
                    ignore_changes=tuple(request.ignoreChanges),
                    additional_secret_outputs=tuple(request.additionalSecretOutputs),
                    property_dependencies={
                        key: tuple(deps.urns) for key, deps in request.propertyDependencies.items()
                    },
                    outputs=_struct_to_dict(response.object),
                )
            )
        return response
