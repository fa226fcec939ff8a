// The monthly cost of the planned platform per resource, component and domain, from the price table: what it pays
// while idle, from the resources' inputs, plus usage priced from the stated volume assumptions (usage.ts). What has
// a cost but no price in the table is listed as unpriced, never guessed.
import type { ResolvedCost } from "../../components/cost/config";
import type { PlannedResource } from "../../policies/engine/args";
import { HOURS_PER_MONTH, PRICE_TABLES } from "./prices";
import { Need, usageLines } from "./usage";

export interface CostLine {
  /** The resource's URN, or `usage:…` for a usage assumption. */
  readonly urn: string;
  readonly type: string;
  readonly component: string;
  readonly domain: string;
  /** Price keys and quantities that make up the line (quantity × price). */
  readonly items: readonly { key: string; quantity: number; monthly?: number }[];
  readonly monthly: number;
  /** For a usage line: the volume it assumes. */
  readonly assumption?: string;
}

export interface CostEstimate {
  readonly region: string;
  readonly pricesChecked?: string;
  readonly monthlyTotal: number;
  /** Of the total: what the platform pays while idle, and what the volume assumptions add. */
  readonly idleTotal: number;
  readonly usageTotal: number;
  readonly byComponent: Readonly<Record<string, number>>;
  readonly byDomain: Readonly<Record<string, number>>;
  readonly lines: readonly CostLine[];
  /** What costs money but has no price in the table. */
  readonly unpriced: readonly { key: string; urn: string }[];
}

const obj = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

/**
 * What one resource pays while idle, as price keys and quantities (hours or units a month). The warehouse's RPUs
 * bill only while queries run: `warehouseHoursPerDay` of them (all day when not given).
 */
export function idleNeeds(r: PlannedResource, warehouseHoursPerDay = 24): Need[] {
  const i = r.inputs;
  const hours = (key: string, n = 1): Need => ({ key, quantity: n * HOURS_PER_MONTH });
  switch (r.type) {
    case "aws:ec2/natGateway:NatGateway":
      return [hours("vpc:nat-gateway")];
    case "aws:ec2/eip:Eip":
      return [hours("vpc:public-ipv4")];
    case "aws:ec2/vpcEndpoint:VpcEndpoint":
      return i.vpcEndpointType === "Interface"
        ? [hours("vpc:interface-endpoint-az", ((i.subnetIds as unknown[]) ?? []).length || 1)]
        : [];
    case "aws:eks/cluster:Cluster":
      return [hours("eks:control-plane")];
    case "aws:eks/nodeGroup:NodeGroup": {
      const size = Number(obj(i.scalingConfig).desiredSize ?? 0);
      const type = ((i.instanceTypes as string[]) ?? [])[0] ?? "unknown";
      return size > 0 ? [hours(`ec2:${type}`, size)] : [];
    }
    case "aws:msk/cluster:Cluster": {
      const info = obj(i.brokerNodeGroupInfo);
      const brokers = Number(i.numberOfBrokerNodes ?? 0);
      const gb = Number(obj(obj(info.storageInfo).ebsStorageInfo).volumeSize ?? 0);
      return [hours(`msk:${String(info.instanceType)}`, brokers), { key: "msk:storage-gb", quantity: brokers * gb }];
    }
    case "aws:msk/serverlessCluster:ServerlessCluster":
      return [hours("msk-serverless:cluster-hour")];
    case "aws:glue/catalogTableOptimizer:CatalogTableOptimizer":
      // Compaction and retention bill DPU-hours as they run: how many depends on the table's churn, so the line
      // stays unpriced (listed) rather than guessed.
      return [{ key: "glue:optimizer-dpu-hour", quantity: 0 }];
    case "aws:redshiftserverless/workgroup:Workgroup":
      // Billed per RPU-hour while queries run; the base capacity over the hours it is expected to run.
      return [
        {
          key: "redshift-serverless:rpu-hour",
          quantity: (Number(i.baseCapacity ?? 128) * warehouseHoursPerDay * HOURS_PER_MONTH) / 24,
        },
      ];
    case "aws:rds/cluster:Cluster": {
      const min = Number(obj(i.serverlessv2ScalingConfiguration).minCapacity ?? 0);
      return min > 0 ? [hours("aurora:serverless-v2-acu", min)] : [];
    }
    case "aws:rds/clusterInstance:ClusterInstance":
      // db.serverless instances bill through the cluster's ACUs above; others by their class.
      return i.instanceClass === "db.serverless" ? [] : [hours(`rds:${String(i.instanceClass)}`)];
    case "aws:kms/key:Key":
      return [{ key: "kms:key", quantity: 1 }];
    case "aws:secretsmanager/secret:Secret":
      return [{ key: "secretsmanager:secret", quantity: 1 }];
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return [{ key: "cloudwatch:alarm", quantity: 1 }];
    case "aws:cloudwatch/dashboard:Dashboard":
      return [{ key: "cloudwatch:dashboard", quantity: 1 }];
    default:
      return [];
  }
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Prices every resource of a plan, and the usage the assumptions describe; what has no price is listed, never guessed. */
export function estimateCost(
  resources: readonly PlannedResource[],
  region: string,
  componentOf: (r: PlannedResource, byUrn: Map<string, PlannedResource>) => string,
  assumptions?: ResolvedCost,
): CostEstimate {
  const table = PRICE_TABLES[region];
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const lines: CostLine[] = [];
  const unpriced: { key: string; urn: string }[] = [];
  const byComponent: Record<string, number> = {};
  const byDomain: Record<string, number> = {};
  const add = (line: Omit<CostLine, "items" | "monthly">, needs: readonly Need[]) => {
    const items = needs.map((n): CostLine["items"][number] => {
      const p = table?.prices[n.key];
      if (!p) {
        unpriced.push({ key: n.key, urn: line.urn });
        return { ...n };
      }
      // Hourly prices come with quantities in hours a month, the others with units.
      return { ...n, monthly: round(n.quantity * p.usd) };
    });
    const monthly = round(items.reduce((s, x) => s + (x.monthly ?? 0), 0));
    lines.push({ ...line, items, monthly });
    byComponent[line.component] = round((byComponent[line.component] ?? 0) + monthly);
    byDomain[line.domain] = round((byDomain[line.domain] ?? 0) + monthly);
  };
  for (const r of resources) {
    if (!r.custom) continue;
    const needs = idleNeeds(r, assumptions?.warehouseHoursPerDay);
    if (needs.length === 0) continue;
    const domain = String(obj(r.inputs.tags)["data-domain"] ?? "shared");
    add({ urn: r.urn, type: r.type, component: componentOf(r, byUrn), domain }, needs);
  }
  const idleTotal = round(lines.reduce((s, l) => s + l.monthly, 0));
  for (const u of assumptions ? usageLines(resources, assumptions) : [])
    add({ urn: u.urn, type: u.type, component: u.component, domain: u.domain, assumption: u.assumption }, u.needs);
  const monthlyTotal = round(lines.reduce((s, l) => s + l.monthly, 0));
  return {
    region,
    ...(table ? { pricesChecked: table.checked } : {}),
    monthlyTotal,
    idleTotal,
    usageTotal: round(monthlyTotal - idleTotal),
    byComponent,
    byDomain,
    lines,
    unpriced,
  };
}
