import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseEnvironment, environmentsOf, environmentsProblem, withEnvironment } from '../../../plugins/kubernetes/environments.ts';
import type { PluginError } from '../../../shared/errors.ts';

const envs = environmentsOf({
  staging: { namespace: 'shop-staging', vars: { REPLICAS: 1, DEBUG: true } },
  production: { namespace: 'shop', context: 'prod', manifests: 'deploy/prod/', kustomize: 'deploy/overlays/prod' },
});

describe('environmentsProblem', () => {
  it('accepts every key in its shape', () => {
    assert.equal(environmentsProblem({ a: { namespace: 'x', context: 'c', kustomize: 'k', vars: { A: 1, B: 'b', C: false }, manifests: ['m/', 'n.yaml'] }, b: {} }), undefined);
  });

  it('names environments.<target>.<key> for each problem', () => {
    assert.equal(
      environmentsProblem({ production: { namspace: 'x', vars: ['A=1'], manifests: [1] }, 'bad name': {}, qa: 'shop-qa' }),
      [
        'environments.production.namspace is not a key of an environment: use namespace, context, kustomize, vars or manifests',
        'environments.production.vars: expected a map of names to text, numbers or true/false',
        'environments.production.manifests: expected a path or a list of paths',
        `environments."bad name" is not a target name: letters, digits, '.', '_' and '-', at most 63`,
        'environments.qa must be a map of namespace, context, kustomize, vars or manifests',
      ].join('; '),
    );
    assert.match(environmentsProblem(['production']) ?? '', /^expected a map of targets/);
    assert.equal(environmentsProblem({ a: { namespace: '' } }), 'environments.a.namespace: expected text');
  });

  it('reads vars as text and one manifest path as a list', () => {
    assert.deepEqual(envs.staging?.vars, { REPLICAS: '1', DEBUG: 'true' });
    assert.deepEqual(envs.production?.manifests, ['deploy/prod/']);
  });
});

describe('chooseEnvironment', () => {
  const input = { environments: envs, deployTo: '', deployToVariable: 'DRONE_DEPLOY_TO', environment: 'staging' };

  it("takes the build's deploy target over the environment setting", () => {
    assert.deepEqual(chooseEnvironment(input), { name: 'staging', environment: envs.staging, by: 'settings.environment' });
    assert.equal(chooseEnvironment({ ...input, deployTo: 'production' })?.name, 'production');
    assert.equal(chooseEnvironment({ ...input, deployTo: 'production', deployToVariable: 'CI_PIPELINE_DEPLOY_TARGET' })?.by, 'CI_PIPELINE_DEPLOY_TARGET');
  });

  it('picks nothing without environments, whatever the build says', () => {
    assert.equal(chooseEnvironment({ ...input, environments: {}, deployTo: 'production' }), undefined);
  });

  it('an unknown target or none at all is an error listing the targets', () => {
    assert.throws(() => chooseEnvironment({ ...input, deployTo: 'qa' }), {
      message: 'DRONE_DEPLOY_TO is "qa", which is not a target of settings.environments: the targets are staging, production',
    });
    assert.throws(() => chooseEnvironment({ ...input, environment: 'prod' }), /settings\.environment is "prod", which is not a target/);
    assert.throws(() => chooseEnvironment({ ...input, environment: undefined }), (err: PluginError) => {
      assert.match(err.message, /no deploy target: .*\(targets: staging, production\)/);
      assert.match(err.hint ?? '', /drone build promote <repo> <build> staging/);
      return true;
    });
  });
});

describe('withEnvironment', () => {
  const settings = { namespace: 'default-ns', context: undefined, vars: { REPLICAS: '2', GREETING: 'hi' }, manifests: ['k8s/'] as readonly string[] };

  it("replaces the step's settings by the environment's, adding its vars to the step's", () => {
    const staging = chooseEnvironment({ environments: envs, deployTo: 'staging', deployToVariable: 'DRONE_DEPLOY_TO', environment: undefined })!;
    assert.deepEqual(withEnvironment(settings, staging, '/ws'), { ...settings, namespace: 'shop-staging', vars: { REPLICAS: '1', GREETING: 'hi', DEBUG: 'true' } });
    const production = chooseEnvironment({ environments: envs, deployTo: 'production', deployToVariable: 'DRONE_DEPLOY_TO', environment: undefined })!;
    assert.deepEqual(withEnvironment(settings, production, '/ws'), {
      ...settings,
      namespace: 'shop',
      context: 'prod',
      manifests: ['deploy/prod/'],
      kustomize: 'deploy/overlays/prod',
      template: undefined,
    });
  });

  it('checks the paths as the settings are checked', () => {
    const bad = environmentsOf({ x: { manifests: ['../outside/'], kustomize: '/etc' } });
    const chosen = chooseEnvironment({ environments: bad, deployTo: 'x', deployToVariable: 'DRONE_DEPLOY_TO', environment: undefined })!;
    assert.throws(() => withEnvironment(settings, chosen, '/ws'), {
      message: 'settings.environments.x.manifests: "../outside/" is outside the workspace /ws\nsettings.environments.x.kustomize: "/etc" is outside the workspace /ws',
    });
  });
});
