// Whether a policy's resource pattern can name a resource of a reference ARN template. Both sides are patterns:
// the policy's (`*`, `?`, `${aws:username}`) and the reference's (`${BucketName}`, `${ObjectName}`), so the
// question is whether the two languages share a string, answered by walking both at once.

/** One position of a pattern: a set of characters, taken once or any number of times. */
interface Step {
  readonly chars: CharSet;
  readonly repeat: boolean;
}
type CharSet =
  | { readonly kind: "any" }
  | { readonly kind: "not"; readonly except: string }
  | { readonly kind: "is"; readonly c: string };

const ANY: CharSet = { kind: "any" };
const lit = (c: string): Step => ({ chars: { kind: "is", c }, repeat: false });

/** A policy resource: `*` is any text, `?` one character, a policy variable any text. */
export function policyPattern(resource: string): Step[] {
  const steps: Step[] = [];
  const text = resource.replace(/\$\{[^}]*\}/g, "*");
  for (const c of text)
    steps.push(c === "*" ? { chars: ANY, repeat: true } : c === "?" ? { chars: ANY, repeat: false } : lit(c));
  return steps;
}

/**
 * Placeholders that may hold a slash (object keys, log group names, secret names, IAM paths); every other one is a single path
 * segment, which is what tells a bucket (`${BucketName}`) from its objects (`${BucketName}/${ObjectName}`).
 */
const MAY_HOLD_SLASH = /ObjectName|WithPath|Slash|LogGroupName|LogStreamName|SecretId|Path$|Key$|Prefix$/;

/** A reference ARN template: placeholders are non-empty; those in the first five fields hold no `:`. */
export function templatePattern(template: string): Step[] {
  const steps: Step[] = [];
  let field = 0;
  for (const part of template.split(/(\$\{[^}]+\})/)) {
    const placeholder = /^\$\{([^}]+)\}$/.exec(part)?.[1];
    if (placeholder !== undefined) {
      const chars: CharSet =
        field < 5
          ? { kind: "not", except: ":/" }
          : MAY_HOLD_SLASH.test(placeholder)
            ? ANY
            : { kind: "not", except: "/" };
      steps.push({ chars, repeat: false }, { chars, repeat: true });
      continue;
    }
    for (const c of part) {
      if (c === ":") field++;
      steps.push(lit(c));
    }
  }
  return steps;
}

function overlap(a: CharSet, b: CharSet): boolean {
  if (a.kind === "any" || b.kind === "any") return true;
  if (a.kind === "is" && b.kind === "is") return a.c === b.c;
  if (a.kind === "is" && b.kind === "not") return !b.except.includes(a.c);
  if (a.kind === "not" && b.kind === "is") return !a.except.includes(b.c);
  return true; // two "any but a few" sets always share a letter
}

/** Whether some string matches both patterns. */
export function intersects(a: readonly Step[], b: readonly Step[]): boolean {
  const seen = new Set<number>();
  const width = b.length + 1;
  const stack: [number, number][] = [[0, 0]];
  while (stack.length > 0) {
    const [i, j] = stack.pop() as [number, number];
    const id = i * width + j;
    if (seen.has(id)) continue;
    seen.add(id);
    if (i === a.length && j === b.length) return true;
    const sa = a[i];
    const sb = b[j];
    if (sa?.repeat) stack.push([i + 1, j]);
    if (sb?.repeat) stack.push([i, j + 1]);
    if (sa && sb && overlap(sa.chars, sb.chars)) stack.push([sa.repeat ? i : i + 1, sb.repeat ? j : j + 1]);
  }
  return false;
}

// Answers kept by pair: a stack asks about the same few hundred resource/template pairs over and over (every
// statement names its action's templates), and each answer is a walk over two freshly built patterns.
const fits = new Map<string, boolean>();

/** Whether the policy resource can name a resource of the template (both compared case-sensitively, as IAM does). */
export function resourceFits(resource: string, template: string): boolean {
  if (resource === "*") return true;
  const key = `${resource}\u0000${template}`;
  let fit = fits.get(key);
  if (fit === undefined) {
    if (fits.size > 20_000) fits.clear();
    fit = intersects(policyPattern(resource), templatePattern(template));
    fits.set(key, fit);
  }
  return fit;
}
