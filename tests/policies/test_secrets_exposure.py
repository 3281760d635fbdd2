"""Secrets in user data, environment variables and plain configuration."""

import base64
import json

import pytest

from policies.rules import service_types as st
from policies.rules import types
from policies.rules.secrets_exposure import (
    no_plaintext_secret_config,
    no_secrets_in_environment,
    no_secrets_in_user_data,
)

from .helpers import WIRE_UNKNOWN, evaluate, messages, secret

SSM = "aws:ssm/parameter:Parameter"
HELM = "kubernetes:helm.sh/v3:Release"


def encoded(script: str) -> str:
    return base64.b64encode(script.encode()).decode()


CLEAN = "#!/bin/bash\n# PASSWORD=documented-in-a-comment\nKAFKA_BOOTSTRAP=b-1:9098\nexport DB_SECRET_ARN=arn:aws:x\n"


class TestUserData:
    def test_clean_script_passes(self) -> None:
        inputs = {"userData": encoded(CLEAN)}
        assert evaluate(no_secrets_in_user_data, types.LAUNCH_TEMPLATE, inputs) == []

    @pytest.mark.parametrize(
        "line",
        [
            "DB_PASSWORD=hunter22x",
            'export API_KEY="sk_live_123456"',
            "mysql --password prodpass99",
            "redis_auth_token: 'abcdef123'",
        ],
    )
    def test_literal_secrets(self, line: str) -> None:
        inputs = {"userData": encoded(CLEAN + line + "\n")}
        assert len(evaluate(no_secrets_in_user_data, types.LAUNCH_TEMPLATE, inputs)) == 1

    def test_variable_references_pass(self) -> None:
        script = 'DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id db)"\n'
        assert evaluate(no_secrets_in_user_data, types.INSTANCE, {"userData": script}) == []

    def test_key_material_on_instances(self) -> None:
        inputs = {"userData": "aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE\n"}
        assert messages(evaluate(no_secrets_in_user_data, types.INSTANCE, inputs))[-1].endswith(
            "use the instance role instead"
        )
        encoded_instance = {"userDataBase64": encoded("-----BEGIN PRIVATE KEY-----\n")}
        assert len(evaluate(no_secrets_in_user_data, types.INSTANCE, encoded_instance)) == 1

    def test_unknown_and_not_base64(self) -> None:
        assert (
            evaluate(no_secrets_in_user_data, types.LAUNCH_TEMPLATE, {"userData": WIRE_UNKNOWN})
            == []
        )
        raw = {"userData": "not base64 TOKEN=abcdefgh"}
        assert len(evaluate(no_secrets_in_user_data, types.LAUNCH_TEMPLATE, raw)) == 1


def deployment(*env: dict[str, object]) -> dict[str, object]:
    return {"spec": {"template": {"spec": {"containers": [{"name": "api", "env": list(env)}]}}}}


DEPLOYMENT = "kubernetes:apps/v1:Deployment"


class TestEnvironment:
    @pytest.mark.parametrize(
        ("variable", "count"),
        [
            ({"name": "LOG_LEVEL", "value": "info"}, 0),
            (
                {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}},
                0,
            ),
            ({"name": "DB_SECRET_ARN", "value": "arn:aws:secretsmanager:x"}, 0),
            ({"name": "DB_PASSWORD", "value": "hunter2"}, 1),
            ({"name": "api_token", "value": secret("t0k3n")}, 1),
            ({"name": "JWT_SECRET", "value": WIRE_UNKNOWN}, 1),
            ({"name": "UPLOADER", "value": "AKIAIOSFODNN7EXAMPLE"}, 1),
        ],
    )
    def test_kubernetes(self, variable: dict[str, object], count: int) -> None:
        assert len(evaluate(no_secrets_in_environment, DEPLOYMENT, deployment(variable))) == count

    def test_cron_job_and_unknown_env(self) -> None:
        pod = {"containers": [{"name": "job", "env": [{"name": "TOKEN", "value": "abc"}]}]}
        cron = {"spec": {"jobTemplate": {"spec": {"template": {"spec": pod}}}}}
        assert len(evaluate(no_secrets_in_environment, "kubernetes:batch/v1:CronJob", cron)) == 1
        unknown = {
            "spec": {"template": {"spec": {"containers": [{"name": "a", "env": WIRE_UNKNOWN}]}}}
        }
        assert evaluate(no_secrets_in_environment, DEPLOYMENT, unknown)[0].unverifiable

    def test_lambda_and_ecs(self) -> None:
        function = {"environment": {"variables": {"STRIPE_API_KEY": "sk_live", "STAGE": "prod"}}}
        assert len(evaluate(no_secrets_in_environment, st.LAMBDA_FUNCTION, function)) == 1
        task = {
            "containerDefinitions": json.dumps(
                [{"name": "a", "environment": [{"name": "PASSWORD", "value": "x"}]}]
            )
        }
        assert len(evaluate(no_secrets_in_environment, st.ECS_TASK_DEFINITION, task)) == 1
        broken = {"containerDefinitions": "[{"}
        assert messages(evaluate(no_secrets_in_environment, st.ECS_TASK_DEFINITION, broken)) == [
            "containerDefinitions is not valid JSON"
        ]


class TestPlaintextConfig:
    @pytest.mark.parametrize(
        ("inputs", "count"),
        [
            ({"name": "/app/db/password", "type": "SecureString", "value": "x"}, 0),
            ({"name": "/app/db/password", "type": "String", "value": "x"}, 1),
            ({"name": "/app/uploader", "type": "String", "value": "AKIAIOSFODNN7EXAMPLE"}, 1),
            ({"name": "/app/flags", "type": "StringList", "value": "a,b"}, 0),
        ],
    )
    def test_ssm_parameters(self, inputs: dict[str, str], count: int) -> None:
        assert len(evaluate(no_plaintext_secret_config, SSM, inputs)) == count

    def test_config_maps_and_helm_values(self) -> None:
        data = {"data": {"LOG_LEVEL": "debug", "DB_PASSWORD": "pw", "TOKEN_URL": "https://x"}}
        assert len(evaluate(no_plaintext_secret_config, "kubernetes:core/v1:ConfigMap", data)) == 1
        values = {
            "values": {
                # existingSecret names a Secret: a reference, not a literal secret.
                "auth": {"password": "pw", "existingSecret": "db-auth"},
                "replicas": [{"apiToken": "t"}],
            }
        }
        [first, second] = messages(evaluate(no_plaintext_secret_config, HELM, values))
        assert first.startswith("values.auth.password is a literal")
        assert second.startswith("values.replicas[0].apiToken")

    @pytest.mark.parametrize(
        ("key", "value", "count"),
        [
            ("existingSecret", "grafana-admin", 0),
            ("existingSecretPasswordKey", "admin-password", 0),
            # The exemption is for names of Secrets, not for anything under an `existing` key.
            ("existingPassword", "S3cr3t!Pass#2024", 1),
            ("existingSecret", "Hunter2 with spaces", 1),
            ("existingSecretToken", "ghp_" + "a" * 36, 1),
        ],
    )
    def test_an_existing_secret_key_must_name_a_secret(
        self, key: str, value: str, count: int
    ) -> None:
        values = {"values": {"admin": {key: value}}}
        assert len(evaluate(no_plaintext_secret_config, HELM, values)) == count

    def test_an_existing_prefix_exempts_no_environment_variable(self) -> None:
        function = {"environment": {"variables": {"EXISTING_PASSWORD": "grafana-admin"}}}
        assert len(evaluate(no_secrets_in_environment, st.LAMBDA_FUNCTION, function)) == 1

    def test_unknowns(self) -> None:
        assert evaluate(no_plaintext_secret_config, HELM, {"values": WIRE_UNKNOWN})[0].unverifiable
        assert evaluate(no_plaintext_secret_config, SSM, {"type": WIRE_UNKNOWN})[0].unverifiable
