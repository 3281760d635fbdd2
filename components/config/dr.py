"""``trading-platform:dr``: what is copied to ``drRegion``, and the DR region's default.

Per tier the database has one DR mechanism: the scale tier a cross-region read replica
(``postgres.crossRegionReplica``), startup and growth daily AWS Backup copies of its snapshots
(``dr.backupCopies``). The matching engine's artifact bucket is replicated in every tier
(``dr.replicateArtifacts``), so a DR fleet can boot the same build. Anything that copies makes
``drRegion`` necessary; left unset, it is the primary region's partner below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import Field
from pydantic.dataclasses import dataclass

from components.regions import REGIONS

from .errors import SettingError
from .schema import FLAG, SCHEMA, Integer, derived, did_you_mean

# The DR region a primary region defaults to: another region of the same country, or of the EU,
# so the copies stay under the same data-residency rules (prod's Seoul -> Tokyo is seed 002's
# pairing, the one exception). Elsewhere drRegion must be set.
DR_PARTNERS: dict[str, str] = {
    "ap-northeast-2": "ap-northeast-1",
    "ap-northeast-1": "ap-northeast-3",
    "ap-northeast-3": "ap-northeast-1",
    "ap-southeast-2": "ap-southeast-4",
    "ap-southeast-4": "ap-southeast-2",
    "ap-south-1": "ap-south-2",
    "ap-south-2": "ap-south-1",
    "us-east-1": "us-west-2",
    "us-east-2": "us-west-2",
    "us-west-1": "us-west-2",
    "us-west-2": "us-east-1",
    "ca-central-1": "ca-west-1",
    "ca-west-1": "ca-central-1",
    "eu-west-1": "eu-central-1",
    "eu-central-1": "eu-west-1",
    "eu-west-3": "eu-central-1",
    "eu-south-1": "eu-central-1",
    "eu-north-1": "eu-central-1",
}


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class DrConfig:
    backup_copies: Annotated[bool, FLAG] = Field(
        description="daily AWS Backup snapshots of the database, each copied to a vault in "
        "`drRegion`"
    )
    # AWS Backup accepts any number of days; a year bounds what a typo could cost.
    backup_copy_retention_days: Annotated[int, Integer(1, 365)] | None = Field(
        None,
        description="days each copy is kept in the DR vault (and the DR vault's lock minimum)",
        json_schema_extra=derived("`postgres.backupRetentionDays`"),
    )
    replicate_artifacts: Annotated[bool, FLAG] = Field(
        True, description="replicate the matching engine's artifact bucket to `drRegion`"
    )


def resolve_dr_region(
    region: str, dr_region: str | None, wanted_by: Sequence[str]
) -> tuple[str | None, list[SettingError]]:
    """The DR region (configured, else the partner of ``region``; None when nothing in
    ``wanted_by``, the keys that copy to it, is on) and the problems with it."""
    at = ("drRegion",)
    if dr_region is None:
        if not wanted_by:
            return None, []
        partner = DR_PARTNERS.get(region)
        if partner is None:
            return None, [
                SettingError(
                    f"is required because {' and '.join(wanted_by)} "
                    f"{'is' if len(wanted_by) == 1 else 'are'} on; {region} has no default DR "
                    "region",
                    at=at,
                )
            ]
        return partner, []
    if dr_region == region:
        return dr_region, [
            SettingError(f"is the primary region {region}; DR needs another region", at=at)
        ]
    if dr_region not in REGIONS:
        return dr_region, [
            SettingError(
                f"unknown region {dr_region!r}{did_you_mean(dr_region, REGIONS)}",
                ", ".join(sorted(REGIONS)),
                at=at,
            )
        ]
    return dr_region, []
