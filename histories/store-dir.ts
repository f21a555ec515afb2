/** Where runs are stored unless --store says otherwise; apart from store.ts so the command line can name it without loading run.json's schemas. */
export const DEFAULT_STORE = 'store';
