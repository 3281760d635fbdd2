"""What an EC2 instance type's name says about its CPU: the one place that knows.

The EKS node groups and the matching engine both run Amazon Linux 2023, whose AMIs exist for
x86_64 and arm64 (Graviton); the instance type picks which, so a Graviton type gets the arm64
AMI instead of failing at AWS with an x86 one.
"""

from __future__ import annotations

import re
from enum import StrEnum

from .errors import SettingError


class Architecture(StrEnum):
    X86_64 = "x86_64"
    ARM64 = "arm64"


# Graviton families carry a "g" after the generation: c7g, m7gd, r8g, c6gn, t4g, x2gd, im4gn
# (eksctl's ARM support page lists t4g, m6g, m7g, c6g, c7g, r6g, r7g, m8g, r8g, c8g and their
# "d" variants). a1 is the first Graviton, but Amazon Linux 2023 does not support it (the CDK's
# aws_batch EcsMachineImageType: "Amazon Linux 2023 does not support A1 instances").
_GRAVITON = re.compile(r"^[a-z]+\d+g[a-z]*\.")
# Families with no Amazon Linux 2023 AMI at all: A1 (above) and EC2 Mac (macOS only).
_NO_AL2023 = re.compile(r"^(a1|mac\d*(-[a-z0-9]+)?)\.")

# The EKS managed node group AMI type of each architecture (aws.eks.NodeGroup ami_type;
# the EKS API's AMI types list AL2023_x86_64_STANDARD and AL2023_ARM_64_STANDARD).
EKS_AMI_TYPES = {
    Architecture.X86_64: "AL2023_x86_64_STANDARD",
    Architecture.ARM64: "AL2023_ARM_64_STANDARD",
}


def architecture(instance_type: str) -> Architecture:
    """arm64 for a Graviton type (c7g.large), x86_64 for the rest (c6i.large, m7a.xlarge)."""
    return Architecture.ARM64 if _GRAVITON.match(instance_type) else Architecture.X86_64


def check_al2023(instance_type: str) -> None:
    """Refuses an instance type that no Amazon Linux 2023 AMI runs on."""
    if _NO_AL2023.match(instance_type):
        raise SettingError(
            f"{instance_type} has no Amazon Linux 2023 AMI",
            "an x86_64 or Graviton (arm64) type such as c6i.large or c7g.large",
        )


def size_of(instance_type: str) -> str:
    """The size part: ``xlarge`` for c6i.xlarge."""
    return instance_type.split(".", 1)[1]


def family_class(instance_type: str) -> str:
    """The family's letters before its generation: ``c`` for c6i.xlarge and c5a.xlarge, ``m`` for
    m7g.large. Within one class and size, current types match in vCPUs and memory (c: 2 GiB per
    vCPU, m: 4, r: 8)."""
    match = re.match(r"^[a-z-]+", instance_type)
    return match.group(0) if match else instance_type
