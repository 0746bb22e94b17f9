import assert from 'node:assert/strict';

/**
 * A secret must be absent from `output` whole and in part: no run of `min` or more of its
 * characters survives (a cut excerpt shows the start of a secret, not all of it).
 */
export function assertNoSecret(output: string, secret: string, min = 4): void {
  if (secret.length < min) {
    assert.ok(!new RegExp(`(?<![\\p{L}\\p{N}])${RegExp.escape(secret)}(?![\\p{L}\\p{N}])`, 'u').test(output), `the secret ${secret} is in the output:\n${output}`);
    return;
  }
  for (let i = 0; i + min <= secret.length; i++) {
    const fragment = secret.slice(i, i + min);
    assert.ok(!output.includes(fragment), `"${fragment}" of a secret is in the output:\n${output}`);
  }
}
