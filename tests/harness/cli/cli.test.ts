import { readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../../tmp.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, EXAMPLES, KNOSSOS, STACK } from './helpers.js';

const tmp = () => tempDir('faultline-cli-');

describe('faultline CLI', () => {
  it('--help lists every subcommand and the exit codes', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const sub of ['run', 'check', 'compare', 'ls', 'show', 'convert', 'cleanup']) expect(r.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
    expect(r.stdout).toMatch(/254 bad arguments/);
  });

  it('bad arguments exit 254 with a message, never a stack trace', () => {
    for (const args of [['frobnicate'], ['check'], ['check', '--model', 'nope', 'x'], ['run', '--nodes', 'many'], ['run', '--target', 'nope'], ['run', '--nemesis', 'earthquake'], ['convert', 'x', '--to', 'yaml'], ['run', '--config', 'paxos']]) {
      const r = cli(args);
      expect(r.code, args.join(' ')).toBe(254);
      expect(r.stderr + r.stdout).not.toMatch(STACK);
      expect((r.stderr + r.stdout).length).toBeGreaterThan(10);
    }
  });

  it('check: a linearizable history exits 0, a stale read exits 1 with a readable counterexample', () => {
    const good = cli(['check', join(EXAMPLES, 'linearizable.jsonl')]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/valid/);
    const bad = cli(['check', join(EXAMPLES, 'stale-read.jsonl')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/INVALID/);
    expect(bad.stdout).toMatch(/read/);
  });

  it('check --json prints one line per file and composes the exit code', () => {
    const r = cli(['check', '--json', join(EXAMPLES, 'linearizable.jsonl'), join(EXAMPLES, 'stale-read.jsonl')]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.valid)).toEqual([true, false]);
    for (const l of lines) expect(l).toHaveProperty('ops');
    for (const l of lines) expect(l).toHaveProperty('ms');
  });

  it('check reads Jepsen EDN and applies --model and --initial', () => {
    const r = cli(['check', '--model', 'cas-register', '--initial', '0', join(KNOSSOS, 'cas-register', 'bad', 'bad-analysis.edn'), join(KNOSSOS, 'cas-register', 'good', 'cas-register-bug.edn')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad-analysis.edn: INVALID/);
    expect(r.stdout).toMatch(/cas-register-bug.edn: valid/);
  });

  it('check reads Porcupine-style kv histories (EDN maps with :key) with no flags, saying what it chose', () => {
    const dir = tmp();
    // Absent keys read as "", appends concatenate: the shape of Porcupine's kv test histories.
    const lines = (last: string) => [
      '{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}',
      '{:process 1, :type :invoke, :f :get, :key "5", :value nil}',
      '{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}',
      '{:process 1, :type :ok, :f :get, :key "5", :value ""}',
      '{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 1 y"}',
      '{:process 0, :type :ok, :f :append, :key "0", :value "x 0 1 y"}',
      '{:process 1, :type :invoke, :f :get, :key "0", :value nil}',
      `{:process 1, :type :ok, :f :get, :key "0", :value "${last}"}`,
    ].join('\n') + '\n';
    const ok = join(dir, 'c02-ok.txt');
    const bad = join(dir, 'c02-bad.txt');
    writeFileSync(ok, lines('x 0 0 yx 0 1 y'));
    writeFileSync(bad, lines('x 0 1 yx 0 0 y'));
    const r = cli(['check', ok, bad]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/c02-ok.txt: valid/);
    expect(r.stdout).toMatch(/c02-bad.txt: INVALID/);
    expect(r.stdout).toMatch(/model kv: the history has append ops/);
    expect(r.stdout).toMatch(/initial value "": 1 read\(s\) returned ""/);
    // Flags win over detection: with nil as the initial value, the read of "" is impossible.
    const j = cli(['check', '--json', '--model', 'kv', '--initial', 'null', ok]);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout.trim())).toMatchObject({ valid: false, model: 'kv' });
  });

  it('a history cut mid-line is checked with a warning; a malformed middle line exits 254 naming the line', () => {
    const dir = tmp();
    const text = readFileSync(join(EXAMPLES, 'linearizable.jsonl'), 'utf8');
    const torn = join(dir, 'torn.jsonl');
    writeFileSync(torn, text + '{"index":10,"type":"inv');
    const r1 = cli(['check', torn]);
    expect(r1.code).toBe(0);
    expect(r1.stderr).toMatch(/warning: .*torn.jsonl:11: last line is incomplete/);
    const broken = join(dir, 'broken.jsonl');
    const lines = text.split('\n');
    lines[4] = '{"index":4,"type":"invoke"';
    writeFileSync(broken, lines.join('\n'));
    const r2 = cli(['check', broken]);
    expect(r2.code).toBe(254);
    expect(r2.stdout + r2.stderr).toMatch(/broken.jsonl:5: not valid JSON/);
    expect(r2.stdout + r2.stderr).not.toMatch(STACK);
  });

  it('convert: EDN -> JSONL -> EDN -> JSONL gives equal JSONL files', () => {
    const dir = tmp();
    const src = join(KNOSSOS, 'multi-register', 'good', 'multi-register.edn');
    expect(cli(['convert', src, '--to', 'jsonl', '-o', join(dir, 'a.jsonl')]).code).toBe(0);
    expect(cli(['convert', join(dir, 'a.jsonl'), '--to', 'edn', '-o', join(dir, 'a.edn')]).code).toBe(0);
    expect(cli(['convert', join(dir, 'a.edn'), '--to', 'jsonl', '-o', join(dir, 'b.jsonl')]).code).toBe(0);
    const a = readFileSync(join(dir, 'a.jsonl'), 'utf8');
    expect(a.length).toBeGreaterThan(1000);
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8')).toBe(a);
    // Standard output when no -o is given.
    const out = cli(['convert', join(dir, 'a.jsonl'), '--to', 'edn']);
    expect(out.stdout.startsWith('[')).toBe(true);
    expect(out.stdout).toMatch(/:type :invoke/);
  });

  it('an empty history file (Knossos mutex/bad/hazelcast.edn) is refused as bad input, never called valid', () => {
    const r = cli(['check', '--json', '--model', 'mutex', join(KNOSSOS, 'mutex', 'bad', 'hazelcast.edn')]);
    expect(r.code).toBe(254);
    const line = JSON.parse(r.stdout.trim());
    expect(line.valid).toBe(null);
    expect(line.error).toMatch(/holds no history/);
    // In words, the file is named once, at the head of its line.
    const file = join(KNOSSOS, 'mutex', 'bad', 'hazelcast.edn');
    const text = cli(['check', '--model', 'mutex', file]);
    expect(text.code).toBe(254);
    expect(text.stdout.trim()).toBe(`${file}: the file holds no history (it is empty)`);
  });

  it('ls and show on an empty store say so; show of a missing run exits 254', () => {
    const dir = tmp();
    const ls = cli(['ls', '--store', join(dir, 'store')]);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/no runs stored/);
    const show = cli(['show', 'nope', '--store', join(dir, 'store')]);
    expect(show.code).toBe(254);
    expect(show.stderr).toMatch(/no stored run "nope"/);
  });
});
