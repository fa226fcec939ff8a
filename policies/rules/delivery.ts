// Where events and messages go: queue and topic policies, subscriptions, redrive permissions, EventBridge targets,
// HTTP API integrations and authorizers, bucket notifications and dashboards. Each rule keeps a path out of the
// platform declared, authenticated or encrypted.
import type { PolicyResource } from "@pulumi/policy";
import { ALWAYS, PlatformRule, resourceRule, SECURITY, stackRule } from "./define";
import { openStatements } from "./storage";
import { list } from "./util";
import { stackIndex } from "./stack-index";

export const DELIVERY_TYPES = {
  queue: "aws:sqs/queue:Queue",
  queuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
  redriveAllow: "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
  integration: "aws:apigatewayv2/integration:Integration",
  authorizer: "aws:apigatewayv2/authorizer:Authorizer",
  notification: "aws:s3/bucketNotification:BucketNotification",
  dashboard: "aws:cloudwatch/dashboard:Dashboard",
} as const;
const D = DELIVERY_TYPES;

/** Types an EventBridge rule, an API or a bucket may deliver to; the engine's dependency edge names the one used. */
const DESTINATIONS = [
  "aws:lambda/function:Function",
  D.queue,
  D.topic,
  "aws:sfn/stateMachine:StateMachine",
  "aws:kinesis/stream:Stream",
  "aws:cloudwatch/eventBus:EventBus",
];
/** API Gateway gives up after 29 s whatever the integration says; a longer timeout only hides that. */
export const MAX_INTEGRATION_MS = 29_000;

/** Whether the program created what `r` delivers to (resource rules see no dependencies, so these are stack rules). */
const declaresDestination = (r: PolicyResource, types: readonly string[] = DESTINATIONS) =>
  r.dependencies.some((d) => types.includes(d.type));

export const deliveryRules: PlatformRule[] = [
  resourceRule({
    name: "messaging-policy-not-public",
    description:
      "No queue or topic policy allows everyone ('*' or NotPrincipal) unless a condition pins the caller to an account, organisation or source.",
    remediation:
      "Grant named roles, or a service principal with aws:SourceAccount / aws:SourceArn (as the alarms topic does for CloudWatch).",
    group: "security",
    resourceTypes: [D.queuePolicy, D.topicPolicy, D.queue, D.topic],
    enforcement: ALWAYS,
    validate(r, report) {
      for (const s of openStatements(r.props.policy))
        report(`statement ${s.Sid ?? "(no Sid)"} allows everyone ${list(s.Action).join(", ")}`);
    },
  }),
  resourceRule({
    name: "sqs-redrive-allow-scoped",
    description:
      "A dead-letter queue accepts redrives only from the queues it serves (byQueue with source ARNs), never from any queue.",
    remediation: 'Set redriveAllowPolicy { redrivePermission: "byQueue", sourceQueueArns: [the source queue] }.',
    group: "governance",
    resourceTypes: [D.redriveAllow, D.queue],
    enforcement: ALWAYS,
    validate(r, report) {
      const text = r.props.redriveAllowPolicy;
      if (text === undefined) return;
      let p: { redrivePermission?: string; sourceQueueArns?: unknown };
      try {
        p = JSON.parse(String(text)) as typeof p;
      } catch {
        return report("redrive allow policy is not JSON");
      }
      if (p.redrivePermission === "allowAll") report("accepts redrives from any queue (allowAll)");
      else if (p.redrivePermission === "byQueue" && list(p.sourceQueueArns as string[] | undefined).length === 0)
        report("byQueue names no source queue");
    },
  }),
  resourceRule({
    name: "sns-subscription-encrypted-transport",
    description:
      "Topic subscriptions deliver over HTTPS or to AWS endpoints, never plain HTTP, and a raw-message HTTPS endpoint carries no credentials in its URL.",
    remediation:
      "Use protocol https (or sqs, lambda, email for people) and authenticate the endpoint with the message signature, not a URL secret.",
    group: "security",
    resourceTypes: [D.subscription],
    enforcement: ALWAYS,
    validate(r, report) {
      const endpoint = String(r.props.endpoint ?? "");
      if (r.props.protocol === "http") report(`delivers over plain HTTP to ${endpoint}`);
      if (/:\/\/[^/\s:@]+:[^/\s@]+@/.test(endpoint)) report("endpoint URL carries credentials");
    },
  }),
  stackRule({
    name: "events-target-declared",
    description:
      "Every EventBridge target is a function, queue, topic, state machine, stream or bus this stack declares, and bounds its retries.",
    remediation:
      "Target a resource created in the same program (pass its arn) and set retryPolicy { maximumEventAgeInSeconds, maximumRetryAttempts }.",
    group: "governance",
    resourceTypes: [D.eventTarget],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const r of stackIndex(resources).ofType(D.eventTarget)) {
        if (!declaresDestination(r))
          report(
            `'${r.name}' delivers to ${r.props.arn ?? "an unknown target"}, which this stack does not declare`,
            r.urn,
          );
        if (!r.props.retryPolicy)
          report(`'${r.name}' has no retry policy (EventBridge then retries for 24 hours, 185 times, silently)`, r.urn);
      }
    },
  }),
  stackRule({
    name: "api-integration-declared",
    description: `HTTP API integrations proxy to a function this stack declares, or to an HTTPS endpoint, within API Gateway's ${MAX_INTEGRATION_MS / 1000} s limit.`,
    remediation:
      "Use AWS_PROXY to the stack's function (pass its ARN), or an https:// URI for HTTP_PROXY; keep timeoutMilliseconds ≤ 29000.",
    group: "security",
    resourceTypes: [D.integration],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const r of stackIndex(resources).ofType(D.integration)) {
        const uri = String(r.props.integrationUri ?? "");
        if (
          r.props.integrationType === "AWS_PROXY" &&
          /:lambda:/.test(uri) &&
          !declaresDestination(r, [DESTINATIONS[0]])
        )
          report(`'${r.name}' proxies to ${uri}, a function this stack does not declare`, r.urn);
        if (/^http:\/\//.test(uri)) report(`'${r.name}' proxies over plain HTTP to ${uri}`, r.urn);
        if (Number(r.props.timeoutMilliseconds ?? 0) > MAX_INTEGRATION_MS)
          report(
            `'${r.name}' times out after ${r.props.timeoutMilliseconds} ms, beyond API Gateway's ${MAX_INTEGRATION_MS} ms`,
            r.urn,
          );
      }
    },
  }),
  resourceRule({
    name: "api-jwt-authorizer-scoped",
    description:
      "JWT authorizers trust one HTTPS issuer and name the audiences they accept, so a token minted for another application is refused.",
    remediation:
      "Set jwtConfiguration { issuer: https://<your identity provider>, audiences: [<this API's client id>] }.",
    group: "security",
    resourceTypes: [D.authorizer],
    enforcement: SECURITY,
    validate(r, report) {
      if (r.props.authorizerType !== "JWT") return;
      const jwt = r.props.jwtConfiguration ?? {};
      if (!/^https:\/\//.test(String(jwt.issuer ?? "")))
        report(`issuer ${jwt.issuer ?? "(unset)"} is not an HTTPS URL`);
      const audiences = list(jwt.audiences as string[] | undefined);
      if (audiences.length === 0 || audiences.includes("*")) report("accepts tokens for any audience");
    },
  }),
  stackRule({
    name: "s3-notifications-declared",
    description:
      "Bucket notifications go to EventBridge or to a queue, topic or function this stack declares: object events (and the keys they name) stay inside the platform.",
    remediation:
      "Enable eventbridge: true and route with rules, or point queues/topics/lambdaFunctions at resources of the same program.",
    group: "governance",
    resourceTypes: [D.notification],
    enforcement: ALWAYS,
    validate(resources, report) {
      for (const r of stackIndex(resources).ofType(D.notification)) {
        const targets = [
          ...list(r.props.queues as { queueArn?: string }[] | undefined).map((q) => q.queueArn),
          ...list(r.props.topics as { topicArn?: string }[] | undefined).map((t) => t.topicArn),
          ...list(r.props.lambdaFunctions as { lambdaFunctionArn?: string }[] | undefined).map(
            (f) => f.lambdaFunctionArn,
          ),
        ];
        if (targets.length > 0 && !declaresDestination(r))
          report(`'${r.name}' notifies ${targets.join(", ")}, which this stack does not declare`, r.urn);
        if (targets.length === 0 && r.props.eventbridge !== true)
          report(
            `'${r.name}' notifies nothing (an empty configuration removes the bucket's other notifications)`,
            r.urn,
          );
      }
    },
  }),
  resourceRule({
    name: "cloudwatch-dashboard-well-formed",
    description:
      "Dashboards are valid JSON with widgets, and every metric widget names its region: CloudWatch rejects anything else when the stack deploys.",
    remediation:
      "Build the body with the monitoring module's dashboard builder (JSON.stringify of { widgets }); give metric widgets properties.region.",
    group: "reliability",
    resourceTypes: [D.dashboard],
    enforcement: ALWAYS,
    validate(r, report) {
      let body: { widgets?: { type?: string; properties?: { region?: string; title?: string } }[] };
      try {
        body = JSON.parse(String(r.props.dashboardBody)) as typeof body;
      } catch {
        return report("dashboardBody is not JSON");
      }
      if (!Array.isArray(body.widgets) || body.widgets.length === 0) return report("has no widgets");
      for (const w of body.widgets.filter((x) => x.type === "metric" && !x.properties?.region))
        report(`metric widget '${w.properties?.title ?? "(untitled)"}' names no region`);
    },
  }),
];
