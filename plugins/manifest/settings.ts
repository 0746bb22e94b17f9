import { type Rules, setting } from '../../shared/settings/index.ts';

/**
 * drone-manifest's names and environment fallbacks (it wraps manifest-tool), so a `.drone.yml`
 * keeps working with only `image:` changed. Sortie talks to the registry itself: no manifest-tool.
 */
export const settings = {
  spec: setting.string({
    doc: 'A manifest-tool spec (YAML: `image`, `tags`, `manifests` with `platform`): a workspace file or inline; rendered as a template with `build.tag` and `build.tags` first.',
    path: 'workspace-or-text',
  }),
  platforms: setting.list({ doc: 'The platforms to join, `os/arch[/variant]`.', example: '[linux/amd64, linux/arm64, linux/arm/v7]', validate: platformsProblem }),
  target: setting.string({ doc: 'The image to push the index to, with its tag.', example: 'registry.example.com/team/app:1.2.3' }),
  template: setting.string({
    doc: 'The source image of each platform: `OS`, `ARCH` and `VARIANT` are replaced by its parts.',
    example: 'registry.example.com/team/app:1.2.3-ARCH',
  }),
  ignore_missing: setting.bool({ doc: 'Leave out a platform whose image does not exist, with a warning, instead of failing.' }),
  tags: setting.list({
    doc: "More tags of the target's repository that get the index; unset: the workspace's `.tags` file (commas or newlines).",
    aliases: ['tag'],
    example: '[latest, "1.2"]',
  }),
  auto_tag: setting.bool({
    doc: 'Tags from the git ref, added to the target: `v1.2.3` gives 1, 1.2, 1.2.3; the default branch gives latest; other builds are skipped.',
    aliases: ['default_tags'],
  }),
  username: setting.string({ doc: 'The user that logs in to the target registry (others: the Docker config).', env: ['MANIFEST_USERNAME', 'DOCKER_USERNAME'] }),
  password: setting.string({ doc: 'The password or token of `username`.', secret: true, env: ['MANIFEST_PASSWORD', 'DOCKER_PASSWORD'] }),
  insecure: setting.bool({
    doc: "Use registries without a trusted certificate: HTTPS without checking it, or plain HTTP when the registry has no TLS (as Docker treats loopback registries anyway).",
  }),
  artifact_file: setting.string({ doc: 'Write a `docker/v1` artifact JSON with every pushed tag and the index digest to this file.', path: 'workspace' }),
  timeout: setting.duration({ doc: 'Time allowed for the whole step: every request to the registries and its retries. `0`: no limit.', default: 300_000 }),
} as const;

export const rules: Rules<typeof settings> = {
  requires: {
    // manifest-tool's from-args: each platform's image comes from the template, pushed to the target.
    target: ['platforms', 'template'],
    platforms: ['target'],
    template: ['target'],
  },
  oneOf: [['spec', 'target']],
  together: [['username', 'password']],
  exclusive: [
    ['spec', 'target'],
    // auto_tag derives the tags from the git ref.
    ['auto_tag', 'tags'],
  ],
};

const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;

function platformsProblem(platforms: readonly string[]): string | undefined {
  const bad = platforms.find((p) => !PLATFORM.test(p));
  return bad === undefined ? undefined : `${JSON.stringify(bad.slice(0, 60))} is not a platform: expected os/arch or os/arch/variant, such as linux/arm/v7`;
}
