import { join } from 'node:path';

/** Where the end-to-end suites write their screenshots (the pass masked) and axe results. */
export const ARTIFACTS = join(process.cwd(), 'artifacts', 'e2e');
