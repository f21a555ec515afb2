#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm ci` builds it through the `prepare` script.
import('../dist/harness/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/harness')) {
    process.stderr.write('faultline: the compiled CLI is missing; run `npm run build` (npm ci does this for you)\n');
    process.exit(255);
  }
  throw err;
});
