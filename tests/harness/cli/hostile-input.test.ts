/**
 * Hostile but fair input to `check`, `convert` and `run`: numbers JSON cannot hold, values nested thousands
 * deep, standard input and pipes, unreadable files, bad output paths, empty input, broken op pairing and
 * --bin paths that are no program. Each ends in a verdict or in 254 with a one-line message: never 255,
 * never a stack trace, never a wrong verdict.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { cli, ROOT, STACK, type CliResult } from './helpers.js';
import { inProcess } from './in-process.js';
import { checkCommand } from '../../../harness/cli/commands/check.js';
import { convertCommand } from '../../../harness/cli/commands/convert.js';
import { addRunOptions, resolveConfig, type RunFlags } from '../../../harness/cli/commands/run.js';

const check = (files: string[], opts: Record<string, unknown> = {}) => inProcess(() => checkCommand(files, { progress: false, ...opts }));
const convert = (input: string, to: string, output?: string) => inProcess(() => convertCommand(input, { to, output }));

let dir: string;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'faultline-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 254, one line, no stack. */
function expectBadInput(r: CliResult, what: string, message?: RegExp): void {
  expect(r.code, `${what}: ${r.stdout}${r.stderr}`).toBe(254);
  const out = (r.stdout + r.stderr).trim();
  expect(out, what).not.toMatch(STACK);
  expect(out.split('\n').filter((l) => !l.startsWith('warning:')).length, `${what}: ${out}`).toBe(1);
  if (message) expect(out, what).toMatch(message);
}

const jsonl = (write: string, read: string): string =>
  [
    `{"index":0,"type":"invoke","process":0,"f":"write","value":${write}}`,
    `{"index":1,"type":"ok","process":0,"f":"write","value":${write}}`,
    `{"index":2,"type":"invoke","process":1,"f":"read","value":null}`,
    `{"index":3,"type":"ok","process":1,"f":"read","value":${read}}`,
  ].join('\n') + '\n';
const edn = (write: string, read: string): string =>
  `[{:process 0 :type :invoke :f :write :value ${write}}\n{:process 0 :type :ok :f :write :value ${write}}\n` +
  `{:process 1 :type :invoke :f :read :value nil}\n{:process 1 :type :ok :f :read :value ${read}}]\n`;
const log = (write: string, read: string): string =>
  `INFO [2017-03-29 16:12:45,123] jepsen worker 0 - jepsen.util 0\t:invoke\t:write\t${write}\n` +
  `INFO [2017-03-29 16:12:45,124] jepsen worker 0 - jepsen.util 0\t:ok\t:write\t${write}\n` +
  `INFO [2017-03-29 16:12:45,125] jepsen worker 1 - jepsen.util 1\t:invoke\t:read\tnil\n` +
  `INFO [2017-03-29 16:12:45,126] jepsen worker 1 - jepsen.util 1\t:ok\t:read\t${read}\n`;
const json = (write: string, read: string): string =>
  `[{"type":"invoke","process":0,"f":"write","value":${write}},\n{"type":"ok","process":0,"f":"write","value":${write}},\n` +
  `{"type":"invoke","process":1,"f":"read","value":null},\n{"type":"ok","process":1,"f":"read","value":${read}}]\n`;
const FORMATS = { jsonl, edn, log, json } as const;

describe('numbers are read exactly in every reader', () => {
  for (const [name, make] of Object.entries(FORMATS)) {
    it(`${name}: a write of 2^53+1 read back as 2^53 is INVALID; read back exactly it is valid`, async () => {
      const bad = await check([file(`big.${name}`, make('9007199254740993', '9007199254740992'))], { model: 'register' });
      expect(bad.code, bad.stdout + bad.stderr).toBe(1);
      expect(bad.stdout).toMatch(/9007199254740992/);
      const good = await check([file(`big-ok.${name}`, make('9007199254740993', '9007199254740993'))], { model: 'register' });
      expect(good.code, good.stdout + good.stderr).toBe(0);
    });

    it(`${name}: 1e400 is refused as bad input, not read as Infinity`, async () => {
      expectBadInput(await check([file(`inf.${name}`, make('1e400', '2e400'))], { model: 'register' }), name, /1e400|out of range/);
      expectBadInput(await convert(join(dir, `inf.${name}`), name === 'jsonl' ? 'edn' : 'jsonl'), name, /out of range/);
    });

    it(`${name}: a value nested 5,000 deep is bad input (254), in check and convert`, async () => {
      const deep = '['.repeat(5000) + '0' + ']'.repeat(5000);
      const p = file(`deep.${name}`, make(deep, deep));
      expectBadInput(await check([p]), name, /nested/);
      expectBadInput(await convert(p, name === 'jsonl' ? 'edn' : 'jsonl'), name, /nested/);
    });
  }

  it('through the real CLI: 2^53+1 read as 2^53 exits 1, a value nested 5,000 deep exits 254', () => {
    const r = cli(['check', '--model', 'register', join(dir, 'big.jsonl')]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expectBadInput(cli(['check', join(dir, 'deep.jsonl')]), 'deep', /nested/);
  });

  it('convert keeps big integers exactly, both ways', async () => {
    const e = await convert(file('big2.jsonl', jsonl('9007199254740993', '9007199254740993')), 'edn');
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/9007199254740993N/);
    const back = await convert(file('big2.edn', e.stdout), 'jsonl');
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/"value":9007199254740993\}/);
  });
});

describe('where input comes from', () => {
  const good = () => jsonl('1', '1');

  it('check - reads standard input', () => {
    const r = cli(['check', '-'], { input: good() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const c = cli(['convert', '-', '--to', 'edn'], { input: good() });
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/:write/);
  });

  it('check <(cat h.jsonl) reads the pipe', () => {
    const p = file('pipe.jsonl', good());
    const r = spawnSync('bash', ['-c', `"${process.execPath}" bin/faultline.js check <(cat "${p}")`], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/valid/);
  });

  it('an unreadable file is 254 "permission denied"', () => {
    const p = file('secret.jsonl', good());
    chmodSync(p, 0o000);
    chmodSync(dir, 0o755);
    // root reads anything: drop to nobody for this one, as a user without the right would be.
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'] : [];
    const [cmd, ...args] = [...asUser, process.execPath, join(ROOT, 'bin', 'faultline.js'), 'check', p];
    const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expectBadInput({ code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr }, 'EACCES', /permission denied/);
  });

  it('a symlink loop has its own message', async () => {
    symlinkSync(join(dir, 'loop-b'), join(dir, 'loop-a'));
    symlinkSync(join(dir, 'loop-a'), join(dir, 'loop-b'));
    expectBadInput(await check([join(dir, 'loop-a')]), 'loop', /symlink loop/);
  });
});

describe('convert agrees with check', () => {
  it('empty input, whitespace and /dev/null are 254 for both', async () => {
    for (const p of [file('empty.jsonl', ''), file('blank.jsonl', '  \n\n '), '/dev/null']) {
      expectBadInput(await check([p]), `check ${p}`, /empty/);
      expectBadInput(await convert(p, 'edn'), `convert ${p}`, /empty/);
    }
  });

  it('a completion without an invoke is refused by both', async () => {
    const p = file('orphan.jsonl', '{"index":0,"type":"ok","process":0,"f":"write","value":1}\n');
    expectBadInput(await check([p]), 'check', /without invoking/);
    expectBadInput(await convert(p, 'edn'), 'convert', /without invoking/);
  });

  it('a history of nemesis ops only is unknown (it tested nothing), like a run with no successful op', async () => {
    const p = file(
      'nemesis.jsonl',
      '{"index":0,"type":"info","process":"nemesis","f":"start-partition","value":null}\n{"index":1,"type":"info","process":"nemesis","f":"stop-partition","value":null}\n',
    );
    const r = await check([p]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/no client ops/);
  });

  it('convert -o to a directory or into a missing folder is 254 naming the path', async () => {
    const p = file('ok.jsonl', jsonl('1', '1'));
    expectBadInput(await convert(p, 'edn', dir), '-o dir', /is a directory/);
    expectBadInput(await convert(p, 'edn', join(dir, 'no', 'such', 'x.edn')), '-o missing', /does not exist/);
  });
});

describe('--bin that is no program', () => {
  it('not executable, a directory, a symlink loop, missing: 254, each its own message, and no run left in the store', async () => {
    const store = join(dir, 'store');
    const script = file('node.sh', '#!/bin/sh\nexit 0\n');
    chmodSync(script, 0o644);
    mkdirSync(join(dir, 'bindir'));
    symlinkSync(join(dir, 'bin-b'), join(dir, 'bin-a'));
    symlinkSync(join(dir, 'bin-a'), join(dir, 'bin-b'));
    const cases: [string, RegExp][] = [
      [script, /not executable/],
      [join(dir, 'bindir'), /is a directory/],
      [join(dir, 'bin-a'), /symlink loop/],
      [join(dir, 'nothing-here'), /no such file/],
    ];
    for (const [bin, message] of cases) {
      // resolveConfig is where `run` refuses a config, before runTest makes a folder for it.
      const cmd = addRunOptions(new Command('run')).exitOverride();
      cmd.parse(['--target', 'maelstrom', '--bin', bin, '--workload', 'lin-kv', '--store', store], { from: 'user' });
      expectBadInput(await inProcess(async () => (await resolveConfig(cmd.opts() as RunFlags), 0)), bin, message);
    }
    expect(existsSync(store) ? readdirSync(store) : []).toEqual([]);
  });
});
