/** Subnet layout of a VPC CIDR: the first three quarters are private (one per AZ), the last quarter holds the small public subnets. */
export interface SubnetPlan {
  readonly private: string[];
  readonly public: string[];
}

function toInt(ip: string): number {
  return ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/**
 * Private subnets get a quarter of the VPC each (Spark executors and Lambda ENIs eat addresses); public subnets only
 * hold NAT gateways and load balancers, so they get a sixteenth each, carved from the last quarter.
 */
export function planSubnets(cidr: string, azCount: number): SubnetPlan {
  const [ip, bits] = cidr.split("/");
  const prefix = Number(bits);
  if (azCount < 1 || azCount > 3) throw new Error(`azCount must be 1-3, got ${azCount}`);
  const base = toInt(ip);
  const quarter = 2 ** (32 - prefix - 2);
  const sixteenth = 2 ** (32 - prefix - 4);
  const range = Array.from({ length: azCount }, (_, i) => i);
  return {
    private: range.map((i) => `${toIp(base + i * quarter)}/${prefix + 2}`),
    public: range.map((i) => `${toIp(base + 3 * quarter + i * sixteenth)}/${prefix + 4}`),
  };
}
