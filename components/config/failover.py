"""``trading-platform:failoverFrom``: a stack that takes over another's DR region.

The failover stack runs this program in the DR region, in the DR network and on the promoted
database the primary stack built there. It owns neither: it attaches to them by the ids the
primary stack exports (``drNetwork``), which ``python -m offline.failover`` copies into its
stack file, and adds what the apps need on top (NAT, interface endpoints, every app component).
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator
from pydantic.dataclasses import dataclass

from components.reachability import Role

from .errors import SettingError, raise_all
from .schema import SCHEMA, SettingName, Strings, Text
from .subnets import SubnetTier

_STACK = Text(r"[A-Za-z0-9_.-]+", "a stack name", "stack")
_VPC = Text(r"vpc-[0-9a-f]{8,17}", "a VPC id, e.g. vpc-0123456789abcdef0", "id")
_SUBNET = Text(r"subnet-[0-9a-f]{8,17}", "a subnet id", "id")
_ROUTE_TABLE = Text(r"rtb-[0-9a-f]{8,17}", "a route table id", "id")
_SECURITY_GROUP = Text(r"sg-[0-9a-f]{8,17}", "a security group id", "id")
_NAME = Text(r"[a-z0-9][a-z0-9._-]{0,254}", "a subnet group name", "name")
_LOG_GROUP = Text(r"[\w#/.-]{1,512}", "a log group name", "name")
_IDENTIFIER = Text(r"[a-z][a-z0-9-]{0,62}", "an RDS instance identifier", "identifier")
_HOST = Text(r"[a-z0-9.-]+\.rds\.amazonaws\.com(\.cn)?", "the instance's endpoint address", "host")
_RESOURCE_ID = Text(r"db-[A-Za-z0-9]+", "the instance's resource id (db-...)", "id")
_KMS_KEY = Text(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]+", "a KMS key ARN", "ARN")
_SECRET = Text(
    r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@!-]+", "a secret ARN", "ARN"
)


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class AttachedNetworkConfig:
    """The primary stack's ``drNetwork`` output, as it is."""

    region: Annotated[str, Text(r"[a-z]{2}(-gov)?-[a-z]+-\d", "a region", "region")] = Field(
        description="the DR region; must be this stack's `aws:region`"
    )
    vpc_id: Annotated[str, _VPC] = Field(description="the DR VPC")
    subnet_ids: dict[
        Annotated[SubnetTier, SettingName()], Annotated[tuple[str, ...], Strings(_SUBNET.validate)]
    ] = Field(description="per tier, one per AZ, in AZ order")
    route_table_ids: dict[
        Annotated[SubnetTier, SettingName()],
        Annotated[tuple[str, ...], Strings(_ROUTE_TABLE.validate)],
    ] = Field(description="per tier; the private tier's get the NAT routes")
    security_group_ids: dict[Annotated[Role, SettingName()], Annotated[str, _SECURITY_GROUP]] = (
        Field(description="per role, with the reachability table's rules")
    )
    db_subnet_group_name: Annotated[str, _NAME] = Field(description="the DR database tier")
    cache_subnet_group_name: Annotated[str, _NAME] = Field(description="the DR database tier")
    flow_log_group_name: Annotated[str, _LOG_GROUP] = Field(description="the DR VPC's flow logs")

    @model_validator(mode="after")
    def _complete(self) -> Self:
        problems = [
            SettingError("is missing", at=(key, item.value))
            for key, present, wanted in (
                ("subnetIds", self.subnet_ids, tuple(SubnetTier)),
                ("routeTableIds", self.route_table_ids, tuple(SubnetTier)),
                ("securityGroupIds", self.security_group_ids, tuple(Role)),
            )
            for item in wanted
            if item not in present
        ]
        raise_all(problems)
        return self


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class AttachedDatabaseConfig:
    """The promoted DR instance (``drNetwork.database`` of the primary's outputs)."""

    identifier: Annotated[str, _IDENTIFIER] = Field(description="the promoted instance")
    address: Annotated[str, _HOST] = Field(description="its endpoint address")
    resource_id: Annotated[str, _RESOURCE_ID] = Field(
        description="its resource id, for the workloads' `rds-db:connect`"
    )
    kms_key_arn: Annotated[str, _KMS_KEY] = Field(
        description="the DR data key: its storage and its master secret"
    )
    master_secret_arn: Annotated[str, _SECRET] = Field(
        description="the master secret RDS manages after the runbook's "
        "`modify-db-instance --manage-master-user-password`"
    )


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class FailoverFromConfig:
    primary_stack: Annotated[str, _STACK] = Field(
        description="the primary stack this one takes over from"
    )
    network: AttachedNetworkConfig = Field(description="its DR network")
    database: AttachedDatabaseConfig = Field(description="its promoted DR database")


def failover_problems(
    failover: FailoverFromConfig, *, region: str, az_count: int
) -> list[SettingError]:
    """What the stack must agree on; ``at`` is relative to the config's root."""
    problems: list[SettingError] = []
    if failover.network.region != region:
        problems.append(
            SettingError(
                f"is {failover.network.region} but aws:region is {region}; the failover stack "
                "runs in the DR region",
                at=("failoverFrom", "network", "region"),
            )
        )
    problems += [
        SettingError(
            f"has {len(ids)} subnets but network.azCount is {az_count}",
            at=("failoverFrom", "network", "subnetIds", tier.value),
        )
        for tier, ids in failover.network.subnet_ids.items()
        if len(ids) != az_count
    ]
    return problems
