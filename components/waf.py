"""EdgeFirewall: the WAFv2 web ACL CloudFront carries, its IP sets and its logs.

CloudFront web ACLs live in us-east-1 whatever the stack's region, so every resource here passes
``region=US_EAST_1``. The rules come from seeds 000 and 002: sanctioned countries and bad
reputations blocked, admin paths only from the admins' addresses, a login and a blanket rate
limit per IP that TradingView's webhooks are exempt from, and AWS's managed rule groups, which
nobody is exempt from.

The rules are sent as ``rule_json`` (the WAF API's own JSON) because the rate limits' scope-down
statements nest AND/OR/NOT deeper than the provider's typed ``rules`` handle comfortably; the
price is that the provider does not detect drift made by hand in the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .blocks import child_options, encrypted_log_group
from .config import WafConfig, WafRule

US_EAST_1 = "us-east-1"
RATE_WINDOW_SECONDS = 300  # seed 000's limits are per 5 minutes
# Logged requests keep no credentials: bearer tokens and session cookies are redacted.
REDACTED_HEADERS = ("authorization", "cookie")
_MANAGED_GROUPS: dict[WafRule, str] = {
    WafRule.IP_REPUTATION: "AWSManagedRulesAmazonIpReputationList",
    WafRule.COMMON: "AWSManagedRulesCommonRuleSet",
    WafRule.SQLI: "AWSManagedRulesSQLiRuleSet",
    WafRule.KNOWN_BAD_INPUTS: "AWSManagedRulesKnownBadInputsRuleSet",
}


@dataclass(frozen=True)
class EdgeFirewallArgs:
    name_prefix: str
    waf: WafConfig
    log_retention_days: int
    logs_kms_key_arn: pulumi.Input[str]  # a key in us-east-1
    protect: bool


def _visibility(metric: str) -> dict[str, Any]:
    return {
        "CloudWatchMetricsEnabled": True,
        "MetricName": metric,
        "SampledRequestsEnabled": True,
    }


def _path_prefixes(paths: tuple[str, ...]) -> dict[str, Any]:
    """Matches a URI path starting with any of ``paths``, case and %-encoding insensitively."""
    matches = [
        {
            "ByteMatchStatement": {
                "FieldToMatch": {"UriPath": {}},
                "PositionalConstraint": "STARTS_WITH",
                "SearchString": path.lower(),
                # "/%41dmin" and "/ADMIN" must not slip past a rule written for "/admin".
                "TextTransformations": [
                    {"Priority": 0, "Type": "URL_DECODE"},
                    {"Priority": 1, "Type": "LOWERCASE"},
                ],
            }
        }
        for path in paths
    ]
    return matches[0] if len(matches) == 1 else {"OrStatement": {"Statements": matches}}


def _not_in(ip_set_arn: Any) -> dict[str, Any]:
    return {"NotStatement": {"Statement": {"IPSetReferenceStatement": {"ARN": ip_set_arn}}}}


def _all_of(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return statements[0] if len(statements) == 1 else {"AndStatement": {"Statements": statements}}


def _rate_limit(limit: int, scope: list[dict[str, Any]]) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Limit": limit,
        "AggregateKeyType": "IP",
        "EvaluationWindowSec": RATE_WINDOW_SECONDS,
    }
    if scope:
        statement["ScopeDownStatement"] = _all_of(scope)
    return {"RateBasedStatement": statement}


def web_acl_rules(
    waf: WafConfig, metric_prefix: str, admin_set_arn: Any, trading_view_set_arn: Any
) -> list[dict[str, Any]]:
    """The web ACL's rules in the WAF API's JSON, ordered by priority.

    The IP set ARNs may be Outputs (serialise with ``Output.json_dumps``); either is ``None``
    when its list is empty, and then its rule or exemption is left out.
    """
    exempt = [_not_in(trading_view_set_arn)] if trading_view_set_arn is not None else []
    blocking: dict[WafRule, dict[str, Any]] = {
        WafRule.GEO_BLOCK: {"GeoMatchStatement": {"CountryCodes": list(waf.blocked_countries)}},
        WafRule.LOGIN_RATE_LIMIT: _rate_limit(
            waf.login_rate_limit, [_path_prefixes(waf.login_paths), *exempt]
        ),
        WafRule.RATE_LIMIT: _rate_limit(waf.rate_limit, exempt),
    }
    if waf.admin_paths:
        blocking[WafRule.ADMIN_ALLOW_LIST] = _all_of(
            [_path_prefixes(waf.admin_paths), _not_in(admin_set_arn)]
        )
    rules: list[dict[str, Any]] = []
    for rule, statement in blocking.items():
        rules.append(
            {
                "Name": rule.value,
                "Priority": waf.priorities[rule],
                "Action": {"Block": {}},
                "Statement": statement,
            }
        )
    for rule, group in _MANAGED_GROUPS.items():
        rules.append(
            {
                "Name": rule.value,
                "Priority": waf.priorities[rule],
                # None: the group's own actions apply (nothing downgraded to count).
                "OverrideAction": {"None": {}},
                "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}},
            }
        )
    for entry in rules:
        entry["VisibilityConfig"] = _visibility(f"{metric_prefix}-{entry['Name']}")
    return sorted(rules, key=lambda entry: entry["Priority"])


class EdgeFirewall(pulumi.ComponentResource):
    """The CloudFront-scope web ACL with its IP sets and its logging."""

    web_acl_arn: pulumi.Output[str]
    web_acl_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: EdgeFirewallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:waf:EdgeFirewall", name, None, opts)
        prefix, waf = args.name_prefix, args.waf
        child = child_options(self)

        def ip_set(kind: str, cidrs: tuple[str, ...], purpose: str) -> aws.wafv2.IpSet | None:
            if not cidrs:
                return None
            return aws.wafv2.IpSet(
                f"{name}-{kind}",
                name=f"{prefix}-{kind}",
                description=purpose,
                scope="CLOUDFRONT",
                ip_address_version="IPV4",
                addresses=list(cidrs),
                region=US_EAST_1,
                opts=child,
            )

        admins = ip_set("admins", waf.admin_allow_cidrs, "Addresses allowed on the admin paths")
        trading_view = ip_set(
            "tradingview", waf.trading_view_cidrs, "TradingView webhooks: exempt from rate limits"
        )
        rules = web_acl_rules(
            waf,
            prefix,
            admins.arn if admins else None,
            trading_view.arn if trading_view else None,
        )
        acl = aws.wafv2.WebAcl(
            f"{name}-acl",
            name=prefix,
            description=f"{prefix}: every request through CloudFront",
            scope="CLOUDFRONT",
            default_action=aws.wafv2.WebAclDefaultActionArgs(
                allow=aws.wafv2.WebAclDefaultActionAllowArgs()
            ),
            rule_json=pulumi.Output.json_dumps(rules),
            visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True,
                metric_name=prefix,
                sampled_requests_enabled=True,
            ),
            region=US_EAST_1,
            opts=child,
        )
        # WAF only delivers to log groups whose name starts with "aws-waf-logs-".
        log_group = encrypted_log_group(
            f"{name}-logs",
            parent=self,
            name=f"aws-waf-logs-{prefix}",
            kms_key_arn=args.logs_kms_key_arn,
            retention_in_days=args.log_retention_days,
            protect=args.protect,
            region=US_EAST_1,
        )
        aws.wafv2.WebAclLoggingConfiguration(
            f"{name}-logging",
            resource_arn=acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(
                        name=header
                    )
                )
                for header in REDACTED_HEADERS
            ],
            region=US_EAST_1,
            opts=child,
        )
        self.web_acl_arn = acl.arn
        self.web_acl_name = acl.name
        self.log_group_name = log_group.name
        self.register_outputs(
            {"webAclArn": acl.arn, "webAclName": acl.name, "logGroupName": log_group.name}
        )
