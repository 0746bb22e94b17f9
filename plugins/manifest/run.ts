import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join as joinPath, resolve } from 'node:path';
import { PluginError } from '../../shared/errors.ts';
import { type HttpClient, createHttpClient } from '../../shared/http.ts';
import { configLogin, configSecrets, readDockerConfig } from '../../shared/image/docker-config.ts';
import { dockerArtifact } from '../../shared/image/names.ts';
import { MAX_SMALL_FILE_BYTES } from '../../shared/limits.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { readTextFile } from '../../shared/read-file.ts';
import { buildTemplateFields } from '../../shared/template/build-fields.ts';
import { loadTemplateSource } from '../../shared/template/source.ts';
import { join } from './join.ts';
import { extraTags, planJoin } from './plan.ts';
import { createRegistry } from './registry.ts';
import type { settings } from './settings.ts';
import { parseSpec } from './spec.ts';

export async function run({ settings: s, build, env, log, registerSecrets, signal, deadline }: PluginInput<typeof settings>): Promise<number> {
  const { path: configPath, config } = readDockerConfig(env);
  registerSecrets(configSecrets(config));
  const http = createHttpClient({ signal, deadline, log });
  const tagsFile = s.tags.length > 0 || s.auto_tag ? undefined : readTextFile(joinPath(build.workspace, '.tags'), { shown: '.tags', maxBytes: MAX_SMALL_FILE_BYTES });
  const spec = s.spec ? await renderedSpec(s.spec, build, extraTags(s, build, tagsFile).tags, http) : undefined;
  const plan = planJoin({ settings: s, build, spec, tagsFile });

  const target = plan.target;
  const fromSettings = s.username && s.password ? { username: s.username, password: s.password } : undefined;
  const registry = createRegistry({
    http,
    unverified: createHttpClient({ signal, deadline, log, rejectUnauthorized: false }),
    insecure: s.insecure,
    signal,
    // drone-manifest's username and password are the target registry's; others come from the Docker config.
    credentials: (ref) => (fromSettings && ref.host === target.host ? fromSettings : configLogin(config, ref.loginKey)),
    registerSecret: (secret) => registerSecrets([secret]),
  });
  log.info(`joining ${plan.sources.length} images into ${target.name}${plan.tags.length > 1 ? ` and ${plan.tags.length - 1} more tags` : ''}; logins: ${fromSettings ? `settings.username for ${target.host}` : 'none from the settings'}, ${Object.keys(config.auths).length} in ${configPath}`);
  const joined = await join(plan, registry, log);
  if (!s.artifact_file) return 0;
  // The index is pushed by now: a file that cannot be written does not undo that, as in kaniko.
  try {
    const file = resolve(build.workspace, s.artifact_file);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(dockerArtifact(target.loginKey, joined.images, joined.digest), null, 2) + '\n');
  } catch (err) {
    log.warn(`cannot write the artifact file ${s.artifact_file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return 0;
}

/** drone-manifest renders the spec as a template with the build's tag and auto tags, then reads the YAML. */
async function renderedSpec(value: string, build: PluginInput<typeof settings>['build'], tags: readonly string[], http: HttpClient) {
  const fetchText = async (url: string) => {
    const res = await http.request({ url });
    if (res.status >= 400) throw new PluginError(`HTTP ${res.status}`);
    return res.text();
  };
  const source = await loadTemplateSource(value, { workspace: build.workspace, settingName: 'spec', fetchText });
  const { renderTemplate } = await import('../../shared/template/handlebars.ts');
  const fields = buildTemplateFields(build);
  const context = { ...fields, build: { ...(fields.build as object), tags } };
  return parseSpec(renderTemplate(source.text, context, { name: source.name, escape: 'none' }), source.name);
}
