"""Observability: application logs, the dashboard, alarms, the alert topic and the cost budget.

Operators see latency, saturation and errors on one dashboard and are paged through one
KMS-encrypted SNS topic (alarms on ALARM and OK, Budgets at 80 % forecast and 100 % actual).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from .alarms import AlarmTargets, alarm_table, create_alarm
from .aws_context import AwsContext, account_administers_key, policy_json
from .blocks import child_options, customer_managed_key, encrypted_log_group
from .config import ObservabilityConfig
from .dashboard import DashboardTargets, dashboard_body
from .services import SERVICES, Service

# The EKS workloads that log to CloudWatch; the matching engine has its own log groups.


@dataclass(frozen=True)
class ObservabilityArgs:
    name_prefix: str
    stack: str  # the Stack cost-allocation tag the budget filters on
    config: ObservabilityConfig
    monthly_budget_usd: int
    context: AwsContext
    logs_kms_key_arn: pulumi.Input[str]
    alarms: AlarmTargets
    web_acl_name: pulumi.Input[str]
    alb_target_group_arn_suffixes: Mapping[Service, pulumi.Input[str]]  # exposed services
    cache_serverless: bool
    kafka_broker_count: int  # 0 for MSK Serverless
    kafka_topics: Mapping[str, pulumi.Input[str]]  # the topics' outputs, by config name
    engine_log_groups: Sequence[pulumi.Input[str]]  # MatchingEngineFleet's, referenced
    protect: bool


class Observability(pulumi.ComponentResource):
    dashboard_name: pulumi.Output[str]
    topic_arn: pulumi.Output[str]
    alert_key_arn: pulumi.Output[str]  # the topic's CMK: a publisher needs to use it
    budget_name: pulumi.Output[str]
    log_group_names: dict[Service, pulumi.Output[str]]
    log_group_arns: dict[Service, pulumi.Output[str]]  # for the log shipper's role

    def __init__(
        self, name: str, args: ObservabilityArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:observability:Observability", name, None, opts)
        prefix, config = args.name_prefix, args.config
        child = child_options(self)

        log_groups = {
            service: encrypted_log_group(
                f"{name}-{service}-logs",
                parent=self,
                name=spec.log_group_name(prefix),
                kms_key_arn=args.logs_kms_key_arn,
                retention_in_days=config.log_retention_days,
                protect=args.protect,
            )
            for service, spec in SERVICES.items()
        }

        key = customer_managed_key(
            f"{name}-alerts-key",
            parent=self,
            label=f"{prefix}-alerts",
            description=f"{prefix}: alert topic encryption",
            statements=_alert_key_statements(args.context),
            protect=args.protect,
            alias_resource_name=f"{name}-alerts-alias",
        )
        topic = aws.sns.Topic(
            f"{name}-alerts",
            name=f"{prefix}-alerts",
            kms_master_key_id=key.arn,
            tags={"Name": f"{prefix}-alerts"},
            opts=child,
        )
        aws.sns.TopicPolicy(
            f"{name}-alerts-policy",
            arn=topic.arn,
            policy=topic.arn.apply(lambda arn: _topic_policy(args.context, arn)),
            opts=child,
        )
        for index, email in enumerate(config.alert_emails):
            aws.sns.TopicSubscription(
                f"{name}-alerts-email-{index}",
                topic=topic.arn,
                protocol="email",
                endpoint=email,
                opts=child,
            )
        if config.pager_https_endpoint:
            aws.sns.TopicSubscription(
                f"{name}-alerts-pager",
                topic=topic.arn,
                protocol="https",
                endpoint=config.pager_https_endpoint,
                # Pager services confirm SNS subscriptions themselves; the provider waits for
                # that instead of leaving the subscription pending.
                endpoint_auto_confirms=True,
                opts=child,
            )

        for spec in alarm_table(args.alarms, config):
            create_alarm(
                spec,
                name=f"{name}-{spec.key}",
                name_prefix=prefix,
                topic_arn=topic.arn,
                opts=child,
            )

        targets = args.alarms
        body = pulumi.Output.all(
            alb=targets.alb_arn_suffix,
            target_groups=dict(args.alb_target_group_arn_suffixes),
            database=dict(targets.database),
            cache=[dict(dims) for dims in targets.cache],
            kafka=targets.kafka_cluster_name,
            nlb=targets.nlb_arn_suffix,
            engine={str(p): s for p, s in targets.engine_target_group_arn_suffixes.items()},
            acl=args.web_acl_name,
            topics=dict(args.kafka_topics),
            logs=[*(g.name for g in log_groups.values()), *args.engine_log_groups],
        ).apply(
            lambda v: dashboard_body(
                DashboardTargets(
                    region=args.context.region,
                    alb_arn_suffix=v["alb"],
                    target_group_arn_suffixes=v["target_groups"],
                    database=v["database"],
                    cache=v["cache"],
                    cache_serverless=args.cache_serverless,
                    kafka_cluster_name=v["kafka"],
                    kafka_broker_count=args.kafka_broker_count,
                    kafka_topics=list(v["topics"].values()),
                    consumer_groups={
                        group: [v["topics"][topic] for topic in topics]
                        for group, topics in targets.consumer_groups.items()
                    },
                    nlb_arn_suffix=v["nlb"],
                    engine_target_group_arn_suffixes=v["engine"],
                    web_acl_name=v["acl"],
                    log_groups=v["logs"],
                )
            )
        )
        dashboard = aws.cloudwatch.Dashboard(
            f"{name}-dashboard", dashboard_name=prefix, dashboard_body=body, opts=child
        )

        budget = aws.budgets.Budget(
            f"{name}-budget",
            name=f"{prefix}-monthly",
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=str(args.monthly_budget_usd),
            limit_unit="USD",
            # Only costs tagged Stack=<stack>; the provider's default tags put it on every
            # resource, but Budgets sees it only once Stack is activated as a cost-allocation
            # tag in the billing console (until then the budget reads zero).
            cost_filters=[
                aws.budgets.BudgetCostFilterArgs(
                    name="TagKeyValue", values=[f"user:Stack${args.stack}"]
                )
            ],
            # The topic fans out to the emails and the pager; subscribing the emails here as
            # well would send every budget alert twice.
            notifications=[
                aws.budgets.BudgetNotificationArgs(
                    comparison_operator="GREATER_THAN",
                    threshold=threshold,
                    threshold_type="PERCENTAGE",
                    notification_type=kind,
                    subscriber_sns_topic_arns=[topic.arn],
                )
                for threshold, kind in ((80, "FORECASTED"), (100, "ACTUAL"))
            ],
            tags={"Name": f"{prefix}-monthly"},
            opts=child,
        )

        self.dashboard_name = dashboard.dashboard_name
        self.topic_arn = topic.arn
        self.alert_key_arn = key.arn
        self.budget_name = budget.name
        self.log_group_names = {service: group.name for service, group in log_groups.items()}
        self.log_group_arns = {service: group.arn for service, group in log_groups.items()}
        self.register_outputs(
            {
                "dashboardName": self.dashboard_name,
                "topicArn": self.topic_arn,
                "budgetName": self.budget_name,
                "logGroupNames": self.log_group_names,
                "logGroupArns": self.log_group_arns,
            }
        )


def _alert_key_statements(ctx: AwsContext) -> list[dict[str, Any]]:
    """CloudWatch alarms and Budgets of this account may encrypt messages for the topic."""
    same_account = {"StringEquals": {"aws:SourceAccount": ctx.account_id}}
    return [
        account_administers_key(ctx),
        {
            "Sid": "AlarmsAndBudgetsPublish",
            "Effect": "Allow",
            "Principal": {"Service": [f"cloudwatch.{ctx.dns_suffix}", f"budgets.{ctx.dns_suffix}"]},
            "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
            "Resource": "*",
            "Condition": same_account,
        },
    ]


def _topic_policy(ctx: AwsContext, topic_arn: str) -> str:
    """Only this account's alarms and budgets may publish; the account manages the topic."""
    return policy_json(
        [
            {
                "Sid": "AccountManagesTopic",
                "Effect": "Allow",
                "Principal": {"AWS": ctx.root_principal},
                "Action": [
                    "sns:GetTopicAttributes",
                    "sns:SetTopicAttributes",
                    "sns:Subscribe",
                    "sns:ListSubscriptionsByTopic",
                    "sns:Publish",
                ],
                "Resource": topic_arn,
            },
            {
                "Sid": "CloudWatchAlarmsPublish",
                "Effect": "Allow",
                "Principal": {"Service": f"cloudwatch.{ctx.dns_suffix}"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ctx.account_id},
                    "ArnLike": {"aws:SourceArn": ctx.arn("cloudwatch", "alarm:*")},
                },
            },
            {
                "Sid": "BudgetsPublish",
                "Effect": "Allow",
                "Principal": {"Service": f"budgets.{ctx.dns_suffix}"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": ctx.account_id},
                    "ArnLike": {"aws:SourceArn": ctx.arn("budgets", "*", region=False)},
                },
            },
        ]
    )
