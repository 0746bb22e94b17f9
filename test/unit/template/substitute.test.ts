// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${…} syntax under test is plain text here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { substitute } from '../../../shared/template/substitute.ts';
import { TemplateError } from '../../../shared/template/template-error.ts';

const vars: Record<string, string> = {
  NAME: 'hello',
  EMPTY: '',
  REF: 'refs/heads/feature/x',
  FILE: 'archive.tar.gz',
  REPO: 'octocat/hello-world',
  MIXED: 'Hello World',
};
const lookup = (name: string) => vars[name];
const sub = (text: string, strict = false) => substitute(text, lookup, { name: 'settings.x', strict });

test('plain ${VAR}; bare $VAR is left for the shell', () => {
  assert.equal(sub('a ${NAME} b'), 'a hello b');
  assert.equal(sub('echo $NAME $HOME'), 'echo $NAME $HOME');
  assert.equal(sub('no dollars'), 'no dollars');
  assert.equal(sub('${UNSET}'), '');
  assert.equal(sub('${NAME}${NAME}'), 'hellohello');
});

test('$${VAR} escapes to a literal ${VAR}', () => {
  assert.equal(sub('$${NAME} and ${NAME}'), '${NAME} and hello');
});

test('defaults: ":-" and ":=" for unset or empty, "-" and "=" for unset only', () => {
  assert.equal(sub('${NAME:-d}'), 'hello');
  assert.equal(sub('${EMPTY:-d}'), 'd');
  assert.equal(sub('${UNSET:-d}'), 'd');
  assert.equal(sub('${EMPTY-d}'), '');
  assert.equal(sub('${UNSET-d}'), 'd');
  assert.equal(sub('${EMPTY:=d}'), 'd');
  assert.equal(sub('${EMPTY=d}'), '');
  assert.equal(sub('${UNSET=d}'), 'd');
  assert.equal(sub('${UNSET:-}'), '');
  assert.equal(sub('${UNSET:-a b:c}'), 'a b:c');
});

test('defaults may contain variables, evaluated only when used', () => {
  assert.equal(sub('${UNSET:-${NAME}}'), 'hello');
  assert.equal(sub('${UNSET:-x${UNSET2:-y}z}'), 'xyz');
  assert.equal(sub('${NAME:-${UNSET}}', true), 'hello');
});

test('case operators', () => {
  assert.equal(sub('${NAME^}'), 'Hello');
  assert.equal(sub('${NAME^^}'), 'HELLO');
  assert.equal(sub('${MIXED,}'), 'hello World');
  assert.equal(sub('${MIXED,,}'), 'hello world');
  assert.equal(sub('${EMPTY^}'), '');
});

test('${#VAR} is the length', () => {
  assert.equal(sub('${#NAME}'), '5');
  assert.equal(sub('${#EMPTY}'), '0');
  assert.equal(sub('${#UNSET}'), '0');
});

test('substrings', () => {
  assert.equal(sub('${NAME:1}'), 'ello');
  assert.equal(sub('${NAME:1:3}'), 'ell');
  assert.equal(sub('${NAME:0:1}'), 'h');
  assert.equal(sub('${NAME:10}'), '');
  assert.equal(sub('${NAME:3:10}'), 'lo');
  assert.equal(sub('${NAME: -3}'), 'llo');
  assert.equal(sub('${NAME: -10}'), 'hello');
  assert.equal(sub('${NAME:1:-1}'), 'ell');
  assert.equal(sub('${NAME:x}'), 'hello');
});

test('prefix and suffix removal with glob patterns', () => {
  assert.equal(sub('${REF#refs/heads/}'), 'feature/x');
  assert.equal(sub('${REPO#*/}'), 'hello-world');
  assert.equal(sub('${FILE#*.}'), 'tar.gz');
  assert.equal(sub('${FILE##*.}'), 'gz');
  assert.equal(sub('${FILE%.*}'), 'archive.tar');
  assert.equal(sub('${FILE%%.*}'), 'archive');
  assert.equal(sub('${NAME#h?l}'), 'lo');
  assert.equal(sub('${NAME%[lo]}'), 'hell');
  assert.equal(sub('${NAME#nomatch}'), 'hello');
  assert.equal(sub('${NAME%%x*}'), 'hello');
});

test('like drone/envsubst (Go path.Match), * does not match "/"', () => {
  assert.equal(sub('${REF##*/}'), 'heads/feature/x');
});

test('replacement', () => {
  assert.equal(sub('${NAME/l/L}'), 'heLlo');
  assert.equal(sub('${NAME//l/L}'), 'heLLo');
  assert.equal(sub('${NAME//l}'), 'heo');
  assert.equal(sub('${REPO/-/_}'), 'octocat/hello_world');
  assert.equal(sub('${NAME/#he/HE}'), 'HEllo');
  assert.equal(sub('${NAME/#xx/HE}'), 'hello');
  assert.equal(sub('${NAME/%lo/LO}'), 'helLO');
  assert.equal(sub('${NAME/x/y}'), 'hello');
});

test('strict mode: an unset variable without a default is an error with its position', () => {
  assert.equal(sub('${EMPTY}', true), '');
  assert.equal(sub('${UNSET:-ok}', true), 'ok');
  assert.throws(
    () => sub('line one\n  value: ${UNSET^^}', true),
    (err: unknown) => {
      assert.ok(err instanceof TemplateError);
      assert.equal(err.templateName, 'settings.x');
      assert.equal(err.line, 2);
      assert.equal(err.column, 10);
      assert.equal(err.message, 'template "settings.x": line 2, column 10: variable UNSET is not set');
      return true;
    },
  );
  assert.throws(() => sub('${NAME:-${UNSET}}x${EMPTY:-${UNSET}}', true), /variable UNSET is not set/);
});

test('malformed expressions are errors in any mode', () => {
  assert.throws(() => sub('x ${NAME'), /line 1, column 3: bad substitution/);
  assert.throws(() => sub('${}'), /bad substitution: expected a variable name/);
  assert.throws(() => sub('${1X}'), /bad substitution/);
  assert.throws(() => sub('${NAME@Q}'), /unexpected "@"/);
  assert.throws(() => sub('${NAME:-x'), /missing "}"/);
});
