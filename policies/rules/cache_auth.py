"""Cache authentication actually required: AUTH or RBAC on ElastiCache, no password-less users,
no open-access MemoryDB."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import Severity

from ..engine import (
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    as_bool,
    cannot_verify,
    resource_rule,
    violation,
)
from . import service_types as st
from . import types


def _replication_group(resource: Resource) -> Iterator[Finding]:
    if resource.get("engine") == "memcached":
        return
    token, groups = resource.get("authToken"), resource.items("userGroupIds")
    # An unknown token is a generated secret not known until apply: it is set.
    if token not in (None, "") or groups is UNKNOWN or groups:
        return
    yield violation(
        "neither authToken nor userGroupIds is set: any client that reaches the port can run "
        "every command; set an AUTH token or an RBAC user group"
    )


def _user(resource: Resource) -> Iterator[Finding]:
    kind = resource.get("authenticationMode.type")
    no_password = as_bool(resource.get("noPasswordRequired"))
    if UNKNOWN in (kind, no_password):
        yield cannot_verify("authenticationMode.type/noPasswordRequired")
        return
    access = resource.get("accessString")
    if isinstance(access, str) and access.split()[:1] == ["off"]:
        return
    if kind == "no-password-required" or no_password is True:
        yield violation(
            "the user needs no password and is enabled; use password or iam authentication"
        )


@resource_rule(
    name="cache-auth-required",
    description="Redis/Valkey caches must require authentication: an AUTH token or RBAC user "
    "group on replication groups, a user group on serverless caches, no enabled password-less "
    "users, no open-access MemoryDB ACL.",
    types=(
        types.REPLICATION_GROUP,
        types.SERVERLESS_CACHE,
        st.ELASTICACHE_USER,
        st.MEMORYDB_CLUSTER,
    ),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("ElastiCache.6",),
    unknowns="an unknown token or user group passes (generated secrets and outputs); an unknown "
    "authentication mode or ACL name: cannot verify",
)
def cache_auth_required(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == types.REPLICATION_GROUP:
        yield from _replication_group(resource)
    elif resource.type == types.SERVERLESS_CACHE:
        if resource.get("userGroupId") in (None, ""):
            yield violation("userGroupId is not set; attach an RBAC user group")
    elif resource.type == st.ELASTICACHE_USER:
        yield from _user(resource)
    else:
        acl = resource.get("aclName")
        if acl is UNKNOWN:
            yield cannot_verify("aclName")
        elif acl in (None, "", "open-access"):
            yield violation(f"aclName is {acl or 'not set'}; use an ACL with authenticated users")


RULES: list[ResourceRule] = [cache_auth_required]
