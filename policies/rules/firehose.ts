import { ALWAYS, PlatformRule, resourceRule } from "./define";
import { isKeyArn } from "./warehouse";

// Firehose streams: encrypted with a customer-managed key wherever they hold data, and records they cannot
// deliver kept under an error prefix instead of dropped.

export const FIREHOSE_TYPE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";

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
    resourceTypes: [FIREHOSE_TYPE],
    enforcement: ALWAYS,
    validate(r, report) {
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
