import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { defaultMessage, roomOf, transactionId } from '../../../plugins/matrix/message.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

test('the default message escapes HTML in the formatted body, lists failed steps', () => {
  const m = defaultMessage(buildContext({ ...droneBuildEnv, DRONE_COMMIT_BRANCH: 'fix/<b>', DRONE_FAILED_STEPS: 'test' }));
  assert.equal(m.formatted_body, 'Build failure <a href="https://drone.example.com/octocat/hello-world/42">octocat/hello-world#7fd1a60b</a> (fix/&lt;b&gt;) by octocat<br>Failed steps: test');
  assert.equal(m.body, 'Build failure octocat/hello-world#7fd1a60b (fix/<b>) by octocat: https://drone.example.com/octocat/hello-world/42\nFailed steps: test');
});

test('one transaction id per build step: the same on a retry, another for another step or build', () => {
  const id = transactionId(buildContext(droneBuildEnv));
  assert.match(id, /^sortie\.[0-9a-f]{32}$/);
  assert.equal(transactionId(buildContext(droneBuildEnv)), id);
  assert.notEqual(transactionId(buildContext({ ...droneBuildEnv, DRONE_STEP_NAME: 'notify-2' })), id);
  assert.notEqual(transactionId(buildContext({ ...droneBuildEnv, DRONE_BUILD_NUMBER: '43' })), id);
});

test("roomOf: drone-matrix's ! for a bare id; aliases and ids as written", () => {
  assert.equal(roomOf('abc:example.org'), '!abc:example.org');
  assert.equal(roomOf('!abc:example.org'), '!abc:example.org');
  assert.equal(roomOf('#builds:example.org'), '#builds:example.org');
});
