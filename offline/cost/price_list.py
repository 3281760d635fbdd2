"""AWS Price List data saved to files, and the price of a price-table key in it.

Two shapes are read, both as AWS publishes them:

- a Price List Bulk API offer file,
  ``https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/<ServiceCode>/current/<region>/index.json``:
  ``formatVersion``, ``offerCode``, ``publicationDate``, ``products`` ({sku: {sku, productFamily,
  attributes}}) and ``terms`` ({"OnDemand"|"Reserved": {sku: {offerTermCode: {priceDimensions:
  {rateCode: {unit, pricePerUnit: {USD}, beginRange, endRange, description}}}}}}), as "Reading
  the service price list file for an AWS service" documents it
  (https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/reading-service-price-list-file-for-services.html;
  the page names the range fields ``startingRange``/``endingRange``, the files themselves
  ``beginRange``/``endRange``, as every public reader of them does, so both are read);
- the output of ``aws pricing get-products`` (Price List Query API): ``{"FormatVersion":
  "aws_v1", "PriceList": ["<JSON string of {product: {productFamily, attributes, sku},
  serviceCode, terms, version, publicationDate}>", ...]}``, as AWS's CLI example shows it
  (https://docs.aws.amazon.com/code-library/latest/ug/pricing_example_pricing_GetProducts_section.html;
  ``GetProductsResponse.PriceList`` is a list of strings in every SDK, e.g.
  https://docs.aws.amazon.com/sdkfornet/v3/apidocs/items/Pricing/TGetProductsResponse.html).

Only on-demand terms are read. A product's region is its ``regionCode`` attribute (data transfer
products name theirs ``fromRegionCode``); both shapes carry it in current data (a real AmazonRDS
offer quoted in public code, search index file id 6029905019, and GetProducts filters on
``regionCode``/``fromRegionCode`` in public code, ids 70457462249 and 59118225542). The older
example on AWS's CLI page, which has only ``location``, would match nothing.

`MATCHERS` maps a price key to the product it is the price of; `quote` finds it. No matching
product leaves the key unpriced (`None`, never zero); matching products with different prices
raise `AmbiguousPriceError` rather than one being picked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

BULK_URL: Final = (
    "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{service}/current/{where}"
)
GET_PRODUCTS: Final = "aws pricing get-products"


class PriceListError(Exception):
    """A file that is neither Price List shape, or a product in it that is malformed."""


class AmbiguousPriceError(Exception):
    """More than one product matches a key in a region, at different prices."""


@dataclass(frozen=True)
class Dimension:
    unit: str
    usd: float
    begin: float
    description: str


@dataclass(frozen=True)
class Offer:
    """One product with its on-demand price dimensions, and where it was read."""

    sku: str
    service_code: str
    product_family: str
    attributes: Mapping[str, str]
    dimensions: tuple[Dimension, ...]
    origin: str  # the offer file's URL, or `GET_PRODUCTS`
    publication_date: str


@dataclass(frozen=True)
class Quote:
    key: str
    region: str
    usd: float
    skus: tuple[str, ...]
    offer: Offer  # the first of the matching products
    dimension: Dimension

    @property
    def source(self) -> str:
        o = self.offer
        kind = (
            "Price List Bulk API offer file" if o.origin != GET_PRODUCTS else "Price List Query API"
        )
        rate = f"on-demand '{self.dimension.description}' ({self.dimension.unit})"
        return (
            f"AWS {kind}: {o.origin} ({o.service_code}, publicationDate {o.publication_date}), "
            f"SKU {', '.join(self.skus)}, {rate}"
        )


@dataclass(frozen=True)
class Matcher:
    """Which product a family of price keys is the price of.

    ``key`` is a pattern over the price key; its named groups fill ``{name}`` in ``attributes``
    (exact values) and in ``usagetype`` (a pattern searched in the product's usage type, the
    group regex-escaped). ``unit`` is the offer's unit where the sources show it (None: any
    unit, shown in the output); ``scale`` converts the offer's unit to the table's. Of a tiered
    dimension, the first paid tier is taken.
    """

    key: str
    service_code: str
    product_family: str
    attributes: Mapping[str, str]
    usagetype: str | None
    unit: str | None
    table_unit: str
    what: str
    scale: float = 1.0
    region_attribute: str = "regionCode"

    def filter(self, key: str) -> Filter | None:
        match = re.fullmatch(self.key, key)
        if match is None:
            return None
        groups = match.groupdict()
        escaped = {name: re.escape(value) for name, value in groups.items()}
        return Filter(
            self,
            {name: value.format(**groups) for name, value in self.attributes.items()},
            re.compile(self.usagetype.format(**escaped)) if self.usagetype else None,
            self.what.format(**groups),
        )


@dataclass(frozen=True)
class Filter:
    matcher: Matcher
    attributes: Mapping[str, str]
    usagetype: re.Pattern[str] | None
    what: str

    def matches(self, offer: Offer, region: str) -> bool:
        m = self.matcher
        return (
            offer.service_code == m.service_code
            and offer.product_family == m.product_family
            and offer.attributes.get(m.region_attribute) == region
            and all(offer.attributes.get(k) == v for k, v in self.attributes.items())
            and (
                self.usagetype is None
                or self.usagetype.search(offer.attributes.get("usagetype", "")) is not None
            )
        )


# A usage type's region prefix ("APN2-", "EU-"; us-east-1's are often bare).
_PREFIX: Final = r"^(?:[A-Z0-9]+-)?"
_INSTANCE: Final = r"[a-z0-9-]+\.[a-z0-9]+"
# EC2 instances: infracost/infracost internal/resources/aws/instance.go (computeCostComponent:
# productFamily "Compute Instance", instanceType, tenancy "Shared"/"Dedicated", operatingSystem
# "Linux", preInstalledSw "NA", licenseModel "No License required", capacitystatus "Used"), the
# same set AWS's getProduct example uses (Pulumi aws.pricing.getProduct docs); unit "Hrs" in the
# GetProducts data quoted in public code ("$0.068 per On Demand Linux c6a.large Instance Hour",
# search index file id 53882040074).
_EC2: Final = {
    "instanceType": "{type}",
    "operatingSystem": "Linux",
    "preInstalledSw": "NA",
    "licenseModel": "No License required",
    "capacitystatus": "Used",
}

MATCHERS: Final[tuple[Matcher, ...]] = (
    Matcher(
        rf"ec2\.dedicated\.(?P<type>{_INSTANCE})",
        "AmazonEC2",
        "Compute Instance",
        {**_EC2, "tenancy": "Dedicated"},
        None,
        "Hrs",
        "instance-hour",
        "EC2 {type}, Linux, dedicated tenancy (the instance; not the per-region dedicated fee)",
    ),
    Matcher(
        rf"ec2\.(?P<type>{_INSTANCE})",
        "AmazonEC2",
        "Compute Instance",
        {**_EC2, "tenancy": "Shared"},
        None,
        "Hrs",
        "instance-hour",
        "EC2 {type}, Linux, default tenancy",
    ),
    # RDS: infracost db_instance.go (productFamily "Database Instance", instanceType,
    # deploymentOption "Single-AZ", databaseEngine "PostgreSQL"); Single-AZ usage types are
    # "InstanceUsage:<class>" (the AmazonRDS offer quoted in id 6029905019), Multi-AZ ones
    # "Multi-AZUsage:" (id 58573747787), which the estimate prices as two Single-AZ copies.
    Matcher(
        r"rds\.postgres\.(?P<klass>db\.[a-z0-9]+\.[a-z0-9]+)",
        "AmazonRDS",
        "Database Instance",
        {
            "instanceType": "{klass}",
            "databaseEngine": "PostgreSQL",
            "deploymentOption": "Single-AZ",
        },
        _PREFIX + "InstanceUsage:",
        None,
        "instance-hour",
        "RDS for PostgreSQL {klass}, Single-AZ",
    ),
    # RDS gp3 storage and IOPS: infracost db_instance.go (productFamily "Database Storage",
    # volumeType "General Purpose-GP3", databaseEngine "Any", usage type "...RDS:GP3-Storage";
    # "Provisioned IOPS", groupDescription "RDS Provisioned GP3 IOPS", "...RDS:GP3-PIOPS").
    Matcher(
        r"rds\.gp3\.gb",
        "AmazonRDS",
        "Database Storage",
        {
            "deploymentOption": "Single-AZ",
            "databaseEngine": "Any",
            "volumeType": "General Purpose-GP3",
        },
        _PREFIX + r"RDS:GP3-Storage$",
        None,
        "GB-month",
        "RDS gp3 storage, Single-AZ",
    ),
    Matcher(
        r"rds\.gp3\.iops",
        "AmazonRDS",
        "Provisioned IOPS",
        {
            "deploymentOption": "Single-AZ",
            "databaseEngine": "Any",
            "groupDescription": "RDS Provisioned GP3 IOPS",
        },
        _PREFIX + r"RDS:GP3-PIOPS$",
        None,
        "IOPS-month over baseline",
        "RDS gp3 IOPS above the baseline, Single-AZ",
    ),
    # ElastiCache: infracost elasticache_cluster.go (productFamily "Cache Instance",
    # instanceType, locationType "AWS Region", cacheEngine the engine's name); "Valkey" as public
    # Price List readers query it (ids 70633658385, 59743867804); usage type
    # "<prefix>-NodeUsage:<node>", unit "Hrs" (id 67551150079). Anchored so that Redis Extended
    # Support ("EU-ExtendedSupportYr1_Yr2-NodeUsage:...", id 58631926413) never matches.
    Matcher(
        r"elasticache\.(?P<node>cache\.[a-z0-9]+\.[a-z0-9]+)",
        "AmazonElastiCache",
        "Cache Instance",
        {"instanceType": "{node}", "locationType": "AWS Region", "cacheEngine": "Valkey"},
        _PREFIX + r"NodeUsage:{node}$",
        "Hrs",
        "node-hour",
        "ElastiCache {node} node, Valkey",
    ),
    # MSK: infracost msk_cluster.go (productFamily "Managed Streaming for Apache Kafka (MSK)",
    # locationType "AWS Region", the broker type in the usage type; storage "GP2"); usage types
    # "<prefix>-Kafka.<size>" (operation "RunBroker", unit "hours") and "<prefix>-Kafka.Storage.GP2"
    # (operation "RunVolume", unit "GB-Mo") in the MSK offers quoted in ids 66500005013,
    # 59765995342, 67149085691 and 56133590667.
    Matcher(
        r"msk\.storage\.gb",
        "AmazonMSK",
        "Managed Streaming for Apache Kafka (MSK)",
        {"locationType": "AWS Region", "operation": "RunVolume"},
        _PREFIX + r"Kafka\.Storage\.GP2$",
        "GB-Mo",
        "GB-month",
        "MSK broker storage, per GB provisioned on each broker",
    ),
    Matcher(
        r"msk\.kafka\.(?P<size>[a-z0-9]+\.[a-z0-9]+)",
        "AmazonMSK",
        "Managed Streaming for Apache Kafka (MSK)",
        {"locationType": "AWS Region", "operation": "RunBroker"},
        _PREFIX + r"Kafka\.{size}$",
        "hours",
        "broker-hour",
        "MSK Provisioned standard broker kafka.{size}",
    ),
    # EBS gp3: infracost ebs_volume.go (productFamily "Storage" / "System Operation" /
    # "Provisioned Throughput", volumeApiName gp3, usage types "EBS:VolumeUsage.gp3",
    # "VolumeP-IOPS.gp3", "VolumeP-Throughput.gp3" in unit "GiBps-mo"); units GB-Mo, IOPS-Mo and
    # GiBps-mo in a Tokyo table read from the offer ("$49.152 / 1024 = $0.048 per MiBps-Mo",
    # id 68544036347): the table's price is per MiB/s, so 1/1024 of the offer's.
    Matcher(
        r"ebs\.gp3\.gb",
        "AmazonEC2",
        "Storage",
        {"volumeApiName": "gp3"},
        _PREFIX + r"EBS:VolumeUsage\.gp3$",
        "GB-Mo",
        "GB-month",
        "EBS gp3 storage",
    ),
    Matcher(
        r"ebs\.gp3\.iops",
        "AmazonEC2",
        "System Operation",
        {"volumeApiName": "gp3"},
        _PREFIX + r"EBS:VolumeP-IOPS\.gp3$",
        "IOPS-Mo",
        "IOPS-month over 3000",
        "EBS gp3 provisioned IOPS above the free 3,000",
    ),
    Matcher(
        r"ebs\.gp3\.throughput",
        "AmazonEC2",
        "Provisioned Throughput",
        {"volumeApiName": "gp3"},
        _PREFIX + r"EBS:VolumeP-Throughput\.gp3$",
        "GiBps-mo",
        "MiBps-month over 125",
        "EBS gp3 throughput above the free 125 MiB/s",
        scale=1 / 1024,
    ),
    # NAT gateway: infracost nat_gateway.go (AmazonEC2, productFamily "NAT Gateway", usage types
    # "NatGateway-Hours" and "NatGateway-Bytes").
    Matcher(
        r"nat\.hour",
        "AmazonEC2",
        "NAT Gateway",
        {},
        _PREFIX + r"NatGateway-Hours$",
        None,
        "gateway-hour",
        "NAT gateway hour",
    ),
    Matcher(
        r"nat\.gb",
        "AmazonEC2",
        "NAT Gateway",
        {},
        _PREFIX + r"NatGateway-Bytes$",
        None,
        "GB processed",
        "NAT gateway data processed",
    ),
    # Interface endpoints: infracost vpc_endpoint.go (AmazonVPC, productFamily "VpcEndpoint",
    # usage type "VpcEndpoint-Hours"; anchored so the Gateway Load Balancer endpoint's
    # "VpcEndpoint-GWLBE-Hours" does not match).
    Matcher(
        r"vpce\.interface\.hour",
        "AmazonVPC",
        "VpcEndpoint",
        {},
        _PREFIX + r"VpcEndpoint-Hours$",
        None,
        "endpoint-AZ-hour",
        "VPC interface endpoint, per AZ, per hour",
    ),
    # Load balancers: infracost lb.go (AWSELB, productFamily "Load Balancer-Application" /
    # "Load Balancer-Network", locationType "AWS Region", usage type "LoadBalancerUsage").
    Matcher(
        r"alb\.hour",
        "AWSELB",
        "Load Balancer-Application",
        {"locationType": "AWS Region"},
        _PREFIX + r"LoadBalancerUsage$",
        None,
        "ALB-hour",
        "Application Load Balancer hour",
    ),
    Matcher(
        r"nlb\.hour",
        "AWSELB",
        "Load Balancer-Network",
        {"locationType": "AWS Region"},
        _PREFIX + r"LoadBalancerUsage$",
        None,
        "NLB-hour",
        "Network Load Balancer hour",
    ),
    # CloudWatch Logs ingestion: infracost cloudwatch_log_group.go (AmazonCloudWatch,
    # productFamily "Data Payload", usage type "-DataProcessing-Bytes").
    Matcher(
        r"cloudwatch\.logs\.ingest\.gb",
        "AmazonCloudWatch",
        "Data Payload",
        {},
        _PREFIX + r"DataProcessing-Bytes$",
        None,
        "GB ingested",
        "CloudWatch Logs ingestion (Standard log class)",
    ),
    # S3 Standard: usage type "<region>-TimedStorage-ByteHrs" is S3 Standard storage ("Understanding
    # your AWS billing and usage reports for Amazon S3",
    # https://docs.aws.amazon.com/AmazonS3/latest/userguide/aws-usage-report-understand.html),
    # productFamily "Storage" as GetProducts filters it in public code; tiered, first 50 TB first.
    Matcher(
        r"s3\.standard\.gb",
        "AmazonS3",
        "Storage",
        {},
        _PREFIX + r"TimedStorage-ByteHrs$",
        None,
        "GB-month",
        "S3 Standard storage, first 50 TB/month tier",
    ),
    # Data transfer out: infracost data_transfer.go (AWSDataTransfer, productFamily "Data
    # Transfer", transferType "AWS Outbound", tiered); toLocation "External", usage type
    # "DataTransfer-Out-Bytes" and the region as fromRegionCode (id 62462283226).
    Matcher(
        r"transfer\.out\.gb",
        "AWSDataTransfer",
        "Data Transfer",
        {"transferType": "AWS Outbound", "toLocation": "External"},
        _PREFIX + r"DataTransfer-Out-Bytes$",
        None,
        "GB out to the internet",
        "Data transfer out to the internet, first paid tier",
        region_attribute="fromRegionCode",
    ),
)


def filter_for(key: str) -> Filter | None:
    """The filter for ``key`` of the first matcher whose pattern it fits (None: no matcher)."""
    return next((f for m in MATCHERS if (f := m.filter(key)) is not None), None)


def _range(raw: Mapping[str, Any], *names: str) -> float:
    value = next((raw[name] for name in names if name in raw), "0")
    return float(value) if value != "" else 0.0


def _dimensions(terms: Any, sku: str) -> tuple[Dimension, ...]:
    """The on-demand price dimensions in USD of ``sku``'s entry in ``terms["OnDemand"]``."""
    dimensions = []
    for term in (terms.get("OnDemand") or {}).get(sku, {}).values():
        for rate in term.get("priceDimensions", {}).values():
            usd = rate.get("pricePerUnit", {}).get("USD")
            if usd is None:
                continue
            dimensions.append(
                Dimension(
                    str(rate.get("unit", "")),
                    float(usd),
                    _range(rate, "beginRange", "startingRange"),
                    str(rate.get("description", "")),
                )
            )
    return tuple(dimensions)


def _offer(product: Any, service: str, terms: Any, origin: str, published: str) -> Offer:
    sku = str(product["sku"])
    return Offer(
        sku,
        service,
        str(product.get("productFamily", "")),
        {str(k): str(v) for k, v in product.get("attributes", {}).items()},
        _dimensions(terms, sku),
        origin,
        published,
    )


def _bulk(document: Mapping[str, Any]) -> list[Offer]:
    service = str(document["offerCode"])
    products = document["products"].values()
    regions = {p.get("attributes", {}).get("regionCode") for p in products}
    where = (
        f"{regions.pop()}/index.json" if len(regions) == 1 and None not in regions else "index.json"
    )
    origin = BULK_URL.format(service=service, where=where)
    published = str(document.get("publicationDate", ""))
    return [_offer(p, service, document["terms"], origin, published) for p in products]


def _query(document: Mapping[str, Any]) -> list[Offer]:
    offers = []
    for raw in document["PriceList"]:
        item = json.loads(raw) if isinstance(raw, str) else raw
        offers.append(
            _offer(
                item["product"],
                str(item["serviceCode"]),
                item.get("terms", {}),
                GET_PRODUCTS,
                str(item.get("publicationDate", "")),
            )
        )
    return offers


def read_offers(path: Path) -> list[Offer]:
    """Every product in ``path``, an offer file or saved ``get-products`` output."""
    try:
        document = json.loads(path.read_text())
        if isinstance(document, dict) and isinstance(document.get("PriceList"), list):
            return _query(document)
        if isinstance(document, dict) and isinstance(document.get("products"), dict):
            if not isinstance(document.get("terms"), dict):
                raise ValueError("an offer file without terms")
            return _bulk(document)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise PriceListError(f"{path}: not readable Price List data: {error}") from error
    raise PriceListError(
        f"{path}: neither a Price List offer file (products, terms) nor get-products output "
        "(PriceList)"
    )


def _tier(dimensions: Sequence[Dimension], unit: str | None) -> list[Dimension]:
    """The dimensions a key is priced at: the only one, or of a tiered price the first paid tier
    (e.g. data transfer's free first GBs are skipped); more than one only if AWS lists two rates
    for the same tier."""
    usable = sorted(
        (d for d in dimensions if unit is None or d.unit == unit), key=lambda d: d.begin
    )
    chosen = next((d for d in usable if d.usd > 0), usable[0] if usable else None)
    return [d for d in usable if chosen is not None and d.begin == chosen.begin]


def regions_in(offers: Iterable[Offer]) -> list[str]:
    """The regions the offers name (``regionCode``, or ``fromRegionCode`` for data transfer)."""
    names = {o.attributes.get(a) for o in offers for a in ("regionCode", "fromRegionCode")}
    return sorted(name for name in names if name)


def quote(offers: Iterable[Offer], key: str, region: str) -> Quote | None:
    """The price of ``key`` in ``region`` from ``offers``; None if no matcher or no product fits.

    Raises `AmbiguousPriceError` if the matching products (or one product's dimensions of one tier)
    disagree on the price.
    """
    found = filter_for(key)
    if found is None:
        return None
    priced = [
        (offer, dimension)
        for offer in offers
        if found.matches(offer, region)
        for dimension in _tier(offer.dimensions, found.matcher.unit)
    ]
    if not priced:
        return None
    prices = {d.usd for _, d in priced}
    skus = tuple(sorted({o.sku for o, _ in priced}))
    if len(prices) > 1:
        listed = ", ".join(f"{o.sku} ${d.usd:g}/{d.unit}" for o, d in priced)
        raise AmbiguousPriceError(f"{key} in {region}: products at different prices: {listed}")
    offer, dimension = priced[0]
    usd = round(dimension.usd * found.matcher.scale, 10)
    return Quote(key, region, usd, skus, offer, dimension)
