// The entry point the Pulumi CLI's language host runs (Pulumi.yaml `main`, with `typescript: false`): the program's
// TypeScript goes through the project's own transpiler (tools/register.js, esbuild, cached), not ts-node. ts-node
// type-checks the whole program on every `pulumi up` (tens of seconds); type checking is `npm run typecheck`'s
// job, once, in CI. A plain .js file needs nothing registered and works from any working directory.
"use strict";
// The SDK records a stack trace for every promise it creates (for leak reports), and the language host formats
// them through source-map-support: most of a run's time. Node's own formatter is a fraction of that cost.
delete Error.prepareStackTrace;
// It also interpolates every engine response, a protobuf message, into a debug log line, and a message's toString
// serialises it whole. Those lines reach only `pulumi up --debug`; a short placeholder keeps them cheap.
require("google-protobuf").Message.prototype.toString = function toString() {
  return "[protobuf message]";
};
require("../tools/register.js");
module.exports = require("./index.ts");
