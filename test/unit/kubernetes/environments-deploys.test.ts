import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseEnvironment, environmentsOf, withEnvironment } from '../../../plugins/kubernetes/environments.ts';

const step = { namespace: undefined as string | undefined, vars: {}, manifests: ['k8s/'] as readonly string[], kustomize: 'deploy/base', template: 'extra.yaml', deployment: [] as readonly string[] };
const pick = (environments: unknown, name: string) =>
  chooseEnvironment({ environments: environmentsOf(environments), deployTo: name, deployToVariable: 'DRONE_DEPLOY_TO', environment: undefined })!;

describe("an environment's manifests and kustomize", () => {
  it("replace everything the step deploys: its manifests, kustomize and template", () => {
    const overlay = withEnvironment(step, pick({ production: { kustomize: 'deploy/overlays/production' } }, 'production'), '/ws');
    assert.deepEqual([overlay.manifests, overlay.kustomize, overlay.template], [[], 'deploy/overlays/production', undefined]);
    const files = withEnvironment(step, pick({ staging: { manifests: ['deploy/staging/'] } }, 'staging'), '/ws');
    assert.deepEqual([files.manifests, files.kustomize, files.template], [['deploy/staging/'], undefined, undefined]);
  });

  it("leave the step's as the default of an environment that names neither", () => {
    const qa = withEnvironment(step, pick({ qa: { namespace: 'qa' } }, 'qa'), '/ws');
    assert.deepEqual([qa.manifests, qa.kustomize, qa.template, qa.namespace], [['k8s/'], 'deploy/base', 'extra.yaml', 'qa']);
  });

  it("are refused beside the step's deployment, whose images it updates", () => {
    assert.throws(() => withEnvironment({ ...step, deployment: ['web'] }, pick({ production: { kustomize: 'deploy/overlays/production' } }, 'production'), '/ws'), {
      message: 'settings.environments.production.kustomize and settings.deployment exclude each other: the step updates images, it applies no manifests',
    });
  });
});
