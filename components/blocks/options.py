"""The one way components build the options of their children."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi


def child_options(
    parent: pulumi.Resource,
    *,
    protect: bool = False,
    depends_on: Sequence[pulumi.Resource] | None = None,
    provider: pulumi.ProviderResource | None = None,
    ignore_changes: Sequence[str] | None = None,
) -> pulumi.ResourceOptions:
    """Options of a resource owned by ``parent``; ``protect`` is for stateful children only.

    Without ``protect`` the option stays unset rather than False, so a child still inherits the
    protection of a parent that was itself created protected.
    """
    return pulumi.ResourceOptions(
        parent=parent,
        protect=True if protect else None,
        depends_on=list(depends_on) if depends_on else None,
        provider=provider,
        ignore_changes=list(ignore_changes) if ignore_changes else None,
    )
