import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dockerConfig } from '../../../plugins/kaniko/docker-config.ts';
import { DOCKER_HUB, ecrRegion, imageHost, registryKey, registryType } from '../../../shared/image/names.ts';
import { settings } from '../../../plugins/kaniko/settings.ts';
import { SettingsError, readSettings } from '../../../shared/settings/index.ts';

const auth = (user: string, pass: string) => ({ auth: Buffer.from(`${user}:${pass}`).toString('base64') });

test('Docker Hub is keyed by its v1 URL whatever form the user gave', () => {
  for (const r of ['docker.io', 'index.docker.io', 'https://index.docker.io/v1/', 'https://index.docker.io/v2/', 'registry-1.docker.io', 'https://registry.hub.docker.com/v2/', 'Docker.io/']) {
    assert.equal(registryKey(r), DOCKER_HUB, r);
  }
  assert.equal(registryKey('https://ghcr.io/'), 'ghcr.io');
  assert.equal(registryKey('registry.local:5000'), 'registry.local:5000');
  assert.equal(registryKey('https://quay.io/v2/'), 'quay.io');
});

test('imageHost reads the registry off an image name as Docker does', () => {
  assert.equal(imageHost('ghcr.io/acme/app'), 'ghcr.io');
  assert.equal(imageHost('localhost/app'), 'localhost');
  assert.equal(imageHost('registry:5000/app'), 'registry:5000');
  assert.equal(imageHost('acme/app'), undefined);
  assert.equal(imageHost('app'), undefined);
});

test('registry presets are detected from the host', () => {
  assert.equal(ecrRegion('123456789012.dkr.ecr.eu-west-1.amazonaws.com'), 'eu-west-1');
  assert.equal(ecrRegion('123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com'), 'us-gov-west-1');
  assert.equal(ecrRegion('public.ecr.aws'), 'us-east-1');
  assert.equal(ecrRegion('ecr.example.com'), undefined);
  assert.deepEqual(
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', 'gcr.io', 'eu.gcr.io', 'europe-docker.pkg.dev', 'ghcr.io'].map(registryType),
    ['ECR', 'GCR', 'GCR', 'GAR', 'Docker'],
  );
});

test('logins and helpers are laid over the user config, which keeps its other entries', () => {
  const user = {
    auths: { 'docker.io': auth('old', 'old-pass'), 'quay.io': auth('q', 'q-pass') },
    credHelpers: { 'gcr.io': 'gcr' },
    credsStore: 'none',
  };
  const config = dockerConfig(user, [{ registry: DOCKER_HUB, username: 'me', password: 'new-pass' }], { 'public.ecr.aws': 'ecr-login' });
  assert.deepEqual(config, {
    auths: { [DOCKER_HUB]: auth('me', 'new-pass'), 'quay.io': auth('q', 'q-pass') },
    credHelpers: { 'gcr.io': 'gcr', 'public.ecr.aws': 'ecr-login' },
    credsStore: 'none',
  });
});

test('no config and no logins is an empty config', () => {
  assert.deepEqual(dockerConfig(undefined, [], {}), { auths: {} });
});

test('a config that is not a Docker config object is a settings error that does not echo it', () => {
  for (const bad of [[], 'x', { auths: [] }, { credHelpers: 'ecr-login' }]) {
    assert.throws(
      () => readSettings(settings, { PLUGIN_CONFIG: JSON.stringify(bad) }),
      (e: unknown) => e instanceof SettingsError && e.message === 'settings.config: expected a Docker config.json object, like {"auths": {"registry.example.com": {"auth": "..."}}}',
    );
  }
});
