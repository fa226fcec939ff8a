import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../components/core/iam";
import { boundaryPolicy } from "../../components/security/documents";
import { ACCOUNT_ID } from "../../tools/plan/mocks";

/**
 * Decides requests of a platform role of the prod stack with a real IAM evaluator: its identity policy under the
 * environment's permissions boundary. Resolves to "Allowed", "ExplicitlyDenied" or "ImplicitlyDenied".
 */
export function prodRoleDecider(identity: PolicyDocument, roleName: string) {
  const role = `arn:aws:iam::${ACCOUNT_ID}:role/acme-data-prod/${roleName}`;
  const boundary = boundaryPolicy({
    accountId: ACCOUNT_ID,
    prefix: "acme-data-prod",
    boundaryName: "acme-data-prod-permissions-boundary",
  });
  return async (action: string, resource: string, context: Record<string, string> = {}): Promise<string> => {
    const result = await runSimulation(
      {
        request: {
          principal: role,
          action,
          resource: { resource, accountId: ACCOUNT_ID },
          contextVariables: { "aws:PrincipalArn": role, ...context },
        },
        identityPolicies: [{ name: "identity", policy: identity }],
        permissionBoundaryPolicies: [{ name: "boundary", policy: boundary }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
    return result.overallResult;
  };
}
