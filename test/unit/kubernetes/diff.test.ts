import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderDiff } from '../../../plugins/kubernetes/diff.ts';

const cm = (data: Record<string, string>, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'demo', ...extra }, data });

describe('renderDiff', () => {
  it('is empty when only server bookkeeping differs', () => {
    assert.equal(renderDiff('configmap/a', cm({ k: 'v' }, { resourceVersion: '1', managedFields: [] }), cm({ k: 'v' }, { resourceVersion: '2', managedFields: [{ manager: 'sortie' }] })), '');
  });
  it('shows removed then added lines with context', () => {
    const text = renderDiff('configmap/a', cm({ k: 'v', x: '1' }), cm({ k: 'w', x: '1' }));
    assert.equal(text, ['--- configmap/a (live)', '+++ configmap/a (after apply)', '  ...', '    name: a', '    namespace: demo', '  data:', '-   k: v', '+   k: w', '    x: \'1\''].join('\n'));
  });
  it('masks Secret values, saying only whether they change', () => {
    const secret = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data });
    const text = renderDiff('secret/s', secret({ user: 'YWRtaW4=', pw: 'b2xk' }), secret({ user: 'YWRtaW4=', pw: 'bmV3' }));
    assert.match(text, /- {3}pw: '\*{8} \(before\)'\n\+ {3}pw: '\*{8} \(after\)'/);
    assert.match(text, /user: '\*{8}'/);
    assert.doesNotMatch(text, /YWRtaW4|b2xk|bmV3/);
  });
});
