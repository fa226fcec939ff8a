import { z } from "zod";
import { isPinnedImage } from "./images";

// Field types shared by the sections of `platform.compute` (cluster, Spark, query engine).

export const COMPUTE_ROOT = "platform.compute";

export const K8S_NAME = /^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/;
export const DOMAIN = /^[a-z][a-z0-9_]{1,30}$/;
export const ARN = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/;
export const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** Kubernetes quantities as the platform writes them: plain cores or millicores, memory in Mi/Gi. */
export const CPU = /^(\d+|\d+m)$/;
export const K8S_MEMORY = /^\d+(Mi|Gi)$/;
/** Spark's own memory syntax (`spark.driver.memory`). */
export const SPARK_MEMORY = /^\d+[mg]$/;

/** An IPv4 CIDR with valid octets; `0.0.0.0/0` is refused because "allowed CIDRs" must be an allow-list. */
export function isAllowListCidr(value: string): boolean {
  const m = CIDR.exec(value);
  if (!m) return false;
  const prefix = Number(m[5]);
  return m.slice(1, 5).every((o) => Number(o) <= 255) && prefix >= 8 && prefix <= 32;
}

export const cidr = z.string().refine(isAllowListCidr, {
  message: "must be an IPv4 CIDR with a prefix of /8 to /32 (0.0.0.0/0 is not an allow-list)",
});
export const k8sName = (what: string) =>
  z
    .string()
    .regex(K8S_NAME, { message: `must be a ${what}: lower-case letters, digits and '-', at most 40 characters` });
export const image = z
  .string()
  .refine(isPinnedImage, { message: "must be pinned: repository:tag (not 'latest') or repository@sha256:<digest>" });

/** A problem reporter: `path` is relative to `platform.compute`. */
export type At = (path: string, message: string) => void;

/** The user's values without the keys they left out, to spread over profile defaults. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
