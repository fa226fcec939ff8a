// On-demand list prices the offline cost estimate uses, per region, in USD. Small on purpose: what the platform
// creates. Each price names the AWS public pricing page it comes from; a price not here is reported as unpriced,
// never guessed. Update the date when the table is checked again.
//
// How far each figure is confirmed: AWS's pricing pages fill their price tables by script, so the pages as stored for
// search hold the prose and the pricing examples but rarely the regional table. `confirmed` names what a figure was
// checked against; a price without it is the eu-west-1 list price as published on the page, not confirmed against a
// readable copy of it when the table was dated (docs/cost.md lists them).

export interface Price {
  readonly usd: number;
  /** `hour` (× 730 a month), `month` (per unit a month) or `unit` (per unit of usage: the key says which unit). */
  readonly per: "hour" | "month" | "unit";
  readonly source: string;
  /** What the figure was confirmed against, when it could be. */
  readonly confirmed?: string;
}

export interface PriceTable {
  readonly region: string;
  /** When the prices were read from the pages below. */
  readonly checked: string;
  readonly prices: Readonly<Record<string, Price>>;
}

export const HOURS_PER_MONTH = 730;

const VPC = "https://aws.amazon.com/vpc/pricing/";
const EKS = "https://aws.amazon.com/eks/pricing/";
const EC2 = "https://aws.amazon.com/ec2/pricing/on-demand/";
const KMS = "https://aws.amazon.com/kms/pricing/";
const SM = "https://aws.amazon.com/secrets-manager/pricing/";
const CW = "https://aws.amazon.com/cloudwatch/pricing/";
const PL = "https://aws.amazon.com/privatelink/pricing/";
const AURORA = "https://aws.amazon.com/rds/aurora/pricing/";
const MSK = "https://aws.amazon.com/msk/pricing/";
const REDSHIFT = "https://aws.amazon.com/redshift/pricing/";
const APIGW = "https://aws.amazon.com/api-gateway/pricing/";
const LAMBDA = "https://aws.amazon.com/lambda/pricing/";
const SQS = "https://aws.amazon.com/sqs/pricing/";
const DDB = "https://aws.amazon.com/dynamodb/pricing/on-demand/";
const S3 = "https://aws.amazon.com/s3/pricing/";
const FIREHOSE = "https://aws.amazon.com/firehose/pricing/";
const ATHENA = "https://aws.amazon.com/athena/pricing/";

/** Confirmed: the Redshift billing guide says Serverless bills RPU-hours only while queries run (the estimate's model). */
const RS_BILLING = "docs.aws.amazon.com/redshift/latest/mgmt/serverless-billing.html (billing model, not the figure)";

/** Confirmed: the page prices x86 and Arm duration apart; eu-west-1 bills the base (us-east-1) Arm rate. */
const LAMBDA_ARM =
  "aws.amazon.com/lambda/pricing/ (x86 and Arm priced apart); the eu-west-1 Arm rate as the base rate in artillery's Lambda price table";

/** Keys: `<service>:<what>`, e.g. `ec2:m6i.xlarge`, `vpc:nat-gateway`; usage keys name their unit. */
export const PRICE_TABLES: Readonly<Record<string, PriceTable>> = {
  "eu-west-1": {
    region: "eu-west-1",
    checked: "2026-12-03",
    prices: {
      "vpc:nat-gateway": { usd: 0.048, per: "hour", source: VPC },
      "vpc:public-ipv4": { usd: 0.005, per: "hour", source: VPC },
      "vpc:interface-endpoint-az": { usd: 0.011, per: "hour", source: PL },
      "eks:control-plane": { usd: 0.1, per: "hour", source: EKS },
      "ec2:m6i.xlarge": { usd: 0.214, per: "hour", source: EC2 },
      "ec2:m6i.2xlarge": { usd: 0.428, per: "hour", source: EC2 },
      "kms:key": { usd: 1, per: "month", source: KMS },
      "secretsmanager:secret": { usd: 0.4, per: "month", source: SM },
      "cloudwatch:alarm": { usd: 0.1, per: "month", source: CW },
      "cloudwatch:dashboard": { usd: 3, per: "month", source: CW },
      "aurora:serverless-v2-acu": { usd: 0.13, per: "hour", source: AURORA },
      // MSK provisioned, Standard brokers: broker-hours by instance size, and the EBS storage each broker is given.
      "msk:kafka.t3.small": { usd: 0.0496, per: "hour", source: MSK },
      "msk:kafka.m5.large": { usd: 0.232, per: "hour", source: MSK },
      "msk:kafka.m7g.large": { usd: 0.2268, per: "hour", source: MSK },
      "msk:kafka.m7g.xlarge": { usd: 0.4536, per: "hour", source: MSK },
      "msk:storage-gb": { usd: 0.11, per: "month", source: MSK },
      "redshift-serverless:rpu-hour": { usd: 0.4, per: "unit", source: REDSHIFT, confirmed: RS_BILLING },
      // Usage: priced from the volume assumptions of the `cost` config.
      "apigateway:http-million-requests": { usd: 1.11, per: "unit", source: APIGW },
      "lambda:million-requests": { usd: 0.2, per: "unit", source: LAMBDA },
      // Every platform function runs on arm64 (Graviton): the Arm duration rate, not the x86 one (0.0000166667).
      "lambda:arm-gb-second": { usd: 0.0000133334, per: "unit", source: LAMBDA, confirmed: LAMBDA_ARM },
      "sqs:million-requests": { usd: 0.4, per: "unit", source: SQS },
      "dynamodb:million-write-units": { usd: 0.705, per: "unit", source: DDB },
      "s3:thousand-puts": { usd: 0.005, per: "unit", source: S3 },
      "s3:storage-gb": { usd: 0.023, per: "month", source: S3 },
      "firehose:ingested-gb": { usd: 0.031, per: "unit", source: FIREHOSE },
      "athena:scanned-tb": { usd: 5, per: "unit", source: ATHENA },
    },
  },
};
