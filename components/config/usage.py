"""``trading-platform:usage``: the monthly usage the cost estimate assumes (``python -m offline
<stack> --cost``).

Nothing in the program reads these: they only feed the estimate of what is billed by use rather
than by the hour (data transfer, CloudFront, log ingestion, requests). The tiers default them to
seed 002's per-item figures (sections 8, 10.7, 11.7) where the seed gives a quantity, and to
ours, marked so, where it gives only dollars.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from pydantic.dataclasses import dataclass

from .schema import SCHEMA, Integer

_NON_NEGATIVE = Integer(0)


@dataclass(frozen=True, kw_only=True, config=SCHEMA)
class UsageConfig:
    data_transfer_out_gb: Annotated[int, _NON_NEGATIVE] = Field(
        description="GB a month from the region to the internet (seed: 'Data Transfer')"
    )
    nat_processed_gb: Annotated[int, _NON_NEGATIVE] = Field(
        description="GB a month through the NAT gateways, all of them together"
    )
    cloud_front_gb: Annotated[int, _NON_NEGATIVE] = Field(
        description="GB a month CloudFront serves to viewers (seed: 'CloudFront')"
    )
    log_ingestion_gb: Annotated[int, _NON_NEGATIVE] = Field(
        description="GB a month ingested by all CloudWatch log groups (flow, engine, cluster)"
    )
    alb_lcu: Annotated[int, _NON_NEGATIVE] = Field(
        description="the edge ALB's average load balancer capacity units"
    )
    waf_requests_millions: Annotated[int, _NON_NEGATIVE] = Field(
        description="millions of requests a month the web ACL inspects"
    )
    secrets_api_calls: Annotated[int, _NON_NEGATIVE] = Field(
        description="Secrets Manager API calls a month, all secrets together"
    )
    s3_storage_gb: Annotated[int, _NON_NEGATIVE] = Field(
        description="GB stored in S3 (seed: 'S3'): logs, artifacts, site"
    )
    # MSK Serverless bills the bytes clients write and read; brokers do not (their traffic
    # within the VPC is free), so provisioned stacks ignore these two.
    kafka_in_gib: Annotated[int, _NON_NEGATIVE] = Field(
        description="GiB a month producers write to MSK Serverless (its storage follows from "
        "this and the topics' retention)"
    )
    kafka_out_gib: Annotated[int, _NON_NEGATIVE] = Field(
        description="GiB a month consumers read from MSK Serverless"
    )
