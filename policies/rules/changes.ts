import { STATEFUL_TYPE_TOKENS } from "../change/stateful";
import { PlatformRule, SECURITY, stackRule } from "./define";

/**
 * A change must not delete or replace a resource that holds data unless a waiver in the policy config names it.
 * The policy engine sees only the new program, so the pack itself reports nothing here: the offline plan judges the
 * change against the base plan (`npm run plan -- --against <plan.json | git ref>`) with this rule's level and
 * waivers, so one policy config holds every exception.
 */
export const changeRules: readonly PlatformRule[] = [
  stackRule({
    name: "no-unwaived-data-loss",
    description:
      "A change does not delete or replace a resource that holds data or identity (buckets, keys, databases, clusters, queues, topics, secrets, log groups) unless waived; judged by `npm run plan -- --against`.",
    group: "reliability",
    remediation:
      "Keep the resource's name and the inputs that force replacement, add `aliases` when a resource or component is renamed, or migrate the data first and waive the URN with the reason.",
    resourceTypes: STATEFUL_TYPE_TOKENS,
    enforcement: SECURITY,
    validate: () => undefined,
  }),
];
