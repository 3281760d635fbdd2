"""What EC2 accepts in the free text of security groups and their rules.

CreateSecurityGroup (GroupName, Description): up to 255 of a-z, A-Z, 0-9, spaces and
``._-:/()#,@[]+=&;{}!$*``. The description of a rule that references a security group or a prefix
list (UserIdGroupPair, PrefixListId) allows the same set without ``&``. Mocks accept anything;
EC2 rejects the whole request, so every such text is checked where it is built.
"""

from __future__ import annotations

import re

MAX_LENGTH = 255
# The rule-description set (no "&"), which also satisfies the security-group one.
_ALLOWED = re.compile(r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=;{}!$*]*")


def check_ec2_description(text: str, where: str) -> str:
    """``text`` if EC2 accepts it as a security-group or rule description, else ValueError."""
    if len(text) > MAX_LENGTH:
        raise ValueError(f"{where}: description is {len(text)} characters, EC2 allows 255")
    bad = sorted({c for c in text if not _ALLOWED.fullmatch(c)})
    if bad:
        raise ValueError(
            f"{where}: description {text!r} has characters EC2 rejects: {''.join(bad)!r} "
            "(allowed: a-z A-Z 0-9 space ._-:/()#,@[]+=;{}!$*)"
        )
    return text
