import { describe, expect, it } from 'vitest';
import { NodeFirewalls } from '../../../harness/kernel/firewall.js';
import { commandLines, dropRules, lossRules, restoreScript, RESTORE_ARGV } from '../../../harness/kernel/iptables.js';
import { InputError } from '../../../histories/errors.js';

const NODES = ['n1', 'n2', 'n3'];
const addr = (n: string) => `10.9.9.${NODES.indexOf(n) + 2}`;

/** A firewall over a fake exec that records what each node was told. */
function recording(ready: (n: string) => boolean = () => true) {
  const calls: { node: string; argv: readonly string[]; input?: string }[] = [];
  const fw = new NodeFirewalls({
    nodes: NODES,
    addressOf: addr,
    ready,
    exec: async (node, argv, input) => {
      calls.push({ node, argv, input });
      return '';
    },
  });
  return { fw, calls, last: (n: string) => calls.filter((c) => c.node === n).at(-1)?.input ?? '' };
}

describe('iptables rule sets', () => {
  it('drop only the grudged peers, and lose packets only when the probability is above 0', () => {
    const script = restoreScript([dropRules(['10.9.9.3']), lossRules(['10.9.9.3', '10.9.9.4'], 0.25)]).split('\n');
    expect(script[0]).toBe('*filter');
    expect(script).toContain('-A FAULTLINE-PART -s 10.9.9.3/32 -j DROP');
    expect(script).toContain('-A FAULTLINE-LOSS -s 10.9.9.4/32 -m statistic --mode random --probability 0.250000 -j DROP');
    expect(script.at(-2)).toBe('COMMIT');
    expect(restoreScript([lossRules(['10.9.9.3'], 0)])).not.toContain('statistic');
  });

  it('can be run as separate iptables commands, chains first', () => {
    const cmds = commandLines({ table: 'nat', chains: ['X'], rules: [['-A', 'OUTPUT', '-j', 'X']] });
    expect(cmds).toEqual([
      ['iptables', '-t', 'nat', '-N', 'X'],
      ['iptables', '-t', 'nat', '-A', 'OUTPUT', '-j', 'X'],
    ]);
  });
});

describe('NodeFirewalls', () => {
  it('installs the chains with the faults now in force, through iptables-restore', async () => {
    const { fw, calls, last } = recording();
    await fw.setLoss(0.1);
    await fw.partition({ n1: ['n2'] });
    await fw.install('n1');
    const c = calls.at(-1)!;
    expect(c.argv).toEqual(RESTORE_ARGV);
    expect(last('n1')).toContain(':FAULTLINE-PART - [0:0]');
    expect(last('n1')).toContain('-A INPUT -j FAULTLINE-LOSS');
    expect(last('n1')).toContain('-A FAULTLINE-PART -s 10.9.9.3/32 -j DROP');
    expect(last('n1')).toContain('--probability 0.100000');
  });

  it('writes a one-way grudge on the receiving side only, and heals everywhere', async () => {
    const { fw, last } = recording();
    await fw.partition({ n3: ['n1', 'n3'] });
    expect(last('n3')).toContain('-s 10.9.9.2/32 -j DROP');
    expect(last('n3')).not.toContain('10.9.9.4/32'); // a node never drops itself
    expect(last('n1')).not.toContain('DROP');
    await fw.heal();
    for (const n of NODES) expect(last(n)).toBe('*filter\n-F FAULTLINE-PART\nCOMMIT\n');
  });

  it('skips nodes whose network is not up yet, and refuses unknown nodes before writing anything', async () => {
    const { fw, calls } = recording((n) => n !== 'n2');
    await fw.setLoss(0.5);
    expect(calls.map((c) => c.node).sort()).toEqual(['n1', 'n3']);
    await expect(fw.partition({ n1: ['n9'] })).rejects.toThrow(InputError);
    expect(calls).toHaveLength(2);
  });

  it('applies one node\'s updates in order even when the first one fails', async () => {
    const order: string[] = [];
    let first = true;
    const fw = new NodeFirewalls({
      nodes: ['a', 'b'],
      addressOf: (n) => (n === 'a' ? '10.0.0.2' : '10.0.0.3'),
      exec: async (node, _argv, input) => {
        if (node !== 'a') return '';
        if (first) {
          first = false;
          await new Promise((r) => setTimeout(r, 20));
          order.push('part');
          throw new Error('iptables failed');
        }
        order.push(input!.includes('LOSS') ? 'loss' : 'other');
        return '';
      },
    });
    const p1 = fw.partition({ a: ['b'] });
    const p2 = fw.setLoss(0.2);
    await expect(p1).rejects.toThrow('iptables failed');
    await p2;
    expect(order).toEqual(['part', 'loss']);
  });
});
