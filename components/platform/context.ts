import type { ResolvedConfig } from "../config/profiles";
import { PlatformContext, TAG } from "../core/types";

export const MANAGED_BY = "pulumi:data-platform";

/** The naming, safety switches and governance tags every component derives its resources from. */
export function contextFromConfig(cfg: ResolvedConfig): PlatformContext {
  return {
    prefix: `${cfg.name}-${cfg.environment}`,
    environment: cfg.environment,
    region: cfg.region,
    tags: {
      [TAG.environment]: cfg.environment,
      [TAG.owner]: cfg.governance.owner,
      [TAG.costCenter]: cfg.governance.costCenter,
      [TAG.managedBy]: MANAGED_BY,
      [TAG.platform]: cfg.name,
    },
    protect: cfg.safety.protect,
    retainOnDelete: cfg.safety.retainOnDelete,
    allowDestroyData: cfg.lake.forceDestroy,
  };
}
