import { ALWAYS, PlatformRule, resourceRule } from "./define";
import { isKeyArn } from "./warehouse";

// Change data capture with DMS: the replication stays private and encrypted, reads its source over TLS with
// credentials from Secrets Manager, and writes the lake with a customer-managed key.

export const DMS_TYPES = {
  replicationConfig: "aws:dms/replicationConfig:ReplicationConfig",
  replicationInstance: "aws:dms/replicationInstance:ReplicationInstance",
  subnetGroup: "aws:dms/replicationSubnetGroup:ReplicationSubnetGroup",
  endpoint: "aws:dms/endpoint:Endpoint",
  s3Endpoint: "aws:dms/s3Endpoint:S3Endpoint",
} as const;
const D = DMS_TYPES;
const SSL = new Set(["require", "verify-ca", "verify-full"]);

const nonEmpty = (v: unknown) => Array.isArray(v) && v.length > 0;

export const cdcRules: PlatformRule[] = [
  resourceRule({
    name: "dms-replication-private-encrypted",
    description:
      "DMS replications run in the platform's subnets behind their own security groups, are never publicly accessible, and encrypt what they hold with a customer-managed key.",
    remediation:
      "Serverless: computeConfig { replicationSubnetGroupId, vpcSecurityGroupIds, kmsKeyId: the source's classification key } (CdcSource does). Instances: publiclyAccessible: false, kmsKeyArn, vpcSecurityGroupIds.",
    group: "security",
    resourceTypes: [D.replicationConfig, D.replicationInstance, D.subnetGroup],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.type === D.subnetGroup) {
        // Two AZs at least: a multi-AZ replication needs them, and a single-subnet group cannot fail over.
        if (!Array.isArray(r.props.subnetIds) || r.props.subnetIds.length < 2) report("spans fewer than two subnets");
        return;
      }
      if (r.type === D.replicationInstance) {
        if (r.props.publiclyAccessible !== false) report("is publicly accessible (publiclyAccessible is not false)");
        if (!isKeyArn(r.props.kmsKeyArn)) report("storage is not encrypted with a customer-managed key");
        if (!nonEmpty(r.props.vpcSecurityGroupIds)) report("has no security group of its own");
        return;
      }
      const c = r.props.computeConfig ?? {};
      if (!c.replicationSubnetGroupId) report("names no replication subnet group");
      if (!nonEmpty(c.vpcSecurityGroupIds)) report("has no security group of its own");
      if (!isKeyArn(c.kmsKeyId))
        report(`is not encrypted with a customer-managed key (${c.kmsKeyId ?? "DMS's default key"})`);
    },
  }),
  resourceRule({
    name: "dms-source-ssl",
    description:
      "DMS reads source databases over TLS, with credentials from Secrets Manager and connection details encrypted with a customer-managed key.",
    remediation:
      "Set sslMode to verify-full (or verify-ca / require), secretsManagerArn and secretsManagerAccessRoleArn instead of username/password, and kmsKeyArn.",
    group: "security",
    resourceTypes: [D.endpoint],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.endpointType !== "source") return;
      if (!SSL.has(r.props.sslMode)) report(`reads its source without TLS (sslMode ${r.props.sslMode ?? "none"})`);
      if (r.props.password !== undefined || !r.props.secretsManagerArn)
        report("takes its credentials from inputs instead of a Secrets Manager secret");
      if (!isKeyArn(r.props.kmsKeyArn)) report("connection details are not encrypted with a customer-managed key");
    },
  }),
  resourceRule({
    name: "dms-s3-target-encrypted",
    description: "DMS writes the lake with SSE-KMS under a customer-managed key, never with S3-managed keys.",
    remediation: "Set encryptionMode SSE_KMS and serverSideEncryptionKmsKeyId to the zone's key.",
    group: "security",
    resourceTypes: [D.s3Endpoint],
    enforcement: ALWAYS,
    validate(r, report) {
      if (r.props.encryptionMode !== "SSE_KMS")
        report(`writes with ${r.props.encryptionMode ?? "SSE_S3 (the default)"}, not SSE_KMS`);
      else if (!isKeyArn(r.props.serverSideEncryptionKmsKeyId)) report("names no customer-managed key for SSE_KMS");
    },
  }),
];
