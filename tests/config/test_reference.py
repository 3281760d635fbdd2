"""README.md's configuration reference is generated from the schema and must be current."""

from __future__ import annotations

from components.config.reference import END, README, START, main, render, table


def test_the_readme_reference_is_current() -> None:
    # When this fails: venv/bin/python -m components.config.reference
    assert render(README.read_text()) == README.read_text()
    assert main(["--check"]) == 0


def test_a_stale_table_is_replaced_and_the_rest_kept() -> None:
    stale = f"# title\n\n{START}\n| old | table |\n{END}\n\nafter\n"
    fresh = render(stale)
    assert fresh.startswith(f"# title\n\n{START}\n| key | allowed |")
    assert fresh.endswith(f"{END}\n\nafter\n")
    assert "| old | table |" not in fresh


def test_each_key_is_a_row_with_its_bounds_and_tier_defaults() -> None:
    rows = {line.split(" | ")[0].strip("| `"): line for line in table().splitlines()[2:]}
    assert rows["network.azCount"] == (
        "| `network.azCount` | integer 2..3 | 2 / 2 / 3 | availability zones used |"
    )
    assert "| 10.0.0.0/16 |" in rows["network.vpcCidr"]
    assert "| required |" in rows["edge.domainName"]
    assert "general (instanceType c6i.xlarge" in rows["eks.nodeGroups.<name>"]
    assert "`trading-<stack>`" in rows["eks.clusterName"]
    # Program-set fields and entries' names are not keys.
    assert "stack" not in rows
    assert "eks.nodeGroups.<name>.name" not in rows
