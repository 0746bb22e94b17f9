import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LOGIN, type Registry, pullManifest, pushImage, registryMissing, startRegistry } from '../components/registry/index.ts';
import { type TokenServer, startTokenServer, tokenServerMissing } from '../components/registry/token-server.ts';
import { droneBuildEnv } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';
import { assertNoSecret } from '../support/secrets.ts';

/** The bundled plugin against docker-registry with htpasswd Basic auth, and with token auth. */
const missing = registryMissing();

function run(settings: Record<string, string>, dockerConfig?: object) {
  const workspace = mkdtempSync(join(tmpdir(), 'manifest-auth-'));
  const configDir = join(workspace, '.docker');
  if (dockerConfig) {
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'config.json'), JSON.stringify(dockerConfig));
  }
  return runBundle('manifest', { ...droneBuildEnv, DRONE_WORKSPACE: workspace, PLUGIN_ENV_FILE: join(workspace, 'none'), DOCKER_CONFIG: configDir, PLUGIN_DEBUG: 'true', ...settings }, { cwd: workspace });
}

const auth = (username: string, password: string) => Buffer.from(`${username}:${password}`).toString('base64');

describe('manifest: htpasswd Basic auth', { skip: missing }, () => {
  let registry: Registry;
  before(async () => {
    registry = await startRegistry({ basicAuth: true });
  });
  after(() => registry?.stop());

  test('username and password log in; the password is never printed, even with debug', async () => {
    await pushImage(registry, 'team/app', '1-amd64', { architecture: 'amd64' });
    await pushImage(registry, 'team/app', '1-arm64', { architecture: 'arm64' });
    const r = await run({
      PLUGIN_TARGET: `${registry.host}/team/app:1`,
      PLUGIN_TEMPLATE: `${registry.host}/team/app:1-ARCH`,
      PLUGIN_PLATFORMS: 'linux/amd64,linux/arm64',
      PLUGIN_USERNAME: LOGIN.username,
      PLUGIN_PASSWORD: LOGIN.password,
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertNoSecret(r.stdout + r.stderr, LOGIN.password);
    assert.equal((await pullManifest(registry, 'team/app', '1')).mediaType, 'application/vnd.oci.image.index.v1+json');
  });

  test('the login of the Docker config the kaniko plugin writes', async () => {
    await pushImage(registry, 'team/cfg', '1-amd64', { architecture: 'amd64' });
    const r = await run(
      { PLUGIN_TARGET: `${registry.host}/team/cfg:1`, PLUGIN_TEMPLATE: `${registry.host}/team/cfg:1-ARCH`, PLUGIN_PLATFORMS: 'linux/amd64' },
      { auths: { [registry.host]: { auth: auth(LOGIN.username, LOGIN.password) } } },
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assertNoSecret(r.stdout + r.stderr, LOGIN.password);
    assertNoSecret(r.stdout + r.stderr, auth(LOGIN.username, LOGIN.password));
  });

  test('a wrong password is refused naming the registry and the user, never the password', async () => {
    const wrong = 'Xq7vWrongZk9';
    const r = await run({
      PLUGIN_TARGET: `${registry.host}/team/app:1`,
      PLUGIN_TEMPLATE: `${registry.host}/team/app:1-ARCH`,
      PLUGIN_PLATFORMS: 'linux/amd64',
      MANIFEST_USERNAME: LOGIN.username,
      MANIFEST_PASSWORD: wrong,
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`error: ${registry.host} refused the credentials of user "robot" for team/app \\(401\\)`));
    assertNoSecret(r.stdout + r.stderr, wrong);
  });

  test('no login at all: an error saying how to give one', async () => {
    const r = await run({ PLUGIN_TARGET: `${registry.host}/team/app:1`, PLUGIN_TEMPLATE: `${registry.host}/team/app:1-ARCH`, PLUGIN_PLATFORMS: 'linux/amd64' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /wants credentials for team\/app and the step has none \(401\)/);
    assert.match(r.stdout, /hint: Set settings.username and settings.password/);
  });
});

describe('manifest: token auth (a Bearer token endpoint on loopback)', { skip: missing ?? tokenServerMissing() }, () => {
  let registry: Registry;
  let tokens: TokenServer;
  before(async () => {
    tokens = await startTokenServer();
    registry = await startRegistry({ token: tokens });
  });
  after(async () => {
    await registry?.stop();
    await tokens?.close();
  });

  test('tokens per scope, the mount source among them; neither password nor token is printed', async () => {
    await pushImage(registry, 'team/tok', '1-amd64', { architecture: 'amd64' });
    tokens.requests.length = 0;
    const r = await run({ PLUGIN_TARGET: `${registry.host}/team/tok:1`, PLUGIN_TEMPLATE: `${registry.host}/team/tok:1-ARCH`, PLUGIN_PLATFORMS: 'linux/amd64', PLUGIN_USERNAME: LOGIN.username, PLUGIN_PASSWORD: LOGIN.password });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(tokens.requests.every((q) => q.authorized));
    assert.ok(tokens.requests.some((q) => q.scopes.includes('repository:team/tok:pull,push')), JSON.stringify(tokens.requests));
    for (const t of tokens.tokens) assertNoSecret(r.stdout + r.stderr, t.slice(-40));
    assertNoSecret(r.stdout + r.stderr, LOGIN.password);
    assert.equal((await pullManifest(registry, 'team/tok', '1')).status, 200);
  });

  test('a source in another repository is mounted with a token that may pull it', async () => {
    await pushImage(registry, 'build/amd64', '9', { architecture: 'amd64' });
    await pushImage(registry, 'build/arm64', '9', { architecture: 'arm64' });
    tokens.requests.length = 0;
    const r = await run({
      PLUGIN_TARGET: `${registry.host}/team/mounted:9`,
      PLUGIN_TEMPLATE: `${registry.host}/build/ARCH:9`,
      PLUGIN_PLATFORMS: 'linux/amd64,linux/arm64',
      PLUGIN_USERNAME: LOGIN.username,
      PLUGIN_PASSWORD: LOGIN.password,
    });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.ok(
      tokens.requests.some((q) => q.scopes.includes('repository:team/mounted:pull,push') && q.scopes.includes('repository:build/arm64:pull')),
      JSON.stringify(tokens.requests),
    );
    assert.equal((await pullManifest(registry, 'team/mounted', '9')).status, 200);
  });

  test('the token endpoint refusing the login is an error naming the user', async () => {
    const r = await run({ PLUGIN_TARGET: `${registry.host}/team/tok:1`, PLUGIN_TEMPLATE: `${registry.host}/team/tok:1-amd64`, PLUGIN_PLATFORMS: 'linux/amd64', PLUGIN_USERNAME: 'robot', PLUGIN_PASSWORD: 'Bv4nQmZ8xT2' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refused the credentials of user "robot"/);
    assertNoSecret(r.stdout + r.stderr, 'Bv4nQmZ8xT2');
  });
});
