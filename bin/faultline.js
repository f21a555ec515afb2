#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm ci` builds it through the `prepare` script.
// `--version` alone is answered here, without loading the command line and its schemas (a fast cold start).
const args = process.argv.slice(2);
const versionOnly = args.length === 1 && (args[0] === '--version' || args[0] === '-V');
const entry = versionOnly ? '../dist/harness/version.js' : '../dist/harness/cli/main.js';
import(entry)
  .then((m) => {
    if (versionOnly) process.stdout.write(`${m.packageVersion()}\n`);
  })
  .catch((err) => {
    if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/harness')) {
      process.stderr.write('faultline: the compiled CLI is missing; run `npm run build` (npm ci does this for you)\n');
      process.exit(255);
    }
    throw err;
  });
