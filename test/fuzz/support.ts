// The fuzz suite's knobs: a quick run (`npm run test:fuzz`, in CI), the full run with `npm run fuzz` (FUZZ_RUNS=2000).
// Seeds are fixed per handler, so a failure reproduces exactly; fast-check prints the shrunk counterexample.
import fc from "fast-check";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { LocalS3, startS3 } from "../../tools/local-servers";
import { LosslessNumber } from "../../components/ingestion/records/json";

/** Cases per handler: FUZZ_RUNS when set (npm run fuzz), else the quick count given by the suite. */
export function runs(quick: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : quick;
}

/** fast-check parameters for one handler's property: fixed seed, the run count, no time-outs of its own. */
export const params = (seed: number, quick: number): fc.Parameters<unknown> => ({ seed, numRuns: runs(quick) });

/** Number texts as producers send them: small, beyond 2^53, long decimals, exponents, beyond a double's range. */
export const numberText = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 99999 }), fc.stringMatching(/^[0-9]{1,40}$/)).map(([a, b]) => `${a}.${b}`),
  fc.constantFrom(
    "0",
    "-0",
    "1e400",
    "-1e400",
    "1e-400",
    "9007199254740993",
    "0.1000000000000000055511151231257827",
    "1E+2",
  ),
);

/** Strings as hostile as JSON allows: unicode, control characters, U+0000, lone surrogates, long runs. */
export const hostileString = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "grapheme", maxLength: 10 }),
  fc.string({ unit: "binary", maxLength: 10 }),
  fc.constantFrom("\u0000", "a\u0000b", "\ud800", "\udc00x", "\ud83d\ude00", "é", "", "1", "__proto__", "constructor"),
);

export type Json = null | boolean | string | LosslessNumber | Json[] | { [k: string]: Json };

/** JSON values with exact numbers, nesting up to `depth` levels (deeper input is covered by `deep`). */
export function json(depth = 4): fc.Arbitrary<Json> {
  const { value } = fc.letrec<{ value: Json }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", maxDepth: depth },
      fc.constant(null),
      fc.boolean(),
      hostileString,
      numberText.map((t) => new LosslessNumber(t)),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(hostileString, tie("value"), { maxKeys: 4 }),
    ),
  }));
  return value;
}

/** A member nested `levels` deep, as JSON text (what a recursive parser or sorter overflows on). */
export const deep = (levels: number, inner = "1"): string => `${"[".repeat(levels)}${inner}${"]".repeat(levels)}`;

/**
 * A local S3 server with a `raw` bucket for the calling suite (started before its tests, stopped after), and a
 * reader of its objects' text.
 */
export function localRaw(): { readonly s3: LocalS3; read(key: string): Promise<string> } {
  let s3: LocalS3 | undefined;
  before(async () => (s3 = await startS3(["raw"])));
  after(async () => s3?.stop());
  const server = () => {
    if (!s3) throw new Error("the local S3 server is not running");
    return s3;
  };
  return {
    get s3() {
      return server();
    },
    read: async (key) =>
      (await server().client.send(new GetObjectCommand({ Bucket: "raw", Key: key }))).Body!.transformToString("utf8"),
  };
}
