import { ALWAYS, PlatformRule, PROD_ONLY, resourceRule, SECURITY } from "./define";
import { isKeyArn } from "./warehouse";

export const MSK_TYPES = {
  cluster: "aws:msk/cluster:Cluster",
  serverless: "aws:msk/serverlessCluster:ServerlessCluster",
} as const;
const M = MSK_TYPES;

export const streamingRules: PlatformRule[] = [
  resourceRule({
    name: "msk-tls-only",
    description: "Kafka traffic is TLS only, between clients and brokers and between brokers.",
    remediation:
      "Set encryptionInfo.encryptionInTransit to { clientBroker: 'TLS', inCluster: true } (in-cluster cannot be changed after creation).",
    group: "security",
    resourceTypes: [M.cluster],
    enforcement: ALWAYS,
    validate(r, report) {
      const transit = r.props.encryptionInfo?.encryptionInTransit;
      if (transit?.clientBroker !== "TLS")
        report(`client-broker encryption is ${transit?.clientBroker ?? "not set explicitly"}; must be TLS`);
      if (transit?.inCluster !== true) report("in-cluster encryption is not explicitly on");
    },
  }),
  resourceRule({
    name: "msk-kms-cmk",
    description: "Kafka data at rest is encrypted with one of the platform's customer-managed keys.",
    remediation: "Set encryptionInfo.encryptionAtRestKmsKeyArn to the key of the topics' classification.",
    group: "security",
    resourceTypes: [M.cluster],
    enforcement: ALWAYS,
    validate(r, report) {
      const key = r.props.encryptionInfo?.encryptionAtRestKmsKeyArn;
      if (!isKeyArn(key)) report(`is not encrypted with a customer-managed key (${key ?? "AWS-managed key"})`);
    },
  }),
  resourceRule({
    name: "msk-authenticated-clients",
    description: "Every Kafka client authenticates with IAM or SCRAM; unauthenticated access is never on.",
    remediation:
      "Set clientAuthentication { sasl: { iam: true }, unauthenticated: false } (serverless: sasl.iam.enabled).",
    group: "security",
    resourceTypes: [M.cluster, M.serverless],
    enforcement: ALWAYS,
    validate(r, report) {
      const auth = r.props.clientAuthentication;
      if (r.type === M.serverless) {
        if (auth?.sasl?.iam?.enabled !== true) report("IAM authentication is not enabled");
        return;
      }
      if (auth?.unauthenticated === true) report("allows unauthenticated clients");
      if (auth?.sasl?.iam !== true && auth?.sasl?.scram !== true)
        report("neither IAM nor SCRAM authentication is enabled");
    },
  }),
  resourceRule({
    name: "msk-broker-logging",
    description:
      "Broker logs are delivered (CloudWatch Logs, S3 or Firehose) so authentication failures and errors leave a trail.",
    remediation: "Set loggingInfo.brokerLogs.cloudwatchLogs { enabled: true, logGroup } with an encrypted log group.",
    group: "security",
    resourceTypes: [M.cluster],
    enforcement: SECURITY,
    validate(r, report) {
      const logs = r.props.loggingInfo?.brokerLogs;
      if (!(logs?.cloudwatchLogs?.enabled === true || logs?.s3?.enabled === true || logs?.firehose?.enabled === true))
        report("broker logs are not delivered anywhere");
    },
  }),
  resourceRule({
    name: "msk-prod-ha",
    description:
      "Prod Kafka has at least 3 brokers spread over 3 AZs, so it keeps serving and keeps every acknowledged write when an AZ fails.",
    remediation: "Use the prod profile: 3 (or 6, 9…) brokers over the 3 private subnets.",
    group: "reliability",
    resourceTypes: [M.cluster],
    enforcement: PROD_ONLY,
    validate(r, report) {
      const brokers = Number(r.props.numberOfBrokerNodes ?? 0);
      const subnets = r.props.brokerNodeGroupInfo?.clientSubnets;
      const azs = Array.isArray(subnets) ? new Set(subnets).size : 0;
      if (brokers < 3) report(`has ${brokers} broker(s); at least 3 required`);
      // The Network puts one private subnet in each AZ, so distinct client subnets count AZs.
      if (azs < 3) report(`spans ${azs} subnet(s)/AZ(s); at least 3 required`);
    },
  }),
];
