"""RDS and Aurora rules."""

import pytest

from policies.rules import types
from policies.rules.database import (
    db_not_public,
    db_parameter_group_tls,
    postgres_force_ssl,
    rds_backup_retention,
    rds_deletion_protection,
    rds_iam_auth,
    rds_managed_master_password,
    rds_proxy_require_tls,
    rds_storage_encrypted,
)

from .helpers import DELETE, WIRE_UNKNOWN, changed, evaluate, messages, secret

INSTANCE = {
    "engine": "postgres",
    "instanceClass": "db.r6i.xlarge",
    "storageEncrypted": True,
    "kmsKeyId": WIRE_UNKNOWN,
    "publiclyAccessible": False,
    "deletionProtection": True,
    "backupRetentionPeriod": 35,
    "iamDatabaseAuthenticationEnabled": True,
    "manageMasterUserPassword": True,
    "username": "trading",
}
CLUSTER = {
    "engine": "aurora-postgresql",
    "storageEncrypted": True,
    "kmsKeyId": "arn:aws:kms:eu-west-1:111122223333:key/abc",
    "deletionProtection": True,
    "backupRetentionPeriod": 14,
    "iamDatabaseAuthenticationEnabled": True,
    "manageMasterUserPassword": True,
    "masterUsername": "trading",
}
REPLICA = {
    "replicateSourceDb": "trading-primary",
    "instanceClass": "db.r6i.large",
    "publiclyAccessible": False,
    "deletionProtection": True,
    "iamDatabaseAuthenticationEnabled": True,
}
PARAMETER_GROUP = {
    "family": "postgres16",
    "parameters": [
        {"name": "rds.force_ssl", "value": "1"},
        {"name": "log_min_duration_statement", "value": "500"},
    ],
}
RULES = [
    rds_storage_encrypted,
    db_not_public,
    rds_deletion_protection,
    rds_backup_retention,
    rds_iam_auth,
    rds_managed_master_password,
]
DATABASES = [(types.RDS_INSTANCE, INSTANCE), (types.RDS_CLUSTER, CLUSTER)]


@pytest.mark.parametrize(("type_", "inputs"), [*DATABASES, (types.RDS_INSTANCE, REPLICA)])
def test_compliance(type_: str, inputs: dict[str, object]) -> None:
    for rule in RULES:
        assert evaluate(rule, type_, inputs) == [], rule.info.name


class TestStorageEncrypted:
    @pytest.mark.parametrize(("type_", "inputs"), DATABASES)
    @pytest.mark.parametrize("value", [False, DELETE])
    def test_noncompliance_unencrypted(
        self, type_: str, inputs: dict[str, object], value: object
    ) -> None:
        findings = evaluate(
            rds_storage_encrypted, type_, changed(inputs, "storageEncrypted", value)
        )
        assert messages(findings)[0].startswith("storageEncrypted is")

    @pytest.mark.parametrize(("type_", "inputs"), DATABASES)
    def test_noncompliance_without_key(self, type_: str, inputs: dict[str, object]) -> None:
        findings = evaluate(rds_storage_encrypted, type_, changed(inputs, "kmsKeyId", DELETE))
        assert messages(findings) == [
            "kmsKeyId is not set; point kmsKeyId at a customer managed KMS key"
        ]

    def test_noncompliance_cross_region_replica_without_key(self) -> None:
        inputs = changed(
            REPLICA, "replicateSourceDb", "arn:aws:rds:eu-west-1:111122223333:db:primary"
        )
        assert len(evaluate(rds_storage_encrypted, types.RDS_INSTANCE, inputs)) == 1

    def test_replica_of_an_unknown_source_without_key_cannot_be_verified(self) -> None:
        # Preview: the source may be in another region, where the replica needs its own key.
        inputs = changed(REPLICA, "replicateSourceDb", WIRE_UNKNOWN)
        assert messages(evaluate(rds_storage_encrypted, types.RDS_INSTANCE, inputs)) == [
            "cannot verify replicateSourceDb (a cross-region replica needs its own kmsKeyId): "
            "unknown during preview"
        ]
        with_key = changed(inputs, "kmsKeyId", WIRE_UNKNOWN)
        assert evaluate(rds_storage_encrypted, types.RDS_INSTANCE, with_key) == []

    def test_noncompliance_replica_turning_encryption_off(self) -> None:
        inputs = changed(REPLICA, "storageEncrypted", False)
        assert len(evaluate(rds_storage_encrypted, types.RDS_INSTANCE, inputs)) == 1

    def test_unknown(self) -> None:
        inputs = changed(INSTANCE, "storageEncrypted", WIRE_UNKNOWN)
        assert messages(evaluate(rds_storage_encrypted, types.RDS_INSTANCE, inputs)) == [
            "cannot verify storageEncrypted: unknown during preview"
        ]


class TestProxyRequireTls:
    def test_compliance(self) -> None:
        assert evaluate(rds_proxy_require_tls, types.RDS_PROXY, {"requireTls": True}) == []

    @pytest.mark.parametrize("inputs", [{"requireTls": False}, {}])
    def test_noncompliance(self, inputs: dict[str, object]) -> None:
        assert len(evaluate(rds_proxy_require_tls, types.RDS_PROXY, inputs)) == 1

    def test_unknown(self) -> None:
        assert evaluate(rds_proxy_require_tls, types.RDS_PROXY, {"requireTls": WIRE_UNKNOWN})[
            0
        ].unverifiable


class TestForceSsl:
    @pytest.mark.parametrize(
        "type_", [types.RDS_PARAMETER_GROUP, types.RDS_CLUSTER_PARAMETER_GROUP]
    )
    def test_compliance(self, type_: str) -> None:
        assert evaluate(postgres_force_ssl, type_, PARAMETER_GROUP) == []

    def test_compliance_not_postgres(self) -> None:
        inputs = changed(PARAMETER_GROUP, "family", "redis7")
        assert (
            evaluate(
                postgres_force_ssl, types.RDS_PARAMETER_GROUP, changed(inputs, "parameters", [])
            )
            == []
        )

    @pytest.mark.parametrize(
        "type_", [types.RDS_PARAMETER_GROUP, types.RDS_CLUSTER_PARAMETER_GROUP]
    )
    def test_noncompliance_off(self, type_: str) -> None:
        inputs = changed(
            changed(PARAMETER_GROUP, "family", "aurora-postgresql16"), "parameters.0.value", "0"
        )
        assert messages(evaluate(postgres_force_ssl, type_, inputs)) == [
            'rds.force_ssl is "0"; set it to 1'
        ]

    def test_noncompliance_missing(self) -> None:
        inputs = changed(PARAMETER_GROUP, "parameters", [])
        assert messages(evaluate(postgres_force_ssl, types.RDS_PARAMETER_GROUP, inputs)) == [
            "rds.force_ssl is not set; add the parameter with value 1"
        ]

    @pytest.mark.parametrize(
        ("path", "what"),
        [
            ("family", "family"),
            ("parameters", "parameters"),
            ("parameters.0.value", "rds.force_ssl"),
        ],
    )
    def test_unknown(self, path: str, what: str) -> None:
        inputs = changed(PARAMETER_GROUP, path, WIRE_UNKNOWN)
        assert messages(evaluate(postgres_force_ssl, types.RDS_PARAMETER_GROUP, inputs)) == [
            f"cannot verify {what}: unknown during preview"
        ]


class TestNotPublic:
    @pytest.mark.parametrize("type_", [types.RDS_INSTANCE, types.RDS_CLUSTER_INSTANCE])
    def test_noncompliance(self, type_: str) -> None:
        assert len(evaluate(db_not_public, type_, {"publiclyAccessible": True})) == 1

    def test_unknown(self) -> None:
        assert evaluate(
            db_not_public, types.RDS_CLUSTER_INSTANCE, {"publiclyAccessible": WIRE_UNKNOWN}
        )[0].unverifiable


class TestDeletionProtection:
    @pytest.mark.parametrize(("type_", "inputs"), DATABASES)
    def test_noncompliance(self, type_: str, inputs: dict[str, object]) -> None:
        assert (
            len(
                evaluate(
                    rds_deletion_protection, type_, changed(inputs, "deletionProtection", DELETE)
                )
            )
            == 1
        )

    def test_unknown(self) -> None:
        inputs = changed(CLUSTER, "deletionProtection", WIRE_UNKNOWN)
        assert evaluate(rds_deletion_protection, types.RDS_CLUSTER, inputs)[0].unverifiable


class TestBackupRetention:
    @pytest.mark.parametrize(("type_", "inputs"), DATABASES)
    @pytest.mark.parametrize("days", [0, DELETE])
    def test_noncompliance(self, type_: str, inputs: dict[str, object], days: object) -> None:
        findings = evaluate(
            rds_backup_retention, type_, changed(inputs, "backupRetentionPeriod", days)
        )
        assert messages(findings)[0].endswith("keep at least 7 days")

    def test_noncompliance_below_configured_minimum(self) -> None:
        findings = evaluate(
            rds_backup_retention, types.RDS_CLUSTER, CLUSTER, {"minimumRetentionDays": 35}
        )
        assert messages(findings) == ["backupRetentionPeriod is 14; keep at least 35 days"]

    def test_unknown(self) -> None:
        inputs = changed(INSTANCE, "backupRetentionPeriod", WIRE_UNKNOWN)
        assert evaluate(rds_backup_retention, types.RDS_INSTANCE, inputs)[0].unverifiable


class TestIamAuth:
    @pytest.mark.parametrize(("type_", "inputs"), DATABASES)
    def test_noncompliance(self, type_: str, inputs: dict[str, object]) -> None:
        inputs = changed(inputs, "iamDatabaseAuthenticationEnabled", False)
        assert len(evaluate(rds_iam_auth, type_, inputs)) == 1

    def test_unknown(self) -> None:
        inputs = changed(INSTANCE, "iamDatabaseAuthenticationEnabled", WIRE_UNKNOWN)
        assert evaluate(rds_iam_auth, types.RDS_INSTANCE, inputs)[0].unverifiable


class TestManagedMasterPassword:
    @pytest.mark.parametrize(
        ("type_", "inputs", "field"),
        [
            (types.RDS_INSTANCE, INSTANCE, "password"),
            (types.RDS_CLUSTER, CLUSTER, "masterPassword"),
        ],
    )
    def test_noncompliance_password_input(
        self, type_: str, inputs: dict[str, object], field: str
    ) -> None:
        inputs = changed(
            changed(inputs, field, secret("hunter2")), "manageMasterUserPassword", DELETE
        )
        assert messages(evaluate(rds_managed_master_password, type_, inputs)) == [
            f"{field} is passed in; use manageMasterUserPassword=true instead",
            "manageMasterUserPassword is not set; set manageMasterUserPassword=true",
        ]

    def test_noncompliance_unknown_password_is_still_a_password(self) -> None:
        inputs = changed(INSTANCE, "password", WIRE_UNKNOWN)
        assert len(evaluate(rds_managed_master_password, types.RDS_INSTANCE, inputs)) == 1

    def test_unknown(self) -> None:
        inputs = changed(CLUSTER, "manageMasterUserPassword", WIRE_UNKNOWN)
        assert evaluate(rds_managed_master_password, types.RDS_CLUSTER, inputs)[0].unverifiable


DOCDB = {
    "engine": "docdb",
    "storageEncrypted": True,
    "kmsKeyId": WIRE_UNKNOWN,
    "deletionProtection": True,
    "backupRetentionPeriod": 35,
    "manageMasterUserPassword": True,
}
NEPTUNE = {
    "storageEncrypted": True,
    "kmsKeyArn": WIRE_UNKNOWN,
    "deletionProtection": True,
    "backupRetentionPeriod": 35,
    "iamDatabaseAuthenticationEnabled": True,
}


class TestDocumentDbAndNeptune:
    def test_compliance(self) -> None:
        for rule in (
            rds_storage_encrypted,
            rds_deletion_protection,
            rds_backup_retention,
            rds_managed_master_password,
        ):
            assert evaluate(rule, types.DOCDB_CLUSTER, DOCDB) == [], rule.info.name
        for rule in (
            rds_storage_encrypted,
            rds_deletion_protection,
            rds_backup_retention,
            rds_iam_auth,
        ):
            assert evaluate(rule, types.NEPTUNE_CLUSTER, NEPTUNE) == [], rule.info.name

    def test_neptune_key_is_kms_key_arn(self) -> None:
        inputs = changed(NEPTUNE, "kmsKeyArn", DELETE)
        assert messages(evaluate(rds_storage_encrypted, types.NEPTUNE_CLUSTER, inputs)) == [
            "kmsKeyArn is not set; point kmsKeyId at a customer managed KMS key"
        ]

    def test_neptune_instance_public(self) -> None:
        inputs = {"publiclyAccessible": True}
        assert len(evaluate(db_not_public, types.NEPTUNE_CLUSTER_INSTANCE, inputs)) == 1


def group(family: str, *parameters: tuple[str, object]) -> dict[str, object]:
    return {"family": family, "parameters": [{"name": n, "value": v} for n, v in parameters]}


class TestParameterGroupTls:
    @pytest.mark.parametrize(
        ("type_", "inputs"),
        [
            (types.RDS_PARAMETER_GROUP, group("mysql8.0", ("require_secure_transport", "1"))),
            (
                types.RDS_CLUSTER_PARAMETER_GROUP,
                group("aurora-mysql8.0", ("require_secure_transport", "ON")),
            ),
            (types.RDS_PARAMETER_GROUP, group("sqlserver-se-16.0", ("rds.force_ssl", "1"))),
            (types.DOCDB_CLUSTER_PARAMETER_GROUP, group("docdb5.0")),
            (types.DOCDB_CLUSTER_PARAMETER_GROUP, group("docdb5.0", ("tls", "tls1.2+"))),
            (types.RDS_PARAMETER_GROUP, group("postgres16")),
            (types.RDS_INSTANCE, {"engine": "mysql", "parameterGroupName": "ledger-mysql8"}),
            (types.RDS_INSTANCE, {"engine": "postgres"}),
        ],
    )
    def test_compliance(self, type_: str, inputs: dict[str, object]) -> None:
        assert evaluate(db_parameter_group_tls, type_, inputs) == []

    @pytest.mark.parametrize(
        ("type_", "inputs"),
        [
            (types.RDS_PARAMETER_GROUP, group("mysql8.0")),
            (types.RDS_PARAMETER_GROUP, group("mariadb10.11", ("require_secure_transport", "OFF"))),
            (types.RDS_PARAMETER_GROUP, group("sqlserver-ee-15.0", ("rds.force_ssl", "0"))),
            (types.DOCDB_CLUSTER_PARAMETER_GROUP, group("docdb5.0", ("tls", "disabled"))),
            (types.RDS_INSTANCE, {"engine": "mysql"}),
            (
                types.RDS_INSTANCE,
                {"engine": "mariadb", "parameterGroupName": "default.mariadb10.11"},
            ),
            (types.RDS_CLUSTER, {"engine": "aurora-mysql"}),
        ],
    )
    def test_noncompliance(self, type_: str, inputs: dict[str, object]) -> None:
        assert len(evaluate(db_parameter_group_tls, type_, inputs)) == 1

    def test_unknown(self) -> None:
        unknown_value = group("mysql8.0", ("require_secure_transport", WIRE_UNKNOWN))
        assert evaluate(db_parameter_group_tls, types.RDS_PARAMETER_GROUP, unknown_value)[
            0
        ].unverifiable
        unknown_group = {"engine": "mysql", "parameterGroupName": WIRE_UNKNOWN}
        assert evaluate(db_parameter_group_tls, types.RDS_INSTANCE, unknown_group)[0].unverifiable


class TestPostgresDefaultGroup:
    @pytest.mark.parametrize(
        ("inputs", "found"),
        [
            ({"engine": "postgres", "engineVersion": "14.12"}, 1),
            (
                {
                    "engine": "postgres",
                    "engineVersion": "14.12",
                    "parameterGroupName": "default.postgres14",
                },
                1,
            ),
            ({"engine": "postgres", "engineVersion": "16.4"}, 0),
            ({"engine": "postgres"}, 0),
            (
                {
                    "engine": "postgres",
                    "engineVersion": "14.12",
                    "parameterGroupName": "trading-pg14",
                },
                0,
            ),
        ],
    )
    def test_instance_on_default_group(self, inputs: dict[str, object], found: int) -> None:
        assert len(evaluate(postgres_force_ssl, types.RDS_INSTANCE, inputs)) == found
