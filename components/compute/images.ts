/** The parts of an image reference that pinning is about. */
export interface ImageRef {
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Splits `registry:port/repo:tag@sha256:…`; a colon before the last `/` belongs to the registry, not the tag. */
export function parseImage(ref: string): ImageRef | undefined {
  const [nameAndTag, digest, ...rest] = ref.split("@");
  if (rest.length > 0 || (digest !== undefined && !DIGEST.test(digest))) return undefined;
  const slash = nameAndTag.lastIndexOf("/");
  const colon = nameAndTag.lastIndexOf(":");
  const hasTag = colon > slash;
  const repository = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
  if (!REPOSITORY.test(repository) || (tag !== undefined && !TAG.test(tag))) return undefined;
  return { repository, tag, digest };
}

/**
 * Pinned: a digest, or a tag other than `latest`. An untagged reference means `latest`, which changes under a
 * running schedule and makes yesterday's job unreproducible today.
 */
export function isPinnedImage(ref: string): boolean {
  const image = parseImage(ref);
  if (!image) return false;
  return image.digest !== undefined || (image.tag !== undefined && image.tag !== "latest");
}
