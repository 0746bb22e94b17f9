import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSelector } from '../../../plugins/kubernetes/kustomize/label-selector.ts';

describe('parseSelector', () => {
  it('reads equality, set and existence requirements, ANDed', () => {
    const test = parseSelector('tier in (frontend, backend),!internal,env!=dev,app');
    assert.equal(test({ tier: 'frontend', env: 'prod', app: 'web' }), true);
    assert.equal(test({ tier: 'frontend', app: 'web' }), true, 'env!=dev holds when env is absent');
    assert.equal(test({ tier: 'frontend', app: 'web', internal: 'true' }), false);
    assert.equal(test({ tier: 'db', app: 'web' }), false);
    assert.equal(test({ tier: 'backend' }), false);
    assert.equal(parseSelector('team==x')({ team: 'x' }), true);
    assert.equal(parseSelector('team notin (x)')({}), true);
  });

  it('names the part it cannot read', () => {
    assert.throws(() => parseSelector('a in b'), /cannot read "a in b"/);
  });
});
