import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { imageOf, imagePatch } from '../../../plugins/kubernetes/set-image.ts';

describe('set_image planning', () => {
  it('builds repo:tag or repo@digest', () => {
    assert.equal(imageOf('nginx', '1.27'), 'nginx:1.27');
    assert.equal(imageOf('nginx', `sha256:${'a'.repeat(64)}`), `nginx@sha256:${'a'.repeat(64)}`);
  });

  it('patches the only container, or the named ones, and says which exist', () => {
    const one = { spec: { template: { spec: { containers: [{ name: 'app' }] } } } };
    assert.deepEqual(imagePatch('d', one, [], 'x:1', undefined), { spec: { template: { spec: { containers: [{ name: 'app', image: 'x:1' }] } } } });
    const two = { spec: { template: { spec: { containers: [{ name: 'app' }, { name: 'sidecar' }] } } } };
    assert.throws(() => imagePatch('deployment.apps/d', two, [], 'x:1', undefined), /has 2 containers \(app, sidecar\): say which in settings.container/);
    assert.throws(() => imagePatch('deployment.apps/d', two, ['nope'], 'x:1', undefined), /has no container "nope"; its containers are: app, sidecar/);
  });
});
