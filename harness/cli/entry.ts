/**
 * What bin/faultline.js runs: the command line, started. The build bundles the CLI from here into
 * dist/cli/faultline.cjs (scripts/bundle-cli.mjs); main.ts itself only defines it, so tests can import it.
 */
import { start } from './main.js';

void start(process.argv.slice(2));
