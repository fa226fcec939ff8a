// Both ways for every rule of the governance pack: each passes the healthy platform (or the variant it names) and
// flags each single edit below, blaming the resource `at`.
import { keyPolicy } from "../../components/security/documents";
import { bucketPolicy } from "../../components/lake/documents";
import type { PlannedResource } from "../../policies/engine/args";
import { planned } from "../support/policy";
import {
  ACCOUNT,
  baseTags,
  edit,
  healthy,
  keyArn,
  opts,
  PREFIX,
  REGION,
  retag,
  roleArn,
  statement,
  T,
  topicArn,
  without,
} from "./fixtures";

type R = PlannedResource;

export interface Fail {
  readonly what: string;
  readonly resources: () => R[];
  /** Every reported message matches this; `count` messages (default 1). */
  readonly expect: RegExp;
  /** Name of the resource the violation must be reported against. */
  readonly at: string;
  readonly count?: number;
}

export interface RuleCase {
  /** Default: the healthy platform. */
  readonly pass?: () => R[];
  readonly alsoPass?: readonly { what: string; resources: () => R[] }[];
  readonly fail: readonly Fail[];
}

const h = healthy;
const add = (...extra: R[]) => [...h(), ...extra];
const rawPolicy = (doc: object) => edit(h(), "raw-policy", { policy: JSON.stringify(doc) });
const rawArn = `arn:aws:s3:::${PREFIX}-raw-${ACCOUNT}`;
const sg = (ingress: object[], egress: object[] = [], extra: Record<string, unknown> = {}) =>
  planned(
    T.sg,
    { vpcId: "vpc-1", description: "test group", ingress, egress, tags: baseTags(), ...extra },
    { name: "sg-extra" },
  );
const interfaceEndpoint = (inputs: Record<string, unknown> = {}) =>
  planned(
    T.endpoint,
    {
      vpcId: "vpc-1",
      serviceName: `com.amazonaws.${REGION}.sts`,
      vpcEndpointType: "Interface",
      privateDnsEnabled: true,
      subnetIds: ["subnet-a"],
      securityGroupIds: ["sg-endpoints"],
      tags: baseTags(),
      ...inputs,
    },
    { name: "endpoint-sts" },
  );
const athena = (change: (c: Record<string, unknown>) => void) =>
  edit(h(), "athena-analysts", (i) => {
    change(i.configuration as Record<string, unknown>);
    return i;
  });
const IAP = "IAM_ALLOWED_PRINCIPALS";

export const cases: Record<string, RuleCase> = {
  // ---- foundation: storage ----
  "s3-kms-encryption": {
    fail: [
      {
        what: "a zone bucket on SSE-S3",
        at: "raw",
        expect: /AES256 encryption instead of SSE-KMS/,
        resources: () =>
          edit(h(), "raw-sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
      },
    ],
  },
  "s3-public-access-blocked": {
    fail: [
      {
        what: "a public policy allowed",
        at: "raw",
        expect: /leaves blockPublicPolicy off/,
        resources: () => edit(h(), "raw-pab", { blockPublicPolicy: false }),
      },
    ],
  },
  "s3-tls-only": {
    fail: [
      {
        what: "a policy without the TLS deny",
        at: "raw",
        expect: /without TLS/,
        resources: () => rawPolicy({ Version: "2012-10-17", Statement: [] }),
      },
    ],
  },
  "s3-versioning": {
    fail: [
      {
        what: "suspended versioning",
        at: "raw",
        expect: /versioning is not enabled/,
        resources: () => edit(h(), "raw-versioning", { versioningConfiguration: { status: "Suspended" } }),
      },
    ],
  },
  "s3-access-logging": {
    fail: [
      {
        what: "a zone bucket without access logs",
        at: "raw",
        expect: /no server access logging/,
        resources: () => without(h(), "raw-logging"),
      },
    ],
  },
  "s3-object-ownership-enforced": {
    fail: [
      {
        what: "ObjectWriter ownership",
        at: "raw",
        expect: /BucketOwnerEnforced/,
        resources: () => edit(h(), "raw-ownership", { rule: { objectOwnership: "ObjectWriter" } }),
      },
    ],
  },
  "s3-lifecycle-abort-uploads": {
    fail: [
      {
        what: "no lifecycle rules",
        at: "raw",
        expect: /abort incomplete multipart uploads/,
        resources: () => edit(h(), "raw-lifecycle", { rules: [] }),
      },
    ],
  },
  "s3-prod-no-force-destroy": {
    fail: [
      {
        what: "forceDestroy",
        at: "raw",
        expect: /emptied on destroy/,
        resources: () => edit(h(), "raw", { forceDestroy: true }),
      },
      {
        what: "a bucket not marked protect",
        at: "raw",
        expect: /not marked protect/,
        resources: () => opts(h(), "raw", { protect: false }),
      },
    ],
  },
  // ---- bucket policies ----
  "s3-bucket-policy-not-public": {
    alsoPass: [
      {
        what: "an open principal pinned to a VPC endpoint",
        resources: () =>
          edit(h(), "raw-policy", {
            policy: statement({
              Effect: "Allow",
              Principal: "*",
              Action: "s3:GetObject",
              Resource: `${rawArn}/*`,
              Condition: { StringEquals: { "aws:SourceVpce": "vpce-1" } },
            }),
          }),
      },
    ],
    fail: [
      {
        what: "a public read grant",
        at: "raw-policy",
        expect: /allows everyone s3:GetObject/,
        resources: () =>
          edit(h(), "raw-policy", {
            policy: statement({
              Sid: "Public",
              Effect: "Allow",
              Principal: "*",
              Action: "s3:GetObject",
              Resource: `${rawArn}/*`,
            }),
          }),
      },
      {
        what: "a NotPrincipal allow",
        at: "raw-policy",
        expect: /allows everyone/,
        resources: () =>
          edit(h(), "raw-policy", {
            policy: statement({
              Effect: "Allow",
              NotPrincipal: { AWS: "arn:aws:iam::1:root" },
              Action: "s3:*",
              Resource: "*",
            }),
          }),
      },
      {
        what: "a public legacy inline bucket policy",
        at: "raw",
        expect: /allows everyone s3:ListBucket/,
        resources: () =>
          edit(h(), "raw", {
            policy: statement({ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:ListBucket", Resource: rawArn }),
          }),
      },
    ],
  },
  "s3-no-acl-grants": {
    fail: [
      {
        what: "a public-read BucketAcl",
        at: "raw-acl",
        expect: /sets the 'public-read' ACL/,
        resources: () =>
          add(
            planned(
              "aws:s3/bucketAcl:BucketAcl",
              { bucket: `${PREFIX}-raw-${ACCOUNT}`, acl: "public-read" },
              { name: "raw-acl" },
            ),
          ),
      },
      {
        what: "an ACL grant to AllUsers",
        at: "raw-acl",
        expect: /grants READ to AllUsers \(public\)/,
        resources: () =>
          add(
            planned(
              "aws:s3/bucketAcl:BucketAcl",
              {
                bucket: "b",
                accessControlPolicy: {
                  owner: { id: "x" },
                  grants: [
                    {
                      permission: "READ",
                      grantee: { type: "Group", uri: "http://acs.amazonaws.com/groups/global/AllUsers" },
                    },
                  ],
                },
              },
              { name: "raw-acl" },
            ),
          ),
      },
      {
        what: "a canned ACL on the bucket",
        at: "raw",
        expect: /authenticated-read/,
        resources: () => edit(h(), "raw", { acl: "authenticated-read" }),
      },
    ],
  },
  "s3-object-lock-retention": {
    alsoPass: [
      {
        what: "object lock with a default retention",
        resources: () => [
          ...edit(h(), "raw", { objectLockEnabled: true }),
          planned(
            "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
            { bucket: `${PREFIX}-raw-${ACCOUNT}`, rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } },
            { name: "raw-lock" },
          ),
        ],
      },
    ],
    fail: [
      {
        what: "object lock without retention",
        at: "raw",
        expect: /without a default retention/,
        resources: () => edit(h(), "raw", { objectLockEnabled: true }),
      },
    ],
  },
  "s3-policy-pins-bucket-key": {
    fail: [
      {
        what: "a policy that does not name the key",
        at: "raw",
        expect: /does not refuse uploads under another KMS key/,
        resources: () => rawPolicy(bucketPolicy({ bucketArn: rawArn, denyVersionDeletion: true })),
      },
    ],
  },
  "s3-prod-deny-version-deletion": {
    fail: [
      {
        what: "a policy without the version-deletion deny",
        at: "raw",
        expect: /lets callers delete object versions/,
        resources: () =>
          rawPolicy(bucketPolicy({ bucketArn: rawArn, kmsKeyArn: keyArn("confidential"), denyVersionDeletion: false })),
      },
    ],
  },
  // ---- foundation: security ----
  "kms-key-rotation": {
    fail: [
      {
        what: "rotation off",
        at: "key-internal",
        expect: /rotation is off/,
        resources: () => edit(h(), "key-internal", { enableKeyRotation: false }),
      },
    ],
  },
  "kms-key-policy-no-wildcard-use": {
    fail: [
      {
        what: "a key anyone may use",
        at: "key-internal",
        expect: /any principal without a condition/,
        resources: () =>
          edit(h(), "key-internal", {
            policy: statement({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }),
          }),
      },
    ],
  },
  "iam-role-permissions-boundary": {
    fail: [
      {
        what: "a role without boundary",
        at: "lakeformation",
        expect: /has no permissions boundary/,
        resources: () => edit(h(), "lakeformation", { permissionsBoundary: undefined }),
      },
    ],
  },
  "iam-no-wildcard-admin": {
    fail: [
      {
        what: "* on *",
        at: "lakeformation-policy",
        expect: /allows '\*' on '\*'/,
        resources: () =>
          edit(h(), "lakeformation-policy", { policy: statement({ Effect: "Allow", Action: "*", Resource: "*" }) }),
      },
    ],
  },
  "iam-role-trust-scoped": {
    fail: [
      {
        what: "a role anyone may assume",
        at: "lakeformation",
        expect: /trusts any principal/,
        resources: () =>
          edit(h(), "lakeformation", {
            assumeRolePolicy: statement({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }),
          }),
      },
    ],
  },
  // ---- kms ----
  "kms-key-deletion-window": {
    fail: [
      {
        what: "a 7-day window",
        at: "key-internal",
        expect: /deletion window is 7 days/,
        resources: () => edit(h(), "key-internal", { deletionWindowInDays: 7 }),
      },
    ],
  },
  "kms-key-use-scoped": {
    fail: [
      {
        what: "use delegated to the whole account",
        at: "key-internal",
        expect: /lets every principal of arn:aws:iam::123456789012:root use the key/,
        resources: () =>
          edit(h(), "key-internal", {
            policy: statement({
              Effect: "Allow",
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
              Action: "kms:*",
              Resource: "*",
            }),
          }),
      },
      {
        what: "a service allowed for any caller",
        at: "key-internal",
        expect: /lets logs.eu-west-1.amazonaws.com use the key for any caller/,
        resources: () =>
          edit(h(), "key-internal", {
            policy: statement({
              Effect: "Allow",
              Principal: { Service: `logs.${REGION}.amazonaws.com` },
              Action: ["kms:Encrypt*", "kms:Decrypt*"],
              Resource: "*",
            }),
          }),
      },
    ],
  },
  "kms-key-classified": {
    fail: [
      {
        what: "a key without classification",
        at: "key-internal",
        expect: /no data-classification tag/,
        resources: () => retag(h(), "key-internal", { "data-classification": undefined }),
      },
    ],
  },
  "kms-key-aliased": {
    fail: [
      {
        what: "a key without alias",
        at: "key-internal",
        expect: /key 'key-internal' has no alias/,
        resources: () => without(h(), "alias-internal"),
      },
      {
        what: "an alias in the AWS namespace",
        at: "alias-internal",
        expect: /reserved for AWS-managed keys/,
        resources: () => edit(h(), "alias-internal", { name: "alias/aws/internal" }),
      },
    ],
  },
  "kms-restricted-key-requires-clearance": {
    fail: [
      {
        what: "a restricted key with the internal key's policy",
        at: "key-restricted",
        count: 2,
        expect: /(grants use without the clearance tag|lets logs\.eu-west-1\.amazonaws\.com use the restricted key)/,
        resources: () =>
          edit(h(), "key-restricted", {
            policy: JSON.stringify(
              keyPolicy({ accountId: ACCOUNT, region: REGION, prefix: PREFIX, classification: "internal" }),
            ),
          }),
      },
    ],
  },
  // ---- iam ----
  "iam-no-service-wildcards": {
    fail: [
      {
        what: "s3:*",
        at: "lakeformation-policy",
        expect: /allows s3:\*/,
        resources: () =>
          edit(h(), "lakeformation-policy", {
            policy: statement({ Effect: "Allow", Action: "s3:*", Resource: rawArn }),
          }),
      },
      {
        what: "* on one resource",
        at: "orders-consumer-policy",
        expect: /allows every action on/,
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({ Effect: "Allow", Action: "*", Resource: rawArn }),
          }),
      },
      {
        what: "an inline role policy with kms:*",
        at: "lakeformation",
        expect: /allows kms:\*/,
        resources: () =>
          edit(h(), "lakeformation", {
            inlinePolicies: [
              { name: "x", policy: statement({ Effect: "Allow", Action: "kms:*", Resource: keyArn("internal") }) },
            ],
          }),
      },
    ],
  },
  "iam-no-passrole-wildcard": {
    alsoPass: [
      {
        what: "PassRole on a named role",
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({
              Effect: "Allow",
              Action: "iam:PassRole",
              Resource: `arn:aws:iam::${ACCOUNT}:role/${PREFIX}/spark-job`,
            }),
          }),
      },
    ],
    fail: [
      {
        what: "PassRole on *",
        at: "orders-consumer-policy",
        expect: /iam:PassRole on \*/,
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({ Effect: "Allow", Action: ["iam:PassRole", "iam:GetRole"], Resource: "*" }),
          }),
      },
      {
        what: "iam:Pass* on every role",
        at: "orders-consumer-policy",
        expect: /iam:PassRole on arn:aws:iam::123456789012:role\/\*/,
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({ Effect: "Allow", Action: "iam:Pass*", Resource: `arn:aws:iam::${ACCOUNT}:role/*` }),
          }),
      },
    ],
  },
  "iam-no-allow-not-action": {
    alsoPass: [
      {
        what: "NotAction in a Deny",
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({ Effect: "Deny", NotAction: "s3:GetObject", Resource: "*" }),
          }),
      },
    ],
    fail: [
      {
        what: "Allow NotAction",
        at: "orders-consumer-policy",
        expect: /allows NotAction iam:\*/,
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }),
          }),
      },
      {
        what: "Allow NotResource",
        at: "orders-consumer-policy",
        expect: /allows on NotResource/,
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({ Effect: "Allow", Action: "s3:GetObject", NotResource: rawArn }),
          }),
      },
    ],
  },
  "iam-no-users-or-keys": {
    fail: [
      {
        what: "an IAM user",
        at: "etl-user",
        expect: /declares User 'etl-user'/,
        resources: () => add(planned("aws:iam/user:User", { name: "etl", tags: baseTags() }, { name: "etl-user" })),
      },
      {
        what: "an access key",
        at: "etl-key",
        expect: /declares AccessKey/,
        resources: () => add(planned("aws:iam/accessKey:AccessKey", { user: "etl" }, { name: "etl-key" })),
      },
    ],
  },
  "iam-no-admin-managed-policies": {
    fail: [
      {
        what: "AdministratorAccess attached",
        at: "orders-consumer-logs",
        expect: /attaches AdministratorAccess/,
        resources: () =>
          edit(h(), "orders-consumer-logs", { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }),
      },
      {
        what: "AmazonS3FullAccess in managedPolicyArns",
        at: "lakeformation",
        expect: /attaches AmazonS3FullAccess/,
        resources: () =>
          edit(h(), "lakeformation", { managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"] }),
      },
    ],
  },
  "iam-role-max-session": {
    fail: [
      {
        what: "12-hour sessions",
        at: "lakeformation",
        expect: /sessions last up to 12 hours/,
        resources: () => edit(h(), "lakeformation", { maxSessionDuration: 43200 }),
      },
    ],
  },
  "iam-trust-cross-account-external-id": {
    alsoPass: [
      {
        what: "a partner account with an external id",
        resources: () =>
          edit(h(), "lakeformation", {
            assumeRolePolicy: statement({
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::999999999999:root" },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "sts:ExternalId": "partner-7" } },
            }),
          }),
      },
      {
        what: "people of an identity account, with MFA",
        resources: () =>
          edit(h(), "lakeformation", {
            assumeRolePolicy: statement({
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::999999999999:root" },
              Action: "sts:AssumeRole",
              Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
            }),
          }),
      },
    ],
    fail: [
      {
        what: "a partner account without one",
        at: "lakeformation",
        expect: /trusts arn:aws:iam::999999999999:root without an external id/,
        resources: () =>
          edit(h(), "lakeformation", {
            assumeRolePolicy: statement({
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::999999999999:root" },
              Action: "sts:AssumeRole",
            }),
          }),
      },
    ],
  },
  "iam-boundary-blocks-escalation": {
    fail: [
      {
        what: "a boundary that only sets the ceiling",
        at: "boundary",
        expect:
          /does not deny iam:DeleteRolePermissionsBoundary, iam:CreatePolicyVersion, iam:CreateUser, iam:CreateAccessKey, iam:CreateRole, iam:PutRolePermissionsBoundary/,
        resources: () =>
          edit(h(), "boundary", { policy: statement({ Sid: "Ceiling", Effect: "Allow", Action: "*", Resource: "*" }) }),
      },
    ],
  },
  "iam-role-under-platform-path": {
    fail: [
      {
        what: "a role at the root path",
        at: "lakeformation",
        expect: /has path '\/', outside \/acme-data-prod\//,
        resources: () => edit(h(), "lakeformation", { path: undefined }),
      },
      {
        what: "a role under another platform's path",
        at: "lakeformation",
        expect: /has path '\/other\/'/,
        resources: () => edit(h(), "lakeformation", { path: "/other/" }),
      },
    ],
  },
  "iam-kafka-topic-scope": {
    alsoPass: [
      {
        what: "a topic prefix",
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({ Effect: "Allow", Action: "kafka-cluster:ReadData", Resource: topicArn("sales.*") }),
          }),
      },
    ],
    fail: [
      {
        what: "every topic of the cluster",
        at: "orders-consumer-policy",
        expect: /grants every topic of acme-data-prod-kafka/,
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({ Effect: "Allow", Action: "kafka-cluster:*Topic*", Resource: topicArn("*") }),
          }),
      },
      {
        what: "topic actions on '*'",
        at: "orders-consumer-policy",
        expect: /on every resource/,
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({ Effect: "Allow", Action: ["kafka-cluster:WriteData"], Resource: "*" }),
          }),
      },
      {
        what: "a cluster the stack does not declare",
        at: "orders-consumer-policy",
        expect: /names cluster 'legacy', which this stack does not declare/,
        resources: () =>
          edit(h(), "orders-consumer-policy", {
            policy: statement({
              Effect: "Allow",
              Action: "kafka-cluster:ReadData",
              Resource: `arn:aws:kafka:${REGION}:${ACCOUNT}:topic/legacy/uuid-1/orders`,
            }),
          }),
      },
    ],
  },
  // ---- foundation: governance ----
  "governance-tags": {
    fail: [
      {
        what: "a VPC without owner",
        at: "vpc",
        expect: /missing governance tags: owner/,
        resources: () => retag(h(), "vpc", { owner: undefined }),
      },
    ],
  },
  "data-classification-tags": {
    fail: [
      {
        what: "a Glue database without domain",
        at: "db-sales_raw",
        expect: /missing data-domain tag/,
        resources: () => retag(h(), "db-sales_raw", { "data-domain": undefined }),
      },
      {
        what: "a warehouse without classification",
        at: "warehouse-namespace",
        expect: /missing data-classification tag/,
        resources: () => retag(h(), "warehouse-namespace", { "data-classification": undefined }),
      },
    ],
  },
  // ---- data platform ----
  "data-domain-owned": {
    alsoPass: [
      {
        what: "a bucket shared by two owned domains",
        resources: () => retag(h(), "restricted", { "data-domain": "people.sales" }),
      },
    ],
    fail: [
      {
        what: "a queue of an undeclared domain",
        at: "orders-dlq",
        expect: /belongs to domain finance, which has no owner and steward/,
        resources: () => retag(h(), "orders-dlq", { "data-domain": "finance" }),
      },
    ],
  },
  "data-key-matches-classification": {
    fail: [
      {
        what: "a confidential zone under the internal key",
        at: "raw",
        expect: /'raw' is classified confidential but encrypted with the internal key 'key-internal'/,
        resources: () =>
          edit(h(), "raw-sse", {
            rules: [
              {
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn("internal") },
                bucketKeyEnabled: true,
              },
            ],
          }),
      },
      {
        what: "a classified queue under another classification's key",
        at: "orders-dlq",
        expect: /'orders-dlq' is classified internal but encrypted with the confidential key/,
        resources: () => edit(h(), "orders-dlq", { kmsMasterKeyId: keyArn("confidential") }),
      },
      {
        what: "a key from outside the stack",
        at: "orders-dlq",
        expect: /which this stack does not declare/,
        resources: () =>
          opts(
            edit(h(), "orders-dlq", { kmsMasterKeyId: "arn:aws:kms:eu-west-1:999999999999:key/foreign" }),
            "orders-dlq",
            { dependencies: [] },
          ),
      },
    ],
  },
  "kms-restricted-key-only-restricted-data": {
    fail: [
      {
        what: "an unclassified log group under the restricted key",
        at: "orders-logs",
        expect: /'orders-logs' \(unclassified\) is encrypted with the restricted key/,
        resources: () => edit(h(), "orders-logs", { kmsKeyId: keyArn("restricted") }),
      },
    ],
  },
  "data-restricted-in-restricted-zone": {
    fail: [
      {
        what: "a restricted database in the raw zone",
        at: "db-people_raw",
        expect: /lives in 'acme-data-prod-raw-123456789012', which is not encrypted with the restricted key/,
        resources: () => edit(h(), "db-people_raw", { locationUri: `s3://${PREFIX}-raw-${ACCOUNT}/people/` }),
      },
      {
        what: "a restricted database outside the stack",
        at: "db-people_raw",
        expect: /lives outside the stack's buckets/,
        resources: () => edit(h(), "db-people_raw", { locationUri: "s3://somewhere-else/people/" }),
      },
    ],
  },
  "data-prod-stateful-protected": {
    alsoPass: [
      {
        what: "an unprotected secret that keeps its recovery window",
        resources: () => opts(h(), "warehouse-admin", { protect: false }),
      },
      {
        what: "an expiring (TTL) table, such as idempotency keys",
        resources: () =>
          opts(
            edit(h(), "ledger", {
              deletionProtectionEnabled: false,
              ttl: { attributeName: "expiration", enabled: true },
            }),
            "ledger",
            { protect: false },
          ),
      },
    ],
    fail: [
      {
        what: "an unprotected table without deletion protection",
        at: "ledger",
        expect: /'ledger' is not marked protect; deletion protection is off/,
        resources: () => opts(edit(h(), "ledger", { deletionProtectionEnabled: false }), "ledger", { protect: false }),
      },
      {
        what: "an unprotected Kafka cluster",
        at: "kafka",
        expect: /'kafka' is not marked protect/,
        resources: () => opts(h(), "kafka", { protect: false }),
      },
      {
        what: "an RDS instance that skips its final snapshot",
        at: "reporting-db",
        expect: /skips the final snapshot; keeps backups 1 day/,
        resources: () =>
          add(
            planned(
              T.rdsDb,
              {
                identifier: "reporting",
                engine: "postgres",
                instanceClass: "db.t4g.micro",
                deletionProtection: true,
                skipFinalSnapshot: true,
                backupRetentionPeriod: 1,
              },
              { name: "reporting-db", protect: true },
            ),
          ),
      },
      {
        what: "an EKS cluster without deletion protection",
        at: "eks",
        expect: /deletion protection is off/,
        resources: () => edit(h(), "eks", { deletionProtection: false }),
      },
      {
        what: "a secret deleted at once",
        at: "warehouse-admin",
        expect: /without a recovery window/,
        resources: () => edit(h(), "warehouse-admin", { recoveryWindowInDays: 0 }),
      },
    ],
  },
  "secrets-kms-cmk": {
    fail: [
      {
        what: "a secret on the AWS-managed key",
        at: "warehouse-admin",
        expect: /AWS-managed key \(kmsKeyId: unset\)/,
        resources: () => edit(h(), "warehouse-admin", { kmsKeyId: undefined }),
      },
      {
        what: "a secret naming alias/aws/secretsmanager",
        at: "warehouse-admin",
        expect: /kmsKeyId: alias\/aws\/secretsmanager/,
        resources: () => edit(h(), "warehouse-admin", { kmsKeyId: "alias/aws/secretsmanager" }),
      },
    ],
  },
  "secrets-version-of-declared-secret": {
    fail: [
      {
        what: "a value written to a secret declared elsewhere",
        at: "warehouse-admin-value",
        expect: /writes to a secret this stack does not declare/,
        resources: () => opts(h(), "warehouse-admin-value", { dependencies: [] }),
      },
    ],
  },
  "deploy-invocation-no-credentials": {
    alsoPass: [
      {
        what: "SQL that disables a password",
        resources: () =>
          edit(h(), "kafka-topics", { input: JSON.stringify({ statements: ["CREATE USER loader PASSWORD DISABLE"] }) }),
      },
    ],
    fail: [
      {
        what: "a password in the input",
        at: "kafka-topics",
        expect: /credential at input\.admin\.password/,
        resources: () =>
          edit(h(), "kafka-topics", { input: JSON.stringify({ admin: { user: "a", password: "hunter2" } }) }),
      },
      {
        what: "a password written into SQL",
        at: "kafka-topics",
        expect: /credential at input\.statements\[0\]/,
        resources: () =>
          edit(h(), "kafka-topics", {
            input: JSON.stringify({ statements: ["CREATE USER loader PASSWORD 'Secr3t!'"] }),
          }),
      },
      {
        what: "an input that is not JSON",
        at: "kafka-topics",
        expect: /not JSON/,
        resources: () => edit(h(), "kafka-topics", { input: "password=x" }),
      },
    ],
  },
  // ---- service companions ----
  "msk-configuration-hardened": {
    fail: [
      {
        what: "auto-created topics and open ACLs",
        at: "kafka-config",
        count: 2,
        expect: /(lets clients create topics|admits every client)/,
        resources: () => edit(h(), "kafka-config", { serverProperties: "auto.create.topics.enable=true" }),
      },
      {
        what: "a cluster on MSK's default configuration",
        at: "kafka",
        expect: /runs MSK's default configuration/,
        resources: () => edit(h(), "kafka", { configurationInfo: undefined }),
      },
    ],
  },
  "msk-configuration-durable": {
    fail: [
      {
        what: "single-replica topics with unclean elections",
        at: "kafka-config",
        expect:
          /default\.replication\.factor is 1, not 3 or more; min\.insync\.replicas is unset \(1\), not 2 or more; unclean leader election is on/,
        resources: () =>
          edit(h(), "kafka-config", {
            serverProperties: "default.replication.factor=1\nunclean.leader.election.enable=true",
          }),
      },
    ],
  },
  "msk-storage-autoscaling": {
    fail: [
      {
        what: "no storage target",
        at: "kafka",
        expect: /no storage scaling target/,
        resources: () => without(h(), "kafka-storage", "kafka-storage-policy"),
      },
      {
        what: "a ceiling at the current size",
        at: "kafka-storage",
        expect: /cannot grow beyond the current 100 GiB/,
        resources: () => edit(h(), "kafka-storage", { maxCapacity: 100 }),
      },
      {
        what: "a target without a policy",
        at: "kafka",
        expect: /no target-tracking policy/,
        resources: () => without(h(), "kafka-storage-policy"),
      },
      {
        what: "a policy that may scale in",
        at: "kafka-storage-policy",
        expect: /may scale in/,
        resources: () =>
          edit(h(), "kafka-storage-policy", (i) => ({
            ...i,
            targetTrackingScalingPolicyConfiguration: { targetValue: 70 },
          })),
      },
    ],
  },
  "cost-redshift-usage-limit": {
    fail: [
      {
        what: "no usage limit",
        at: "warehouse-workgroup",
        expect: /has no compute usage limit/,
        resources: () => without(h(), "warehouse-usage-limit"),
      },
      {
        what: "only a data-sharing limit",
        at: "warehouse-workgroup",
        expect: /has no compute usage limit/,
        resources: () => edit(h(), "warehouse-usage-limit", { usageType: "cross-region-datasharing" }),
      },
    ],
  },
  // ---- cluster access and workloads ----
  "eks-access-principals-scoped": {
    fail: [
      {
        what: "an IAM user with cluster access",
        at: "eks-alice",
        expect: /arn:aws:iam::123456789012:user\/alice, which is not an IAM role/,
        resources: () =>
          add(
            planned(
              T.accessEntry,
              { clusterName: `${PREFIX}-eks`, principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`, type: "STANDARD" },
              { name: "eks-alice" },
            ),
          ),
      },
      {
        what: "a policy for a principal without an access entry",
        at: "eks-admin-policy",
        expect: /has no access entry/,
        resources: () => without(h(), "eks-admin"),
      },
    ],
  },
  "eks-addons-pinned": {
    fail: [
      {
        what: "an unpinned add-on",
        at: "addon-vpc-cni",
        expect: /vpc-cni runs whatever version EKS picks/,
        resources: () => edit(h(), "addon-vpc-cni", { addonVersion: undefined }),
      },
      {
        what: "Pod Identity without its agent",
        at: "pod-identity-spark-sales",
        expect: /runs no eks-pod-identity-agent add-on/,
        resources: () => without(h(), "addon-pod-identity"),
      },
    ],
  },
  "k8s-quota-with-limits": {
    fail: [
      {
        what: "a quota on pods only",
        at: "spark-quota",
        expect: /does not cap requests\.cpu, requests\.memory, limits\.memory/,
        resources: () => edit(h(), "spark-quota", (i) => ({ ...i, spec: { hard: { pods: "10" } } })),
      },
      {
        what: "a quota without container defaults",
        at: "spark-quota",
        expect: /no LimitRange giving containers default requests/,
        resources: () => without(h(), "spark-limits"),
      },
    ],
  },
  "k8s-service-internal": {
    fail: [
      {
        what: "an internet-facing load balancer open to all",
        at: "svc-query",
        count: 2,
        expect: /(internet-facing load balancer|admits any address)/,
        resources: () =>
          edit(h(), "svc-query", (i) => ({
            metadata: { name: "query-engine", namespace: "query" },
            spec: { ...(i.spec as object), loadBalancerSourceRanges: ["0.0.0.0/0"] },
          })),
      },
      {
        what: "a NodePort service",
        at: "svc-history",
        expect: /NodePort/,
        resources: () =>
          edit(h(), "svc-history", (i) => ({ ...i, spec: { type: "NodePort", ports: [{ port: 18080 }] } })),
      },
    ],
  },
  "k8s-rbac-least-privilege": {
    fail: [
      {
        what: "a role reading every secret",
        at: "spark-driver-role",
        count: 2,
        expect: /(uses a wildcard|reads secrets)/,
        resources: () =>
          edit(h(), "spark-driver-role", (i) => ({
            ...i,
            rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["*"] }],
          })),
      },
      {
        what: "cluster-admin for every authenticated caller",
        at: "crb",
        count: 2,
        expect: /(built-in cluster-admin|grants system:authenticated)/,
        resources: () =>
          add(
            planned(
              T.clusterRoleBinding,
              {
                metadata: { name: "crb" },
                roleRef: { kind: "ClusterRole", name: "cluster-admin" },
                subjects: [{ kind: "Group", name: "system:authenticated" }],
              },
              { name: "crb" },
            ),
          ),
      },
      {
        what: "a binding to an undeclared ServiceAccount",
        at: "spark-driver-binding",
        expect: /ServiceAccount spark\/default, which this stack does not declare/,
        resources: () =>
          edit(h(), "spark-driver-binding", (i) => ({ ...i, subjects: [{ kind: "ServiceAccount", name: "default" }] })),
      },
    ],
  },
  "k8s-credentials-in-secrets": {
    alsoPass: [
      {
        what: "an opaque Secret holding a password",
        resources: () =>
          add(
            planned(
              T.k8sSecret,
              { metadata: { name: "db", namespace: "query" }, type: "Opaque", stringData: { password: "generated" } },
              { name: "k8s-secret" },
            ),
          ),
      },
    ],
    fail: [
      {
        what: "a SCRAM password in client properties",
        at: "cm-kafka",
        expect: /carries credentials in client\.properties/,
        resources: () =>
          edit(h(), "cm-kafka", (i) => ({
            ...i,
            data: {
              "client.properties":
                'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="app" password="s3cr3t";',
            },
          })),
      },
      {
        what: "a password key",
        at: "cm-kafka",
        expect: /carries credentials in DB_PASSWORD/,
        resources: () => edit(h(), "cm-kafka", (i) => ({ ...i, data: { DB_PASSWORD: "hunter2" } })),
      },
      {
        what: "a long-lived service-account token",
        at: "k8s-secret",
        expect: /Secret 'ci-token' is a long-lived service-account token/,
        resources: () =>
          add(
            planned(
              T.k8sSecret,
              {
                metadata: {
                  name: "ci-token",
                  namespace: "spark",
                  annotations: { "kubernetes.io/service-account.name": "spark-sales" },
                },
                type: "kubernetes.io/service-account-token",
              },
              { name: "k8s-secret" },
            ),
          ),
      },
    ],
  },
  "k8s-external-secrets-scoped": {
    fail: [
      {
        what: "a store with static keys",
        at: "store-query",
        expect: /static access keys/,
        resources: () =>
          edit(h(), "store-query", (i) => ({
            ...i,
            spec: {
              provider: {
                aws: { service: "SecretsManager", auth: { secretRef: { accessKeyIDSecretRef: { name: "aws" } } } },
              },
            },
          })),
      },
      {
        what: "a ClusterSecretStore",
        at: "css",
        expect: /lets every namespace read/,
        resources: () =>
          add(planned(T.clusterSecretStore, { metadata: { name: "everything" }, spec: {} }, { name: "css" })),
      },
      {
        what: "a secret read through another namespace's store",
        at: "es-query",
        expect: /uses store 'other', which namespace query does not declare/,
        resources: () =>
          edit(h(), "es-query", (i) => ({ ...i, spec: { secretStoreRef: { kind: "SecretStore", name: "other" } } })),
      },
    ],
  },
  // ---- delivery paths ----
  "messaging-policy-not-public": {
    fail: [
      {
        what: "a topic anyone may publish to",
        at: "alerts-policy",
        expect: /statement Open allows everyone sns:Publish/,
        resources: () =>
          edit(h(), "alerts-policy", {
            policy: statement({ Sid: "Open", Effect: "Allow", Principal: "*", Action: "sns:Publish", Resource: "*" }),
          }),
      },
    ],
  },
  "sqs-redrive-allow-scoped": {
    fail: [
      {
        what: "allowAll",
        at: "orders-dlq-redrive",
        expect: /any queue \(allowAll\)/,
        resources: () =>
          edit(h(), "orders-dlq-redrive", { redriveAllowPolicy: JSON.stringify({ redrivePermission: "allowAll" }) }),
      },
      {
        what: "byQueue without sources",
        at: "orders-dlq-redrive",
        expect: /names no source queue/,
        resources: () =>
          edit(h(), "orders-dlq-redrive", { redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue" }) }),
      },
    ],
  },
  "sns-subscription-encrypted-transport": {
    fail: [
      {
        what: "plain HTTP",
        at: "alerts-paging",
        expect: /plain HTTP/,
        resources: () => edit(h(), "alerts-paging", { protocol: "http", endpoint: "http://paging.acme.example/sns" }),
      },
      {
        what: "credentials in the URL",
        at: "alerts-paging",
        expect: /carries credentials/,
        resources: () => edit(h(), "alerts-paging", { endpoint: "https://bot:hunter2@paging.acme.example/sns" }),
      },
    ],
  },
  "events-target-declared": {
    fail: [
      {
        what: "a target in another account",
        at: "orders-objects-target",
        expect: /delivers to arn:aws:lambda:eu-west-1:999999999999:function:x, which this stack does not declare/,
        resources: () =>
          opts(
            edit(h(), "orders-objects-target", { arn: "arn:aws:lambda:eu-west-1:999999999999:function:x" }),
            "orders-objects-target",
            { dependencies: [] },
          ),
      },
      {
        what: "no retry policy",
        at: "orders-objects-target",
        expect: /no retry policy/,
        resources: () => edit(h(), "orders-objects-target", { retryPolicy: undefined }),
      },
    ],
  },
  "api-integration-declared": {
    fail: [
      {
        what: "a foreign function",
        at: "orders-integration",
        expect: /a function this stack does not declare/,
        resources: () => opts(h(), "orders-integration", { dependencies: [] }),
      },
      {
        what: "plain HTTP and a 60 s timeout",
        at: "orders-integration",
        count: 2,
        expect: /(plain HTTP|beyond API Gateway's 29000 ms)/,
        resources: () =>
          edit(h(), "orders-integration", {
            integrationType: "HTTP_PROXY",
            integrationUri: "http://backend.acme.example/",
            timeoutMilliseconds: 60000,
          }),
      },
    ],
  },
  "api-jwt-authorizer-scoped": {
    fail: [
      {
        what: "an HTTP issuer for any audience",
        at: "orders-jwt",
        count: 2,
        expect: /(not an HTTPS URL|any audience)/,
        resources: () =>
          edit(h(), "orders-jwt", { jwtConfiguration: { issuer: "http://id.acme.example", audiences: [] } }),
      },
    ],
  },
  "s3-notifications-declared": {
    fail: [
      {
        what: "a queue of another account",
        at: "raw-notifications",
        expect: /notifies arn:aws:sqs:eu-west-1:999999999999:q, which this stack does not declare/,
        resources: () =>
          edit(h(), "raw-notifications", {
            eventbridge: false,
            queues: [{ queueArn: "arn:aws:sqs:eu-west-1:999999999999:q", events: ["s3:ObjectCreated:*"] }],
          }),
      },
      {
        what: "an empty configuration",
        at: "raw-notifications",
        expect: /notifies nothing/,
        resources: () => edit(h(), "raw-notifications", { eventbridge: false }),
      },
    ],
  },
  "cloudwatch-dashboard-well-formed": {
    fail: [
      {
        what: "a metric widget without a region",
        at: "dashboard",
        expect: /metric widget 'Errors' names no region/,
        resources: () =>
          edit(h(), "dashboard", {
            dashboardBody: JSON.stringify({
              widgets: [{ type: "metric", properties: { title: "Errors", metrics: [] } }],
            }),
          }),
      },
      {
        what: "a body that is not JSON",
        at: "dashboard",
        expect: /not JSON/,
        resources: () => edit(h(), "dashboard", { dashboardBody: "{widgets:" }),
      },
    ],
  },
  "cost-dev-msk-size": {
    fail: [
      {
        what: "prod-sized brokers",
        at: "kafka",
        count: 2,
        expect: /(brokers are kafka\.m5\.4xlarge|6 brokers)/,
        resources: () =>
          edit(h(), "kafka", (i) => ({
            ...i,
            numberOfBrokerNodes: 6,
            brokerNodeGroupInfo: { ...(i.brokerNodeGroupInfo as object), instanceType: "kafka.m5.4xlarge" },
          })),
      },
    ],
  },
  "cost-dev-rds-size": {
    fail: [
      {
        what: "Aurora scaling to 64 ACU",
        at: "aurora",
        expect: /scales to 64 ACU/,
        resources: () =>
          edit(h(), "aurora", { serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 64 } }),
      },
      {
        what: "a provisioned r6g instance",
        at: "aurora-1",
        expect: /instance class db\.r6g\.2xlarge/,
        resources: () => edit(h(), "aurora-1", { instanceClass: "db.r6g.2xlarge" }),
      },
    ],
  },
  "cost-dev-eks-node-size": {
    fail: [
      {
        what: "4xlarge nodes",
        at: "nodes",
        expect: /m6i\.4xlarge is larger than xlarge/,
        resources: () => edit(h(), "nodes", { instanceTypes: ["m6i.4xlarge"] }),
      },
      {
        what: "GPU nodes",
        at: "nodes",
        expect: /g5\.xlarge is an accelerated instance/,
        resources: () => edit(h(), "nodes", { instanceTypes: ["g5.xlarge"] }),
      },
      {
        what: "a 40-node ceiling",
        at: "nodes",
        expect: /scales to 40 nodes/,
        resources: () => edit(h(), "nodes", { scalingConfig: { minSize: 1, maxSize: 40, desiredSize: 1 } }),
      },
    ],
  },
  "cost-dev-redshift-capacity": {
    fail: [
      {
        what: "128 base RPU",
        at: "warehouse-workgroup",
        expect: /base capacity 128 RPU/,
        resources: () => edit(h(), "warehouse-workgroup", { baseCapacity: 128 }),
      },
    ],
  },
  // ---- network ----
  "ec2-sg-no-world-ingress-data-ports": {
    fail: [
      {
        what: "Redshift open to the internet",
        at: "sg-warehouse",
        expect: /admits 0\.0\.0\.0\/0 on port 5439 \(Redshift\)/,
        resources: () =>
          edit(h(), "sg-warehouse", {
            ingress: [{ protocol: "tcp", fromPort: 5439, toPort: 5439, cidrBlocks: ["0.0.0.0/0"], description: "x" }],
          }),
      },
      {
        what: "PostgreSQL open over IPv6 (SecurityGroupRule)",
        at: "pg-rule",
        expect: /admits ::\/0 on port 5432 \(PostgreSQL\)/,
        resources: () =>
          add(
            planned(
              T.sgRule,
              {
                type: "ingress",
                securityGroupId: "sg-1",
                protocol: "tcp",
                fromPort: 5432,
                toPort: 5432,
                ipv6CidrBlocks: ["::/0"],
                description: "x",
              },
              { name: "pg-rule" },
            ),
          ),
      },
      {
        what: "all traffic from anywhere (vpc ingress rule)",
        at: "any-rule",
        expect: /admits 0\.0\.0\.0\/0 on ports 0-65535 .*Kafka/,
        resources: () =>
          add(
            planned(
              T.ingressRule,
              { securityGroupId: "sg-1", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", description: "x" },
              { name: "any-rule" },
            ),
          ),
      },
    ],
  },
  "ec2-sg-no-world-ingress": {
    alsoPass: [
      {
        what: "a data port opened to the world (the data-port rule's finding, not repeated)",
        resources: () =>
          add(sg([{ protocol: "tcp", fromPort: 9092, toPort: 9092, cidrBlocks: ["0.0.0.0/0"], description: "x" }])),
      },
    ],
    fail: [
      {
        what: "HTTP from anywhere",
        at: "sg-extra",
        expect: /admits 0\.0\.0\.0\/0 on tcp port 80/,
        resources: () =>
          add(sg([{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"], description: "web" }])),
      },
    ],
  },
  "ec2-sg-no-world-egress-all": {
    fail: [
      {
        what: "all traffic out",
        at: "sg-extra",
        expect: /lets all traffic out to the internet/,
        resources: () =>
          add(sg([], [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "all" }])),
      },
      {
        what: "every TCP port out over IPv6",
        at: "sg-extra",
        expect: /lets tcp on every port out/,
        resources: () =>
          add(sg([], [{ protocol: "tcp", fromPort: 0, toPort: 65535, ipv6CidrBlocks: ["::/0"], description: "all" }])),
      },
    ],
  },
  "ec2-sg-rules-described": {
    fail: [
      {
        what: "Pulumi's default group description",
        at: "sg-compute",
        expect: /the group has no description/,
        resources: () => edit(h(), "sg-compute", { description: "Managed by Pulumi" }),
      },
      {
        what: "an undescribed rule",
        at: "sg-extra",
        expect: /1 rule\(s\) without a description \(ingress port 5439\)/,
        resources: () => add(sg([{ protocol: "tcp", fromPort: 5439, toPort: 5439, securityGroups: ["sg-compute"] }])),
      },
    ],
  },
  "ec2-default-sg-closed": {
    fail: [
      {
        what: "an unmanaged default group",
        at: "vpc",
        expect: /leaves its default security group open/,
        resources: () => without(h(), "default-sg"),
      },
      {
        what: "a default group with a rule",
        at: "default-sg",
        expect: /has 1 rule/,
        resources: () => edit(h(), "default-sg", { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }] }),
      },
    ],
  },
  "ec2-vpc-flow-logs": {
    fail: [
      { what: "no flow log", at: "vpc", expect: /has no flow log/, resources: () => without(h(), "flow-log") },
      {
        what: "rejected traffic only",
        at: "vpc",
        expect: /logs only REJECT traffic/,
        resources: () => edit(h(), "flow-log", { trafficType: "REJECT" }),
      },
    ],
  },
  "ec2-vpc-dns-enabled": {
    fail: [
      {
        what: "no DNS host names",
        at: "vpc",
        expect: /DNS host names are off/,
        resources: () => edit(h(), "vpc", { enableDnsHostnames: false }),
      },
    ],
  },
  "ec2-subnet-no-public-ip": {
    fail: [
      {
        what: "public IPs on launch",
        at: "subnet-a",
        expect: /maps public IPs/,
        resources: () => edit(h(), "subnet-a", { mapPublicIpOnLaunch: true }),
      },
    ],
  },
  "ec2-subnet-explicit-route-table": {
    fail: [
      {
        what: "a subnet on the main route table",
        at: "subnet-b",
        expect: /subnet 'subnet-b' uses the main route table/,
        resources: () => without(h(), "rta-b"),
      },
    ],
  },
  "ec2-nat-per-az": {
    fail: [
      {
        what: "one NAT for three AZs",
        at: "nat-a",
        expect: /1 NAT gateway\(s\) for 3 AZs: eu-west-1b, eu-west-1c route through another AZ/,
        resources: () => without(h(), "nat-b", "nat-c"),
      },
    ],
  },
  "ec2-s3-gateway-endpoint": {
    fail: [
      {
        what: "no S3 endpoint",
        at: "vpc",
        expect: /has no S3 gateway endpoint/,
        resources: () => without(h(), "endpoint-s3"),
      },
    ],
  },
  "ec2-vpc-endpoint-configured": {
    alsoPass: [{ what: "a complete interface endpoint", resources: () => add(interfaceEndpoint()) }],
    fail: [
      {
        what: "an interface endpoint without private DNS",
        at: "endpoint-sts",
        expect: /private DNS is off/,
        resources: () => add(interfaceEndpoint({ privateDnsEnabled: false })),
      },
      {
        what: "an interface endpoint without security group",
        at: "endpoint-sts",
        expect: /has no security group/,
        resources: () => add(interfaceEndpoint({ securityGroupIds: [] })),
      },
      {
        what: "a gateway endpoint on no route table",
        at: "endpoint-s3",
        expect: /attached to no route table/,
        resources: () => edit(h(), "endpoint-s3", { routeTableIds: [] }),
      },
    ],
  },
  "ec2-eip-in-use": {
    fail: [
      {
        what: "an idle Elastic IP",
        at: "eip-spare",
        expect: /elastic IP 'eip-spare' is not attached/,
        resources: () => add(planned(T.eip, { domain: "vpc", tags: baseTags() }, { name: "eip-spare" })),
      },
    ],
  },
  "ec2-imdsv2-required": {
    fail: [
      {
        what: "IMDSv1 allowed",
        at: "nodes-template",
        expect: /allows IMDSv1/,
        resources: () =>
          edit(h(), "nodes-template", {
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 1 },
          }),
      },
      {
        what: "a hop limit of 2",
        at: "nodes-template",
        expect: /hop limit is 2/,
        resources: () =>
          edit(h(), "nodes-template", {
            metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
          }),
      },
    ],
  },
  "ec2-ebs-encrypted": {
    fail: [
      {
        what: "an unencrypted launch-template disk",
        at: "nodes-template",
        expect: /block device \/dev\/xvda is not encrypted/,
        resources: () =>
          edit(h(), "nodes-template", {
            blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 100, encrypted: "false" } }],
          }),
      },
      {
        what: "an unencrypted volume",
        at: "scratch",
        expect: /is not encrypted/,
        resources: () =>
          add(planned(T.volume, { availabilityZone: `${REGION}a`, size: 10, tags: baseTags() }, { name: "scratch" })),
      },
      {
        what: "an instance with an unencrypted root",
        at: "bastion",
        expect: /root volume is not encrypted/,
        resources: () =>
          add(
            planned(
              T.instance,
              {
                ami: "ami-1",
                instanceType: "t3.micro",
                metadataOptions: { httpTokens: "required" },
                rootBlockDevice: { volumeSize: 8 },
                tags: baseTags(),
              },
              { name: "bastion" },
            ),
          ),
      },
    ],
  },
  "cost-dev-nat-gateways": {
    pass: () => without(h(), "nat-b", "nat-c"),
    fail: [{ what: "a NAT per AZ", at: "nat-b", expect: /3 NAT gateways; dev needs one/, resources: h }],
  },
  "cost-dev-no-interface-endpoints": {
    fail: [
      {
        what: "an STS interface endpoint",
        at: "endpoint-sts",
        expect: /interface endpoint for sts/,
        resources: () => add(interfaceEndpoint()),
      },
    ],
  },
  // ---- logs ----
  "logs-retention-set": {
    fail: [
      {
        what: "infinite retention",
        at: "orders-logs",
        expect: /keeps events forever/,
        resources: () => edit(h(), "orders-logs", { retentionInDays: undefined }),
      },
    ],
  },
  "logs-kms-encrypted": {
    fail: [
      {
        what: "no KMS key",
        at: "orders-logs",
        expect: /not encrypted with a customer-managed key/,
        resources: () => edit(h(), "orders-logs", { kmsKeyId: undefined }),
      },
    ],
  },
  "logs-prod-retention-year": {
    fail: [
      {
        what: "30-day retention",
        at: "flow-logs",
        expect: /keeps events 30 days, not 365/,
        resources: () => edit(h(), "flow-logs", { retentionInDays: 30 }),
      },
    ],
  },
  "logs-key-admits-logs-service": {
    fail: [
      {
        what: "a log group under the restricted key",
        at: "orders-logs",
        expect: /uses key 'key-restricted', whose policy does not admit CloudWatch Logs/,
        resources: () => edit(h(), "orders-logs", { kmsKeyId: keyArn("restricted") }),
      },
    ],
  },
  // ---- catalog ----
  "glue-catalog-encryption": {
    fail: [
      {
        what: "an unencrypted catalog",
        at: "glue-encryption",
        count: 2,
        expect: /(catalog metadata|connection passwords) (is|are) not encrypted/,
        resources: () =>
          edit(h(), "glue-encryption", {
            dataCatalogEncryptionSettings: {
              encryptionAtRest: { catalogEncryptionMode: "DISABLED" },
              connectionPasswordEncryption: { returnConnectionPasswordEncrypted: false },
            },
          }),
      },
    ],
  },
  "glue-security-configuration-encrypted": {
    fail: [
      {
        what: "unencrypted bookmarks",
        at: "glue-security",
        expect: /job bookmarks is not CSE-KMS-encrypted/,
        resources: () =>
          edit(h(), "glue-security", (i) => ({
            ...i,
            encryptionConfiguration: {
              ...(i.encryptionConfiguration as object),
              jobBookmarksEncryption: { jobBookmarksEncryptionMode: "DISABLED" },
            },
          })),
      },
    ],
  },
  "glue-database-in-registered-location": {
    fail: [
      {
        what: "an unregistered location",
        at: "db-sales_curated",
        expect: /is not registered with Lake Formation/,
        resources: () => without(h(), "lf-curated"),
      },
      {
        what: "a foreign bucket",
        at: "db-sales_raw",
        expect: /points at 'partner-drop', which this stack does not manage/,
        resources: () => edit(h(), "db-sales_raw", { locationUri: "s3://partner-drop/sales/" }),
      },
    ],
  },
  "athena-results-in-stack-bucket": {
    fail: [
      {
        what: "results in a bucket outside the stack",
        at: "athena-analysts",
        expect: /writes results to 'someone-elses-bucket'/,
        resources: () =>
          athena((c) => (c.resultConfiguration = { outputLocation: "s3://someone-elses-bucket/results/" })),
      },
      {
        what: "no result location",
        at: "athena-analysts",
        expect: /names no result location/,
        resources: () => athena((c) => delete c.resultConfiguration),
      },
    ],
  },
  "glue-database-no-default-grants": {
    fail: [
      {
        what: "a database default for IAMAllowedPrincipals",
        at: "db-sales_raw",
        expect: /createTableDefaultPermissions grants IAM_ALLOWED_PRINCIPALS/,
        resources: () =>
          edit(h(), "db-sales_raw", {
            createTableDefaultPermissions: [{ permissions: ["ALL"], principal: { dataLakePrincipalIdentifier: IAP } }],
          }),
      },
    ],
  },
  "lakeformation-tags-match-data-tags": {
    alsoPass: [
      {
        what: "a stack that declares no LF-tags",
        resources: () =>
          h().filter(
            (r) =>
              !r.type.startsWith("aws:lakeformation/lfTag") && !r.type.startsWith("aws:lakeformation/resourceLfTags"),
          ),
      },
    ],
    fail: [
      {
        what: "restricted data LF-tagged confidential",
        at: "db-people_raw",
        expect: /is data-classification=restricted but LF-tagged acme-data-prod:classification=confidential/,
        resources: () =>
          edit(h(), "lf-tags-people_raw", {
            lfTags: [
              { key: `${PREFIX}:domain`, value: "people" },
              { key: `${PREFIX}:classification`, value: "confidential" },
            ],
          }),
      },
      {
        what: "a database without LF-tags",
        at: "db-sales_curated",
        expect: /carries no LF-tags/,
        resources: () => without(h(), "lf-tags-sales_curated"),
      },
      {
        what: "a value no LfTag defines",
        at: "lf-tags-ledger",
        expect: /assigns acme-data-prod:domain=finance, which no LfTag of this stack defines/,
        resources: () =>
          add(
            planned(
              T.lfResourceTags,
              {
                table: { databaseName: "acme_data_prod_sales_raw", name: "ledger" },
                lfTags: [{ key: `${PREFIX}:domain`, value: "finance" }],
              },
              { name: "lf-tags-ledger" },
            ),
          ),
      },
    ],
  },
  "lakeformation-admins": {
    fail: [
      {
        what: "no administrators",
        at: "lf-settings",
        expect: /has no administrators/,
        resources: () => edit(h(), "lf-settings", { admins: [] }),
      },
      {
        what: "a user as administrator",
        at: "lf-settings",
        expect: /administrator 'arn:aws:iam::123456789012:user\/alice' is not an IAM role/,
        resources: () => edit(h(), "lf-settings", { admins: [`arn:aws:iam::${ACCOUNT}:user/alice`] }),
      },
    ],
  },
  "lakeformation-location-role": {
    fail: [
      {
        what: "the service-linked role",
        at: "lf-raw",
        expect: /uses the service-linked role/,
        resources: () => edit(h(), "lf-raw", { roleArn: undefined, useServiceLinkedRole: true }),
      },
      {
        what: "the service-linked role by ARN",
        at: "lf-raw",
        expect: /names AWSServiceRoleForLakeFormationDataAccess/,
        resources: () =>
          edit(h(), "lf-raw", {
            roleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/lakeformation.amazonaws.com/AWSServiceRoleForLakeFormationDataAccess`,
          }),
      },
    ],
  },
  "lakeformation-no-hybrid-access": {
    fail: [
      {
        what: "hybrid access mode",
        at: "lf-raw",
        expect: /hybrid access mode/,
        resources: () => edit(h(), "lf-raw", { hybridAccessEnabled: true }),
      },
    ],
  },
  "lakeformation-least-privilege-grants": {
    alsoPass: [
      {
        what: "a steward re-granting reads over its domain's tag",
        resources: () =>
          add(
            planned(
              T.lfPermissions,
              {
                principal: roleArn("steward-sales"),
                permissions: ["SELECT", "DESCRIBE", "ALTER"],
                permissionsWithGrantOptions: ["SELECT", "DESCRIBE"],
                lfTagPolicy: { resourceType: "TABLE", expressions: [{ key: "domain", values: ["sales"] }] },
              },
              { name: "lf-steward" },
            ),
          ),
      },
    ],
    fail: [
      {
        what: "ALL",
        at: "lf-grant-analyst",
        expect: /grants ALL to/,
        resources: () => edit(h(), "lf-grant-analyst", { permissions: ["ALL"] }),
      },
      {
        what: "a grant option on a named table",
        at: "lf-grant-analyst",
        expect: /lets arn:aws:iam::123456789012:role\/acme-data-prod\/analyst re-grant SELECT on a named resource/,
        resources: () => edit(h(), "lf-grant-analyst", { permissionsWithGrantOptions: ["SELECT"] }),
      },
      {
        what: "a steward re-granting ALTER",
        at: "lf-steward",
        expect: /re-grant ALTER, beyond reading/,
        resources: () =>
          add(
            planned(
              T.lfPermissions,
              {
                principal: roleArn("steward-sales"),
                permissions: ["ALTER"],
                permissionsWithGrantOptions: ["ALTER"],
                lfTag: { key: "domain", values: ["sales"] },
              },
              { name: "lf-steward" },
            ),
          ),
      },
    ],
  },
};
