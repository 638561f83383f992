// Copies the contract (../../proto/sweepd/v1/*.proto) into ./proto, where the
// package loads it at run time with @grpc/proto-loader. Run by `npm run build`.
"use strict";
const fs = require("fs");
const path = require("path");

const from = path.resolve(__dirname, "..", "..", "..", "proto", "sweepd", "v1");
const to = path.resolve(__dirname, "..", "proto", "sweepd", "v1");

if (!fs.existsSync(from)) {
  if (fs.existsSync(to)) {
    console.log(`copy-proto: ${from} not found; keeping the copy in ${to}`);
    process.exit(0);
  }
  console.error(`copy-proto: ${from} not found (build from a sweepd checkout)`);
  process.exit(1);
}
fs.rmSync(to, { recursive: true, force: true });
fs.mkdirSync(to, { recursive: true });
const files = fs.readdirSync(from).filter((f) => f.endsWith(".proto"));
for (const f of files) fs.copyFileSync(path.join(from, f), path.join(to, f));
console.log(`copy-proto: ${files.length} files -> ${path.relative(process.cwd(), to) || "."}`);
