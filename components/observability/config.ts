import { z } from "zod";
import type { Environment } from "../core/types";

// Config of `monitoring`: who is alerted, and the thresholds that are not "anything above zero".

const subscription = z.discriminatedUnion(
  "protocol",
  [
    z.strictObject({
      protocol: z.literal("email"),
      endpoint: z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, { message: "must be an e-mail address" }),
    }),
    /** Chat (e.g. a chat tool's incoming-webhook relay) or a paging service; must confirm the SNS subscription. */
    z.strictObject({
      protocol: z.literal("https"),
      endpoint: z.url({ protocol: /^https$/, message: "must be an https URL" }),
    }),
  ],
  { message: "protocol must be email | https" },
);

export const monitoringSchema = z.strictObject({
  /** Alert recipients. @default the platform owner's e-mail (governance.owner) */
  subscriptions: z.array(subscription).optional(),
  /** Alarm when a source queue's oldest message is older than this. @default dev 3600, staging 1800, prod 900 */
  oldestMessageAgeSeconds: z.number().int().min(60).max(1_209_600).optional(),
  /** Alarm when an API's 5xx responses exceed this share of requests over 5 minutes. @default dev 10, staging 5, prod 1 */
  api5xxRatePercent: z.number().min(0.1).max(100).optional(),
  /** Function errors within 5 minutes that raise an alarm. @default 1 */
  functionErrorThreshold: z.number().int().min(1).optional(),
  /** @default true */
  dashboard: z.boolean().optional(),
});

export type MonitoringInput = z.input<typeof monitoringSchema>;
export type MonitoringConfig = z.output<typeof monitoringSchema>;

export interface ResolvedMonitoring {
  readonly subscriptions: readonly { protocol: "email" | "https"; endpoint: string }[];
  readonly oldestMessageAgeSeconds: number;
  readonly api5xxRatePercent: number;
  readonly functionErrorThreshold: number;
  readonly dashboard: boolean;
}

export const MONITORING_PROFILES: Record<Environment, Omit<ResolvedMonitoring, "subscriptions">> = {
  dev: { oldestMessageAgeSeconds: 3600, api5xxRatePercent: 10, functionErrorThreshold: 1, dashboard: true },
  staging: { oldestMessageAgeSeconds: 1800, api5xxRatePercent: 5, functionErrorThreshold: 1, dashboard: true },
  prod: { oldestMessageAgeSeconds: 900, api5xxRatePercent: 1, functionErrorThreshold: 1, dashboard: true },
};

/** Profile defaults under explicit values; with no subscriptions, the platform owner is alerted by e-mail. */
export function resolveMonitoring(
  m: MonitoringConfig | undefined,
  environment: Environment,
  owner: string,
): ResolvedMonitoring {
  const d = MONITORING_PROFILES[environment];
  return {
    subscriptions:
      m?.subscriptions && m.subscriptions.length > 0 ? m.subscriptions : [{ protocol: "email", endpoint: owner }],
    oldestMessageAgeSeconds: m?.oldestMessageAgeSeconds ?? d.oldestMessageAgeSeconds,
    api5xxRatePercent: m?.api5xxRatePercent ?? d.api5xxRatePercent,
    functionErrorThreshold: m?.functionErrorThreshold ?? d.functionErrorThreshold,
    dashboard: m?.dashboard ?? d.dashboard,
  };
}
