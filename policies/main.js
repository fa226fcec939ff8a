// The policy pack's entry point (package.json `main`) for `pulumi preview|up --policy-pack policies`. The CLI's
// policy runner registers ts-node with type checking for every pack, whatever the pack's own settings (the SDK's
// vendored copy: the project installs none); this plain .js entry loads the TypeScript through the project's own
// transpiler instead (tools/register.js replaces the `.ts` loader), so the pack starts in about a second. Type
// checking is `npm run typecheck`'s job.
"use strict";
delete Error.prepareStackTrace; // source-map-support, installed by the runner: costly for every stack it formats
require("../tools/register.js");
require("./index.ts");
