import { strict as assert } from "assert";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../components/core/iam";
import { boundaryPolicy, keyPolicy } from "../../components/security/documents";
import type { PlannedResource } from "../../policies/engine/args";
import { ACCOUNT_ID } from "../../tools/plan/mocks";
import { resourcesOf } from "../support/plan";
import { keyArn, REGION, rolePolicy, secretArn } from "./program";

// The roles' planned policies from the dev stack, evaluated as AWS would: identity policy, the platform's
// permissions boundary and, for KMS, the key's own policy — a grant counts only if every layer agrees.

const PREFIX = "acme-data-dev";
const RAW = `arn:aws:s3:::${PREFIX}-raw-${ACCOUNT_ID}`;
const ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/${PREFIX}/fn-role`;
const BOUNDARY = boundaryPolicy({
  accountId: ACCOUNT_ID,
  prefix: PREFIX,
  boundaryName: `${PREFIX}-permissions-boundary`,
});
const viaS3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com` };

describe("ingestion: IAM of the functions (simulated)", function () {
  this.timeout(60_000);
  let dev: PlannedResource[];
  let confidential: string;
  const policy = (role: string) => rolePolicy(dev, `acme-data-ingestion-${role}`) as unknown as PolicyDocument;
  const rawKey = (p: PolicyDocument) => {
    const s = p.Statement.find((x) => x.Condition?.StringEquals?.["kms:ViaService"] === viaS3["kms:ViaService"]);
    assert.ok(s, "a statement for the raw zone's key through S3");
    return s;
  };

  async function decide(
    identity: PolicyDocument,
    action: string,
    resource: string,
    context: Record<string, string> = {},
  ): Promise<string> {
    const result = await runSimulation(
      {
        request: {
          principal: ROLE,
          action,
          resource: { resource, accountId: ACCOUNT_ID },
          contextVariables: { "aws:PrincipalArn": ROLE, ...context },
        },
        identityPolicies: [{ name: "identity", policy: identity }],
        permissionBoundaryPolicies: [{ name: "boundary", policy: BOUNDARY }],
        resourcePolicy:
          resource === confidential
            ? keyPolicy({ accountId: ACCOUNT_ID, region: REGION, prefix: PREFIX, classification: "confidential" })
            : undefined,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  }
  const allows = async (p: PolicyDocument, action: string, resource: string, context?: Record<string, string>) =>
    assert.equal(await decide(p, action, resource, context), "Allowed", `${action} ${resource}`);
  const denies = async (p: PolicyDocument, action: string, resource: string, context?: Record<string, string>) =>
    assert.notEqual(await decide(p, action, resource, context), "Allowed", `${action} ${resource}`);

  before(async () => {
    dev = await resourcesOf("dev");
    confidential = keyArn(dev, "confidential");
  });

  it("an http source writes only its own raw prefix, and uses the raw zone's key only through S3", async () => {
    const http = policy("orders-api-fn-role");
    await allows(http, "s3:PutObject", `${RAW}/sales/source=orders-api/dt=2024-05-01/o-1.json`);
    await allows(http, "s3:PutObject", `${RAW}/sales/source=orders-api/_rejected/dt=2024-05-01/o-2.json`);
    await denies(http, "s3:PutObject", `${RAW}/sales/source=payments/dt=2024-05-01/p-1.json`);
    await denies(http, "s3:PutObject", `${RAW}/marketing/source=web-events/dt=2024-05-01/e.json`);
    await denies(http, "s3:GetObject", `${RAW}/sales/source=payments/dt=2024-05-01/p-1.json`);
    await denies(http, "s3:DeleteObject", `${RAW}/sales/source=orders-api/dt=2024-05-01/o-1.json`);
    await denies(http, "kms:GenerateDataKey", confidential);
    await denies(http, "kms:Decrypt", keyArn(dev, "restricted"), viaS3);
    // With bucket keys S3 asks KMS with the bucket's ARN as encryption context; the simulator ignores that key,
    // so the condition is checked as written: the zone key, through S3, for the raw bucket only.
    assert.deepEqual(rawKey(http).Condition, { StringEquals: { ...viaS3, "kms:EncryptionContext:aws:s3:arn": RAW } });
  });

  it("a loader reads its upstream's prefix and its own warehouse login, and writes nothing to the lake", async () => {
    const loader = policy("orders-loader-fn-role");
    await allows(loader, "s3:GetObject", `${RAW}/sales/source=orders-api/dt=2024-05-01/o-1.json`);
    await denies(loader, "s3:GetObject", `${RAW}/sales/source=carts/dt=2024-05-01/c.json`);
    await denies(loader, "s3:PutObject", `${RAW}/sales/source=orders-api/dt=2024-05-01/o-1.json`);
    assert.deepEqual(
      [rawKey(loader).Resource, rawKey(loader).Action, rawKey(loader).Condition],
      [confidential, ["kms:Decrypt"], { StringEquals: { ...viaS3, "kms:EncryptionContext:aws:s3:arn": RAW } }],
      "decrypt only",
    );
    await allows(loader, "s3:ListBucket", RAW, { "s3:prefix": "sales/source=orders-api/dt=2024-05-01/" });
    await denies(loader, "s3:ListBucket", RAW, { "s3:prefix": "sales/" });
    await allows(loader, "secretsmanager:GetSecretValue", secretArn(dev, "acme-data-warehouse-login-ingestion_loader"));
    await denies(loader, "secretsmanager:GetSecretValue", secretArn(dev, "acme-data-warehouse-admin"));
    await denies(loader, "secretsmanager:GetSecretValue", secretArn(dev, "acme-data-warehouse-login-pipeline_runner"));
  });

  it("a queue source consumes only its own queue; a pull reads only its partner's credentials", async () => {
    const queue = policy("payments-fn-role");
    await allows(queue, "sqs:ReceiveMessage", `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${PREFIX}-payments-queue`);
    await denies(queue, "sqs:ReceiveMessage", `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${PREFIX}-payments-dlq`);
    const pull = policy("crm-contacts-fn-role");
    await allows(
      pull,
      "secretsmanager:GetSecretValue",
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${PREFIX}/crm-api-Ab12Cd`,
    );
    await denies(pull, "secretsmanager:GetSecretValue", secretArn(dev, "acme-data-warehouse-admin"));
    await allows(pull, "s3:PutObject", `${RAW}/marketing/source=crm-contacts/_state/watermark.json`);
  });
});
