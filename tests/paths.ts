/** Where tests find the project and its corpora, wherever the clone lives (CI clones elsewhere). */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Knossos' own test histories, kept in the project (good/ must pass, bad/ must fail); see its README for origin. */
export const KNOSSOS = process.env.FAULTLINE_KNOSSOS ?? join(ROOT, 'tests', 'fixtures', 'knossos');
export const EXAMPLES = join(ROOT, 'histories', 'examples');
