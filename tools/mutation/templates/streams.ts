// Weakenings of the stream and change-data paths: Firehose delivery from MSK, DMS Serverless change capture, the MSK
// cluster policy Firehose uses, and Spark streaming applications (SparkApplication, not scheduled).
import type { Template } from "../model";
import { editDoc, type Inputs } from "./shared";

const SPARK_APP = "kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication";
const sparkPod = (role: "driver" | "executor") => (i: Inputs) => i.spec[role];

export const streamsTemplates: readonly Template[] = [
  // ---- Firehose (MSK → raw zone, or → an Iceberg table with its errors in the raw zone) ----
  {
    source: "CKV_AWS_241",
    type: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    what: "delivery-without-cmk",
    pick: (r) => r.inputs.extendedS3Configuration !== undefined,
    edit: (i) => delete i.extendedS3Configuration.kmsKeyArn,
  },
  {
    source: "CKV_AWS_241 (the S3 error output of an Iceberg destination)",
    type: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    what: "iceberg-errors-without-cmk",
    pick: (r) => r.inputs.icebergConfiguration !== undefined,
    edit: (i) => delete i.icebergConfiguration.s3Configuration.kmsKeyArn,
  },
  // ---- DMS Serverless ----
  {
    source: "Security Hub DMS.9",
    type: "aws:dms/endpoint:Endpoint",
    what: "source-without-tls",
    edit: (i) => (i.sslMode = "none"),
  },
  {
    source: "CKV_AWS_296",
    type: "aws:dms/endpoint:Endpoint",
    what: "endpoint-without-cmk",
    edit: (i) => delete i.kmsKeyArn,
  },
  {
    source: "CKV_AWS_298",
    type: "aws:dms/s3Endpoint:S3Endpoint",
    what: "target-sse-s3",
    edit: (i) => {
      i.encryptionMode = "SSE_S3";
      delete i.serverSideEncryptionKmsKeyId;
    },
  },
  {
    source: "CKV_AWS_212 (its replication-instance form)",
    type: "aws:dms/replicationConfig:ReplicationConfig",
    what: "replication-without-cmk",
    edit: (i) => delete i.computeConfig.kmsKeyId,
  },
  // ---- MSK cluster policy ----
  {
    source: "CKV_AWS_385 (its SNS form: no cross-account grants in resource policies)",
    type: "aws:msk/clusterPolicy:ClusterPolicy",
    what: "another-account",
    edit: (i) =>
      editDoc(i, "policy", (d) =>
        d.Statement.push({
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::999999999999:root" },
          Action: ["kafka:CreateVpcConnection", "kafka:DescribeCluster"],
          Resource: "*",
        }),
      ),
  },
  // ---- Spark streaming applications ----
  {
    source: "CKV_K8S_23",
    type: SPARK_APP,
    what: "driver-runs-as-root",
    edit: (i) => {
      sparkPod("driver")(i).podSecurityContext.runAsNonRoot = false;
      sparkPod("driver")(i).securityContext.runAsNonRoot = false;
    },
  },
  {
    source: "CKV_K8S_20",
    type: SPARK_APP,
    what: "executor-privilege-escalation",
    edit: (i) => (sparkPod("executor")(i).securityContext.allowPrivilegeEscalation = true),
  },
  {
    source: "CKV_K8S_37",
    type: SPARK_APP,
    what: "executor-capabilities-kept",
    edit: (i) => (sparkPod("executor")(i).securityContext.capabilities = { drop: [] }),
  },
  { source: "CKV_K8S_13", type: SPARK_APP, what: "driver-no-memory", edit: (i) => delete sparkPod("driver")(i).memory },
  {
    source: "CKV_K8S_38",
    type: SPARK_APP,
    what: "executor-token-automounted",
    edit: (i) => delete sparkPod("executor")(i).template,
  },
];
