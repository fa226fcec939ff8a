import type { MockCallArgs, MockResourceArgs, MockResourceResult, Mocks } from "@pulumi/pulumi/runtime/mocks";
import { awsState } from "./aws-state";
import { ACCOUNT_ID, autoName, DEPLOYER_ROLE_ARN, EXISTING_LAKE_ADMIN_ARN, hex, State, str } from "./mock-ids";

export { ACCOUNT_ID, DEPLOYER_ROLE_ARN, EXISTING_LAKE_ADMIN_ARN, hex } from "./mock-ids";
export { awsState } from "./aws-state";

function kubernetesState(args: MockResourceArgs): { id: string; state: State } {
  const inputs = args.inputs as { metadata?: { name?: string; namespace?: string }; name?: string; namespace?: string };
  if (args.type.startsWith("kubernetes:helm.sh/v3:Release")) {
    const name = inputs.name ?? autoName(args, 53);
    return {
      id: `${inputs.namespace ?? "default"}/${name}`,
      state: { name, status: { status: "deployed", name, namespace: inputs.namespace ?? "default" } },
    };
  }
  const metadata = { ...inputs.metadata, name: inputs.metadata?.name ?? autoName(args, 63) };
  return { id: metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name, state: { metadata } };
}

function randomState(args: MockResourceArgs): { id: string; state: State } {
  const length = Number((args.inputs as { length?: number }).length ?? 32);
  // Not a secret: a recognisable placeholder that tests can assert never leaks into plain outputs.
  const result = `mock-${hex(args.name, Math.max(length - 5, 8))}`.slice(0, length);
  return {
    id: hex(args.name, 12),
    state: { result, hex: hex(args.name, 16), b64Std: Buffer.from(result).toString("base64") },
  };
}

/** Stack outputs that `pulumi:pulumi:StackReference` reads, by stack name; secret ones listed as such. */
export type StackOutputs = Readonly<Record<string, Record<string, unknown>>>;

/** Output names that a stack exports as secrets (what `pulumi stack output` hides). */
const SECRET_OUTPUTS = /secret/i;

function stackReferenceState(args: MockResourceArgs, stacks: StackOutputs): { id: string; state: State } {
  const name = str((args.inputs as State).name) ?? args.name;
  const outputs = stacks[name];
  if (!outputs)
    throw new Error(
      `offline plan: no outputs for the stack reference '${name}'; plan that stack first (known: ${Object.keys(stacks).join(", ") || "none"})`,
    );
  return {
    id: name,
    state: { name, outputs, secretOutputNames: Object.keys(outputs).filter((k) => SECRET_OUTPUTS.test(k)) },
  };
}

/** Mocks for the offline plan: realistic per-type outputs, and loud failures for invokes it does not know. */
export function platformMocks(region: string, stacks: StackOutputs = {}): Mocks {
  return {
    newResource(args: MockResourceArgs): MockResourceResult {
      if (args.type === "pulumi:pulumi:StackReference") return stackReferenceState(args, stacks);
      const base = args.type.startsWith("aws:")
        ? awsState(args, region)
        : args.type.startsWith("kubernetes:")
          ? kubernetesState(args)
          : args.type.startsWith("random:")
            ? randomState(args)
            : { id: `${args.name}-id`, state: {} };
      return { id: base.id, state: { ...args.inputs, ...base.state } };
    },
    call(args: MockCallArgs) {
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return {
            accountId: ACCOUNT_ID,
            arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/platform-deployer/pulumi`,
            userId: "AROAEXAMPLE:pulumi",
            id: ACCOUNT_ID,
          };
        case "aws:iam/getSessionContext:getSessionContext":
          return {
            arn: args.inputs.arn,
            issuerArn: DEPLOYER_ROLE_ARN,
            issuerId: "AROAEXAMPLE",
            issuerName: "platform-deployer",
            sessionName: "pulumi",
          };
        case "aws:index/getRegion:getRegion":
          return { name: region, region, id: region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
        case "aws:lakeformation/getDataLakeSettings:getDataLakeSettings":
          // An account whose data lake already has an admin set outside the program (kept by DataLake).
          return {
            id: ACCOUNT_ID,
            region,
            admins: [EXISTING_LAKE_ADMIN_ARN],
            readOnlyAdmins: [],
            trustedResourceOwners: [],
            createDatabaseDefaultPermissions: [],
            createTableDefaultPermissions: [],
            allowExternalDataFiltering: false,
            allowFullTableExternalDataAccess: false,
            authorizedSessionTagValueLists: [],
            externalDataFilteringAllowLists: [],
            parameters: {},
          };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
        default:
          throw new Error(
            `offline plan: no mock for invoke '${args.token}'. Add it to tools/plan/mocks.ts with a realistic result.`,
          );
      }
    },
  };
}
