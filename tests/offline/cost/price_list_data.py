"""Price List data in AWS's two shapes, built here, for the refresh tests.

Every price is deliberately fictitious (1.2345 and the like) so that nobody takes one for AWS's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PUBLISHED = "2026-11-20T00:00:00Z"
SEOUL = "ap-northeast-2"


@dataclass(frozen=True)
class Item:
    """One product and its terms: ``dimensions`` are (unit, USD, beginRange, endRange)."""

    sku: str
    service: str
    family: str
    attributes: dict[str, str]
    dimensions: Sequence[tuple[str, str, str, str]] = (("Hrs", "1.2345", "0", "Inf"),)
    term_type: str = "OnDemand"

    def terms(self) -> dict[str, Any]:
        code = f"{self.sku}.JRTCKXETXF"
        dimensions = {
            f"{code}.RATE{index}": {
                "rateCode": f"{code}.RATE{index}",
                "description": f"fictitious rate {index} for {self.sku}",
                "unit": unit,
                "pricePerUnit": {"USD": usd},
                "beginRange": begin,
                "endRange": end,
                "appliesTo": [],
            }
            for index, (unit, usd, begin, end) in enumerate(self.dimensions)
        }
        term = {"offerTermCode": "JRTCKXETXF", "sku": self.sku, "priceDimensions": dimensions}
        return {self.term_type: {self.sku: {code: term}}}

    def product(self) -> dict[str, Any]:
        return {"sku": self.sku, "productFamily": self.family, "attributes": self.attributes}


def bulk(service: str, *items: Item, published: str = PUBLISHED) -> dict[str, Any]:
    """A Bulk API offer file (formatVersion, offerCode, publicationDate, products, terms)."""
    terms: dict[str, dict[str, Any]] = {"OnDemand": {}, "Reserved": {}}
    for item in items:
        for term_type, by_sku in item.terms().items():
            terms[term_type].update(by_sku)
    return {
        "formatVersion": "v1.0",
        "disclaimer": "test data",
        "offerCode": service,
        "version": "20261120000000",
        "publicationDate": published,
        "products": {item.sku: item.product() for item in items},
        "terms": terms,
    }


def query(*items: Item, published: str = PUBLISHED) -> dict[str, Any]:
    """``aws pricing get-products`` output: each PriceList element a JSON string."""
    price_list = [
        json.dumps(
            {
                "product": item.product(),
                "serviceCode": item.service,
                "terms": item.terms(),
                "version": "20261120000000",
                "publicationDate": published,
            }
        )
        for item in items
    ]
    return {"FormatVersion": "aws_v1", "PriceList": price_list}


def save(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document))
    return path


def ec2(sku: str = "EC2SHARED", instance: str = "c6i.2xlarge", **overrides: str) -> Item:
    """A Linux on-demand instance in Seoul, shared tenancy unless ``overrides`` say otherwise."""
    attributes = {
        "instanceType": instance,
        "tenancy": "Shared",
        "operatingSystem": "Linux",
        "preInstalledSw": "NA",
        "licenseModel": "No License required",
        "capacitystatus": "Used",
        "regionCode": SEOUL,
        "usagetype": f"APN2-BoxUsage:{instance}",
        **overrides,
    }
    return Item(sku, "AmazonEC2", "Compute Instance", attributes)


def region(**attributes: str) -> dict[str, str]:
    """A Seoul product's attributes."""
    return {"regionCode": SEOUL, **attributes}


def seoul(
    sku: str, service: str, family: str, unit: str = "Hrs", usd: str = "1.2345", **attributes: str
) -> Item:
    """A Seoul product with one untiered on-demand rate."""
    return Item(sku, service, family, region(**attributes), ((unit, usd, "0", "Inf"),))


def rds(sku: str, family: str, unit: str = "Hrs", usd: str = "1.2345", **attributes: str) -> Item:
    return seoul(sku, "AmazonRDS", family, unit, usd, **attributes)


def cache(sku: str, engine: str, usagetype: str, usd: str = "1.2345") -> Item:
    """A cache.r6g.xlarge node of ``engine`` (Valkey, Redis...) in an AWS Region."""
    return seoul(
        sku,
        "AmazonElastiCache",
        "Cache Instance",
        usd=usd,
        instanceType="cache.r6g.xlarge",
        locationType="AWS Region",
        cacheEngine=engine,
        usagetype=usagetype,
    )


def msk(sku: str, operation: str, usagetype: str, unit: str, usd: str = "1.2345") -> Item:
    return seoul(
        sku,
        "AmazonMSK",
        "Managed Streaming for Apache Kafka (MSK)",
        unit,
        usd,
        locationType="AWS Region",
        operation=operation,
        usagetype=usagetype,
    )


def load_balancer(sku: str, kind: str, location: str = "AWS Region") -> Item:
    return seoul(
        sku,
        "AWSELB",
        f"Load Balancer-{kind}",
        locationType=location,
        usagetype="APN2-LoadBalancerUsage",
    )
