/** The names `faultline check --checker` takes (apart, so --help need not load the checkers). */
export const CHECKER_NAMES = ['linearizable', 'list-append', 'rw-register', 'set', 'set-full', 'counter', 'bank', 'long-fork', 'convergence', 'unique-ids'];
