import type { PlatformRule } from "../../policies/rules/define";

export interface CatalogueEntry {
  name: string;
  group: string;
  description: string;
  remediation: string;
  resourceTypes: readonly string[];
  enforcement: { dev: string; staging: string; prod: string };
}

export function catalogue(rules: readonly PlatformRule[]): CatalogueEntry[] {
  return rules.map((r) => ({
    name: r.name,
    group: r.meta.group,
    description: r.description,
    remediation: r.meta.remediation,
    resourceTypes: r.meta.resourceTypes,
    enforcement: { ...r.meta.enforcement },
  }));
}

/** The Markdown table the README's policy catalogue holds; a test keeps the two identical. */
/** `aws:eks/cluster:Cluster` → `eks/Cluster`: short, yet tells the EKS, RDS and MSK clusters apart. */
const shortType = (token: string) => {
  const [, mod = "", kind = token] = token.split(":");
  return `${mod.split("/")[0]}/${kind}`;
};

export function catalogueTable(rules: readonly PlatformRule[]): string {
  const rows = catalogue(rules).map(
    (e) =>
      `| \`${e.name}\` | ${e.group} | ${e.description} | ${[...new Set(e.resourceTypes.map(shortType))].map((t) => `\`${t}\``).join(", ")} | ${e.enforcement.dev} / ${e.enforcement.staging} / ${e.enforcement.prod} |`,
  );
  return [
    "| rule | group | what it checks | resource types | dev / staging / prod |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
