"""The pack over the analyzer gRPC protocol, started as the CLI starts it."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from offline.analyzer_client import (
    Diagnostic,
    PolicyPackError,
    PolicyPackProcess,
    analyze_stack,
    load_config,
    reconcile_config,
)
from offline.capture import UNKNOWN
from offline.policy_report import format_policy_report
from policies.exemptions import EXEMPTIONS_POLICY
from policies.pack import PACK_NAME, RULE_NAMES
from policies.rules import types

from .analyzer import captured, compliant_stack, violations

CONFIG_DIR = Path(__file__).resolve().parents[2] / "policies" / "config"


def levels_only(name: str) -> dict[str, object]:
    """A stack's config file without its exemptions, which name the real stacks' resources."""
    config = load_config(CONFIG_DIR / name)
    config["policy-exemptions"] = {**config["policy-exemptions"], "exemptions": []}
    return config


DEV = levels_only("dev.json")
PROD = levels_only("prod.json")


@pytest.fixture(scope="module")
def pack() -> Iterator[PolicyPackProcess]:
    # One process for the module: starting it is most of the cost; each test configures it.
    with PolicyPackProcess() as process:
        yield process


def _blocking(diagnostics: list[Diagnostic]) -> set[tuple[str, str]]:
    return {(d.policy_name, d.resource_name) for d in diagnostics if d.mandatory}


def test_analyzer_info_lists_every_policy(pack: PolicyPackProcess) -> None:
    info = pack.info()
    assert info.name == PACK_NAME
    assert info.supportsConfig
    assert {p.name for p in info.policies} >= set(RULE_NAMES)


@pytest.mark.parametrize("config", [DEV, PROD], ids=["dev", "prod"])
def test_compliant_stack_has_no_findings(
    pack: PolicyPackProcess, config: dict[str, object]
) -> None:
    pack.configure(config)
    diagnostics = pack.diagnostics(compliant_stack())
    assert diagnostics == [], format_policy_report(diagnostics)


@pytest.mark.parametrize(("rule", "resources"), violations().items(), ids=list(violations()))
def test_each_mandatory_family_blocks_over_grpc(
    pack: PolicyPackProcess, rule: str, resources: list
) -> None:
    pack.configure(DEV)
    diagnostics = pack.diagnostics([*compliant_stack(), *resources])
    assert (rule, resources[0].name) in _blocking(diagnostics)
    assert {d.resource_name for d in diagnostics if d.mandatory} <= {r.name for r in resources}


def test_prod_makes_advisory_rules_mandatory(pack: PolicyPackProcess) -> None:
    exposed = captured(types.RDS_CLUSTER_INSTANCE, "exposed", {"publiclyAccessible": True})
    pack.configure(DEV)
    dev = [(d.policy_name, d.enforcement_level) for d in pack.diagnostics([exposed])]
    pack.configure(PROD)
    prod = [(d.policy_name, d.enforcement_level) for d in pack.diagnostics([exposed])]
    assert dev == [("db-not-public", "advisory")]
    assert prod == [("db-not-public", "mandatory")]


def test_unknown_security_property_blocks_in_preview(pack: PolicyPackProcess) -> None:
    group = captured(
        types.SECURITY_GROUP,
        "computed",
        {"ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": [UNKNOWN]}]},
    )
    pack.configure(DEV)
    [diagnostic] = pack.diagnostics([group])
    assert diagnostic.mandatory
    assert diagnostic.detail == "cannot verify ingress[0].cidrBlocks[0]: unknown during preview"


def _exemption(urn: str, policy: str, finding: str, reason: str) -> dict[str, str]:
    return {
        "resource": urn,
        "policy": policy,
        "finding": finding,
        "reason": reason,
        "owner": "platform-team",
        "expires": "2027-06-01",
    }


def test_exemption_turns_the_violation_into_an_advisory_note(pack: PolicyPackProcess) -> None:
    [open_sg] = violations()["no-world-ingress"]
    reason = "scanner appliance, removed in TICKET-7"
    pack.configure(PROD)
    [finding] = [d.detail for d in pack.resource_diagnostics(open_sg)]
    config = {
        **PROD,
        EXEMPTIONS_POLICY: {
            "exemptions": [_exemption(open_sg.urn, "no-world-ingress", finding, reason)]
        },
    }
    pack.configure(config)
    diagnostics = pack.resource_diagnostics(open_sg)
    assert [(d.policy_name, d.enforcement_level) for d in diagnostics] == [
        (EXEMPTIONS_POLICY, "advisory")
    ]
    assert f"reason: {reason})" in diagnostics[0].detail


def test_stack_rule_exemption_by_urn(pack: PolicyPackProcess) -> None:
    [bucket] = violations()["s3-bucket-encryption"]
    pack.configure(DEV)
    [finding] = [
        d.detail
        for d in pack.stack_diagnostics([bucket])
        if d.policy_name == "s3-bucket-encryption"
    ]
    reason = "public dataset, encrypted upstream"
    config = {
        **DEV,
        EXEMPTIONS_POLICY: {
            "exemptions": [_exemption(bucket.urn, "s3-bucket-encryption", finding, reason)]
        },
    }
    pack.configure(config)
    diagnostics = pack.diagnostics([bucket])
    # Only the exempted finding is demoted; the bucket's other findings still block.
    assert ("s3-bucket-encryption", bucket.name) not in _blocking(diagnostics)
    assert any(
        d.policy_name == "policy-exemptions-stack" and "public dataset" in d.detail
        for d in diagnostics
    )


@pytest.mark.parametrize(
    "entry",
    [
        {"resource": "x", "policy": "no-world-ingress"},
        {"resource": "x", "policy": "no-world-ingress", "reason": "short"},
        {"resource": "x", "policy": "not-a-rule", "reason": "a long enough reason"},
        # The old, name-only form: a URN is required now.
        {
            "resource": "bastion",
            "policy": "no-world-ingress",
            "finding": "ingress[0].cidrBlocks allows 0.0.0.0/0 on tcp 22",
            "reason": "a long enough reason",
            "owner": "platform-team",
            "expires": "2027-06-01",
        },
    ],
)
def test_invalid_exemption_is_rejected_like_the_cli(
    pack: PolicyPackProcess, entry: dict[str, str]
) -> None:
    with pytest.raises(PolicyPackError, match="policy pack configuration is invalid"):
        reconcile_config(pack.info(), {**DEV, EXEMPTIONS_POLICY: {"exemptions": [entry]}})


def test_all_and_rule_options_reach_the_pack(pack: PolicyPackProcess) -> None:
    db = captured(types.RDS_CLUSTER, "short-backups", {"backupRetentionPeriod": 14})
    pack.configure(
        {
            "all": "disabled",
            "rds-backup-retention": {"enforcementLevel": "mandatory", "minimumRetentionDays": 21},
        }
    )
    [diagnostic] = pack.diagnostics([db])
    assert diagnostic.detail == "backupRetentionPeriod is 14; keep at least 21 days"


def test_report_groups_by_level(pack: PolicyPackProcess) -> None:
    pack.configure(DEV)
    resources = [
        *violations()["no-world-ingress"],
        captured(types.RDS_CLUSTER_INSTANCE, "exposed", {"publiclyAccessible": True}),
    ]
    report = format_policy_report(pack.diagnostics(resources))
    assert report.splitlines()[0] == "Policies: 1 mandatory, 1 advisory"
    assert (
        report.index("Mandatory")
        < report.index("no-world-ingress")
        < report.index("Advisory")
        < report.index("db-not-public")
    )
    assert (
        f"    {types.SECURITY_GROUP} open-ssh: ingress[0].ipv6CidrBlocks allows ::/0 on all traffic"
        in report
    )


def test_secret_inputs_arrive_unwrapped(pack: PolicyPackProcess) -> None:
    secret = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": "pw"}
    db = captured(
        types.RDS_CLUSTER,
        "plaintext-password",
        {"masterPassword": secret, "manageMasterUserPassword": False},
    )
    pack.configure({"all": "disabled", "rds-managed-master-password": "mandatory"})
    details = [d.detail for d in pack.diagnostics([db])]
    assert details == [
        "masterPassword is passed in; use manageMasterUserPassword=true instead",
        "manageMasterUserPassword is false; set manageMasterUserPassword=true",
    ]


def test_analyze_stack_is_one_call() -> None:
    diagnostics = analyze_stack(violations()["no-world-ingress"], PROD, stack="prod")
    assert [(d.policy_name, d.enforcement_level, d.resource_name) for d in diagnostics] == [
        ("no-world-ingress", "mandatory", "open-ssh")
    ]


def test_a_pack_that_fails_to_start_is_reported_with_its_error(tmp_path: Path) -> None:
    (tmp_path / "__main__.py").write_text("raise SystemExit('broken pack')\n")
    with pytest.raises(PolicyPackError, match="broken pack"), PolicyPackProcess(tmp_path):
        pass
