"""The whole stack's typed config: the tier's defaults, then the stack YAML's overrides.

``load_stack_config`` is pure (a mapping in, a frozen dataclass out) so every validation is
testable without Pulumi; ``from_pulumi`` feeds it the config the engine hands the program.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Self

from pydantic import Field, TypeAdapter, ValidationError, ValidationInfo, model_validator
from pydantic.dataclasses import dataclass

from components.reachability import Auth, reachability
from components.regions import region_facts

from .access import AccessConfig, flow_problems
from .cluster import EksConfig
from .data import CacheAuth, CacheConfig, PostgresConfig, PostgresEngine
from .dr import DrConfig, resolve_dr_region
from .dr_network import DrNetworkConfig, dr_network_config, dr_problems
from .edge import EdgeConfig
from .errors import ConfigError, SettingError, StackConfigError, raise_all
from .failover import FailoverFromConfig, failover_problems
from .loader import config_errors
from .matching_engine import MatchingEngineConfig
from .messaging import KafkaConfig, KafkaMode
from .monitoring import SECRET_TEXT, monitoring_problems, plaintext_problems
from .network import NatStrategy, NetworkConfig, check_zones_offered
from .observability import ObservabilityConfig
from .schema import (
    CHOICE,
    FLAG,
    PROJECT,
    SCHEMA,
    Choice,
    Integer,
    Strings,
    Text,
    derived,
    fields_of,
)
from .tiers import TIERS, merge
from .usage import UsageConfig

_REGION = Text(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d", "an AWS region such as ap-northeast-2")
_TAG_VALUE = Text(r"[\w .:/=+\-@]{1,256}", "a tag value: 1-256 letters, digits, spaces, _.:/=+-@")


class Environment(StrEnum):
    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class BudgetConfig:
    monthly_usd: Annotated[int, Integer(1)] = Field(
        description="the seed's monthly cost figure; the Budgets limit"
    )


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class PrerequisitesConfig:
    """What the account must hold before the first deploy; checked at preview otherwise."""

    create_auto_scaling_service_linked_role: Annotated[bool, FLAG] = Field(
        False,
        alias="createAutoScalingServiceLinkedRole",
        description="create AWSServiceRoleForAutoScaling (new accounts); otherwise it must exist",
    )


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class StackConfig:
    # Given by the program, never by the stack file.
    project: str
    stack: str
    tier: Annotated[str, Choice(tuple(TIERS))] = Field(
        description="`startup` (5K TPS), `growth` (10K TPS) or `scale` (100K TPS)"
    )
    environment: Annotated[Environment, CHOICE] = Field(
        description="`prod` protects stateful resources"
    )
    region: Annotated[str, _REGION] = Field(
        alias="aws:region", description="primary region (dev and prod: `ap-northeast-2`)"
    )
    dr_region: Annotated[str, _REGION] | None = Field(
        None,
        description="DR region: where the DR replica, the backup copies and the artifact "
        "replica go",
        json_schema_extra=derived(
            "the primary's partner (ap-northeast-2: ap-northeast-1) when anything is copied"
        ),
    )
    dr_availability_zones: Annotated[tuple[str, ...], Strings()] = Field(
        (),
        description="the DR database subnets' AZ names, pinned like `network.availabilityZones`",
        json_schema_extra=derived("the DR region's first `network.azCount` standard zones"),
    )
    owner: Annotated[str, _TAG_VALUE] = Field(description="`Owner` tag on every resource")
    cost_center: Annotated[str, _TAG_VALUE] = Field(
        description="`CostCenter` tag on every resource"
    )
    protect_stateful: Annotated[bool, FLAG] = Field(
        alias="protectStatefulResources",
        description="`protect` databases, caches, Kafka, KMS keys, log stores",
        json_schema_extra=derived("`true` in prod, else `false`"),
    )
    network: NetworkConfig = Field(description="VPC, subnets, NAT, endpoints, flow logs")
    eks: EksConfig = Field(description="service cluster and node groups")
    matching_engine: MatchingEngineConfig = Field(description="the engine fleet")
    postgres: PostgresConfig = Field(description="system of record")
    dr: DrConfig = Field(description="backup copies and artifact replication to `drRegion`")
    cache: CacheConfig = Field(description="Valkey / Redis")
    kafka: KafkaConfig = Field(description="MSK")
    budget: BudgetConfig = Field(description="AWS Budgets")
    edge: EdgeConfig = Field(description="DNS, certificates, CloudFront, WAF, ALB")
    observability: ObservabilityConfig = Field(description="logs, alarms, paging")
    access: AccessConfig = Field(description="what each workload may do (IAM)")
    usage: UsageConfig = Field(description="monthly usage the cost estimate assumes (--cost)")
    prerequisites: PrerequisitesConfig = Field(
        PrerequisitesConfig(createAutoScalingServiceLinkedRole=False),
        description="account prerequisites",
    )
    # Alertmanager's optional receivers (observability.monitoring); config secrets only.
    alert_slack_webhook_url: Annotated[str, SECRET_TEXT] | None = Field(
        None, description="Slack incoming-webhook URL for warnings (`--secret`)"
    )
    alert_pager_duty_routing_key: Annotated[str, SECRET_TEXT] | None = Field(
        None, description="PagerDuty Events API v2 routing key for critical alerts (`--secret`)"
    )
    dr_network: DrNetworkConfig = Field(
        DrNetworkConfig(), description="the DR network; the promotion after a failover"
    )
    failover_from: FailoverFromConfig | None = Field(
        default=None,
        description="the failover stack: the primary stack's DR network and promoted database, "
        "written by `python -m offline.failover`",
    )

    @property
    def name_prefix(self) -> str:
        """Prefix for Name tags and physical names: short, unique per stack."""
        return f"trading-{self.stack}"

    @property
    def default_tags(self) -> dict[str, str]:
        return {
            "Project": self.project,
            "Stack": self.stack,
            "Environment": self.environment.value,
            "Owner": self.owner,
            "CostCenter": self.cost_center,
            "ManagedBy": "pulumi",
        }

    def check_offered_dr_zones(self, offered: Sequence[str]) -> None:
        """The DR region must offer the pinned DR zones (``offered``: what it lists)."""
        if self.dr_region is not None:
            check_zones_offered(
                f"{PROJECT}:drAvailabilityZones",
                self.dr_availability_zones,
                offered,
                self.dr_region,
            )

    def _copies_to_dr(self) -> list[str]:
        """The keys that are on and copy something to ``drRegion``."""
        switches = {
            "postgres.crossRegionReplica": self.postgres.cross_region_replica,
            "dr.backupCopies": self.dr.backup_copies,
            "dr.replicateArtifacts": self.dr.replicate_artifacts,
        }
        return [key for key, on in switches.items() if on]

    @property
    def has_backup_copies(self) -> bool:
        """Daily AWS Backup copies of the database in ``dr_region``."""
        return self.dr_region is not None and self.dr.backup_copies

    @property
    def backup_copy_retention_days(self) -> int:
        """How long a copy stays in the DR vault: ``dr.backupCopyRetentionDays``, else as long as
        the database keeps its own backups."""
        return self.dr.backup_copy_retention_days or self.postgres.backup_retention_days

    @property
    def replicates_artifacts(self) -> bool:
        """The engine's artifact bucket replicated to ``dr_region``."""
        return self.dr_region is not None and self.dr.replicate_artifacts

    @property
    def has_dr_replica(self) -> bool:
        """A cross-region replica in ``dr_region``: the only reason to look at that region."""
        return self.dr_region is not None and self.postgres.cross_region_replica

    @property
    def dr_network_config(self) -> NetworkConfig | None:
        """The DR VPC (the primary's tiers at its offsets), where there is a DR replica."""
        if not self.has_dr_replica:
            return None
        return dr_network_config(
            self.network, self.postgres.dr_vpc_cidr, self.dr_availability_zones
        )

    @model_validator(mode="before")
    @classmethod
    def _from_program(cls, data: Any, info: ValidationInfo) -> Any:
        if not isinstance(data, dict):
            return data
        context = info.context or {}
        data = {"project": PROJECT, "stack": context.get("stack", ""), **data}
        if "protectStatefulResources" not in data:
            data["protectStatefulResources"] = data.get("environment") == Environment.PROD.value
        return data

    @model_validator(mode="after")
    def _check(self) -> Self:
        dr_region, problems = resolve_dr_region(self.region, self.dr_region, self._copies_to_dr())
        object.__setattr__(self, "dr_region", dr_region)
        dr_vpc = ipaddress.ip_network(self.postgres.dr_vpc_cidr)
        if self.postgres.cross_region_replica and dr_vpc.overlaps(
            ipaddress.ip_network(self.network.vpc_cidr)
        ):
            problems.append(
                SettingError(
                    f"{dr_vpc} overlaps network.vpcCidr {self.network.vpc_cidr}; the two VPCs "
                    "could never be peered for a failover",
                    at=("postgres", "drVpcCidr"),
                )
            )
        problems += self._pin_zones()
        problems += dr_problems(
            self.dr_network,
            self.network,
            self.postgres.dr_vpc_cidr,
            has_dr_replica=self.has_dr_replica,
        )
        problems += self._failover_problems()
        az_count = self.network.az_count
        if self.kafka.mode is KafkaMode.PROVISIONED and self.kafka.broker_count % az_count:
            problems.append(
                SettingError(
                    f"{self.kafka.broker_count} is not a multiple of network.azCount "
                    f"({az_count}); MSK spreads brokers evenly over the client subnets",
                    f"a multiple of {az_count}",
                    at=("kafka", "brokerCount"),
                )
            )
        # Alarms and budget alerts publish to the alert topic; in prod someone must receive them.
        observability = self.observability
        if (
            self.environment is Environment.PROD
            and not observability.alert_emails
            and observability.pager_https_endpoint is None
        ):
            problems.append(
                SettingError(
                    "is empty and so is observability.pagerHttpsEndpoint; a prod stack's alarms "
                    "and budget alerts would reach nobody",
                    "at least one email address, or a pagerHttpsEndpoint",
                    at=("observability", "alertEmails"),
                )
            )
        problems += self._access_problems()
        problems += monitoring_problems(self)
        raise_all(problems)
        return self

    @model_validator(mode="after")
    def _secrets_are_secret(self, info: ValidationInfo) -> Self:
        """A receiver's URL or key in plain text would sit in the stack file and the state."""
        secret_keys = (info.context or {}).get("secret_keys", frozenset())
        raise_all(plaintext_problems(self, secret_keys))
        return self

    def _failover_problems(self) -> list[SettingError]:
        """A failover stack attaches to one DR network and database; it has none of its own."""
        failover = self.failover_from
        if failover is None:
            return []
        why = "a failover stack runs on the primary stack's promoted DR database"
        problems = failover_problems(failover, region=self.region, az_count=self.network.az_count)
        # Its DR region would be the region that failed: nothing is copied until fail-back.
        copies = self._copies_to_dr()
        problems += [
            SettingError(f"must be false: {why}", at=tuple(key.split("."))) for key in copies
        ]
        if self.dr_region is not None and not copies:
            problems.append(SettingError(f"must be unset: {why}", at=("drRegion",)))
        if self.postgres.engine is not PostgresEngine.POSTGRES:
            problems.append(
                SettingError(f"must be postgres: {why}, an RDS instance", at=("postgres", "engine"))
            )
        return problems

    def _access_problems(self) -> list[SettingError]:
        """Workload access against the topics, the database, the flows and the endpoints."""
        topics = sorted(t.name for t in self.kafka.topics)
        access = self.access
        keys = access.keys()
        problems: list[SettingError] = []
        for workload, grants in access.by_workload().items():
            for key, named in (("produces", grants.produces), ("consumes", grants.consumes)):
                problems += [
                    SettingError(
                        f"unknown topic {topic!r}",
                        ", ".join(topics),
                        at=("access", keys[workload], key, index),
                    )
                    for index, topic in enumerate(named)
                    if topic not in topics
                ]
            if grants.database_user == self.postgres.master_username:
                problems.append(
                    SettingError(
                        "is the master user; workloads log in as their own users (IAM tokens), "
                        "the master user only for migrations",
                        at=("access", keys[workload], "databaseUser"),
                    )
                )
        cache_iam = self.cache.auth is CacheAuth.IAM
        flows = reachability(
            kafka_scram=self.kafka.scram,
            cache_serverless=self.cache.is_serverless,
            deployer_access=self.eks.has_private_access_path,
            cache_iam=cache_iam,
        )
        problems += flow_problems(
            access, flows, Auth.CACHE_IAM if cache_iam else Auth.CACHE_CREDENTIAL
        )
        endpoints = self.network.interface_endpoints
        # The engine subnets have no NAT: Secrets Manager only through its endpoint.
        if "secretsmanager" not in endpoints and any(
            grants.reads_secrets for grants in access.by_workload().values()
        ):
            problems.append(
                SettingError(
                    "lacks secretsmanager, which the workloads need to read their connection "
                    "settings and the cache credential",
                    at=("network", "interfaceEndpoints"),
                )
            )
        # Pod Identity's agent calls the EKS Auth API; without a NAT only its endpoint reaches it.
        if self.network.nat_strategy is NatStrategy.NONE and "eks-auth" not in endpoints:
            problems.append(
                SettingError(
                    "lacks eks-auth, which EKS Pod Identity needs when natStrategy is none",
                    at=("network", "interfaceEndpoints"),
                )
            )
        return problems

    def _pin_zones(self) -> list[SettingError]:
        """Fills the zones left unset from the region table (components/regions.py)."""
        problems: list[SettingError] = []
        count = self.network.az_count
        wanted: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
            (self.region, ("network", "availabilityZones"), self.network.availability_zones)
        ]
        if self.has_dr_replica and self.dr_region is not None:
            wanted.append((self.dr_region, ("drAvailabilityZones",), self.dr_availability_zones))
        pinned: list[tuple[str, ...]] = []
        for region, at, configured in wanted:
            zones = configured or region_facts(region).zones[:count]
            if not configured:
                if len(zones) < count:
                    problems.append(
                        SettingError(
                            f"must be set: {region}'s AZ names differ per account; list the "
                            f"{count} this account uses (aws ec2 describe-availability-zones)",
                            at=at,
                        )
                    )
            elif len(zones) != count:
                problems.append(
                    SettingError(f"has {len(zones)} zones but azCount is {count}", at=at)
                )
            wrong = [zone for zone in zones if zone[:-1] != region]  # name = region + letter
            if wrong:
                problems.append(SettingError(f"{', '.join(wrong)} not in {region}", at=at))
            pinned.append(tuple(zones))
        if not problems:
            object.__setattr__(self.network, "availability_zones", pinned[0])
            if len(pinned) > 1:
                object.__setattr__(self, "dr_availability_zones", pinned[1])
        return problems


_ADAPTER = TypeAdapter(StackConfig)


def _decode(value: Any) -> Any:
    """The engine passes objects and lists as JSON strings; YAML in tests passes them parsed."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _own_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """The stack's keys without the project prefix; ``aws:region`` keeps its namespace."""
    prefix = f"{PROJECT}:"
    own = {
        key.removeprefix(prefix): _decode(value)
        for key, value in values.items()
        if key.startswith(prefix) or key == "aws:region"
    }
    return {key: value for key, value in own.items() if value is not None}


def load_stack_config(
    values: Mapping[str, Any],
    *,
    stack: str,
    file_order: Mapping[str, Any] | None = None,
    today: date | None = None,
    secret_keys: frozenset[str] = frozenset(),
) -> StackConfig:
    """Validates the stack's config (full ``namespace:key`` names) and applies its tier.

    ``secret_keys``: the full keys Pulumi holds as secrets (``--secret``); a key that must be a
    secret and is not is refused.

    Every problem is reported at once, as ``StackConfigError`` in the order of the keys in
    ``file_order`` (the stack file's config, as parsed; default: ``values`` itself). ``today``
    (default: the real date) decides which versions are still supported.
    """
    stack_file = f"Pulumi.{stack}.yaml"
    own = _own_values(values)
    order = _own_values(file_order) if file_order is not None else own
    # The tier decides every other default, so nothing else is worth checking without it.
    try:
        if "tier" not in own:
            raise SettingError("is required but not set")
        tier = Choice(tuple(TIERS)).validate(own["tier"])
    except SettingError as problem:
        error = ConfigError(f"{PROJECT}:tier", problem.problem, problem.allowed)
        raise StackConfigError([error], stack_file) from None
    data = dict(own)
    for section, defaults in TIERS[tier].items():
        override = own.get(section, {})
        data[section] = merge(defaults, override) if isinstance(override, Mapping) else override
    unknown = [
        ConfigError(f"{PROJECT}:{key}", "unknown setting")
        for key in ("project", "stack")
        if key in own
    ]
    try:
        config = _ADAPTER.validate_python(
            {k: v for k, v in data.items() if k not in ("project", "stack")},
            context={"stack": stack, "today": today, "secret_keys": secret_keys},
        )
    except ValidationError as error:
        errors = config_errors(error, data, order, root=StackConfig)
        raise StackConfigError(unknown + errors, stack_file) from None
    if unknown:
        raise StackConfigError(unknown, stack_file)
    return config


def tier_problems(tier: str) -> list[ConfigError]:
    """A tier as a typed partial config: every key it sets must be one the schema declares,
    with a value of that key's type. Keys it leaves to the stack file are not checked here."""
    sections = {field.alias or name: field for name, field in fields_of(StackConfig).items()}
    problems: list[ConfigError] = []
    for alias, section in TIERS[tier].items():
        field = sections.get(alias)
        model = field.annotation if field is not None else None
        if not isinstance(model, type):
            problems.append(ConfigError(f"{PROJECT}:{alias}", "unknown section in the tier"))
            continue
        try:
            TypeAdapter(model).validate_python(section)
        except ValidationError as error:
            problems += config_errors(
                error, section, section, root=model, section=(alias,), only_present=True
            )
    return problems


def from_pulumi() -> StackConfig:
    """Reads the config the engine gave the program (stack YAML plus Pulumi.yaml defaults)."""
    import pulumi
    import yaml
    from pulumi.runtime import config as runtime_config

    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    stack = pulumi.get_stack()
    # The engine's mapping need not keep the file's order; the file itself does.
    stack_file = Path(f"Pulumi.{stack}.yaml")
    file_order = None
    if stack_file.exists():
        parsed = yaml.safe_load(stack_file.read_text()) or {}
        config = parsed.get("config") or {}
        file_order = {k if ":" in k else f"{PROJECT}:{k}": v for k, v in config.items()}
    secret_keys = frozenset(key for key in values if runtime_config.is_config_secret(key))
    return load_stack_config(values, stack=stack, file_order=file_order, secret_keys=secret_keys)
