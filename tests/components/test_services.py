"""The service table: one entry per Service, consistent ports and routes, and placement rules."""

from __future__ import annotations

import pytest

from components.config import CapacityType, NodeGroupConfig, Taint
from components.reachability import API_PORT, WEBSOCKET_PORT
from components.services import EXPOSED, SERVICES, Service, node_group_for


def group(name: str) -> NodeGroupConfig:
    return NodeGroupConfig(
        name=name,
        instance_type="c6i.large",
        capacity_type=CapacityType.ON_DEMAND,
        instance_types=(),
        min=1,
        desired=1,
        max=2,
        taint=None,
    )


def test_every_service_has_exactly_one_spec_under_its_own_key() -> None:
    assert list(SERVICES) == list(Service)
    assert all(spec.service is service for service, spec in SERVICES.items())


def test_exposed_services_are_the_alb_ones_on_the_reachability_ports() -> None:
    assert [spec.service for spec in EXPOSED] == [Service.API, Service.WEBSOCKET]
    assert SERVICES[Service.API].port == API_PORT
    assert SERVICES[Service.WEBSOCKET].port == WEBSOCKET_PORT
    assert not SERVICES[Service.CONSUMER].exposed


def test_routes_do_not_overlap() -> None:
    routes = [spec.target_group for spec in EXPOSED if spec.target_group]
    paths = [path for route in routes for path in route.paths]
    assert len(paths) == len(set(paths))
    assert len({route.priority for route in routes}) == len(routes)


def test_the_table_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        SERVICES[Service.API] = SERVICES[Service.CONSUMER]  # type: ignore[index]


def test_names_derived_from_the_table() -> None:
    api = SERVICES[Service.API]
    assert api.log_group_name("trading-dev") == "/trading-dev/services/api"
    assert api.repository_name("trading-dev") == "trading-dev/api"


def test_a_service_gets_its_own_group_when_there_is_one() -> None:
    groups = [group("api"), group("websocket"), group("consumer")]
    assert node_group_for(SERVICES[Service.WEBSOCKET], groups).name == "websocket"


def test_a_single_group_is_shared_by_every_service() -> None:
    for spec in SERVICES.values():
        assert node_group_for(spec, [group("general")]).name == "general"


@pytest.mark.parametrize("groups", [[group("api"), group("general")], []], ids=["two", "none"])
def test_no_group_for_the_service_among_several_is_an_error(groups: list[NodeGroupConfig]) -> None:
    with pytest.raises(ValueError, match="service consumer wants node group 'consumer'"):
        node_group_for(SERVICES[Service.CONSUMER], groups)


def test_a_spot_group_never_runs_a_service() -> None:
    batch = NodeGroupConfig(
        name="batch",
        instance_type=None,
        capacity_type=CapacityType.SPOT,
        instance_types=("c6i.xlarge", "c5.xlarge"),
        min=0,
        desired=0,
        max=2,
        taint=Taint("spot", "true", "NoSchedule"),
    )
    # The one on-demand group is still the shared one beside a spot group.
    for spec in SERVICES.values():
        assert node_group_for(spec, [group("general"), batch]).name == "general"
    with pytest.raises(ValueError, match="the on-demand groups are none"):
        node_group_for(SERVICES[Service.API], [batch])
