"""``python -m offline.cost.refresh``: old -> new per key and region, ``--write`` on a copy of
prices.json (only the refreshed entries change), ambiguous and malformed input, ``--commands``."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest

from offline.cost.price_list import read_offers
from offline.cost.prices import PRICES_FILE, PriceTableError, parse_table, rewrite_entries
from offline.cost.refresh import commands, main, refresh, render
from tests.offline.cost.price_list_data import PUBLISHED, SEOUL, Item, bulk, ec2, query, save

GP3 = Item(
    "GP3",
    "AmazonEC2",
    "Storage",
    {"regionCode": SEOUL, "volumeApiName": "gp3", "usagetype": "APN2-EBS:VolumeUsage.gp3"},
    (("GB-Mo", "1.2345", "0", "Inf"),),
)
VALKEY = Item(
    "VALKEY",
    "AmazonElastiCache",
    "Cache Instance",
    {
        "regionCode": SEOUL,
        "instanceType": "cache.r6g.xlarge",
        "locationType": "AWS Region",
        "cacheEngine": "Valkey",
        "usagetype": "APN2-NodeUsage:cache.r6g.xlarge",
    },
)


@pytest.fixture
def table_copy(tmp_path: Path) -> Path:
    return Path(shutil.copy(PRICES_FILE, tmp_path / "prices.json"))


def _files(tmp_path: Path) -> list[str]:
    """EC2 (a c6i.2xlarge, gp3 storage) as an offer file, ElastiCache as get-products output."""
    return [
        str(save(tmp_path / "ec2.json", bulk("AmazonEC2", ec2(), GP3))),
        str(save(tmp_path / "cache.json", query(VALKEY))),
    ]


def test_refresh_reports_new_changed_and_unchanged_prices(tmp_path: Path) -> None:
    table = parse_table(json.loads(PRICES_FILE.read_text()))
    same = Item(
        "SAME",
        "AmazonEC2",
        "Compute Instance",
        ec2("X", "c6i.large").attributes,
        (("Hrs", "0.096", "0", "Inf"),),
    )
    # A type no tier runs, so the real table has no price for it.
    unused = ec2("UNUSED", "c6i.24xlarge")
    offers = read_offers(save(tmp_path / "ec2.json", bulk("AmazonEC2", unused, GP3, same)))
    result = refresh(table, ["ec2.c6i.24xlarge", "ebs.gp3.gb", "ec2.c6i.large", "kms.key"], offers)
    statuses = {
        (c.quote.key, c.quote.region): (c.old, c.quote.usd, c.status) for c in result.changes
    }
    assert statuses == {
        ("ec2.c6i.24xlarge", SEOUL): (None, 1.2345, "new"),
        ("ebs.gp3.gb", SEOUL): (0.0912, 1.2345, "changed"),
        ("ec2.c6i.large", SEOUL): (0.096, 0.096, "unchanged, new source"),
    }
    assert result.unmatched == ("kms.key",)
    text = render(result)
    assert "ebs.gp3.gb" in text
    assert "0.0912" in text
    assert "no matcher (left as they are): kms.key" in text


def test_write_updates_only_the_refreshed_entries(
    tmp_path: Path, table_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before_text = table_copy.read_text()
    before = json.loads(before_text)
    args = [*_files(tmp_path), "--key", "elasticache.cache.r6g.xlarge", "--prices", str(table_copy)]
    assert main([*args, "--write"]) == 0
    out = capsys.readouterr().out
    after_text = table_copy.read_text()
    after = json.loads(after_text)
    table = parse_table(after)

    c6i = table.price("ec2.c6i.2xlarge", SEOUL)
    gp3 = table.price("ebs.gp3.gb", SEOUL)
    cache = table.price("elasticache.cache.r6g.xlarge", SEOUL)
    assert c6i is not None
    assert gp3 is not None
    assert cache is not None
    assert (c6i.usd, gp3.usd, cache.usd) == (1.2345, 1.2345, 1.2345)
    assert c6i.source_date == PUBLISHED
    assert "AmazonEC2/current/ap-northeast-2/index.json" in c6i.source
    assert "SKU EC2SHARED" in c6i.source
    assert "aws pricing get-products (AmazonElastiCache" in cache.source
    # The other regions keep their prices and sources.
    old_gp3 = parse_table(before).price("ebs.gp3.gb", "us-east-1")
    assert table.price("ebs.gp3.gb", "us-east-1") == old_gp3

    refreshed = {"ec2.c6i.2xlarge", "ebs.gp3.gb", "elasticache.cache.r6g.xlarge"}
    untouched = [e for e in before["prices"] if e["key"] not in refreshed]
    assert [e for e in after["prices"] if e["key"] not in refreshed] == untouched
    assert after["unsourced"] == before["unsourced"]
    assert {k: v for k, v in after.items() if k != "prices"} == {
        k: v for k, v in before.items() if k != "prices"
    }
    # Untouched entries keep their very lines.
    changed_lines = set(after_text.splitlines()) ^ set(before_text.splitlines())
    assert not [line for line in changed_lines if '"key": "eks.cluster.standard"' in line]
    assert len(after_text.splitlines()) == len(before_text.splitlines()) + 2 + 4

    assert "wrote 3 entries" in out
    assert "ec2.<type>: " in out  # an unsourced note the new Seoul EC2 price may settle
    assert "elasticache.<type>: " in out


def test_without_write_nothing_changes(tmp_path: Path, table_copy: Path) -> None:
    before = table_copy.read_text()
    assert main([*_files(tmp_path), "--prices", str(table_copy)]) == 0
    assert table_copy.read_text() == before


def test_an_ambiguous_key_is_reported_and_left_while_the_rest_is_written(
    tmp_path: Path, table_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rival = Item(
        "RIVAL", "AmazonEC2", "Compute Instance", ec2().attributes, (("Hrs", "2.469", "0", "Inf"),)
    )
    offer = save(tmp_path / "ec2.json", bulk("AmazonEC2", ec2(), rival, GP3))
    before = parse_table(json.loads(table_copy.read_text())).price("ec2.c6i.2xlarge", SEOUL)
    assert main([str(offer), "--prices", str(table_copy), "--write"]) == 1
    out = capsys.readouterr().out
    assert "error: ec2.c6i.2xlarge in ap-northeast-2" in out
    assert "EC2SHARED" in out
    assert "RIVAL" in out
    table = parse_table(json.loads(table_copy.read_text()))
    assert table.price("ec2.c6i.2xlarge", SEOUL) == before  # left as it was
    gp3 = table.price("ebs.gp3.gb", SEOUL)
    assert gp3 is not None
    assert gp3.usd == 1.2345


def test_a_malformed_file_stops_before_anything_is_written(
    tmp_path: Path, table_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"products": [')
    before = table_copy.read_text()
    assert main([*_files(tmp_path), str(broken), "--prices", str(table_copy), "--write"]) == 2
    assert str(broken) in capsys.readouterr().err
    assert table_copy.read_text() == before


def test_commands_name_one_offer_file_per_service_and_query_lines_for_instances() -> None:
    keys = ["ec2.dedicated.c6i.4xlarge", "ebs.gp3.gb", "elasticache.cache.r6g.xlarge", "kms.key"]
    lines = commands(SEOUL, keys).splitlines()
    base = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws"
    curls = [line for line in lines if line.startswith("curl ")]
    assert curls == [
        f"curl -o {service}-{SEOUL}.json {base}/{service}/current/{SEOUL}/index.json"
        for service in ("AmazonEC2", "AmazonElastiCache")
    ]
    assert any("very large" in line for line in lines)
    queries = [shlex.split(line) for line in lines if line.startswith("aws pricing get-products")]
    assert [q[q.index("--service-code") + 1] for q in queries] == ["AmazonEC2", "AmazonElastiCache"]
    ec2_filters = queries[0][queries[0].index("--filters") + 1 : queries[0].index("--output")]
    assert "Type=TERM_MATCH,Field=tenancy,Value=Dedicated" in ec2_filters
    assert "Type=TERM_MATCH,Field=licenseModel,Value=No License required" in ec2_filters
    assert f"Type=TERM_MATCH,Field=regionCode,Value={SEOUL}" in ec2_filters
    assert queries[0][-2:] == [">", f"ec2.dedicated.c6i.4xlarge-{SEOUL}.json"]
    assert lines[-1] == "# no matcher, so not refreshed from these: kms.key"


def test_commands_cli_defaults_to_the_table_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--commands", "ap-northeast-1"]) == 0
    out = capsys.readouterr().out
    for service in ("AmazonEC2", "AmazonRDS", "AmazonMSK", "AWSELB", "AmazonS3", "AWSDataTransfer"):
        assert f"/aws/{service}/current/ap-northeast-1/index.json" in out


def test_region_sources_must_name_priced_regions() -> None:
    document = json.loads(PRICES_FILE.read_text())
    entry = document["prices"][0]
    entry["regionSources"] = {SEOUL: {"source": "x", "sourceDate": "y"}}
    with pytest.raises(PriceTableError, match="regionSources"):
        parse_table(document)


def test_rewrite_refuses_a_layout_it_does_not_know() -> None:
    compact = json.dumps(json.loads(PRICES_FILE.read_text()))
    entry = {
        "key": "x",
        "unit": "u",
        "regions": {"*": 1.2345},
        "source": "s",
        "sourceDate": "d",
        "what": "w",
    }
    with pytest.raises(PriceTableError, match="layout not recognised"):
        rewrite_entries(compact, [entry])
