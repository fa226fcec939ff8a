import type { ResolvedConfig } from "../config/profiles";
import { platformContext } from "../config/context";
import type { PlatformContext } from "../core/types";

export { MANAGED_BY } from "../config/context";

/** The shared context of a whole platform: its name, environment and governance, and the profile's safety switches. */
export function contextFromConfig(cfg: ResolvedConfig): PlatformContext {
  return platformContext({
    name: cfg.name,
    environment: cfg.environment,
    region: cfg.region,
    owner: cfg.governance.owner,
    costCenter: cfg.governance.costCenter,
    protect: cfg.safety.protect,
    retainOnDelete: cfg.safety.retainOnDelete,
    allowDestroyData: cfg.lake.forceDestroy,
  });
}
