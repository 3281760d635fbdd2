"""The pack's servicer in the test process, behind the same client as the pack over gRPC.

`InProcessPack` is `PolicyPackProcess` with its stub replaced: requests are built, config is
reconciled and diagnostics are read by the same client code, and each request and response goes
through the protobuf wire format, so the servicer sees exactly what gRPC would deliver; only the
child process and the socket are left out. The mutation suites run their cases this way and keep
a gRPC round trip each (`grpc_pack`), so the protocol stays covered.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from google.protobuf import empty_pb2
from google.protobuf.message import Message
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy.policy import _PolicyAnalyzerServicer

from offline.analyzer_client import PolicyPackProcess
from policies.pack import PACK_DESCRIPTION, PACK_NAME, build_policies
from policies.server import PackServicer

_Response = TypeVar("_Response", bound=Message)


class ServicerStub:
    """`AnalyzerStub`'s calls, answered by `servicer` in this process; keeps the last response."""

    def __init__(self, servicer: _PolicyAnalyzerServicer) -> None:
        self.servicer = servicer
        self.last: Message | None = None

    def _call(self, method: Any, request: Message, response_type: type[_Response]) -> _Response:
        # Serialised both ways, as gRPC does: what the servicer reads is what the wire carries.
        received = type(request).FromString(request.SerializeToString())
        response = response_type.FromString(method(received, None).SerializeToString())
        self.last = response
        return response

    def GetAnalyzerInfo(self, request: empty_pb2.Empty) -> analyzer_pb2.AnalyzerInfo:
        return self._call(self.servicer.GetAnalyzerInfo, request, analyzer_pb2.AnalyzerInfo)

    def Configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> empty_pb2.Empty:
        return self._call(self.servicer.Configure, request, empty_pb2.Empty)

    def Analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        return self._call(self.servicer.Analyze, request, analyzer_pb2.AnalyzeResponse)

    def AnalyzeStack(
        self, request: analyzer_pb2.AnalyzeStackRequest
    ) -> analyzer_pb2.AnalyzeResponse:
        return self._call(self.servicer.AnalyzeStack, request, analyzer_pb2.AnalyzeResponse)


class InProcessPack(PolicyPackProcess):
    """`PolicyPackProcess` served by `servicer` (the pack's own, by default) in this process.

    The servicer reads `PULUMI_PROJECT`/`PULUMI_STACK`/`PULUMI_DRY_RUN` only to configure the
    Pulumi runtime, which no rule consults; `dry_run` is kept for the caller's bookkeeping.
    """

    def __init__(
        self,
        servicer: _PolicyAnalyzerServicer | None = None,
        *,
        stack: str = "prod",
        dry_run: bool = False,
    ) -> None:
        super().__init__(stack=stack, dry_run=dry_run)
        self.servicer_stub = ServicerStub(
            servicer or PackServicer(PACK_NAME, build_policies(), PACK_DESCRIPTION)
        )
        self._running = False

    def start(self) -> None:
        self._running = True

    def close(self) -> None:
        self._running = False

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if not self._running:
            return super().stub
        # Duck-typed: the client calls the stub's methods with a request and nothing else.
        return cast(analyzer_pb2_grpc.AnalyzerStub, self.servicer_stub)
