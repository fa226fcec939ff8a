// The monthly cost the planned platform pays while idle, per resource, component and domain, from the price table.
// Resources with a cost but no price in the table are listed as unpriced; usage-driven costs are not estimated.
import type { PlannedResource } from "../../policies/engine/args";
import { HOURS_PER_MONTH, PRICE_TABLES } from "./prices";

export interface CostLine {
  readonly urn: string;
  readonly type: string;
  readonly component: string;
  readonly domain: string;
  /** Price keys and quantities that make up the line (quantity × price). */
  readonly items: readonly { key: string; quantity: number; monthly?: number }[];
  readonly monthly: number;
}

export interface CostEstimate {
  readonly region: string;
  readonly pricesChecked?: string;
  readonly monthlyTotal: number;
  readonly byComponent: Readonly<Record<string, number>>;
  readonly byDomain: Readonly<Record<string, number>>;
  readonly lines: readonly CostLine[];
  /** What costs money while idle but has no price in the table: `key (n×)`. */
  readonly unpriced: readonly { key: string; urn: string }[];
}

type Need = { key: string; quantity: number };
const obj = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

/** What one resource pays while idle, as price keys and quantities (hours or units a month). */
export function idleNeeds(r: PlannedResource): Need[] {
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
    case "aws:redshiftserverless/workgroup:Workgroup":
      // Billed per RPU-hour while queries run; the base capacity over the hours it is expected to run.
      return [{ key: "redshift-serverless:rpu-hour", quantity: Number(i.baseCapacity ?? 128) * HOURS_PER_MONTH }];
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

/** Prices every resource of a plan; what has no price is listed, never guessed. */
export function estimateCost(
  resources: readonly PlannedResource[],
  region: string,
  componentOf: (r: PlannedResource, byUrn: Map<string, PlannedResource>) => string,
): CostEstimate {
  const table = PRICE_TABLES[region];
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const lines: CostLine[] = [];
  const unpriced: { key: string; urn: string }[] = [];
  const byComponent: Record<string, number> = {};
  const byDomain: Record<string, number> = {};
  for (const r of resources) {
    if (!r.custom) continue;
    const needs = idleNeeds(r);
    if (needs.length === 0) continue;
    const items = needs.map((n): CostLine["items"][number] => {
      const p = table?.prices[n.key];
      if (!p) {
        unpriced.push({ key: n.key, urn: r.urn });
        return { ...n };
      }
      // Hourly prices come with quantities in hours a month, monthly ones with units.
      return { ...n, monthly: round(n.quantity * p.usd) };
    });
    const monthly = round(items.reduce((s, x) => s + (x.monthly ?? 0), 0));
    const component = componentOf(r, byUrn);
    const domain = String(obj(r.inputs.tags)["data-domain"] ?? "shared");
    lines.push({ urn: r.urn, type: r.type, component, domain, items, monthly });
    byComponent[component] = round((byComponent[component] ?? 0) + monthly);
    byDomain[domain] = round((byDomain[domain] ?? 0) + monthly);
  }
  return {
    region,
    ...(table ? { pricesChecked: table.checked } : {}),
    monthlyTotal: round(lines.reduce((s, l) => s + l.monthly, 0)),
    byComponent,
    byDomain,
    lines,
    unpriced,
  };
}

/** The report's "Cost estimate" section: total, the five largest drivers, each domain's share, what is unpriced. */
export function costSection(c: CostEstimate, base?: CostEstimate): string[] {
  const usd = (n: number) => `$${n.toFixed(2)}`;
  const out = [
    `Idle monthly cost in ${c.region}: **${usd(c.monthlyTotal)}**${base ? ` (base ${usd(base.monthlyTotal)}, change ${c.monthlyTotal >= base.monthlyTotal ? "+" : "−"}${usd(Math.abs(c.monthlyTotal - base.monthlyTotal))})` : ""}, from on-demand list prices checked ${c.pricesChecked ?? "(no price table for this region)"} (tools/plan/prices.ts). Usage (requests, GB stored, ingested or scanned) is not included.`,
    "",
    "| largest drivers | component | monthly |",
    "| --- | --- | ---: |",
  ];
  for (const l of [...c.lines].sort((a, b) => b.monthly - a.monthly).slice(0, 5))
    out.push(`| \`${l.urn.split("::").pop()}\` (${l.type.split(":").pop()}) | ${l.component} | ${usd(l.monthly)} |`);
  out.push("", "| domain | monthly | share |", "| --- | ---: | ---: |");
  for (const [d, n] of Object.entries(c.byDomain).sort(([, a], [, b]) => b - a))
    out.push(`| ${d} | ${usd(n)} | ${c.monthlyTotal ? Math.round((100 * n) / c.monthlyTotal) : 0}% |`);
  if (c.unpriced.length > 0) {
    const keys = new Map<string, number>();
    for (const u of c.unpriced) keys.set(u.key, (keys.get(u.key) ?? 0) + 1);
    out.push(
      "",
      `Unpriced (no price in the table, not counted): ${[...keys].map(([k, n]) => `\`${k}\` ×${n}`).join(", ")}.`,
    );
  }
  return out;
}
