"""The architecture graph: regions, VPCs, subnet tiers, flows; one component; rendering."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from offline.graph import GraphError, write_graph
from offline.plan_document import plan_document
from tests.programs import stack


def prod() -> dict[str, Any]:
    return plan_document(
        stack("prod", False), policy=None, deploy_findings=[], diff=None, summary={}
    )


def test_stack_graph_groups_by_region_vpc_and_tier_with_flows(tmp_path: Path) -> None:
    path = tmp_path / "prod.dot"
    assert write_graph(prod(), path, component=None) == [f"graph: wrote {path}"]
    dot = path.read_text()
    assert 'label="region ap-northeast-2"' in dot
    assert 'label="region ap-northeast-1"' in dot  # the DR replica's network
    assert 'label="VPC network-vpc 10.0.0.0/16"' in dot
    for tier in ("public", "private", "database", "matchingEngine"):
        assert f'label="{tier} subnets"' in dot
    assert 'label="network-db-proxy-sg\\ndata-proxy-proxy"' in dot
    assert '[label="tcp 5432" fontsize=9]' in dot
    assert 'label="0.0.0.0/0"' in dot  # the pods' HTTPS egress


def test_component_graph_shows_only_that_component(tmp_path: Path) -> None:
    path = tmp_path / "data.gv"
    write_graph(prod(), path, component="data")
    dot = path.read_text()
    assert "data-postgres-primary" in dot
    assert '"network-vpc\\n' not in dot  # the main VPC belongs to another component
    assert "->" in dot  # dependencies between its resources


def test_unknown_component_and_file_type_are_errors(tmp_path: Path) -> None:
    with pytest.raises(GraphError, match=r"no component named 'dta' \(components: .*data"):
        write_graph(prod(), tmp_path / "x.dot", component="dta")
    with pytest.raises(GraphError, match=r"x.jpeg: the graph is written as .dot"):
        write_graph(prod(), tmp_path / "x.jpeg", component=None)


def test_svg_is_rendered_when_dot_is_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "prod.svg"
    if shutil.which("dot"):
        assert write_graph(prod(), path, component=None)[-1] == f"graph: rendered {path}"
        assert path.read_text().lstrip().startswith(("<?xml", "<svg"))
    monkeypatch.setattr("offline.graph.shutil.which", lambda _: None)
    done = write_graph(prod(), tmp_path / "bare.svg", component=None)
    assert (tmp_path / "bare.dot").exists()
    assert "Graphviz `dot` is not on PATH" in done[-1]
