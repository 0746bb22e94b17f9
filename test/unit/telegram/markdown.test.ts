import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeValue, toMarkdownV2 } from '../../../plugins/telegram/markdown.ts';

const v2 = (s: string) => toMarkdownV2(s).text;

describe('MarkdownV2 from Telegram Markdown templates', () => {
  test('every reserved character in a value is escaped outside entities', () => {
    const message = 'fix(api): v1.2-rc!  #42 [x] {y} a_b*c~d`e>f+g=h|i.';
    assert.equal(v2(escapeValue(message)), 'fix\\(api\\): v1\\.2\\-rc\\!  \\#42 \\[x\\] \\{y\\} a\\_b\\*c\\~d\\`e\\>f\\+g\\=h\\|i\\.');
  });

  test('a backslash in a value stays a backslash', () => {
    assert.equal(v2(escapeValue('C:\\path\\to')), 'C:\\\\path\\\\to');
  });

  test("the template's own entities stay entities, its text is escaped", () => {
    assert.equal(v2('*Build #42* of `octo/hello-world` passed.'), '*Build \\#42* of `octo/hello-world` passed\\.');
  });

  test('inside code and pre only ` and \\ are escaped, values included', () => {
    assert.equal(v2(`\`${escapeValue('a.b-c`d\\e')}\``), '`a.b-c\\`d\\\\e`');
    assert.equal(v2(`\`\`\` ${escapeValue("Merge 'x' <y> & \"z\"\n\nThe body.")} \`\`\``), "``` Merge 'x' <y> & \"z\"\n\nThe body. ```");
  });

  test('a link keeps its URL, escaping only ) and \\ there', () => {
    assert.equal(v2(`[${escapeValue('build #42')}](${escapeValue('https://ci.example.com/a_b/(42)')})`), '[build \\#42](https://ci.example.com/a_b/(42\\))');
  });

  test('markup inside a value is text: no bold, code or link from a commit message', () => {
    assert.equal(v2(`*${escapeValue('*not* `code` [a](b)')}*`), '*\\*not\\* \\`code\\` \\[a\\]\\(b\\)*');
  });

  test('unmatched markup in the template is text', () => {
    assert.equal(v2('5 * 3 = 15 [draft'), '5 \\* 3 \\= 15 \\[draft');
    assert.equal(v2('a ` b'), 'a \\` b');
  });

  test('_ is text, as drone-telegram escaped it; a legacy \\* escape is kept', () => {
    assert.equal(v2('snake_case \\*literal\\*'), 'snake\\_case \\*literal\\*');
  });

  test('visible characters exclude markup and escapes', () => {
    assert.equal(toMarkdownV2('*ab* `c.d` [e](https://x.y)').visible, 'ab c.d e'.length);
  });
});
