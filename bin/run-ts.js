#!/usr/bin/env node
// Runs a TypeScript entry point through tsx's CommonJS hook, so no build step stands between a clone and a running Firebreak.
require('tsx/cjs');
const path = require('node:path');
const entry = process.argv[2];
if (!entry) {
  console.error('usage: run-ts <file.ts> [args...]');
  process.exit(2);
}
process.argv.splice(1, 2, path.resolve(entry));
require(path.resolve(entry));
