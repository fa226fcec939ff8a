// Preloaded into benchmarked processes: writes the peak resident set size (bytes) to BENCH_RSS_FILE at exit.
"use strict";
const file = process.env.BENCH_RSS_FILE;
if (file)
  process.on("exit", () => require("node:fs").writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
