// Each run starts with an empty artifacts/e2e/: screenshots from an earlier run (of screens that have since
// changed or gone) must not sit beside this run's as if they were current.
import { rmSync } from 'node:fs';
import { ARTIFACTS } from './paths';

export default function globalSetup(): void {
  rmSync(ARTIFACTS, { recursive: true, force: true });
}
