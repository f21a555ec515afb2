/**
 * The link faults a kernel runtime can be asked for, checked in one place: the value is parsed as every
 * runtime parses it (harness/runtime.ts), and duplicate delivery is refused, since only the simulated network
 * can deliver one message twice (iptables drops, proxies delay; nothing in the kernel path copies a message).
 * Refusing here, before a runtime changes anything, keeps the refusal and its wording the same on netns,
 * docker and ssh.
 */
import { parseLinkFaults, UnsupportedFault, type LinkFaults } from '../runtime.js';

/** `faults` parsed, `{}` for none; throws UnsupportedFault for duplicate delivery. */
export function kernelLinkFaults(faults: LinkFaults | null): LinkFaults {
  const f = faults === null ? {} : parseLinkFaults(faults);
  if ((f.duplicate ?? 0) > 0) throw new UnsupportedFault('duplicate delivery is only supported by the sim runtime');
  return f;
}
