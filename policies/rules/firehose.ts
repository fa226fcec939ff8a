import { ALWAYS, PlatformRule, resourceRule } from "./define";
import { isKeyArn } from "./warehouse";

// Firehose streams: encrypted with a customer-managed key wherever they hold data, and records they cannot
// deliver kept under an error prefix instead of dropped.

export const FIREHOSE_TYPE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";
const CLUSTER_POLICY = "aws:msk/clusterPolicy:ClusterPolicy";
const LOG_STREAM = "aws:cloudwatch/logStream:LogStream";

/** The destination block that carries the S3 settings (extended S3, or the S3 configuration of other targets). */
function s3Destination(props: Record<string, unknown>): Record<string, unknown> | undefined {
  const p = props as Record<string, Record<string, unknown> | undefined>;
  return p.extendedS3Configuration ?? (p.icebergConfiguration?.s3Configuration as Record<string, unknown> | undefined);
}

export const firehoseRules: PlatformRule[] = [
  resourceRule({
    name: "firehose-encrypted-error-output",
    description:
      "Firehose streams encrypt with a customer-managed key (the stream itself for direct puts, the S3 objects they write) and keep records they cannot deliver under an error prefix.",
    remediation:
      "Set extendedS3Configuration.kmsKeyArn to the zone's key and errorOutputPrefix (TopicDelivery does); direct-put streams also serverSideEncryption { enabled, keyType: CUSTOMER_MANAGED_CMK, keyArn }.",
    group: "security",
    resourceTypes: [FIREHOSE_TYPE, CLUSTER_POLICY, LOG_STREAM],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.type === LOG_STREAM) {
        if (!r.props.logGroupName) report("names no log group: delivery errors would not be kept");
        return;
      }
      if (r.type === CLUSTER_POLICY) {
        // The cluster policy opens the cluster to Firehose's private connection: services only, this account only.
        const doc = typeof r.props.policy === "string" ? JSON.parse(r.props.policy) : r.props.policy;
        for (const st of doc?.Statement ?? [])
          if (st.Effect === "Allow" && (!st.Principal?.Service || !st.Condition?.StringEquals?.["aws:SourceAccount"]))
            report("admits a principal other than an AWS service acting for this account");
        return;
      }
      const directPut = !r.props.mskSourceConfiguration && !r.props.kinesisSourceConfiguration;
      const sse = r.props.serverSideEncryption;
      if (directPut && !(sse?.enabled === true && sse?.keyType === "CUSTOMER_MANAGED_CMK" && isKeyArn(sse?.keyArn)))
        report("a direct-put stream is not encrypted with a customer-managed key");
      const s3 = s3Destination(r.props);
      if (!s3) return;
      if (!isKeyArn(s3.kmsKeyArn)) report("writes S3 objects without a customer-managed key (kmsKeyArn)");
      if (!s3.errorOutputPrefix) report("has no errorOutputPrefix: records it cannot deliver have nowhere to go");
    },
  }),
];
