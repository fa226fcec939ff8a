import { strict as assert } from "assert";
import type { Environment } from "../../components/core/types";
import { KafkaCluster } from "../../components/streaming/KafkaCluster";
import { resolveStreamingConfig, StreamingInput } from "../../components/streaming/config";
import { evaluate } from "../../policies/engine/evaluate";
import { PlatformRule, PROD_ONLY } from "../../policies/rules/define";
import { MSK_TYPES as M, streamingRules } from "../../policies/rules/streaming";
import { planned, violations } from "../support/policy";
import { planResources, refs } from "../warehouse/support/program";

const rule = (name: string): PlatformRule => {
  const r = streamingRules.find((x) => x.name === name);
  if (!r) throw new Error(`no rule ${name}`);
  return r;
};
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const msk = (extra: Record<string, unknown> = {}) =>
  planned(M.cluster, {
    clusterName: "k",
    numberOfBrokerNodes: 3,
    brokerNodeGroupInfo: {
      instanceType: "kafka.m7g.large",
      clientSubnets: ["subnet-a", "subnet-b", "subnet-c"],
      securityGroups: ["sg-1"],
    },
    encryptionInfo: { encryptionAtRestKmsKeyArn: KEY, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
    clientAuthentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
    loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: "/aws/msk/k/broker" } } },
    ...extra,
  });

describe("MSK policy rules", () => {
  it("msk-tls-only: TLS both ways passes; TLS_PLAINTEXT, plaintext between brokers or unset fails", async () => {
    const r = rule("msk-tls-only");
    assert.deepEqual(await violations(r, msk()), []);
    assert.deepEqual(
      await violations(
        r,
        msk({
          encryptionInfo: {
            encryptionAtRestKmsKeyArn: KEY,
            encryptionInTransit: { clientBroker: "TLS_PLAINTEXT", inCluster: true },
          },
        }),
      ),
      ["client-broker encryption is TLS_PLAINTEXT; must be TLS"],
    );
    assert.deepEqual(
      await violations(
        r,
        msk({
          encryptionInfo: {
            encryptionAtRestKmsKeyArn: KEY,
            encryptionInTransit: { clientBroker: "TLS", inCluster: false },
          },
        }),
      ),
      ["in-cluster encryption is not explicitly on"],
    );
    assert.deepEqual(await violations(r, msk({ encryptionInfo: undefined })), [
      "client-broker encryption is not set explicitly; must be TLS",
      "in-cluster encryption is not explicitly on",
    ]);
  });

  it("msk-kms-cmk: a key ARN passes; the AWS-managed default fails", async () => {
    const r = rule("msk-kms-cmk");
    assert.deepEqual(await violations(r, msk()), []);
    assert.deepEqual(
      await violations(r, msk({ encryptionInfo: { encryptionInTransit: { clientBroker: "TLS", inCluster: true } } })),
      ["is not encrypted with a customer-managed key (AWS-managed key)"],
    );
  });

  it("msk-authenticated-clients: IAM or SCRAM passes; unauthenticated or TLS-certificates-only fails, serverless too", async () => {
    const r = rule("msk-authenticated-clients");
    assert.deepEqual(
      await violations(r, [
        msk(),
        msk({ clientAuthentication: { sasl: { scram: true } } }),
        planned(M.serverless, { clientAuthentication: { sasl: { iam: { enabled: true } } } }),
      ]),
      [],
    );
    assert.deepEqual(
      await violations(r, msk({ clientAuthentication: { sasl: { iam: true }, unauthenticated: true } })),
      ["allows unauthenticated clients"],
    );
    assert.deepEqual(
      await violations(
        r,
        msk({
          clientAuthentication: {
            tls: { certificateAuthorityArns: ["arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/x"] },
          },
        }),
      ),
      ["neither IAM nor SCRAM authentication is enabled"],
    );
    assert.deepEqual(await violations(r, msk({ clientAuthentication: undefined })), [
      "neither IAM nor SCRAM authentication is enabled",
    ]);
    assert.deepEqual(
      await violations(r, planned(M.serverless, { clientAuthentication: { sasl: { iam: { enabled: false } } } })),
      ["IAM authentication is not enabled"],
    );
  });

  it("msk-broker-logging: any enabled delivery passes; none fails", async () => {
    const r = rule("msk-broker-logging");
    assert.deepEqual(
      await violations(r, [msk(), msk({ loggingInfo: { brokerLogs: { s3: { enabled: true, bucket: "logs" } } } })]),
      [],
    );
    assert.deepEqual(
      await violations(r, msk({ loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: false } } } })),
      ["broker logs are not delivered anywhere"],
    );
    assert.deepEqual(await violations(r, msk({ loggingInfo: undefined })), ["broker logs are not delivered anywhere"]);
  });

  it("msk-prod-ha: 3 brokers over 3 subnets passes; fewer brokers or AZs fails; it is enforced in prod only", async () => {
    const r = rule("msk-prod-ha");
    assert.deepEqual(await violations(r, msk({ numberOfBrokerNodes: 6 })), []);
    assert.deepEqual(
      await violations(
        r,
        msk({ numberOfBrokerNodes: 2, brokerNodeGroupInfo: { clientSubnets: ["subnet-a", "subnet-b"] } }),
      ),
      ["has 2 broker(s); at least 3 required", "spans 2 subnet(s)/AZ(s); at least 3 required"],
    );
    assert.equal(r.meta.enforcement, PROD_ONLY);
    for (const name of ["msk-tls-only", "msk-kms-cmk", "msk-authenticated-clients"])
      assert.equal(rule(name).meta.enforcement.dev, "mandatory", name);
  });

  describe("against the KafkaCluster component's own plans", function () {
    this.timeout(30_000);
    const levels = (environment: Environment) =>
      Object.fromEntries(streamingRules.map((r) => [r.name, { enforcementLevel: r.meta.enforcement[environment] }]));
    const judge = async (environment: Environment, input: StreamingInput) => {
      const { resources } = await planResources(() => {
        new KafkaCluster("kafka", {
          ...refs(environment),
          config: resolveStreamingConfig(input, environment, [{ name: "sales", classification: "internal" }]),
        });
      });
      return (await evaluate(streamingRules, resources, levels(environment))).violations;
    };

    it("prod passes every rule; dev passes, and staging's only finding is the advisory HA rule", async () => {
      assert.deepEqual(await judge("prod", {}), []);
      assert.deepEqual(await judge("dev", {}), []);
      const staging = await judge("staging", {});
      assert.deepEqual(
        staging.map((v) => [v.policy, v.level]),
        [
          ["msk-prod-ha", "advisory"],
          ["msk-prod-ha", "advisory"],
        ],
      );
    });

    it("msk-serverless passes the rules that apply to it", async () => {
      assert.deepEqual(await judge("staging", { engine: "msk-serverless" }), []);
    });
  });
});
