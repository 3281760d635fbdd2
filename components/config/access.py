"""``trading-platform:access``: what each workload may do at the identity layer.

The reachability table (``components/reachability.py``) says which security groups may talk;
this section says, per workload, which Kafka topics it produces and consumes (under which
consumer group), which database user it logs in as through RDS Proxy, and whether it reads the
cache credential. ``components/access.py`` turns both into the workload's IAM statements, scoped
to the exact ARNs. The defaults follow seed 002's flows: the API takes orders, the engine
matches them and publishes trades and market data, the consumers settle trades into positions,
the WebSocket service pushes market data and positions to clients.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from components.reachability import Auth, Flow, Role

from .data import IDENTIFIER, RESERVED_USERS
from .errors import SettingError, raise_all
from .schema import FLAG, SCHEMA, Strings, Text

# Kafka group ids; a trailing * gives each pod its own group under a prefix (broadcast readers).
_GROUP = Text(
    r"[a-zA-Z0-9._-]{1,249}\*?", "1-249 of [a-zA-Z0-9._-], optionally ending in *", "group name"
)
_TOPICS = Strings(rule="topic names (`kafka.topics` keys)")

# Each workload's security group in the reachability table (``components.access.Workload``).
WORKLOAD_ROLES: dict[str, Role] = {
    "api": Role.APP,
    "websocket": Role.APP,
    "consumer": Role.APP,
    "matching-engine": Role.MATCHING_ENGINE,
}


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class WorkloadAccess:
    produces: Annotated[tuple[str, ...], _TOPICS] = Field(
        (), description="topics it writes (idempotent producer)"
    )
    consumes: Annotated[tuple[str, ...], _TOPICS] = Field((), description="topics it reads")
    consumer_group: Annotated[str, _GROUP] | None = Field(
        None, description="its consumer group; required when it consumes; `name*`: one per pod"
    )
    database_user: Annotated[str, IDENTIFIER] | None = Field(
        None, description="database user it logs in as through RDS Proxy (IAM token); `null`: none"
    )
    cache: Annotated[bool, FLAG] = Field(False, description="reads the cache credential")

    @property
    def uses_kafka(self) -> bool:
        return bool(self.produces or self.consumes)

    @property
    def reads_secrets(self) -> bool:
        """The connection-settings secrets: the database's and the cache's."""
        return self.database_user is not None or self.cache

    def needs(self, cache_auth: Auth = Auth.CACHE_CREDENTIAL) -> list[tuple[str, Role, Auth]]:
        """(the key asking, the target's role, how it authenticates) for every flow it uses;
        ``cache_auth`` is the stack's: a stored credential or an IAM token."""
        wanted: list[tuple[str, Role, Auth]] = []
        if self.uses_kafka:
            wanted.append(("produces" if self.produces else "consumes", Role.KAFKA, Auth.KAFKA_IAM))
        if self.database_user is not None:
            wanted.append(("databaseUser", Role.DB_PROXY, Auth.DATABASE_IAM))
        if self.cache:
            wanted.append(("cache", Role.CACHE, cache_auth))
        if self.reads_secrets:  # through the Secrets Manager interface endpoint
            key = "databaseUser" if self.database_user is not None else "cache"
            wanted.append((key, Role.ENDPOINTS, Auth.AWS_API))
        return wanted

    @property
    def lag_group(self) -> str | None:
        """The group whose lag is worth an alarm: one shared group, not one per pod."""
        if self.consumes and self.consumer_group and not self.consumer_group.endswith("*"):
            return self.consumer_group
        return None

    @model_validator(mode="after")
    def _check(self) -> WorkloadAccess:
        problems: list[SettingError] = []
        if self.consumes and self.consumer_group is None:
            problems.append(
                SettingError(
                    "is required: a consumer needs a group to commit its offsets",
                    at=("consumerGroup",),
                )
            )
        if self.consumer_group is not None and not self.consumes:
            problems.append(
                SettingError("is set but the workload consumes nothing", at=("consumerGroup",))
            )
        if self.database_user in RESERVED_USERS:
            problems.append(
                SettingError(f"{self.database_user!r} is reserved", at=("databaseUser",))
            )
        raise_all(problems)
        return self


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class AccessConfig:
    api: WorkloadAccess = Field(description="the API service's pods")
    websocket: WorkloadAccess = Field(description="the WebSocket service's pods")
    consumer: WorkloadAccess = Field(description="the consumer service's pods")
    matching_engine: WorkloadAccess = Field(description="the matching-engine hosts")

    def by_workload(self) -> dict[str, WorkloadAccess]:
        """Keyed by the ``components.access.Workload`` values."""
        return {
            "api": self.api,
            "websocket": self.websocket,
            "consumer": self.consumer,
            "matching-engine": self.matching_engine,
        }

    def keys(self) -> dict[str, str]:
        """Workload -> its config key under ``access``, for errors."""
        return {
            "api": "api",
            "websocket": "websocket",
            "consumer": "consumer",
            "matching-engine": "matchingEngine",
        }

    @property
    def consumer_groups(self) -> dict[str, tuple[str, ...]]:
        """Group -> the topics it reads, for the lag alarms and the dashboard."""
        return {
            access.lag_group: access.consumes
            for access in self.by_workload().values()
            if access.lag_group is not None
        }

    @model_validator(mode="after")
    def _distinct(self) -> AccessConfig:
        problems = self._shared(
            "databaseUser",
            lambda access: access.database_user,
            "give each workload its own user so each has only its own grants",
        ) + self._shared(
            "consumerGroup",
            lambda access: access.consumer_group,
            "two workloads in one group would split each other's partitions",
        )
        raise_all(problems)
        return self

    def _shared(
        self, key: str, value: Callable[[WorkloadAccess], str | None], why: str
    ) -> list[SettingError]:
        """A value (a user, a group) two workloads both claim, reported at the second."""
        owners: dict[str, str] = {}
        problems: list[SettingError] = []
        keys = self.keys()
        for workload, access in self.by_workload().items():
            claimed = value(access)
            if claimed is None:
                continue
            if claimed in owners:
                problems.append(
                    SettingError(
                        f"{claimed!r} is also {owners[claimed]}'s; {why}",
                        at=(keys[workload], key),
                    )
                )
            owners.setdefault(claimed, keys[workload])
        return problems


def flow_problems(
    config: AccessConfig, flows: Sequence[Flow], cache_auth: Auth = Auth.CACHE_CREDENTIAL
) -> list[SettingError]:
    """A need with no flow of its kind from the workload's security group: the grant would be
    useless (the network drops the traffic), so it is refused rather than granted."""
    offered = {(flow.source, flow.destination, flow.auth) for flow in flows}
    keys = config.keys()
    problems: list[SettingError] = []
    for workload, access in config.by_workload().items():
        role = WORKLOAD_ROLES[workload]
        for key, target, auth in access.needs(cache_auth):
            if (role, target, auth) not in offered:
                problems.append(
                    SettingError(
                        f"needs a {auth} flow from {role} to {target}, and the reachability "
                        "table has none",
                        at=("access", keys[workload], key),
                    )
                )
    return problems
