import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PluginError } from '../../../shared/errors.ts';
import { TemplateError } from '../../../shared/template/template-error.ts';

test('message carries the template name and the position when known', () => {
  const err = new TemplateError('slack template', 'Parse error: boom', { line: 3, column: 7 });
  assert.equal(err.message, 'template "slack template": line 3, column 7: Parse error: boom');
  assert.equal(err.templateName, 'slack template');
  assert.equal(err.line, 3);
  assert.equal(err.column, 7);
  assert.equal(err.name, 'TemplateError');
  assert.equal(new TemplateError('t', 'x', { line: 2 }).message, 'template "t": line 2: x');
  assert.equal(new TemplateError('t', 'x').message, 'template "t": x');
});

test('it is a PluginError, so the runner reports it as a user error', () => {
  const cause = new Error('root');
  const err = new TemplateError('t', 'x', { cause });
  assert.ok(err instanceof PluginError);
  assert.equal(err.exitCode, 1);
  assert.equal(err.cause, cause);
});
