import { setting } from '../../shared/settings/index.ts';
import { flagSettings } from './argv.ts';

/** plugins/kaniko's names, with plugins/docker's where they differ, as aliases. */
export const settings = {
  repo: setting.string({ doc: 'The image to push, without a tag. A repo without a registry is pushed to `registry` when that is set.', example: 'registry.example.com/team/app' }),
  registry: setting.string({
    doc: "The registry that `username`/`password` log in to (default: the repo's registry, else Docker Hub). Amazon ECR hosts get the `ecr-login` helper.",
    example: 'ghcr.io',
  }),
  tags: setting.list({ doc: 'Tags to push. Unset: the `.tags` file of the workspace (commas or newlines), else `latest`.', aliases: ['tag'], example: '[latest, 1.2.3]' }),
  auto_tag: setting.bool({ doc: 'Tags from the git ref: `v1.2.3` gives 1, 1.2, 1.2.3; the default branch gives latest; other builds are skipped.', aliases: ['default_tags'] }),
  auto_tag_suffix: setting.string({ doc: 'Appended to the auto tags as `-suffix`; `latest` becomes the suffix.', aliases: ['default_suffix'], example: 'linux-amd64' }),
  expand_tag: setting.bool({ doc: 'Each semver tag also gives its major and minor tags (`1.2.3` gives 1, 1.2, 1.2.3).' }),
  ...flagSettings,
  username: setting.string({ doc: 'The user that pushes to `registry`.' }),
  password: setting.string({ doc: 'The password or token of `username`.', secret: true }),
  base_image_registry: setting.string({ doc: 'The registry of the base images (default Docker Hub).', aliases: ['docker_registry'] }),
  base_image_username: setting.string({ doc: 'The user that pulls base images.', aliases: ['docker_username'] }),
  base_image_password: setting.string({ doc: 'The password or token of `base_image_username`.', aliases: ['docker_password'], secret: true }),
  registries: setting.json({
    doc: 'More registry logins, a list of `{registry, username, password}`.',
    example: '[{"registry": "ghcr.io", "username": "bot", "password": "..."}]',
    secret: true,
  }),
  config: setting.json({ doc: 'A whole Docker config.json, merged with the logins above, which win over its entries for the same registry.', secret: true }),
  access_key: setting.string({ doc: 'AWS access key id for Amazon ECR (default: the pod\'s web identity or instance role).' }),
  secret_key: setting.string({ doc: 'AWS secret access key for Amazon ECR.', secret: true }),
  region: setting.string({ doc: "AWS region for Amazon ECR (default: the ECR host's region).", example: 'eu-west-1' }),
  json_key: setting.string({ doc: 'A Google service account key (JSON) for GCR and Artifact Registry (default: workload identity).', secret: true }),
  artifact_file: setting.string({ doc: 'Write a `docker/v1` artifact JSON with every pushed image and its digest to this file.' }),
  executor: setting.string({ doc: 'The kaniko executor to run.', default: '/kaniko/executor' }),
} as const;
