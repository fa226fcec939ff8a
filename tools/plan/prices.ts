// On-demand list prices the offline cost estimate uses, per region, in USD. Small on purpose: what the platform pays
// while idle. Each price names the AWS public pricing page it comes from; a price not here is reported as unpriced,
// never guessed. Update the date when the table is checked again.

export interface Price {
  readonly usd: number;
  /** `hour` (× 730 a month) or `month`. */
  readonly per: "hour" | "month";
  readonly source: string;
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

/** Keys: `<service>:<what>`, e.g. `ec2:m6i.xlarge`, `vpc:nat-gateway`. */
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
    },
  },
};
