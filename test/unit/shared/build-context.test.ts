import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const drone = droneBuildEnv;

test('the Drone build model', () => {
  const c = buildContext(drone);
  assert.equal(c.runner, 'drone');
  assert.equal(c.repo.slug, 'octocat/hello-world');
  assert.equal(c.repo.defaultBranch, 'main');
  assert.equal(c.build.number, 42);
  assert.equal(c.build.status, 'success');
  assert.equal(c.commit.sha, '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d');
  assert.equal(c.commit.author.name, 'The Octocat');
  assert.equal(buildContext({ ...drone, DRONE_WORKSPACE: '/drone/src' }).workspace, '/drone/src');
  assert.equal(c.build.tag, '');
});

test('the status is failure as soon as the build, the stage or a failed step says so', () => {
  assert.equal(buildContext({ ...drone, DRONE_STAGE_STATUS: 'failure' }).build.status, 'failure');
  assert.equal(buildContext({ ...drone, DRONE_FAILED_STEPS: 'test,lint' }).build.status, 'failure');
  assert.deepEqual(buildContext({ ...drone, DRONE_FAILED_STEPS: 'test,lint' }).build.failedSteps, ['test', 'lint']);
  assert.equal(buildContext({ ...drone, DRONE_BUILD_STATUS: 'killed' }).build.status, 'killed');
  assert.equal(buildContext({ ...drone, DRONE_BUILD_STATUS: '' }).build.status, 'success');
});

test('a tag comes from DRONE_TAG or the tag ref', () => {
  assert.equal(buildContext({ ...drone, DRONE_COMMIT_REF: 'refs/tags/v1.2.3' }).build.tag, 'v1.2.3');
});

test("Woodpecker's CI_ variables fill in where Drone's are absent", () => {
  const c = buildContext({
    CI: 'woodpecker',
    CI_REPO: 'octo/app',
    CI_REPO_DEFAULT_BRANCH: 'trunk',
    CI_PIPELINE_NUMBER: '7',
    CI_PIPELINE_EVENT: 'tag',
    CI_PIPELINE_STATUS: 'failure',
    CI_PIPELINE_URL: 'https://ci.example.com/repos/1/pipeline/7',
    CI_COMMIT_SHA: 'abc',
    CI_COMMIT_TAG: 'v2.0.0',
    CI_COMMIT_AUTHOR: 'octo',
    CI_STEP_NAME: 'deploy',
    CI_WORKSPACE: '/woodpecker/src',
  });
  assert.equal(c.runner, 'woodpecker');
  assert.equal(c.repo.owner, 'octo');
  assert.equal(c.repo.name, 'app');
  assert.equal(c.repo.defaultBranch, 'trunk');
  assert.equal(c.build.number, 7);
  assert.equal(c.build.status, 'failure');
  assert.equal(c.build.tag, 'v2.0.0');
  assert.equal(c.build.link, 'https://ci.example.com/repos/1/pipeline/7');
  assert.equal(c.step.name, 'deploy');
  assert.equal(c.workspace, '/woodpecker/src');
});
