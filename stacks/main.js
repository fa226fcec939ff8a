// The entry point the Pulumi CLI's language host runs (Pulumi.yaml `main`, with `typescript: false`): the program's
// TypeScript goes through the project's own transpiler (tools/register.js, esbuild, cached), not ts-node. ts-node
// type-checks the whole program on every `pulumi up` (tens of seconds); type checking is `npm run typecheck`'s
// job, once, in CI. A plain .js file needs nothing registered and works from any working directory.
"use strict";
require("./host.js");
require("../tools/register.js");
module.exports = require("./index.ts");
