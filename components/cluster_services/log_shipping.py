"""Fluent Bit (the aws-for-fluent-bit chart): every container's log to CloudWatch Logs.

The three services' containers (namespace ``trading``, containers named after their Deployment,
``services.SERVICES``) go to their own log groups; every other pod (kube-system, the cluster
services, anything else) to the cluster's pod log group. The split is by file name, which the
kubelet writes as ``<pod>_<namespace>_<container>-<id>.log``: each service has its own tail
input, and the catch-all input excludes exactly those files, so no line is shipped twice.

The shipper may only create streams in, and put events to, those log groups: they exist (the
program creates them, encrypted with the logs CMK), so it needs no ``logs:CreateLogGroup``, and
encryption happens inside CloudWatch Logs with the key policy's grant to the logs service, so
the writer needs no KMS permission (CloudWatch Logs User Guide, "Encrypt log data in CloudWatch
Logs using AWS KMS": https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.aws_context import AwsContext
from components.blocks import ServiceAccount
from components.services import Service

CHART = "aws-for-fluent-bit"
REPOSITORY = "https://aws.github.io/eks-charts"
SERVICE_ACCOUNT = ServiceAccount("kube-system", "aws-for-fluent-bit")
SERVICE_NAMESPACE = "trading"  # components.workloads.NAMESPACE
CONTAINER_LOGS = "/var/log/containers"
WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams")


def service_log_files(service: Service) -> str:
    """The kubelet's log files of ``service``'s containers."""
    return f"{CONTAINER_LOGS}/*_{SERVICE_NAMESPACE}_{service}-*.log"


def statements(log_group_arns: list[str]) -> list[dict[str, Any]]:
    """Write to exactly these groups: the group ARN (DescribeLogStreams, CreateLogStream) and
    its streams (PutLogEvents on ``log-group:<name>:log-stream:<stream>``)."""
    return [
        {
            "Sid": "ShipToTheStacksLogGroups",
            "Effect": "Allow",
            "Action": list(WRITE_ACTIONS),
            "Resource": sorted({*log_group_arns, *(f"{arn}:*" for arn in log_group_arns)}),
        }
    ]


def _section(kind: str, *settings: tuple[str, str], gap: int = 1) -> str:
    """A Fluent Bit ``[kind]`` section, one ``key value`` setting a line, values aligned."""
    width = max(len(key) for key, _ in settings) + gap
    return "\n".join([f"[{kind}]", *(f"    {key.ljust(width)}{value}" for key, value in settings)])


def _tail(tag: str, path: str, db: str) -> str:
    return _section(
        "INPUT",
        ("Name", "tail"),
        ("Tag", tag),
        ("Path", path),
        ("DB", db),
        ("multiline.parser", "docker, cri"),
        ("Mem_Buf_Limit", "5MB"),
        ("Skip_Long_Lines", "On"),
        ("Refresh_Interval", "10"),
        gap=2,
    )


def _kubernetes(match: str, tag_prefix: str) -> str:
    return _section(
        "FILTER",
        ("Name", "kubernetes"),
        ("Match", match),
        ("Kube_Tag_Prefix", tag_prefix),
        ("Merge_Log", "On"),
        ("Keep_Log", "On"),
        ("K8S-Logging.Exclude", "On"),
    )


def _output(match: str, region: str, log_group: str) -> str:
    return _section(
        "OUTPUT",
        ("Name", "cloudwatch_logs"),
        ("Match", match),
        ("region", region),
        ("log_group_name", log_group),
        ("log_stream_template", "$kubernetes['pod_name'].$kubernetes['container_name']"),
        ("log_stream_prefix", "pod-"),
        # The groups are the program's (retention, CMK): never created here.
        ("auto_create_group", "false"),
    )


def helm_values(
    ctx: AwsContext, service_log_groups: Mapping[Service, str], cluster_log_group: str
) -> dict[str, Any]:
    """Chart values: the catch-all input and filter are the chart's own (``kube.*``); each
    service adds an input, a Kubernetes metadata filter and an output of its own."""
    services = sorted(service_log_groups)
    tag = {service: f"svc.{service}" for service in services}
    return {
        "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT.name},
        # A DaemonSet on every node, the tainted websocket group's included.
        "tolerations": [{"operator": "Exists"}],
        "input": {"extraInputs": "Exclude_Path " + ",".join(map(service_log_files, services))},
        "additionalInputs": "\n".join(
            _tail(f"{tag[s]}.*", service_log_files(s), f"/var/log/flb_{s}.db") for s in services
        ),
        "additionalFilters": "\n".join(
            _kubernetes(f"{tag[s]}.*", f"{tag[s]}.var.log.containers.") for s in services
        ),
        # The chart's own CloudWatch output would create groups of its own naming.
        "cloudWatchLogs": {"enabled": False},
        "additionalOutputs": "\n".join(
            [
                *(_output(f"{tag[s]}.*", ctx.region, service_log_groups[s]) for s in services),
                _output("kube.*", ctx.region, cluster_log_group),
            ]
        ),
    }
