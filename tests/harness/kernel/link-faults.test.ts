// The one check of link faults that every kernel runtime (netns, docker, ssh) makes before changing anything:
// duplicate delivery refused as unsupported (only the sim can copy a message), bad values refused as input.
import { describe, expect, it } from 'vitest';
import { kernelLinkFaults } from '../../../harness/kernel/link-faults.js';
import { UnsupportedFault } from '../../../harness/runtime.js';
import { InputError } from '../../../histories/errors.js';

describe('kernel link faults', () => {
  it('passes loss and latency through, and none as no faults', () => {
    expect(kernelLinkFaults({ loss: 0.2, latencyMs: 30, jitterMs: 5 })).toEqual({ loss: 0.2, latencyMs: 30, jitterMs: 5 });
    expect(kernelLinkFaults(null)).toEqual({});
    expect(kernelLinkFaults({ duplicate: 0 })).toEqual({ duplicate: 0 });
  });

  it('refuses duplicate delivery as unsupported, and out-of-range values as bad input', () => {
    expect(() => kernelLinkFaults({ duplicate: 0.1, loss: 0.2 })).toThrow(UnsupportedFault);
    expect(() => kernelLinkFaults({ duplicate: 0.1 })).toThrow(/only supported by the sim runtime/);
    expect(() => kernelLinkFaults({ loss: 2 })).toThrow(InputError);
  });
});
