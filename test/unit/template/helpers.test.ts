// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the ${…} syntax under test is plain text here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Handlebars from 'handlebars';
import { registerHelpers } from '../../../shared/template/helpers.ts';

process.env.TZ = 'UTC';

const hb = Handlebars.create();
registerHelpers(hb, {
  now: () => new Date(1700000090_500),
  env: (name) => ({ GREETING: 'hi' })[name],
});

const build = {
  status: 'failure',
  number: 42,
  commit: '7fd1a60b01f91b314f59955a4e4d4e80d8edf11d',
  link: 'http://drone/1',
  started: 1700000000,
  finished: 1700000090,
  pull: '',
};

/** Helpers alone, without escaping or the raymond context view. */
const render = (source: string, context: object = {}) => hb.compile(source, { noEscape: true })({ build, ...context });

function check(cases: [string, string][], context: object = {}) {
  for (const [source, want] of cases) assert.equal(render(source, context), want, source);
}

test('success / failure blocks', () => {
  check([
    ['{{#success build.status}}ok{{else}}nok{{/success}}', 'nok'],
    ['{{#failure build.status}}F{{else}}-{{/failure}}', 'F'],
    ['{{#success "success"}}S{{/success}}', 'S'],
    ['{{#failure "error"}}E{{/failure}}{{#failure "killed"}}K{{/failure}}', 'EK'],
    ['{{#failure "success"}}F{{else}}fine{{/failure}}', 'fine'],
    ['{{#success ""}}S{{else}}empty{{/success}}', 'empty'],
    ['{{#success missing}}S{{else}}unset{{/success}}', 'unset'],
    ['{{#if (failure build.status)}}yes{{/if}}', 'yes'],
  ]);
});

test('truncate: HEAD semantics, negative drops the first |n| runes, never throws', () => {
  check([
    ['{{truncate "foobarz" -5}}', 'rz'],
    ['{{truncate "foobarz" 3}}', 'foo'],
    ['{{truncate build.commit 8}}', '7fd1a60b'],
    ['{{truncate "abc" -5}}', 'abc'],
    ['{{truncate "abc" 5}}', 'abc'],
    ['{{truncate "abc" "2"}}', 'ab'],
    ['{{truncate "" 3}}', ''],
    ['{{truncate "héllo" 2}}', 'hé'],
    ['{{truncate "abc" "x"}}', 'abc'],
  ]);
});

test('urlencode: Go url.QueryEscape of the block', () => {
  check([
    ['{{#urlencode}}{{build.link}} a&b{{/urlencode}}', 'http%3A%2F%2Fdrone%2F1+a%26b'],
    ["{{#urlencode}}~-_.!*'() é{{/urlencode}}", '~-_.%21%2A%27%28%29+%C3%A9'],
    ['{{urlencode "a b"}}', 'a+b'],
  ]);
});

test('duration, since and datetime accept numbers and numbers as text', () => {
  check([
    ['{{duration 0 90}}', '1m30s'],
    ['{{duration "0" "90"}}', '1m30s'],
    ['{{duration build.started build.finished}}', '1m30s'],
    ['{{duration 1700000000 1700003661}}', '1h1m1s'],
    ['{{duration 0 86400}}', '24h0m0s'],
    ['{{duration 2678400 0}}', '-744h0m0s'],
    ['{{duration 90}}', '1m30s'],
    ['{{duration "" ""}}', '0s'],
    ['{{duration "x" 1}}', ''],
    ['{{since build.started}}', '1m30s'],
    ['{{since "1700000000"}}', '1m30s'],
    ['{{datetime 1700000000 "2006-01-02 15:04 MST" "Europe/Berlin"}}', '2023-11-14 23:13 CET'],
    ['{{datetime "1700000000" "2006-01-02 15:04 MST" "Europe/Berlin"}}', '2023-11-14 23:13 CET'],
    ['{{datetime build.started "Mon Jan 2 15:04:05 MST 2006" "UTC"}}', 'Tue Nov 14 22:13:20 UTC 2023'],
    ['{{datetime build.started "15:04" ""}}', '22:13'],
    ['{{datetime build.started "15:04" "No/Such_Zone"}}', '22:13'],
    ['{{datetime "" "2006" "UTC"}}', '1970'],
    ['{{datetime "soon" "2006" "UTC"}}', ''],
    ['{{datetime build.started}}', '2023-11-14T22:13:20Z'],
  ]);
});

test('case helpers follow Go one-rune mappings and accept ""', () => {
  check([
    ['{{uppercasefirst "hello world"}}', 'Hello world'],
    ['{{uppercasefirst ""}}', ''],
    ['{{uppercasefirst build.pull}}', ''],
    ['{{uppercasefirst "élan"}}', 'Élan'],
    ['{{uppercasefirst "ßa"}}', 'ßa'],
    ['{{uppercase "straße"}}', 'STRAßE'],
    ['{{lowercase "ÀBC"}}', 'àbc'],
    ['{{upper "abc"}}|{{lower "ABC"}}', 'ABC|abc'],
    ['{{title "hello wORLD foo_bar a-b"}}', 'Hello WORLD Foo_bar A-B'],
  ]);
});

test('regexReplace / regexReplaceAll: Go replacement expansion and empty matches', () => {
  check([
    ['{{regexReplace "(\\w+)@(\\w+)" "joe@example.com" "$2/${1}"}}', 'example/joe.com'],
    ['{{regexReplaceAll "(\\w+)@(\\w+)" "joe@example.com" "$2/${1}"}}', 'example/joe.com'],
    ['{{regexReplace "(a)" "xay" "$1x"}}', 'xy'],
    ['{{regexReplace "(a)" "xay" "${1}x"}}', 'xaxy'],
    ['{{regexReplace "a" "xay" "$$"}}', 'x$y'],
    ['{{regexReplace "a" "xay" "$-"}}', 'x$-y'],
    ['{{regexReplace "(?P<user>\\w+)@" "joe@x" "${user}:"}}', 'joe:x'],
    ['{{regexReplaceAll "a*" "baaac" "X"}}', 'XbXcX'],
    ['{{regexReplaceAll "(?i)HELLO" "hello Hello" "bye"}}', 'bye bye'],
    ['{{regexReplaceAll "x" "" "y"}}', ''],
  ]);
});

test('a bad regular expression is a helper failure, except in regexMatch', () => {
  assert.throws(() => render('{{regexReplace "(" "x" "y"}}'), /helper "regexReplace": invalid regular expression "\("/);
  assert.throws(() => render('{{regexFind "[" "x"}}'), /helper "regexFind"/);
  assert.equal(render('{{regexMatch "(" "x"}}'), 'false');
});

test('regexMatch / regexFind', () => {
  check([
    ['{{regexMatch "^v\\d" "v1.0"}}', 'true'],
    ['{{regexMatch "^v\\d" "1.0"}}', 'false'],
    ['{{regexFind "[0-9]+" "abc123def456"}}', '123'],
    ['{{regexFind "[0-9]+" "abc"}}', ''],
    ['{{#if (regexMatch "^release/" "release/1.2")}}rel{{/if}}', 'rel'],
  ]);
});

test('equal: raymond built-in, string forms, no else branch', () => {
  check([
    ['{{#equal build.number "42"}}numEQ{{/equal}}', 'numEQ'],
    ['{{#equal build.status "success"}}EQ{{else}}NE{{/equal}}', ''],
    ['{{#equal build.status "failure"}}EQ{{/equal}}', 'EQ'],
    ['{{#equal missing ""}}empty{{/equal}}', 'empty'],
    ['{{#if (equal 1 "1")}}same{{/if}}', 'same'],
  ]);
});

test('sprig string helpers, sprig argument order', () => {
  check([
    ['{{trim "  a b \n"}}', 'a b'],
    ['{{trimPrefix "refs/tags/" "refs/tags/v1.2"}}|{{trimPrefix "x" "abc"}}', 'v1.2|abc'],
    ['{{trimSuffix ".git" "repo.git"}}|{{trimSuffix "" "repo"}}', 'repo|repo'],
    ['{{trimAll "$" "$$5.00$"}}', '5.00'],
    ['{{replace " " "-" "a b c"}}', 'a-b-c'],
    ['{{contains "bar" "foobar"}}|{{contains "x" "foobar"}}', 'true|false'],
    ['{{hasPrefix "foo" "foobar"}}|{{hasSuffix "bar" "foobar"}}|{{hasSuffix "foo" "foobar"}}', 'true|true|false'],
    ['{{substr 0 3 "hello"}}|{{substr 2 -1 "hello"}}|{{substr -1 2 "hello"}}|{{substr 1 99 "hello"}}|{{substr 9 12 "hello"}}', 'hel|llo|he|ello|'],
    ['{{trunc 3 "hello"}}|{{trunc -2 "hello"}}|{{trunc 9 "hi"}}|{{trunc -9 "hi"}}', 'hel|lo|hi|hi'],
    ['{{#with (split "/" "a/b/c")}}{{_0}}-{{_2}}{{/with}}', 'a-c'],
    ['{{join "," (splitList "/" "a/b/c")}}|{{join "-" "x"}}|{{join "," (splitList "" "ab")}}', 'a,b,c|x|a,b'],
    ['{{quote "a" "b"}}|{{squote "a" "b"}}', '"a" "b"|\'a\' \'b\''],
    ['{{abbrev 5 "hello world"}}|{{abbrev 3 "hello world"}}|{{abbrev 20 "hi"}}', 'he...|hello world|hi'],
    ['{{indent 2 "a\nb"}}|{{nindent 2 "a"}}', '  a\n  b|\n  a'],
    ['{{repeat 3 "ab"}}|{{repeat -1 "ab"}}', 'ababab|'],
    ['{{wrap 5 "hello world foo"}}', 'hello\nworld\nfoo'],
    ['{{wrap 3 "abcdef gh"}}', 'abcdef\ngh'],
    ['{{nospace "a b\tc\n d"}}', 'abcd'],
    ['{{kebabcase "FirstName"}}|{{kebabcase "HTTPServer"}}|{{kebabcase "go path"}}', 'first-name|http-server|go-path'],
    ['{{snakecase "FirstName"}}|{{snakecase "HTTPServer"}}|{{snakecase "GO-PATH"}}|{{snakecase "http2xx"}}|{{snakecase "Bld4Floor3rd"}}|{{snakecase "HTTP20xOK"}}', 'first_name|http_server|go_path|http_2xx|bld4_floor_3rd|http_20x_ok'],
    ['{{camelcase "http_server"}}|{{camelcase "_complex__case_"}}|{{camelcase "no_https"}}', 'HttpServer|_Complex_Case_|NoHttps'],
  ]);
  assert.equal(render('{{quote v}}', { v: 'say "hi"\u0001' }), '"say \\"hi\\"\\x01"');
});

test('sprig dates', () => {
  check([
    ['{{date "2006-01-02" build.started}}', '2023-11-14'],
    ['{{date "2006-01-02" "1700000000"}}', '2023-11-14'],
    ['{{dateInZone "2006-01-02 15:04 MST" build.started "Europe/Berlin"}}', '2023-11-14 23:13 CET'],
    ['{{dateInZone "15:04 MST" build.started "No/Such_Zone"}}', '22:13 UTC'],
    ['{{dateInZone "15:04 MST" build.started ""}}', '22:13 UTC'],
    ['{{date "15:04:05" "not a time"}}', '22:14:50'],
    ['{{date "15:04:05" (now)}}', '22:14:50'],
    ['{{ago build.started}}|{{ago "1700000000"}}', '1m30s|1m30s'],
    ['{{now}}', '2023-11-14 22:14:50.5 +0000 UTC'],
  ]);
});

test('sprig encoding and misc', () => {
  check([
    ['{{toJson (list 1 "a<b&c")}}', '[1,"a\\u003cb\\u0026c"]'],
    ['{{toJson missing}}', 'null'],
    ['{{b64enc "hello"}}|{{b64dec "aGVsbG8="}}', 'aGVsbG8=|hello'],
    ['{{b64dec "!!"}}', 'illegal base64 data at input byte 0'],
    ['{{sha256sum "abc"}}', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['{{env "GREETING"}}|{{env "NOPE"}}', 'hi|'],
    ['{{ternary "yes" "no" true}}|{{ternary "yes" "no" false}}|{{ternary "yes" "no" build.pull}}', 'yes|no|no'],
    ['{{default "none" build.pull}}|{{default "none" build.status}}|{{default "none" 0}}|{{default "none"}}', 'none|failure|none|none'],
    ['{{coalesce "" missing "x" "y"}}', 'x'],
  ]);
  assert.equal(render('{{toPrettyJson v}}', { v: { a: 1, b: ['<'] } }), '{\n  "a": 1,\n  "b": [\n    "\\u003c"\n  ]\n}');
});

test('sprig numbers and lists', () => {
  check([
    ['{{atoi "42"}}|{{atoi "x"}}|{{atoi ""}}', '42|0|0'],
    ['{{int "0x1F"}}|{{int "12"}}|{{int 3.9}}|{{int "017"}}|{{int "junk"}}|{{int true}}', '31|12|3|15|0|1'],
    ['{{add 1 2 3}}|{{add build.number "1"}}|{{sub 5 2}}|{{mul 2 3 4}}|{{div 7 2}}|{{div -7 2}}|{{mod 7 3}}', '6|43|3|24|3|-3|1'],
    ['{{first (list "a" "b")}}|{{last (list "a" "b")}}|{{first (list)}}|{{first "str"}}', 'a|b||'],
  ]);
  assert.throws(() => render('{{div 1 0}}'), /helper "div": integer divide by zero/);
  assert.throws(() => render('{{mod 1 ""}}'), /helper "mod": integer divide by zero/);
});

test('helper failures carry the position of the call', () => {
  assert.throws(
    () => render('line 1\n  {{regexFind "(" "x"}}'),
    (err: { lineNumber?: number; column?: number }) => err.lineNumber === 2 && err.column === 2,
  );
});
