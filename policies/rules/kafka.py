"""MSK provisioned clusters: encryption and client authentication.

MSK Serverless is always TLS-only with IAM authentication and a service key, so it has nothing to
configure wrong here; the stack rule still requires it to be protected in prod.
"""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import Severity

from ..engine import (
    ADVISORY,
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    as_bool,
    cannot_verify,
    describe,
    expect_reference,
    resource_rule,
    violation,
)
from . import types


@resource_rule(
    name="msk-encryption-at-rest",
    description="MSK clusters must encrypt broker storage with a customer managed KMS key.",
    types=(types.MSK_CLUSTER,),
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="unknown key ARN passes (the stack's key)",
)
def msk_encryption_at_rest(resource: Resource, _config: Config) -> Iterator[Finding]:
    yield from expect_reference(
        resource,
        "encryptionInfo.encryptionAtRestKmsKeyArn",
        "set it to a customer managed KMS key (the default is an AWS managed key)",
    )


@resource_rule(
    name="msk-in-transit",
    description="MSK clusters must use TLS between clients and brokers and between brokers.",
    types=(types.MSK_CLUSTER,),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("MSK.1",),
    unknowns="unknown clientBroker or inCluster: cannot verify",
)
def msk_in_transit(resource: Resource, _config: Config) -> Iterator[Finding]:
    # Absent values are the API defaults: clientBroker TLS, inCluster true.
    client_broker = resource.get("encryptionInfo.encryptionInTransit.clientBroker")
    if client_broker is UNKNOWN:
        yield cannot_verify("encryptionInfo.encryptionInTransit.clientBroker")
    elif client_broker not in (None, "TLS"):
        yield violation(
            f'encryptionInTransit.clientBroker is {describe(client_broker)}; set it to "TLS"'
        )
    in_cluster = as_bool(resource.get("encryptionInfo.encryptionInTransit.inCluster"))
    if in_cluster is UNKNOWN:
        yield cannot_verify("encryptionInfo.encryptionInTransit.inCluster")
    elif in_cluster is False:
        yield violation("encryptionInTransit.inCluster is false; brokers must talk TLS")


@resource_rule(
    name="msk-no-unauthenticated-access",
    description="MSK clusters must authenticate clients (IAM, SCRAM or mTLS).",
    types=(types.MSK_CLUSTER,),
    level=ADVISORY,
    severity=Severity.HIGH,
    unknowns="unknown clientAuthentication: cannot verify",
)
def msk_no_unauthenticated_access(resource: Resource, _config: Config) -> Iterator[Finding]:
    auth = resource.get("clientAuthentication")
    if auth is UNKNOWN:
        yield cannot_verify("clientAuthentication")
        return
    unauthenticated = as_bool(resource.get("clientAuthentication.unauthenticated"))
    if unauthenticated is UNKNOWN:
        yield cannot_verify("clientAuthentication.unauthenticated")
    elif unauthenticated is True:
        yield violation("clientAuthentication.unauthenticated is true; turn it off")
    iam, scram = (
        as_bool(resource.get(f"clientAuthentication.sasl.{kind}")) for kind in ("iam", "scram")
    )
    tls = resource.get("clientAuthentication.tls")
    if UNKNOWN in (iam, scram, tls):
        yield cannot_verify("clientAuthentication")
    elif iam is not True and scram is not True and tls is None:
        yield violation(
            "clientAuthentication configures no mechanism, so clients connect unauthenticated; "
            "enable sasl.iam"
        )


@resource_rule(
    name="msk-no-public-access",
    description="MSK brokers must not be reachable from the internet (public access off).",
    types=(types.MSK_CLUSTER,),
    level=MANDATORY,
    severity=Severity.CRITICAL,
    controls=("MSK.4",),
    unknowns="unknown connectivityInfo or publicAccess.type: cannot verify; absent passes "
    "(API default DISABLED)",
)
def msk_no_public_access(resource: Resource, _config: Config) -> Iterator[Finding]:
    # MSK's PublicAccess.Type is DISABLED or SERVICE_PROVIDED_EIPS (brokers get Elastic IPs).
    kind = resource.get("brokerNodeGroupInfo.connectivityInfo.publicAccess.type")
    if kind is UNKNOWN:
        yield cannot_verify("brokerNodeGroupInfo.connectivityInfo.publicAccess.type")
    elif kind not in (None, "DISABLED"):
        yield violation(
            f"connectivityInfo.publicAccess.type is {describe(kind)}; set it to DISABLED and "
            "reach the brokers from inside the VPC"
        )


RULES: list[ResourceRule] = [
    msk_encryption_at_rest,
    msk_in_transit,
    msk_no_unauthenticated_access,
    msk_no_public_access,
]
