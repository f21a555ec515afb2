/** Where tests find the project and the shared corpora, wherever the clone lives (CI clones elsewhere). */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Knossos' own test histories, beside the project in ../shared (good/ must pass, bad/ must fail). */
export const KNOSSOS = process.env.FAULTLINE_KNOSSOS ?? join(ROOT, '..', 'shared', 'peer-histories', 'knossos');
export const EXAMPLES = join(ROOT, 'histories', 'examples');
