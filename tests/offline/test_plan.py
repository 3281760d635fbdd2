"""The text plan: every input in full, secrets masked, unknowns one way, deterministic."""

from __future__ import annotations

import base64

from offline.plan import LONG_DOCUMENT_LINES, render_inputs, render_plan, render_value

from .small_stack import run_store

STORE_UPDATE = """\
  test:store:Store  store
    aws:kms/key:Key  store-key
        enableKeyRotation: true
        policy: (JSON document)
          {
            "Version": "2012-10-17",
            "Statement": [
              {
                "Sid": "S0",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "*"
              }
            ]
          }
    aws:s3/bucket:Bucket  store-bucket  [protected]
        bucket: trading-test-store
        tags:
          Retention: "30"
          Team: platform
    aws:secretsmanager/secret:Secret  store-secret
        kmsKeyId: arn:aws:kms:ap-northeast-2:123456789012:key/ea4a1be4-855c-f4d6-81fa-d0a02ee16dfa
    aws:secretsmanager/secretVersion:SecretVersion  store-secret-value
        secretId: arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:store-secret-db8b34
        secretString: (secret 4ddbb67b)
"""


def test_update_plan_shows_every_input_grouped_by_component() -> None:
    plan = render_plan(run_store())
    assert plan.startswith("Offline plan of stack 'test' (update mode")
    assert STORE_UPDATE in plan
    assert "     1  aws:s3/bucket:Bucket" in plan
    assert plan.endswith("Outputs:\n  bucketName: trading-test-store\n  token: (secret 5b9929d2)")
    assert "hunter2" not in plan
    assert "s3cr3t" not in plan


def test_preview_plan_spells_unknowns_one_way() -> None:
    plan = render_plan(run_store(preview=True))
    assert "        kmsKeyId: (known after apply)\n" in plan
    assert "        secretId: (known after apply)\n" in plan
    assert "04da6b54" not in plan  # the wire's unknown sentinel never leaks


def test_a_changed_setting_changes_the_text() -> None:
    assert render_plan(run_store(retention_days=7)) != render_plan(run_store())
    assert '          Retention: "7"\n' in render_plan(run_store(retention_days=7))


def test_plan_is_deterministic_across_runs() -> None:
    assert render_plan(run_store(with_queue_key=True)) == render_plan(
        run_store(with_queue_key=True)
    )


def test_long_documents_are_summarised_unless_full() -> None:
    run = run_store(long_policy=True)
    short = render_plan(run)
    assert "policy: (JSON document of " in short
    assert "lines: Statement, Version; sha256 " in short
    assert '"Sid": "S69"' not in short
    full = render_plan(run, full=True)
    assert '"Sid": "S69"' in full
    assert len(full.splitlines()) > len(short.splitlines()) + LONG_DOCUMENT_LINES


def test_values_render_as_yaml_like_blocks() -> None:
    value = {"b": [1, 2], "a": [{"x": "1", "y": True}], "s": "line one\nline two", "e": ""}
    lines = render_value(value, 1, full=False)
    assert lines == [
        "",
        "  b: [1, 2]",
        "  a:",
        '    - x: "1"',
        "      y: true",
        "  s: |",
        "    line one",
        "    line two",
        '  e: ""',
    ]


def test_base64_user_data_is_shown_decoded() -> None:
    script = base64.b64encode(b"#!/bin/bash\nset -eu\n\necho ready\n").decode()
    assert render_inputs({"userData": script, "name": "lt"}, 2, full=False) == [
        "    name: lt",
        "    userData: (base64, decoded)",
        "      #!/bin/bash",
        "      set -eu",
        "",
        "      echo ready",
    ]
