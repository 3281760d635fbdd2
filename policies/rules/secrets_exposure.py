"""Secrets in plain sight: none in instance user data or in workloads' environment variables.

User data is readable by anyone who can describe the instance or reach its metadata service, and
environment variables by anyone who can read the pod spec, function or task definition: secrets
belong in Secrets Manager (or a Kubernetes Secret) and are referenced, never inlined.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from pulumi_policy import Severity

from ..engine import (
    MANDATORY,
    UNKNOWN,
    Config,
    Finding,
    Resource,
    ResourceRule,
    cannot_verify,
    resource_rule,
    violation,
)
from . import service_types as st
from . import types

_SECRET_WORDS: Final = (
    r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?"
)
# A name that holds a pointer to a secret rather than the secret itself.
_REFERENCE_SUFFIX: Final = re.compile(
    r"_(ARN|NAME|ID|URL|URI|PATH|FILE|ENDPOINT|REGION|TTL|LENGTH)$", re.IGNORECASE
)
_SECRET_NAME: Final = re.compile(rf"({_SECRET_WORDS})", re.IGNORECASE)
# Charts' `existingSecret` / `existingSecretPasswordKey` name a Kubernetes Secret or one of its
# keys: the value is an object name (a DNS-1123 subdomain, Kubernetes "Object Names and IDs") or
# a key (alphanumerics, '-', '_', '.'), never mixed-case noise or punctuation a password has.
_EXISTING_REFERENCE: Final = re.compile(r"existing", re.IGNORECASE)
_OBJECT_NAME: Final = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")
_SECRET_KEY_NAME: Final = re.compile(r"[-._a-zA-Z0-9]{1,64}")
# NAME=value, NAME: value, or a CLI flag `--password value`; the value a literal, not $VAR,
# $(command) or {{template}}.
_VALUE: Final = r"[\"']?(?P<value>[^\s\"'$`{][^\s\"']{5,})"
_ASSIGNMENT: Final = re.compile(
    rf"(?:(?P<name>[A-Za-z0-9_.-]*(?:{_SECRET_WORDS})[A-Za-z0-9_]*)[\"']?\s*[=:]\s*"
    rf"|(?P<flag>--[A-Za-z-]*(?:{_SECRET_WORDS})[A-Za-z-]*)[\s=]+){_VALUE}",
    re.IGNORECASE,
)
_KEY_MATERIAL: Final = (
    (re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"), "a private key"),
)


def _material(text: str) -> str | None:
    for pattern, what in _KEY_MATERIAL:
        if pattern.search(text):
            return what
    return None


def _user_data_text(resource: Resource) -> str | None:
    for path, encoded in (
        ("userData", resource.type == types.LAUNCH_TEMPLATE),
        ("userDataBase64", True),
    ):
        value = resource.get(path)
        if not isinstance(value, str) or not value:
            continue
        if not encoded:
            return value
        try:
            return base64.b64decode(value, validate=True).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return value
    return None


@resource_rule(
    name="no-secrets-in-user-data",
    description="Instance user data must not carry passwords, tokens, keys or key material.",
    types=(types.LAUNCH_TEMPLATE, types.INSTANCE, st.LAUNCH_CONFIGURATION),
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="user data unknown as a whole is left to documents-unknown-in-preview (advisory) "
    "and read at update",
)
def no_secrets_in_user_data(resource: Resource, _config: Config) -> Iterator[Finding]:
    text = _user_data_text(resource)
    if not text:
        return
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        for match in _ASSIGNMENT.finditer(line):
            name = match.group("name") or match.group("flag")
            if not _REFERENCE_SUFFIX.search(name.replace("-", "_")):
                yield violation(
                    f"user data sets {name} to a literal value; fetch it at boot from Secrets "
                    "Manager or SSM Parameter Store with the instance role"
                )
                break
    what = _material(text)
    if what:
        yield violation(f"user data contains {what}; use the instance role instead")


def _env_findings(where: str, name: Any, value: Any) -> Iterator[Finding]:
    if not isinstance(name, str) or value is None or value == "":
        return
    if _secret_named(name):
        yield violation(
            f"{where} sets {name} inline; reference a Secret (valueFrom.secretKeyRef, Secrets "
            "Manager) instead"
        )
    elif isinstance(value, str) and (what := _material(value)):
        yield violation(f"{where} {name} holds {what}; use a role instead")


def _pod_specs(resource: Resource) -> list[tuple[str, Any]]:
    if resource.type == "kubernetes:core/v1:Pod":
        return [("spec", resource.get("spec"))]
    if resource.type == "kubernetes:batch/v1:CronJob":
        return [
            (
                "spec.jobTemplate.spec.template.spec",
                resource.get("spec.jobTemplate.spec.template.spec"),
            )
        ]
    return [("spec.template.spec", resource.get("spec.template.spec"))]


def _kubernetes_env(resource: Resource) -> Iterator[Finding]:
    for prefix, spec in _pod_specs(resource):
        if spec is UNKNOWN:
            yield cannot_verify(prefix)
            continue
        if not isinstance(spec, Mapping):
            continue
        for kind in ("initContainers", "containers"):
            containers = spec.get(kind)
            if containers is UNKNOWN:
                yield cannot_verify(f"{prefix}.{kind}")
                continue
            for container in containers or []:
                if not isinstance(container, Mapping):
                    continue
                env = container.get("env")
                if env is UNKNOWN:
                    yield cannot_verify(f"{prefix}.{kind}.env")
                    continue
                where = f"container {container.get('name')}"
                for variable in env or []:
                    if isinstance(variable, Mapping):
                        yield from _env_findings(where, variable.get("name"), variable.get("value"))


def _lambda_env(resource: Resource) -> Iterator[Finding]:
    variables = resource.get("environment.variables")
    if variables is UNKNOWN:
        yield cannot_verify("environment.variables")
    elif isinstance(variables, Mapping):
        for name, value in variables.items():
            yield from _env_findings("environment.variables", name, value)


def _ecs_env(resource: Resource) -> Iterator[Finding]:
    raw = resource.get("containerDefinitions")
    if raw is UNKNOWN:
        yield cannot_verify("containerDefinitions")
        return
    try:
        definitions = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        yield violation("containerDefinitions is not valid JSON")
        return
    for container in definitions if isinstance(definitions, list) else []:
        if not isinstance(container, Mapping):
            continue
        where = f"container {container.get('name')}"
        for variable in container.get("environment") or []:
            if isinstance(variable, Mapping):
                yield from _env_findings(where, variable.get("name"), variable.get("value"))


@resource_rule(
    name="no-secrets-in-environment",
    description="Kubernetes workloads, Lambda functions and ECS tasks must not set passwords, "
    "tokens or keys as literal environment variables.",
    types=(*st.KUBERNETES_WORKLOADS, st.LAMBDA_FUNCTION, st.ECS_TASK_DEFINITION),
    level=MANDATORY,
    severity=Severity.HIGH,
    controls=("ECS.8",),
    unknowns="an unknown pod spec, container list or env list: cannot verify; an unknown value of "
    "a secret-named variable is still inline, so it reports",
)
def no_secrets_in_environment(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == st.LAMBDA_FUNCTION:
        yield from _lambda_env(resource)
    elif resource.type == st.ECS_TASK_DEFINITION:
        yield from _ecs_env(resource)
    else:
        yield from _kubernetes_env(resource)


HELM_RELEASES: Final = frozenset({"kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"})
CONFIG_MAP: Final = "kubernetes:core/v1:ConfigMap"
SSM_PARAMETER: Final = "aws:ssm/parameter:Parameter"


def _secret_named(name: object) -> bool:
    return (
        isinstance(name, str)
        and _SECRET_NAME.search(name) is not None
        and not _REFERENCE_SUFFIX.search(name)
    )


def _names_existing_secret(key: object, value: str) -> bool:
    """``existingSecret: grafana-admin`` points at a Secret; ``existingPassword: S3cr3t!`` not."""
    if not isinstance(key, str) or not _EXISTING_REFERENCE.match(key):
        return False
    pattern = _SECRET_KEY_NAME if key.lower().endswith("key") else _OBJECT_NAME
    return pattern.fullmatch(value) is not None and not _material(value)


def _values(where: str, value: object) -> Iterator[Finding]:
    """Literal secrets anywhere in a Helm values tree: a secret-named key with a literal."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if (
                _secret_named(key)
                and isinstance(item, str)
                and item
                and not _names_existing_secret(key, item)
            ):
                yield violation(
                    f"{where}.{key} is a literal; point the chart at an existing Secret instead"
                )
            else:
                yield from _values(f"{where}.{key}", item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _values(f"{where}[{index}]", item)


@resource_rule(
    name="no-plaintext-secret-config",
    description="Secrets must not sit in plain configuration: Helm values, ConfigMaps, or SSM "
    "parameters that are not SecureString.",
    types=(*HELM_RELEASES, CONFIG_MAP, SSM_PARAMETER),
    level=MANDATORY,
    severity=Severity.HIGH,
    unknowns="unknown values, data or parameter type: cannot verify",
)
def no_plaintext_secret_config(resource: Resource, _config: Config) -> Iterator[Finding]:
    if resource.type == SSM_PARAMETER:
        kind, name = resource.get("type"), resource.get("name")
        if kind is UNKNOWN:
            yield cannot_verify("type")
        elif kind != "SecureString" and (
            _secret_named(name) or _material(str(resource.get("value")))
        ):
            yield violation(f"parameter {name} holds a secret as {kind}; make it a SecureString")
        return
    path = "data" if resource.type == CONFIG_MAP else "values"
    tree = resource.get(path)
    if tree is UNKNOWN:
        yield cannot_verify(path)
    elif resource.type == CONFIG_MAP and isinstance(tree, Mapping):
        for key, value in tree.items():
            if _secret_named(key) and value not in (None, ""):
                yield violation(f"data.{key} holds a secret in a ConfigMap; use a Secret")
    else:
        yield from _values(path, tree)


RULES: list[ResourceRule] = [
    no_secrets_in_user_data,
    no_secrets_in_environment,
    no_plaintext_secret_config,
]
