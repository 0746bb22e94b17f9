import { join } from 'node:path';
import { repoRoot } from './run-bundle.ts';

/**
 * The reference material beside the checkout (`../shared`), as CI lays it out: the recordings of
 * a real kube-apiserver and the real kaniko executor's flag set, which the stand-ins must match.
 */
export const referenceFixtures = join(repoRoot, '..', 'shared', 'fixtures');
