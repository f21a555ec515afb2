/** `faultline serve`: browse the run store in a browser, on loopback unless told otherwise. */
import { serve } from '@hono/node-server';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../../histories/errors.js';
import { EXIT } from '../../../checkers/result.js';
import { createServeApp } from '../../serve/app.js';
import { println, warn } from '../output.js';

export interface ServeOptions {
  store: string;
  port: string;
  host: string;
}

export async function serveCommand(opts: ServeOptions): Promise<number> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port must be 0..65535, got "${opts.port}"`);
  const root = resolve(opts.store);
  if (!existsSync(root)) throw new InputError(`no run store at ${root} (run something first, or pass --store DIR)`);
  if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
    warn(`serving ${root} on ${opts.host}: anyone who can reach this address can read every stored run`);
  }
  const app = createServeApp(root);
  await new Promise<void>((done, fail) => {
    const server = serve({ fetch: app.fetch, port, hostname: opts.host }, (info) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      println(`faultline serve: http://${host}:${info.port}/  (store ${root}; Ctrl-C to stop)`);
    });
    server.on('error', (err: NodeJS.ErrnoException) => fail(new InputError(`cannot listen on ${opts.host}:${port}: ${err.code ?? err.message}`)));
    const stop = () => {
      server.close();
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return EXIT.valid;
}
