// A one-pass check that a JSON text is already in the form the lossless path stores (`stringifyJson` of its lossless
// parse), so the loader can keep the text as it is without building the value. It only ever says "yes, provably" or
// "ask the exact path": anything unusual (a `\u` escape, whitespace, an exponent, a surrogate, a repeated member name)
// is left to the parser that gives the reason.

const QUOTE = 34; // "
const BACKSLASH = 92;
const OPEN_OBJECT = 123; // {
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91; // [
const CLOSE_ARRAY = 93;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/** Past the string starting at `i` (a quote), or -1 unless it is written exactly as `JSON.stringify` would write it. */
function stringEnd(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) {
      // The escapes JSON.stringify writes; `\/` and `\u…` are spelled otherwise once parsed.
      const e = text.charCodeAt(++i);
      if (e !== QUOTE && e !== BACKSLASH && e !== 98 && e !== 102 && e !== 110 && e !== 114 && e !== 116) return -1;
    } else if (c < 0x20)
      return -1; // malformed: the exact path says so
    else if (c >= 0xd800 && c <= 0xdfff) {
      // A pair is one character (an emoji); a lone surrogate has no UTF-8 form and is refused there.
      const low = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return -1;
      i++;
    }
  }
  return -1;
}

const isDigit = (c: number) => c >= ZERO && c <= NINE;

/**
 * Past the number starting at `i`, or -1 unless it is a JSON number without exponent short enough to be finite as a
 * double (the lossless path keeps its digits as written, and refuses only what a double cannot reach).
 */
function numberEnd(text: string, i: number): number {
  const start = i;
  if (text.charCodeAt(i) === MINUS) i++;
  if (text.charCodeAt(i) === ZERO) i++;
  else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
  else return -1;
  if (text.charCodeAt(i) === DOT) {
    if (!isDigit(text.charCodeAt(++i))) return -1;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const c = text.charCodeAt(i);
  if (c === 101 || c === 69) return -1; // e, E: the exact path checks the range
  return i - start > 300 ? -1 : i; // 300 digits stay below 1.8e308
}

/** Member names seen in one object: a list while small, a set beyond (objects with thousands of members). */
class Names {
  private list: string[] = [];
  private set?: Set<string>;
  /** False when `name` was seen before in this object. */
  add(name: string): boolean {
    if (this.set) return this.set.size !== this.set.add(name).size;
    if (this.list.includes(name)) return false;
    this.list.push(name);
    if (this.list.length > 32) this.set = new Set(this.list);
    return true;
  }
}

/**
 * Whether `text` is one JSON value, nested at most `maxDepth` levels, that the lossless path would store byte for
 * byte as it is and accept for the warehouse: compact (no whitespace), each member name once per object and never
 * `__proto__`, strings with only the escapes `JSON.stringify` writes (so no U+0000 and no lone surrogate can hide in
 * them), and numbers without exponent that a double can reach. Linear in the text; allocates only member names.
 */
export function isCanonicalJson(text: string, maxDepth: number): boolean {
  const open: (Names | undefined)[] = []; // one entry per open container: its names (objects), undefined (arrays)
  let i = 0;
  // Reads a member name and its colon at i; false unless new in the innermost object.
  const member = (names: Names): boolean => {
    if (text.charCodeAt(i) !== QUOTE) return false;
    const end = stringEnd(text, i);
    if (end < 0 || text.charCodeAt(end) !== COLON) return false;
    const name = text.slice(i + 1, end - 1);
    if (name === "__proto__" || !names.add(name)) return false;
    i = end + 1;
    return true;
  };
  for (;;) {
    // A value at i.
    const c = text.charCodeAt(i);
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (open.length >= maxDepth) return false;
      const empty = text.charCodeAt(i + 1) === (c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY);
      i += empty ? 2 : 1;
      if (!empty) {
        const names = c === OPEN_OBJECT ? new Names() : undefined;
        open.push(names);
        if (names && !member(names)) return false;
        continue;
      }
    } else if (c === QUOTE) {
      if ((i = stringEnd(text, i)) < 0) return false;
    } else if (c === MINUS || isDigit(c)) {
      if ((i = numberEnd(text, i)) < 0) return false;
    } else if (text.startsWith("true", i) || text.startsWith("null", i)) i += 4;
    else if (text.startsWith("false", i)) i += 5;
    else return false;
    // After a value: close what ends here, then a comma leads to the next value.
    for (;;) {
      if (open.length === 0) return i === text.length;
      const names = open[open.length - 1];
      const d = text.charCodeAt(i);
      if (d === (names ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        open.pop();
        i++;
      } else if (d === COMMA) {
        i++;
        if (names && !member(names)) return false;
        break;
      } else return false;
    }
  }
}
