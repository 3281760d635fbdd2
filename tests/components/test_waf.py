"""The web ACL's rule JSON as a pure function: exemptions and optional rules."""

from __future__ import annotations

from dataclasses import replace

from components.waf import web_acl_rules

from .edge_cluster_fixtures import tier_config

WAF = tier_config("startup").edge.waf


def test_rules_sorted_by_priority_and_reorderable() -> None:
    # Config validation holds on replace() too, so make room at 0 rather than going below it.
    priorities = {rule: priority + 1 for rule, priority in WAF.priorities.items()}
    first = max(priorities, key=lambda rule: priorities[rule])
    priorities[first] = 0
    rules = web_acl_rules(replace(WAF, priorities=priorities), "m", "admins", "tv")
    assert rules[0]["Name"] == first.value
    assert [r["Priority"] for r in rules] == sorted(r["Priority"] for r in rules)


def test_without_tradingview_nobody_is_exempt_from_rate_limits() -> None:
    rules = {r["Name"]: r for r in web_acl_rules(WAF, "m", "admins", None)}
    assert "ScopeDownStatement" not in rules["rateLimit"]["Statement"]["RateBasedStatement"]
    login = rules["loginRateLimit"]["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
    assert "ByteMatchStatement" in login  # only the path, no NOT ipset


def test_no_admin_paths_no_admin_rule() -> None:
    rules = web_acl_rules(replace(WAF, admin_paths=(), admin_allow_cidrs=()), "m", None, "tv")
    assert "adminAllowList" not in {r["Name"] for r in rules}


def test_several_paths_match_any_of_them_case_insensitively() -> None:
    waf = replace(WAF, admin_paths=("/Admin", "/internal"))
    rules = {r["Name"]: r for r in web_acl_rules(waf, "m", "admins", "tv")}
    paths = rules["adminAllowList"]["Statement"]["AndStatement"]["Statements"][0]
    matches = [s["ByteMatchStatement"] for s in paths["OrStatement"]["Statements"]]
    assert [m["SearchString"] for m in matches] == ["/admin", "/internal"]
    assert [t["Type"] for t in matches[0]["TextTransformations"]] == ["URL_DECODE", "LOWERCASE"]
