"""Reading AWS Price List data (offer files and get-products output) and matching price keys to
products: each matcher family with a product it must match and a near miss it must not."""

from __future__ import annotations

from pathlib import Path

import pytest

from offline.cost.price_list import (
    GET_PRODUCTS,
    AmbiguousPriceError,
    Offer,
    PriceListError,
    filter_for,
    quote,
    read_offers,
    regions_in,
)
from tests.offline.cost.price_list_data import (
    PUBLISHED,
    SEOUL,
    Item,
    bulk,
    cache,
    ec2,
    load_balancer,
    msk,
    query,
    rds,
    region,
    save,
    seoul,
)

# key, a product it must match (priced 1.2345 per the offer's unit unless said), a near miss.
FAMILIES: list[tuple[str, Item, Item]] = [
    ("ec2.c6i.2xlarge", ec2(), ec2("WINDOWS", operatingSystem="Windows")),
    ("ec2.c6i.2xlarge", ec2(), ec2("DEDICATED", tenancy="Dedicated")),
    (
        "ec2.dedicated.c6i.4xlarge",
        ec2("D", "c6i.4xlarge", tenancy="Dedicated"),
        ec2("S", "c6i.4xlarge"),
    ),
    (
        "rds.postgres.db.r6i.2xlarge",
        rds(
            "RDSSINGLE",
            "Database Instance",
            instanceType="db.r6i.2xlarge",
            databaseEngine="PostgreSQL",
            deploymentOption="Single-AZ",
            usagetype="APN2-InstanceUsage:db.r6i.2xl",
        ),
        rds(
            "RDSMULTI",
            "Database Instance",
            instanceType="db.r6i.2xlarge",
            databaseEngine="PostgreSQL",
            deploymentOption="Multi-AZ",
            usagetype="APN2-Multi-AZUsage:db.r6i.2xl",
        ),
    ),
    (
        "rds.gp3.gb",
        rds(
            "RDSGP3",
            "Database Storage",
            "GB-Mo",
            deploymentOption="Single-AZ",
            databaseEngine="Any",
            volumeType="General Purpose-GP3",
            usagetype="APN2-RDS:GP3-Storage",
        ),
        rds(
            "RDSGP3MULTI",
            "Database Storage",
            "GB-Mo",
            "2.469",
            deploymentOption="Multi-AZ",
            databaseEngine="Any",
            volumeType="General Purpose-GP3",
            usagetype="APN2-RDS:Multi-AZ-GP3-Storage",
        ),
    ),
    (
        "elasticache.cache.r6g.xlarge",
        cache("VALKEY", "Valkey", "APN2-NodeUsage:cache.r6g.xlarge"),
        cache("REDIS", "Redis", "APN2-NodeUsage:cache.r6g.xlarge", "1.5432"),
    ),
    (
        "elasticache.cache.r6g.xlarge",
        cache("VALKEY", "Valkey", "APN2-NodeUsage:cache.r6g.xlarge"),
        cache("EXTENDED", "Valkey", "APN2-ExtendedSupportYr1_Yr2-NodeUsage:cache.r6g.xlarge"),
    ),
    (
        "msk.kafka.m7g.2xlarge",
        msk("BROKER", "RunBroker", "APN2-Kafka.m7g.2xlarge", "hours"),
        msk("EXPRESS", "RunBroker", "APN2-Express.m7g.2xlarge", "hours", "2.469"),
    ),
    (
        "msk.storage.gb",
        msk("GP2", "RunVolume", "APN2-Kafka.Storage.GP2", "GB-Mo"),
        msk("TIERED", "RunVolume", "APN2-Kafka.Storage.Tiered", "GB-Mo", "0.0123"),
    ),
    (
        "ebs.gp3.gb",
        seoul(
            "GP3",
            "AmazonEC2",
            "Storage",
            "GB-Mo",
            volumeApiName="gp3",
            usagetype="APN2-EBS:VolumeUsage.gp3",
        ),
        seoul(
            "GP2",
            "AmazonEC2",
            "Storage",
            "GB-Mo",
            "2.469",
            volumeApiName="gp2",
            usagetype="APN2-EBS:VolumeUsage.gp2",
        ),
    ),
    (
        "ebs.gp3.iops",
        seoul(
            "IOPS",
            "AmazonEC2",
            "System Operation",
            "IOPS-Mo",
            volumeApiName="gp3",
            usagetype="APN2-EBS:VolumeP-IOPS.gp3",
        ),
        seoul(
            "IO2",
            "AmazonEC2",
            "System Operation",
            "IOPS-Mo",
            "2.469",
            volumeApiName="io2",
            usagetype="APN2-EBS:VolumeP-IOPS.io2",
        ),
    ),
    (
        "nat.hour",
        seoul("NATH", "AmazonEC2", "NAT Gateway", usagetype="APN2-NatGateway-Hours"),
        seoul("NATB", "AmazonEC2", "NAT Gateway", "GB", "2.469", usagetype="APN2-NatGateway-Bytes"),
    ),
    (
        "nat.gb",
        seoul("NATB", "AmazonEC2", "NAT Gateway", "GB", usagetype="APN2-NatGateway-Bytes"),
        seoul("NATH", "AmazonEC2", "NAT Gateway", usagetype="APN2-NatGateway-Hours"),
    ),
    (
        "vpce.interface.hour",
        seoul("VPCE", "AmazonVPC", "VpcEndpoint", usagetype="APN2-VpcEndpoint-Hours"),
        seoul("GWLBE", "AmazonVPC", "VpcEndpoint", usagetype="APN2-VpcEndpoint-GWLBE-Hours"),
    ),
    ("alb.hour", load_balancer("ALB", "Application"), load_balancer("NLB", "Network")),
    (
        "nlb.hour",
        load_balancer("NLB", "Network"),
        load_balancer("OUTPOSTS", "Network", "AWS Outposts"),
    ),
    (
        "cloudwatch.logs.ingest.gb",
        seoul(
            "LOGS", "AmazonCloudWatch", "Data Payload", "GB", usagetype="APN2-DataProcessing-Bytes"
        ),
        seoul(
            "SCANNED",
            "AmazonCloudWatch",
            "Data Payload",
            "GB",
            "0.0123",
            usagetype="APN2-DataScanned-Bytes",
        ),
    ),
]


def _offers(tmp_path: Path, *items: Item, name: str = "offer.json") -> list[Offer]:
    return read_offers(save(tmp_path / name, bulk(items[0].service, *items)))


@pytest.mark.parametrize(("key", "match", "miss"), FAMILIES)
def test_each_family_matches_its_product_and_not_the_near_miss(
    tmp_path: Path, key: str, match: Item, miss: Item
) -> None:
    found = quote(_offers(tmp_path, match, miss), key, SEOUL)
    assert found is not None
    assert (found.usd, found.skus) == (1.2345, (match.sku,))
    assert quote(_offers(tmp_path, miss), key, SEOUL) is None


def test_gp3_throughput_is_per_mib_while_the_offer_prices_a_gib(tmp_path: Path) -> None:
    item = Item(
        "THROUGHPUT",
        "AmazonEC2",
        "Provisioned Throughput",
        region(volumeApiName="gp3", usagetype="APN2-EBS:VolumeP-Throughput.gp3"),
        (("GiBps-mo", "1264.128", "0", "Inf"),),
    )
    found = quote(_offers(tmp_path, item), "ebs.gp3.throughput", SEOUL)
    assert found is not None
    assert found.usd == 1.2345  # 1264.128 / 1024


def test_a_tiered_price_is_its_first_paid_tier(tmp_path: Path) -> None:
    s3 = Item(
        "S3",
        "AmazonS3",
        "Storage",
        region(usagetype="APN2-TimedStorage-ByteHrs"),
        (
            ("GB-Mo", "1.1111", "512000", "Inf"),
            ("GB-Mo", "1.2345", "0", "51200"),
            ("GB-Mo", "1.2222", "51200", "512000"),
        ),
    )
    transfer = Item(
        "OUT",
        "AWSDataTransfer",
        "Data Transfer",
        {
            "fromRegionCode": SEOUL,
            "transferType": "AWS Outbound",
            "toLocation": "External",
            "usagetype": "APN2-DataTransfer-Out-Bytes",
        },
        (("GB", "0.0000000000", "0", "100"), ("GB", "1.2345", "100", "10240")),
    )
    between = Item(
        "INTER",
        "AWSDataTransfer",
        "Data Transfer",
        {
            "fromRegionCode": SEOUL,
            "transferType": "InterRegion Outbound",
            "toLocation": "Asia Pacific (Tokyo)",
            "usagetype": "APN2-APN1-AWS-Out-Bytes",
        },
        (("GB", "2.469", "0", "Inf"),),
    )
    stored = quote(_offers(tmp_path, s3), "s3.standard.gb", SEOUL)
    sent = quote(_offers(tmp_path, transfer, between), "transfer.out.gb", SEOUL)
    assert stored is not None
    assert sent is not None
    assert (stored.usd, stored.dimension.begin) == (1.2345, 0)
    assert (sent.usd, sent.dimension.begin) == (1.2345, 100)  # the free first GBs are skipped


def test_only_on_demand_terms_count(tmp_path: Path) -> None:
    reserved = Item(
        ec2().sku, "AmazonEC2", "Compute Instance", ec2().attributes, term_type="Reserved"
    )
    assert quote(_offers(tmp_path, reserved), "ec2.c6i.2xlarge", SEOUL) is None


def test_a_price_in_another_unit_or_region_is_no_match(tmp_path: Path) -> None:
    other_unit = Item(
        "QUANTITY",
        "AmazonEC2",
        "Compute Instance",
        ec2().attributes,
        (("Quantity", "1.2345", "0", "Inf"),),
    )
    offers = _offers(tmp_path, ec2(regionCode="ap-northeast-1"), other_unit)
    assert quote(offers, "ec2.c6i.2xlarge", SEOUL) is None
    assert regions_in(offers) == ["ap-northeast-1", SEOUL]


def test_products_at_different_prices_are_an_error_naming_key_region_and_skus(
    tmp_path: Path,
) -> None:
    cheaper = Item(
        "CHEAPER",
        "AmazonEC2",
        "Compute Instance",
        ec2().attributes,
        (("Hrs", "1.2344", "0", "Inf"),),
    )
    with pytest.raises(
        AmbiguousPriceError, match=r"ec2\.c6i\.2xlarge in ap-northeast-2.*EC2SHARED.*CHEAPER"
    ):
        quote(_offers(tmp_path, ec2(), cheaper), "ec2.c6i.2xlarge", SEOUL)


def test_products_at_one_price_are_one_quote_naming_both(tmp_path: Path) -> None:
    twin = Item("TWIN", "AmazonEC2", "Compute Instance", ec2().attributes)
    found = quote(_offers(tmp_path, ec2(), twin), "ec2.c6i.2xlarge", SEOUL)
    assert found is not None
    assert (found.usd, found.skus) == (1.2345, ("EC2SHARED", "TWIN"))


def test_both_shapes_give_the_same_price_and_name_their_source(tmp_path: Path) -> None:
    from_bulk = quote(_offers(tmp_path, ec2()), "ec2.c6i.2xlarge", SEOUL)
    from_query = quote(
        read_offers(save(tmp_path / "q.json", query(ec2()))), "ec2.c6i.2xlarge", SEOUL
    )
    assert from_bulk is not None
    assert from_query is not None
    assert from_bulk.usd == from_query.usd == 1.2345
    url = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/ap-northeast-2/index.json"
    for found, origin in ((from_bulk, url), (from_query, GET_PRODUCTS)):
        assert found.offer.origin == origin
        assert found.offer.publication_date == PUBLISHED
        for part in (origin, "AmazonEC2", PUBLISHED, "SKU EC2SHARED"):
            assert part in found.source


def test_keys_without_a_matcher_or_of_the_wrong_shape_have_no_filter() -> None:
    for key in (
        "eks.cluster.standard",
        "elasticache.serverless",
        "msk.serverless.cluster",
        "msk.throughput",
        "rds.proxy.vcpu",
    ):
        assert filter_for(key) is None
    dedicated = filter_for("ec2.dedicated.c6i.4xlarge")
    assert dedicated is not None
    assert dedicated.attributes["tenancy"] == "Dedicated"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "not readable Price List data"),
        ('{"products": {}}', "without terms"),
        ('{"products": {}, "terms": {}}', "offerCode"),
        ('{"prices": []}', "neither a Price List offer file"),
        ('{"PriceList": ["{}"]}', "not readable Price List data"),
    ],
)
def test_a_malformed_file_is_an_error_naming_it(tmp_path: Path, content: str, why: str) -> None:
    path = tmp_path / "broken.json"
    path.write_text(content)
    with pytest.raises(PriceListError, match=why) as error:
        read_offers(path)
    assert str(path) in str(error.value)


def test_ranges_named_as_the_documentation_names_them_order_the_tiers(tmp_path: Path) -> None:
    tiers = (("GB-Mo", "1.1111", "51200", "Inf"), ("GB-Mo", "1.2345", "0", "51200"))
    item = Item("S3", "AmazonS3", "Storage", region(usagetype="TimedStorage-ByteHrs"), tiers)
    document = bulk("AmazonS3", item)
    for rate in document["terms"]["OnDemand"]["S3"]["S3.JRTCKXETXF"]["priceDimensions"].values():
        rate["startingRange"] = rate.pop("beginRange")
    found = quote(read_offers(save(tmp_path / "s3.json", document)), "s3.standard.gb", SEOUL)
    assert found is not None
    assert found.usd == 1.2345  # the tier from 0, though listed last
