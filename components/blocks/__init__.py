"""Building blocks for what every component repeats, with the secure part fixed by construction.

Each block is a function (or a plain class) that creates its resources as children of the
calling component, so resource names, types and parents are the caller's, exactly as if it had
written them out. None of them takes a switch for encryption, public-access blocking, TLS-only
access, key rotation or a recovery window: those are not options.
"""

from .kms_key import KEY_DELETION_WINDOW_DAYS, customer_managed_key
from .log_group import encrypted_log_group
from .options import child_options
from .pod_identity import (
    ClusterScope,
    PodIdentity,
    PodRole,
    ServiceAccount,
    add_on_identity,
    pod_identity,
    pod_identity_role,
    statements_json,
    trust_policy,
)
from .private_bucket import Expiration, FixedName, NamePrefix, PrivateBucket
from .secret import SECRET_RECOVERY_DAYS, StoredSecret, json_secret, stored_secret

__all__ = [
    "KEY_DELETION_WINDOW_DAYS",
    "SECRET_RECOVERY_DAYS",
    "ClusterScope",
    "Expiration",
    "FixedName",
    "NamePrefix",
    "PodIdentity",
    "PodRole",
    "PrivateBucket",
    "ServiceAccount",
    "StoredSecret",
    "add_on_identity",
    "child_options",
    "customer_managed_key",
    "encrypted_log_group",
    "json_secret",
    "pod_identity",
    "pod_identity_role",
    "statements_json",
    "stored_secret",
    "trust_policy",
]
