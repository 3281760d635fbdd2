"""EdgeProtection: every request from the internet enters through CloudFront with WAF.

Viewers reach ``domain`` and ``www.domain`` (Route 53 aliases to CloudFront). CloudFront serves
the static front end from a private bucket through origin access control, and sends ``/api/*``,
``/ws/*`` and ``/socket.io/*`` uncached to the ALB over TLS as ``origin.<domain>``, adding a
secret header. The ALB accepts 443 only from CloudFront's origin-facing prefix list (the ALB
security group from the reachability table), and forwards only requests carrying the secret;
anything else gets a fixed 403. So the ALB is unreachable except through CloudFront and its WAF.

There is no port 80 listener: the ALB security group never opens 80, CloudFront talks to the
origin over HTTPS only, and viewers are redirected to HTTPS by CloudFront, so a redirect
listener on the ALB could never receive a request.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random
from pulumi_aws.cloudfront import (
    ResponseHeadersPolicySecurityHeadersConfigArgs as SecurityHeadersArgs,
)
from pulumi_aws.cloudfront import (
    ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs as ContentTypeOptionsArgs,
)
from pulumi_aws.cloudfront import (
    ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs as FrameOptionsArgs,
)
from pulumi_aws.cloudfront import (
    ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs as ReferrerPolicyArgs,
)
from pulumi_aws.cloudfront import (
    ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs as HstsArgs,
)
from pulumi_aws.cloudfront import (
    ResponseHeadersPolicySecurityHeadersConfigXssProtectionArgs as XssProtectionArgs,
)
from pulumi_aws.cloudwatch import (
    LogDeliveryDestinationDeliveryDestinationConfigurationArgs as DeliveryDestinationArgs,
)

from .aws_context import AwsContext, account_administers_key
from .blocks import (
    Expiration,
    NamePrefix,
    PrivateBucket,
    child_options,
    customer_managed_key,
    encrypted_log_group,
    stored_secret,
)
from .config import EdgeConfig
from .logs_key import LogsEncryptionKey, LogsEncryptionKeyArgs
from .prerequisites import hosted_zone_id
from .reachability import HTTPS
from .regions import elb_log_delivery_statements
from .services import EXPOSED, Service, ServiceSpec, TargetGroupSpec
from .waf import US_EAST_1, EdgeFirewall, EdgeFirewallArgs

ORIGIN_SECRET_HEADER = "X-Origin-Verify"
ALB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
# AWS managed CloudFront policies, looked up by name.
CACHING_DISABLED = "Managed-CachingDisabled"
CACHING_OPTIMIZED = "Managed-CachingOptimized"
ALL_VIEWER_EXCEPT_HOST = "Managed-AllViewerExceptHostHeader"
ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
# Seed 000's ALB table: /health every 15 s, 2 to pass, 3 to fail, 120 s deregistration.
HEALTH_CHECK_PATH = "/health"
# Two years, hstspreload.org's recommendation (preload needs at least one year).
HSTS_MAX_AGE_SECONDS = 63_072_000
# Overwritten or deleted front-end files stay restorable this long.
STATIC_NONCURRENT_VERSION_DAYS = 30
S3_ACCESS_LOG_PREFIX = "s3-access"


@dataclass(frozen=True)
class LoggedBucket:
    """A bucket of the stack, in the edge's region, whose S3 server access logs the edge keeps."""

    label: str  # the log prefix: s3-access/<label>/
    name: pulumi.Input[str]
    arn: pulumi.Input[str]


@dataclass(frozen=True)
class EdgeProtectionArgs:
    name_prefix: str
    edge: EdgeConfig
    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    alb_security_group_id: pulumi.Input[str]  # the reachability table's ALB role
    context: AwsContext
    protect: bool
    access_logged_buckets: Sequence[LoggedBucket] = ()


@dataclass(frozen=True)
class OriginSecret:
    """The origin header's values: the one CloudFront sends, and those the ALB accepts."""

    sent: pulumi.Output[str]
    accepted: list[pulumi.Output[str]]  # the sent value first, then the previous generation's


def origin_secret_generations(generation: int) -> tuple[int, int]:
    """(the generation CloudFront sends, the previous one the ALB still accepts)."""
    if generation < 1:
        raise ValueError(f"origin secret generations start at 1, got {generation}")
    return generation, generation - 1


def origin_password_name(component: str, generation: int) -> str:
    """Generation 0 is the single value's name from before rotation: it stays the same value."""
    base = f"{component}-origin-secret"
    return base if generation == 0 else f"{base}-{generation}"


class EdgeProtection(pulumi.ComponentResource):
    site_url: pulumi.Output[str]
    distribution_id: pulumi.Output[str]
    distribution_domain_name: pulumi.Output[str]
    alb_arn: pulumi.Output[str]
    alb_dns_name: pulumi.Output[str]
    alb_arn_suffix: pulumi.Output[str]  # CloudWatch's LoadBalancer dimension
    target_group_arn_suffixes: dict[Service, pulumi.Output[str]]  # CloudWatch's TargetGroup
    target_group_arns: dict[Service, pulumi.Output[str]]  # one per exposed service
    web_acl_arn: pulumi.Output[str]
    web_acl_name: pulumi.Output[str]  # CloudWatch's WebACL dimension
    origin_secret_arn: pulumi.Output[str]
    static_bucket_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: EdgeProtectionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("trading:edge:EdgeProtection", name, None, opts)
        self._name = name
        self._args = args
        edge, prefix = args.edge, args.name_prefix
        domain = edge.domain_name
        origin_domain = f"origin.{domain}"
        invoke = pulumi.InvokeOptions(parent=self)

        # Looked up at preview: a missing zone, or one that does not contain the domain, is a
        # config error naming the key rather than a failed certificate validation later.
        zone_id = hosted_zone_id(edge.hosted_zone_id, edge.hosted_zone_name, domain, invoke)
        self._zone_id = zone_id

        # The ALB's certificate names only the origin host CloudFront connects to; viewers
        # see the us-east-1 certificate on CloudFront. No name is in both, so the two never
        # race for the same validation record.
        alb_cert = self._certificate("alb-cert", [origin_domain], None)
        cdn_cert = self._certificate("cdn-cert", [domain, f"www.{domain}"], US_EAST_1)

        origin_secret, secret_arn = self._origin_secret()
        # CloudWatch Logs needs a key in the log group's region: WAF and CloudFront log to
        # us-east-1, so they get their own key there.
        logs_key = LogsEncryptionKey(
            f"{name}-logs-us-east-1",
            LogsEncryptionKeyArgs(
                name_prefix=f"{prefix}-edge",
                context=args.context,
                protect=args.protect,
                region=US_EAST_1,
            ),
            opts=child_options(self),
        )
        firewall = EdgeFirewall(
            f"{name}-waf",
            EdgeFirewallArgs(
                name_prefix=prefix,
                waf=edge.waf,
                log_retention_days=edge.log_retention_days,
                logs_kms_key_arn=logs_key.key_arn,
                protect=args.protect,
            ),
            opts=child_options(self),
        )
        logs = self._private_bucket(
            "alb-logs", Expiration("expire-access-logs", edge.access_log_expiration_days)
        )
        # The static bucket's key grants the distribution, which reads the bucket: the key ARN
        # is deferred so the key can follow the distribution without a cycle.
        static_key_arn: pulumi.Output[str]
        static_key_arn, resolve_static_key = pulumi.deferred_output()
        static = self._private_bucket(
            "static",
            kms_key_arn=static_key_arn,
            noncurrent_version_days=STATIC_NONCURRENT_VERSION_DAYS,
        )
        logged = [
            LoggedBucket("static", static.bucket.bucket, static.arn),
            *args.access_logged_buckets,
        ]
        log_policy = self._log_bucket_policy(logs, logged)
        alb, target_groups, rules = self._load_balancer(alb_cert, origin_secret, logs, log_policy)
        self._alias("origin", origin_domain, "A", alb.dns_name, alb.zone_id, evaluate=True)

        distribution = self._distribution(
            origin_domain, static, cdn_cert, firewall.web_acl_arn, origin_secret.sent, rules
        )
        resolve_static_key(self._static_key(distribution).arn)
        self._static_bucket_policy(static, distribution)
        self._server_access_logs(logs, logged, log_policy)
        self._access_logs(distribution, logs_key.key_arn)
        for label, host in {"apex": domain, "www": f"www.{domain}"}.items():
            for record_type in ("A", "AAAA"):
                self._alias(
                    f"{label}-{record_type.lower()}",
                    host,
                    record_type,
                    distribution.domain_name,
                    distribution.hosted_zone_id,
                    evaluate=False,
                )
        aws.route53.HealthCheck(
            f"{name}-site-health",
            type="HTTPS",
            fqdn=domain,
            port=HTTPS,
            resource_path=edge.health_check_path,
            enable_sni=True,
            request_interval=30,
            failure_threshold=3,
            tags={"Name": f"{prefix}-site"},
            opts=child_options(self),
        )

        self.site_url = pulumi.Output.from_input(f"https://{domain}")
        self.distribution_id = distribution.id
        self.distribution_domain_name = distribution.domain_name
        self.alb_arn = alb.arn
        self.alb_dns_name = alb.dns_name
        self.alb_arn_suffix = alb.arn_suffix
        self.target_group_arn_suffixes = {role: tg.arn_suffix for role, tg in target_groups.items()}
        self.target_group_arns = {role: tg.arn for role, tg in target_groups.items()}
        self.web_acl_arn = firewall.web_acl_arn
        self.web_acl_name = firewall.web_acl_name
        self.origin_secret_arn = secret_arn
        self.static_bucket_name = static.bucket.bucket
        self.register_outputs(
            {
                "siteUrl": self.site_url,
                "distributionId": self.distribution_id,
                "distributionDomainName": self.distribution_domain_name,
                "albArn": self.alb_arn,
                "albDnsName": self.alb_dns_name,
                "albArnSuffix": self.alb_arn_suffix,
                "targetGroupArnSuffixes": self.target_group_arn_suffixes,
                "targetGroupArns": self.target_group_arns,
                "webAclArn": self.web_acl_arn,
                "webAclName": self.web_acl_name,
                "originSecretArn": self.origin_secret_arn,
                "staticBucketName": self.static_bucket_name,
            }
        )

    def _certificate(
        self, suffix: str, names: list[str], region: str | None
    ) -> aws.acm.CertificateValidation:
        """A DNS-validated certificate; one validation record per name (a fixed count)."""
        name = f"{self._name}-{suffix}"
        cert = aws.acm.Certificate(
            name,
            domain_name=names[0],
            subject_alternative_names=names[1:],
            validation_method="DNS",
            key_algorithm="EC_prime256v1",
            region=region,
            tags={"Name": f"{self._args.name_prefix}-{suffix}"},
            opts=child_options(self),
        )
        options = cert.domain_validation_options
        records = [
            aws.route53.Record(
                f"{name}-validation-{index}",
                zone_id=self._zone_id,
                name=options.apply(lambda o, i=index: o[i].resource_record_name or ""),
                type=options.apply(lambda o, i=index: o[i].resource_record_type or "CNAME"),
                records=[options.apply(lambda o, i=index: o[i].resource_record_value or "")],
                ttl=300,
                opts=child_options(self),
            )
            for index in range(len(names))
        ]
        return aws.acm.CertificateValidation(
            f"{name}-validated",
            certificate_arn=cert.arn,
            validation_record_fqdns=[record.fqdn for record in records],
            region=region,
            opts=child_options(self),
        )

    def _origin_secret(self) -> tuple[OriginSecret, pulumi.Output[str]]:
        """The header values only CloudFront knows, and the ARN of the secret that keeps the one
        it sends.

        Each generation is its own RandomPassword. ``edge.originSecretGeneration`` N: CloudFront
        sends N's value, the ALB rules accept N's and N-1's. Raising N by one is one ``up`` with
        no downtime: the rules (which the distribution depends on) first accept N+1 next to N,
        then CloudFront switches to N+1 while N is still accepted, and N-1's password is deleted
        last. Generation 0 keeps the name of the value from before generations, so that value
        stays accepted during the first switch.
        """
        prefix, ctx = self._args.name_prefix, self._args.context
        sent_generation, previous_generation = origin_secret_generations(
            self._args.edge.origin_secret_generation
        )
        sent, previous = (
            random.RandomPassword(
                origin_password_name(self._name, generation),
                length=48,
                special=False,
                opts=child_options(self),
            )
            for generation in (sent_generation, previous_generation)
        )
        key = customer_managed_key(
            f"{self._name}-secrets-key",
            parent=self,
            label=f"{prefix}-edge-secrets",
            description=f"{prefix}: edge secrets",
            # Secrets Manager uses the key on a caller's behalf; IAM decides who that may be.
            statements=[account_administers_key(ctx)],
            protect=self._args.protect,
        )
        secret = stored_secret(
            f"{self._name}-origin-secret",
            parent=self,
            kms_key_arn=key.arn,
            description=f"Value of the {ORIGIN_SECRET_HEADER} header CloudFront adds for the ALB",
            value=sent.result,
            name_prefix=f"{prefix}/edge/origin-verify-",
        )
        values = OriginSecret(
            sent=pulumi.Output.secret(sent.result),
            accepted=[pulumi.Output.secret(p.result) for p in (sent, previous)],
        )
        return values, secret.arn

    def _private_bucket(
        self,
        suffix: str,
        expiration: Expiration | None = None,
        *,
        kms_key_arn: pulumi.Input[str] | None = None,
        noncurrent_version_days: int | None = None,
    ) -> PrivateBucket:
        """A bucket nobody outside the account can reach; its grants come once the resources
        they name exist. Without a key, SSE-S3: ALB access logs and S3 server access logs can
        only be written to SSE-S3 buckets."""
        prefix = self._args.name_prefix
        return PrivateBucket(
            f"{self._name}-{suffix}",
            parent=self,
            naming=NamePrefix(f"{prefix}-{suffix}-"),
            name_tag=f"{prefix}-{suffix}",
            protect=self._args.protect,
            kms_key_arn=kms_key_arn,
            versioned=noncurrent_version_days is not None,
            expiration=expiration,
            noncurrent_version_days=noncurrent_version_days,
            grants_later=True,
        )

    def _log_bucket_policy(
        self, logs: PrivateBucket, logged: Sequence[LoggedBucket]
    ) -> aws.s3.BucketPolicy:
        """ELB writes the ALB's logs under alb/; S3 writes each logged bucket's server access
        logs under s3-access/, only for those buckets of this account.
        https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html"""
        ctx = self._args.context
        sources = pulumi.Output.all(*[bucket.arn for bucket in logged])
        statements = pulumi.Output.all(logs.arn, sources).apply(
            lambda parts: [
                *elb_log_delivery_statements(
                    f"{parts[0]}/alb/AWSLogs/{ctx.account_id}/*", ctx.region
                ),
                {
                    "Sid": "S3ServerAccessLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"{parts[0]}/{S3_ACCESS_LOG_PREFIX}/*",
                    "Condition": {
                        "ArnLike": {"aws:SourceArn": list(parts[1])},
                        "StringEquals": {"aws:SourceAccount": ctx.account_id},
                    },
                },
            ]
        )
        return logs.grant(statements)

    def _server_access_logs(
        self, logs: PrivateBucket, logged: Sequence[LoggedBucket], log_policy: aws.s3.BucketPolicy
    ) -> None:
        """S3 server access logs of each logged bucket into the SSE-S3 log bucket (S3 cannot
        deliver them to an SSE-KMS one), partitioned by event date for Athena."""
        for bucket in logged:
            aws.s3.BucketLogging(
                f"{self._name}-{bucket.label}-access-logs",
                bucket=bucket.name,
                target_bucket=logs.bucket.bucket,
                target_prefix=f"{S3_ACCESS_LOG_PREFIX}/{bucket.label}/",
                target_object_key_format=aws.s3.BucketLoggingTargetObjectKeyFormatArgs(
                    partitioned_prefix=aws.s3.BucketLoggingTargetObjectKeyFormatPartitionedPrefixArgs(
                        partition_date_source="EventTime"
                    )
                ),
                opts=child_options(self, depends_on=[log_policy]),
            )

    def _static_key(self, distribution: aws.cloudfront.Distribution) -> aws.kms.Key:
        """The static bucket's CMK: the account administers it (CI uploads through IAM), and
        CloudFront may decrypt with it only for this distribution's origin access control.
        https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html#create-oac-overview-s3
        """
        prefix = self._args.name_prefix
        return customer_managed_key(
            f"{self._name}-static-key",
            parent=self,
            label=f"{prefix}-static",
            description=f"{prefix}: static front-end bucket",
            statements=[account_administers_key(self._args.context)],
            grants=distribution.arn.apply(
                lambda arn: [
                    {
                        "Sid": "CloudFrontDecryptsFrontEnd",
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudfront.amazonaws.com"},
                        "Action": "kms:Decrypt",
                        "Resource": "*",
                        "Condition": {"StringEquals": {"AWS:SourceArn": arn}},
                    }
                ]
            ),
            protect=self._args.protect,
        )

    def _load_balancer(
        self,
        certificate: aws.acm.CertificateValidation,
        secret: OriginSecret,
        logs: PrivateBucket,
        log_policy: aws.s3.BucketPolicy,
    ) -> tuple[aws.lb.LoadBalancer, dict[Service, aws.lb.TargetGroup], list[aws.lb.ListenerRule]]:
        args, name, prefix = self._args, self._name, self._args.name_prefix

        alb = aws.lb.LoadBalancer(
            f"{name}-alb",
            name=f"{prefix}-edge"[:32],
            load_balancer_type="application",
            internal=False,
            ip_address_type="ipv4",
            subnets=list(args.public_subnet_ids),
            security_groups=[args.alb_security_group_id],
            enable_http2=True,
            drop_invalid_header_fields=True,
            idle_timeout=60,
            enable_deletion_protection=args.protect,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=logs.bucket.bucket, prefix="alb", enabled=True
            ),
            tags={"Name": f"{prefix}-edge"},
            # ELB checks that it may write to the bucket when logging is switched on.
            opts=child_options(self, depends_on=[log_policy]),
        )
        target_groups = {spec.service: self._target_group(spec) for spec in EXPOSED}
        https = aws.lb.Listener(
            f"{name}-https",
            load_balancer_arn=alb.arn,
            port=HTTPS,
            protocol="HTTPS",
            ssl_policy=ALB_TLS_POLICY,
            certificate_arn=certificate.certificate_arn,
            # Whatever does not come from CloudFront with the secret header ends here.
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="fixed-response",
                    fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                        content_type="text/plain", message_body="Forbidden", status_code="403"
                    ),
                )
            ],
            opts=child_options(self),
        )
        rules: list[aws.lb.ListenerRule] = []
        for spec in EXPOSED:
            route = _route(spec)
            rule = aws.lb.ListenerRule(
                f"{name}-{spec.service}-rule",
                listener_arn=https.arn,
                priority=route.priority,
                conditions=[
                    aws.lb.ListenerRuleConditionArgs(
                        path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(
                            values=list(route.paths)
                        )
                    ),
                    aws.lb.ListenerRuleConditionArgs(
                        # A request matches when its header equals any of the values (ALB guide,
                        # "Condition types for listener rules": up to three strings per
                        # http-header condition, five match evaluations per rule).
                        http_header=aws.lb.ListenerRuleConditionHttpHeaderArgs(
                            http_header_name=ORIGIN_SECRET_HEADER, values=secret.accepted
                        )
                    ),
                ],
                actions=[
                    aws.lb.ListenerRuleActionArgs(
                        type="forward", target_group_arn=target_groups[spec.service].arn
                    )
                ],
                opts=child_options(self),
            )
            rules.append(rule)
        return alb, target_groups, rules

    def _target_group(self, spec: ServiceSpec) -> aws.lb.TargetGroup:
        return aws.lb.TargetGroup(
            f"{self._name}-{spec.service}-tg",
            port=spec.port,
            protocol="HTTP",
            protocol_version="HTTP1",
            # Pods register by IP (VPC CNI), through the controller's TargetGroupBinding.
            target_type="ip",
            vpc_id=self._args.vpc_id,
            deregistration_delay=120,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=HEALTH_CHECK_PATH,
                protocol="HTTP",
                port="traffic-port",
                matcher="200",
                interval=15,
                timeout=5,
                healthy_threshold=2,
                unhealthy_threshold=3,
            ),
            stickiness=aws.lb.TargetGroupStickinessArgs(
                type="lb_cookie", enabled=_route(spec).sticky, cookie_duration=86400
            ),
            tags={"Name": f"{self._args.name_prefix}-{spec.service}"},
            opts=child_options(self),
        )

    def _distribution(
        self,
        origin_domain: str,
        static: PrivateBucket,
        certificate: aws.acm.CertificateValidation,
        web_acl_arn: pulumi.Output[str],
        secret: pulumi.Output[str],
        origin_rules: Sequence[aws.lb.ListenerRule],
    ) -> aws.cloudfront.Distribution:
        edge, prefix, name = self._args.edge, self._args.name_prefix, self._name
        invoke = pulumi.InvokeOptions(parent=self)
        caching_disabled = aws.cloudfront.get_cache_policy_output(
            name=CACHING_DISABLED, opts=invoke
        ).id
        caching_optimized = aws.cloudfront.get_cache_policy_output(
            name=CACHING_OPTIMIZED, opts=invoke
        ).id
        all_viewer = aws.cloudfront.get_origin_request_policy_output(
            name=ALL_VIEWER_EXCEPT_HOST, opts=invoke
        ).id
        oac = aws.cloudfront.OriginAccessControl(
            f"{name}-static-oac",
            name=f"{prefix}-static",
            description="CloudFront signs every request to the static bucket",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=child_options(self),
        )

        headers = self._security_headers()

        def to_alb(
            paths: tuple[str, ...],
        ) -> list[aws.cloudfront.DistributionOrderedCacheBehaviorArgs]:
            # Uncached; every viewer header, cookie and query string but Host goes through,
            # and Host becomes the origin's name so the ALB's certificate matches.
            return [
                aws.cloudfront.DistributionOrderedCacheBehaviorArgs(
                    path_pattern=path,
                    target_origin_id="alb",
                    viewer_protocol_policy="https-only",
                    allowed_methods=ALL_METHODS,
                    cached_methods=["GET", "HEAD"],
                    cache_policy_id=caching_disabled,
                    origin_request_policy_id=all_viewer,
                    response_headers_policy_id=headers.id,
                    compress=False,
                )
                for path in paths
            ]

        return aws.cloudfront.Distribution(
            f"{name}-cdn",
            enabled=True,
            comment=f"{prefix}: static front end, API and WebSocket",
            aliases=[edge.domain_name, f"www.{edge.domain_name}"],
            default_root_object="index.html",
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=edge.price_class,
            web_acl_id=web_acl_arn,
            origins=[
                aws.cloudfront.DistributionOriginArgs(
                    origin_id="alb",
                    domain_name=origin_domain,
                    custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                        http_port=80,
                        https_port=HTTPS,
                        origin_protocol_policy="https-only",
                        origin_ssl_protocols=["TLSv1.2"],
                        origin_read_timeout=60,
                    ),
                    custom_headers=[
                        aws.cloudfront.DistributionOriginCustomHeaderArgs(
                            name=ORIGIN_SECRET_HEADER, value=secret
                        )
                    ],
                ),
                aws.cloudfront.DistributionOriginArgs(
                    origin_id="static",
                    domain_name=static.bucket.bucket_regional_domain_name,
                    origin_access_control_id=oac.id,
                ),
            ],
            default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
                target_origin_id="static",
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=caching_optimized,
                response_headers_policy_id=headers.id,
                compress=True,
            ),
            ordered_cache_behaviors=[
                behavior for spec in EXPOSED for behavior in to_alb(_route(spec).paths)
            ],
            # Countries are blocked by the WAF, where blocks are counted and sampled.
            restrictions=aws.cloudfront.DistributionRestrictionsArgs(
                geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(
                    restriction_type="none"
                )
            ),
            viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
                acm_certificate_arn=certificate.certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version="TLSv1.2_2021",
            ),
            tags={"Name": f"{prefix}-cdn"},
            # The rules accept a new origin secret before CloudFront starts sending it.
            opts=child_options(self, depends_on=list(origin_rules)),
        )

    def _security_headers(self) -> aws.cloudfront.ResponseHeadersPolicy:
        """Security headers CloudFront sets on every response, overriding the origin's.

        HSTS with includeSubDomains and preload: every name this program publishes under the
        domain (apex, www, origin) answers only over TLS, and the zone is the platform's own;
        preload only makes the domain eligible, submitting it to the browsers' list stays a
        manual step. X-XSS-Protection is "0" (OWASP's advice): the legacy auditor is gone from
        current browsers and could be abused in old ones.
        https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicySecurityHeadersConfig.html
        """
        prefix = self._args.name_prefix
        return aws.cloudfront.ResponseHeadersPolicy(
            f"{self._name}-security-headers",
            name=f"{prefix}-security-headers",
            comment=f"{prefix}: HSTS, nosniff, DENY framing, strict referrer",
            security_headers_config=SecurityHeadersArgs(
                strict_transport_security=HstsArgs(
                    access_control_max_age_sec=HSTS_MAX_AGE_SECONDS,
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                content_type_options=ContentTypeOptionsArgs(override=True),
                frame_options=FrameOptionsArgs(frame_option="DENY", override=True),
                referrer_policy=ReferrerPolicyArgs(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
                xss_protection=XssProtectionArgs(protection=False, override=True),
            ),
            opts=child_options(self),
        )

    def _static_bucket_policy(
        self, static: PrivateBucket, distribution: aws.cloudfront.Distribution
    ) -> None:
        """Only this distribution may read the front end (OAC signs as cloudfront.amazonaws.com)."""
        statements = pulumi.Output.all(static.arn, distribution.arn).apply(
            lambda parts: [
                {
                    "Sid": "CloudFrontReadsFrontEnd",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudfront.amazonaws.com"},
                    "Action": "s3:GetObject",
                    "Resource": f"{parts[0]}/*",
                    "Condition": {"StringEquals": {"AWS:SourceArn": parts[1]}},
                }
            ]
        )
        static.grant(statements)

    def _access_logs(
        self, distribution: aws.cloudfront.Distribution, kms_key_arn: pulumi.Input[str]
    ) -> None:
        """CloudFront standard logs (v2) to an encrypted log group; CloudFront is global, its
        log delivery lives in us-east-1."""
        name, prefix, edge = self._name, self._args.name_prefix, self._args.edge
        group = encrypted_log_group(
            f"{name}-cdn-logs",
            parent=self,
            name=f"/{prefix}/cloudfront-access",
            kms_key_arn=kms_key_arn,
            retention_in_days=edge.log_retention_days,
            protect=self._args.protect,
            region=US_EAST_1,
        )
        source = aws.cloudwatch.LogDeliverySource(
            f"{name}-cdn-log-source",
            name=f"{prefix}-cloudfront",
            log_type="ACCESS_LOGS",
            resource_arn=distribution.arn,
            region=US_EAST_1,
            opts=child_options(self),
        )
        destination = aws.cloudwatch.LogDeliveryDestination(
            f"{name}-cdn-log-destination",
            name=f"{prefix}-cloudfront",
            output_format="json",
            delivery_destination_configuration=DeliveryDestinationArgs(
                destination_resource_arn=group.arn
            ),
            region=US_EAST_1,
            opts=child_options(self),
        )
        aws.cloudwatch.LogDelivery(
            f"{name}-cdn-log-delivery",
            delivery_source_name=source.name,
            delivery_destination_arn=destination.arn,
            region=US_EAST_1,
            opts=child_options(self),
        )

    def _alias(
        self,
        suffix: str,
        host: str,
        record_type: str,
        target: pulumi.Input[str],
        target_zone_id: pulumi.Input[str],
        *,
        evaluate: bool,
    ) -> None:
        aws.route53.Record(
            f"{self._name}-{suffix}",
            zone_id=self._zone_id,
            name=host,
            type=record_type,
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=target, zone_id=target_zone_id, evaluate_target_health=evaluate
                )
            ],
            opts=child_options(self),
        )


def _route(spec: ServiceSpec) -> TargetGroupSpec:
    """The ALB route of an exposed service (``EXPOSED`` holds only those)."""
    if spec.target_group is None:
        raise ValueError(f"service {spec.service} is not behind the ALB")
    return spec.target_group
