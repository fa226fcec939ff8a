import * as aws from "@pulumi/aws";
import * as k8s from "./kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PolicyDocument } from "../core/iam";
import { baseTags } from "../core/tags";
import { secretReadPolicy } from "./identity";
import { podIdentity } from "./pod-identity";
import { namespace, namespaceNetworkPolicies, platformLabels } from "./k8s";
import { CREDENTIALS_SECRET, ENV, PASSWORD_DB_SECRET, TLS_SECRET } from "./query";
import type { QueryEngineArgs } from "./query-args";
import {
  EXTERNAL_SECRETS_API_VERSION,
  EXTERNAL_SECRETS_NAMESPACE,
  EXTERNAL_SECRETS_SERVICE_ACCOUNT,
  ExternalSecretData,
  externalSecret,
  externalSecretsValues,
  secretStore,
} from "./secrets";
import { CHARTS } from "./versions";

export interface QuerySecrets {
  /** What the secrets controller must read. */
  readonly secretsPolicy: pulumi.Output<PolicyDocument>;
  /** Where administrators put password-file entries, for password authentication. */
  readonly passwordDbSecretArn?: pulumi.Output<string>;
  /** The secret store and the synced secrets: the engine's pods start after them. */
  readonly synced: pulumi.Resource[];
}

/**
 * The query engine's credentials, children of its component: created (shared secret, password file) or referenced
 * (warehouse, OAuth2, keystore) in Secrets Manager, the External Secrets operator unless the cluster runs one, and
 * the secrets synced into the engine's namespace, where pods read them as environment variables or mounted files.
 */
export function declareQuerySecrets(
  name: string,
  args: QueryEngineArgs & { readonly labels: Record<string, string>; readonly nsObj: pulumi.Resource },
  parent: pulumi.ComponentResource,
): QuerySecrets {
  const { ctx, config: q, kubernetes, labels, nsObj } = args;
  const ns = q.namespace;
  const p = { parent };
  const kp = { parent, provider: kubernetes.provider };
  const stateful = { parent, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete };
  const tags = baseTags(ctx, "query-engine");
  const accountId = pulumi.output(args.accountId);
  const confidential = args.security.keyArns.confidential;
  let passwordDbSecretArn: pulumi.Output<string> | undefined;

  // Credentials: created (shared secret, password file) or referenced (warehouse, OAuth2, keystore) in Secrets
  // Manager, then synced into the namespace. Pods read them as environment variables or mounted files.
  // Dev is torn down and rebuilt: a pending deletion would block re-creating the same secret name for days.
  const recovery = ctx.environment === "prod" ? 30 : ctx.allowDestroyData ? 0 : 7;
  const sharedSecret = new aws.secretsmanager.Secret(
    `${name}-shared-secret`,
    {
      name: `${ctx.prefix}/query-engine/internal-shared-secret`,
      description: "Signs requests between coordinator and workers",
      kmsKeyId: confidential,
      recoveryWindowInDays: recovery,
      tags,
    },
    p,
  );
  const sharedValue = new random.RandomPassword(`${name}-shared-secret`, { length: 64, special: false }, p);
  new aws.secretsmanager.SecretVersion(
    `${name}-shared-secret`,
    { secretId: sharedSecret.id, secretString: sharedValue.result },
    p,
  );
  const secretArns: pulumi.Input<string>[] = [sharedSecret.arn];
  const keyArns: pulumi.Input<string>[] = [confidential];
  const credentials: { secretKey: string; key: pulumi.Input<string>; property?: string }[] = [
    { secretKey: ENV.sharedSecret, key: sharedSecret.arn },
  ];
  if (q.authentication.type === "password") {
    const passwordDb = new aws.secretsmanager.Secret(
      `${name}-password-db`,
      {
        name: `${ctx.prefix}/query-engine/password-db`,
        description: `${q.engine} password file: one 'user:bcrypt-hash' line per user (htpasswd -B -C 10)`,
        kmsKeyId: confidential,
        recoveryWindowInDays: recovery,
        tags,
      },
      stateful,
    );
    passwordDbSecretArn = passwordDb.arn;
    secretArns.push(passwordDb.arn);
  } else {
    secretArns.push(q.authentication.clientSecretArn);
    credentials.push({ secretKey: ENV.oauth2ClientSecret, key: q.authentication.clientSecretArn });
  }
  if (args.warehouse) {
    secretArns.push(args.warehouse.secretArn);
    if (args.warehouse.secretKeyArn) keyArns.push(args.warehouse.secretKeyArn);
    credentials.push(
      { secretKey: ENV.warehouseUser, key: args.warehouse.secretArn, property: "username" },
      { secretKey: ENV.warehousePassword, key: args.warehouse.secretArn, property: "password" },
    );
  }
  if (q.prestoTls) {
    secretArns.push(q.prestoTls.keystoreSecretArn);
    credentials.push({ secretKey: ENV.keystorePassword, key: q.prestoTls.keystoreSecretArn, property: "password" });
  }
  const secretsPolicy = pulumi
    .all([pulumi.all(secretArns), pulumi.all(keyArns)])
    .apply(([s, k]) => secretReadPolicy(ctx.region, s, k));

  const syncDeps: pulumi.Resource[] = [];
  if (args.installExternalSecrets ?? true) {
    const esoLabels = platformLabels(ctx, "external-secrets");
    const esoNs = new k8s.core.v1.Namespace(`${name}-eso-ns`, namespace(EXTERNAL_SECRETS_NAMESPACE, esoLabels), kp);
    namespaceNetworkPolicies({
      namespace: EXTERNAL_SECRETS_NAMESPACE,
      labels: esoLabels,
      intraNamespace: true,
      httpsEgress: true,
      ingressFrom: [
        {
          name: "webhook",
          podSelector: { "app.kubernetes.io/name": "external-secrets-webhook" },
          cidrs: [args.vpcCidr],
          ports: [10250],
        },
      ],
    }).forEach(
      (np) =>
        new k8s.networking.v1.NetworkPolicy(`${name}-eso-${np.metadata?.name}`, np, { ...kp, dependsOn: [esoNs] }),
    );
    const esoIdentity = kubernetes.eks
      ? [
          podIdentity(
            `${name}-secrets`,
            {
              ctx,
              accountId,
              permissionsBoundaryArn: args.security.permissionsBoundaryArn,
              eks: kubernetes.eks,
              namespace: EXTERNAL_SECRETS_NAMESPACE,
              serviceAccount: EXTERNAL_SECRETS_SERVICE_ACCOUNT,
              policy: secretsPolicy,
              description: "External Secrets: reads the query engine's secrets",
              tags,
            },
            p,
          ).association,
        ]
      : [];
    syncDeps.push(
      new k8s.helm.v3.Release(
        `${name}-external-secrets`,
        {
          name: "external-secrets",
          chart: CHARTS.externalSecrets.chart,
          version: CHARTS.externalSecrets.version,
          repositoryOpts: { repo: CHARTS.externalSecrets.repo },
          namespace: EXTERNAL_SECRETS_NAMESPACE,
          values: externalSecretsValues(ctx.environment === "prod"),
          atomic: true,
          cleanupOnFail: true,
          maxHistory: 5,
        },
        { ...kp, dependsOn: [esoNs, ...esoIdentity] },
      ),
    );
  }
  const cr = (
    suffix: string,
    kind: "SecretStore" | "ExternalSecret",
    body: { metadata: object; spec: pulumi.Input<object> },
  ) =>
    new k8s.apiextensions.CustomResource(
      `${name}-${suffix}`,
      { apiVersion: EXTERNAL_SECRETS_API_VERSION, kind, ...body },
      { ...kp, dependsOn: [nsObj, ...syncDeps] },
    );
  const store = secretStore(ns, ctx.region, labels);
  const synced = [cr("secret-store", "SecretStore", store)];
  const sync = (
    secretName: string,
    data: { secretKey: string; key: pulumi.Input<string>; property?: string; decodingStrategy?: "Base64" }[],
  ) => {
    const built = pulumi.all(data.map((d) => pulumi.output(d.key))).apply((keys) =>
      externalSecret(
        secretName,
        ns,
        labels,
        data.map((d, i): ExternalSecretData => ({
          secretKey: d.secretKey,
          remoteRef: {
            key: keys[i],
            ...(d.property ? { property: d.property } : {}),
            ...(d.decodingStrategy ? { decodingStrategy: d.decodingStrategy } : {}),
          },
        })),
      ),
    );
    synced.push(
      cr(secretName, "ExternalSecret", { metadata: { name: secretName, namespace: ns, labels }, spec: built.spec }),
    );
  };
  sync(CREDENTIALS_SECRET, credentials);
  if (passwordDbSecretArn) sync(PASSWORD_DB_SECRET, [{ secretKey: "password.db", key: passwordDbSecretArn }]);
  if (q.prestoTls)
    sync(TLS_SECRET, [
      {
        secretKey: "keystore.jks",
        key: q.prestoTls.keystoreSecretArn,
        property: "keystore",
        decodingStrategy: "Base64",
      },
    ]);
  return { secretsPolicy, passwordDbSecretArn, synced };
}
