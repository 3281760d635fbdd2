"""child_options: the parent always, protection only when asked."""

from __future__ import annotations

import pulumi
import pulumi_random

from components.blocks import child_options
from offline.runner import run_component

from .conftest import Host, run_in_host


def test_defaults_parent_the_child_and_leave_it_unprotected() -> None:
    seen: list[pulumi.ResourceOptions] = []
    run_in_host(lambda host: seen.append(child_options(host)))
    (options,) = seen
    assert isinstance(options.parent, Host)
    assert options.protect is None  # unset: inherited from the parent
    assert options.depends_on is None
    assert options.ignore_changes is None


def test_every_option_is_passed_on() -> None:
    seen: list[tuple[pulumi.ResourceOptions, pulumi.Resource]] = []

    def build(host: Host) -> None:
        other = Host("other")
        options = child_options(host, protect=True, depends_on=[other], ignore_changes=["tags"])
        seen.append((options, other))

    run_in_host(build)
    ((options, other),) = seen
    assert options.protect is True
    assert options.depends_on == [other]
    assert options.ignore_changes == ["tags"]


def test_a_protected_parent_still_protects_children_that_did_not_ask() -> None:
    def build() -> None:
        host = Host("vault", protect=True)
        pulumi_random.RandomPet("pet", opts=child_options(host))

    run = run_component(build, preview=False)
    assert run.named("pet").protect is True
