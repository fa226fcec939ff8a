import { Classification, PlatformContext, TAG, Tags } from "./types";

/** Tags for a resource that holds data of one domain and classification. */
export function dataTags(
  ctx: Pick<PlatformContext, "tags">,
  domain: string,
  classification: Classification,
  extra: Tags = {},
): Tags {
  return { ...ctx.tags, [TAG.dataDomain]: domain, [TAG.dataClassification]: classification, ...extra };
}

/** Tags for a platform-wide resource; `component` names the part of the platform it belongs to. */
export function baseTags(ctx: Pick<PlatformContext, "tags">, component: string, extra: Tags = {}): Tags {
  return { ...ctx.tags, component, ...extra };
}
