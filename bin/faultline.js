#!/usr/bin/env node
// The published entry point. It runs the command line bundled into one file, dist/cli/faultline.cjs (built by
// `npm run build`, which `npm ci` runs), compiled from a V8 code cache beside it, so a small command starts in
// little more than node's own start-up. `--version` alone is answered here, from package.json.
// FAULTLINE_DEBUG=1 loads the bundle through require() with source maps on, so stack traces name our sources.
// This file is CommonJS (bin/package.json says so): started as an ES module, node first loads its ES module
// loader, several ms of a small command's start-up, and the bundle is CommonJS anyway.
'use strict';
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const root = join(__dirname, '..');
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`);
} else {
  const bundle = join(root, 'dist', 'cli', 'faultline.cjs');
  let source;
  try {
    source = readFileSync(bundle, 'utf8');
  } catch {
    process.stderr.write('faultline: the compiled CLI is missing; run `npm run build` (npm ci does this for you)\n');
    process.exit(255);
  }
  const require = createRequire(bundle);
  if (process.env.FAULTLINE_DEBUG) {
    process.setSourceMapsEnabled(true);
    require(bundle);
  } else {
    runCached(bundle, source, require);
  }
}

/** A short name for a text (FNV-1a, 32 bits, in hex). */
function hashOf(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

/** Run the bundle as a CommonJS module, compiled from its code cache; write the cache when it is missing or stale. */
function runCached(file, source, require) {
  // V8 rejects a cache made under other flags (node --max-semi-space-size=..., NODE_OPTIONS): such runs keep
  // their own file, so that runs with and without flags do not rewrite one cache in turn.
  const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].join(' ').trim();
  const cacheFile = flags === '' ? `${file}.cache` : `${file}.${hashOf(flags)}.cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // The wrapper shares the bundle's first line, so line numbers in stack traces match the file.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit the cache also holds the functions this run compiled. Best effort: a read-only install just
    // goes without, and a rename never leaves a half-written cache for another process to read.
    process.once('exit', () => {
      try {
        const tmp = `${cacheFile}.${process.pid}`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // no cache this time
      }
    });
  }
  const bundleModule = { exports: {}, id: file, filename: file, loaded: false, children: [], paths: [] };
  script.runInThisContext()(bundleModule.exports, require, bundleModule, file, dirname(file));
}
