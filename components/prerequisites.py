"""What a stack needs from its account before the first resource: found at preview, or created.

A missing prerequisite fails at preview with a ConfigError naming the key and the fix, instead
of failing halfway through ``pulumi up`` with an AWS error that names neither:
- the Auto Scaling service-linked role, which the volume-key policies name as a principal
  (CreateKey fails with MalformedPolicyDocumentException when it does not exist yet, i.e. in an
  account that has never had an Auto Scaling group);
- the Route 53 public hosted zone of the site's domain.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .config import PROJECT, ConfigError

AUTOSCALING_SERVICE = "autoscaling.amazonaws.com"
AUTOSCALING_ROLE_PATH = f"/aws-service-role/{AUTOSCALING_SERVICE}/"
CREATE_ROLE_KEY = f"{PROJECT}:prerequisites.createAutoScalingServiceLinkedRole"


def autoscaling_service_linked_role(
    *, create: bool, opts: pulumi.ResourceOptions, invoke: pulumi.InvokeOptions
) -> list[pulumi.Resource]:
    """The resources a key policy naming the Auto Scaling role must wait for.

    ``create``: the stack owns the role (new accounts). Otherwise the role must already exist;
    IAM's ListRoles by path finds it without failing when it is absent.
    """
    if create:
        role = aws.iam.ServiceLinkedRole(
            "autoscaling-service-linked-role",
            aws_service_name=AUTOSCALING_SERVICE,
            description="Auto Scaling launches engine and node instances with encrypted volumes",
            opts=opts,
        )
        return [role]
    found = aws.iam.get_roles(path_prefix=AUTOSCALING_ROLE_PATH, opts=invoke)
    if not found.names:
        raise ConfigError(
            CREATE_ROLE_KEY,
            "is off but this account has no AWSServiceRoleForAutoScaling, which the volume key "
            "policies name; run `aws iam create-service-linked-role --aws-service-name "
            f"{AUTOSCALING_SERVICE}` once, or set this key to true to let the stack create it",
        )
    return []


def hosted_zone_id(
    zone_id: str | None, zone_name: str | None, domain: str, invoke: pulumi.InvokeOptions
) -> str:
    """The public zone the site's records go into; it must exist and contain the domain."""
    key = f"{PROJECT}:edge.{'hostedZoneId' if zone_id else 'hostedZoneName'}"
    try:
        zone = (
            aws.route53.get_zone(zone_id=zone_id, opts=invoke)
            if zone_id
            else aws.route53.get_zone(name=zone_name, private_zone=False, opts=invoke)
        )
    except Exception as error:  # the provider raises a plain exception for "no zone found"
        raise ConfigError(
            key,
            f"no public Route 53 hosted zone {zone_id or zone_name} in this account ({error}); "
            "create it (and delegate it from the registrar) before the first deploy",
        ) from error
    if zone.private_zone:
        raise ConfigError(key, f"{zone.name} is a private zone; CloudFront needs a public one")
    apex = zone.name.rstrip(".")
    if domain != apex and not domain.endswith(f".{apex}"):
        raise ConfigError(
            f"{PROJECT}:edge.domainName",
            f"{domain} is not inside the hosted zone {apex}; ACM validation and the alias "
            "records need a zone that contains it",
        )
    return zone.zone_id
