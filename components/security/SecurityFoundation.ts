import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { baseTags } from "../core/tags";
import { CLASSIFICATIONS, Classification, PlatformContext, SecurityRefs, TAG } from "../core/types";
import { boundaryArn, boundaryPolicy, keyPolicy } from "./documents";

export interface SecurityFoundationArgs {
  readonly ctx: PlatformContext;
  /** AWS account id; the program passes `aws.getCallerIdentity`'s. */
  readonly accountId: pulumi.Input<string>;
  /** The identity running `pulumi up` (an IAM role ARN); keys let it create encrypted resources through AWS services. */
  readonly deployerArn?: pulumi.Input<string>;
  /** Days before a scheduled key deletion happens. @default 30 */
  readonly keyDeletionWindowDays?: number;
}

/**
 * One customer-managed KMS key per data classification (rotated, aliased, usable only by platform roles)
 * and the permissions boundary that every platform role carries.
 */
export class SecurityFoundation extends pulumi.ComponentResource implements SecurityRefs {
  readonly keys: Record<Classification, aws.kms.Key>;
  readonly keyArns: Record<Classification, pulumi.Output<string>>;
  readonly boundary: aws.iam.Policy;
  readonly permissionsBoundaryArn: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;

  constructor(name: string, args: SecurityFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("data-platform:security:SecurityFoundation", name, {}, opts);
    const { ctx } = args;
    const stateful = { parent: this, protect: ctx.protect, retainOnDelete: ctx.retainOnDelete };
    this.accountId = pulumi.output(args.accountId);

    const keys = {} as Record<Classification, aws.kms.Key>;
    for (const classification of CLASSIFICATIONS) {
      const key = new aws.kms.Key(
        `${name}-${classification}`,
        {
          description: `${ctx.prefix}: data classified ${classification}`,
          enableKeyRotation: true,
          rotationPeriodInDays: 365,
          deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
          policy: pulumi
            .all([this.accountId, args.deployerArn])
            .apply(([accountId, deployerArn]) =>
              JSON.stringify(
                keyPolicy({ accountId, deployerArn, region: ctx.region, prefix: ctx.prefix, classification }),
              ),
            ),
          tags: baseTags(ctx, "security", { [TAG.dataClassification]: classification }),
        },
        stateful,
      );
      new aws.kms.Alias(
        `${name}-${classification}`,
        { name: `alias/${ctx.prefix}-${classification}`, targetKeyId: key.keyId },
        { parent: this },
      );
      keys[classification] = key;
    }
    this.keys = keys;
    this.keyArns = Object.fromEntries(CLASSIFICATIONS.map((c) => [c, keys[c].arn])) as Record<
      Classification,
      pulumi.Output<string>
    >;

    const boundaryName = `${ctx.prefix}-permissions-boundary`;
    this.boundary = new aws.iam.Policy(
      `${name}-boundary`,
      {
        name: boundaryName,
        description:
          "Ceiling for every data-platform role: no IAM/Organizations administration, no CloudTrail tampering, no boundary removal.",
        policy: this.accountId.apply((accountId) =>
          JSON.stringify(boundaryPolicy({ accountId, prefix: ctx.prefix, boundaryName })),
        ),
        tags: baseTags(ctx, "security"),
      },
      { parent: this },
    );
    // Derived from the name rather than the resource output so the boundary's own document can refer to it.
    this.permissionsBoundaryArn = pulumi
      .all([this.accountId, this.boundary.arn])
      .apply(([accountId]) => boundaryArn(accountId, boundaryName));

    this.registerOutputs({ keyArns: this.keyArns, permissionsBoundaryArn: this.permissionsBoundaryArn });
  }
}
