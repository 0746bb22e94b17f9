/**
 * Go's strconv.Unquote for a double-quoted string, as `%q` writes it. JSON.parse is not enough:
 * Go also writes `\a \v \xNN \UNNNNNNNN` and octal escapes.
 */
export function goUnquote(quoted: string): string {
  if (quoted.length < 2 || !quoted.startsWith('"') || !quoted.endsWith('"')) throw new SyntaxError('not a double-quoted string');
  const body = quoted.slice(1, -1);
  const bytes: number[] = [];
  const pushText = (text: string) => bytes.push(...Buffer.from(text, 'utf8'));
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '"') throw new SyntaxError(`unescaped quote at ${i + 1}`);
    if (ch !== '\\') {
      const cp = body.codePointAt(i)!;
      const text = String.fromCodePoint(cp);
      pushText(text);
      i += text.length - 1;
      continue;
    }
    const esc = body[++i];
    switch (esc) {
      case 'a': bytes.push(7); break;
      case 'b': bytes.push(8); break;
      case 'f': bytes.push(12); break;
      case 'n': bytes.push(10); break;
      case 'r': bytes.push(13); break;
      case 't': bytes.push(9); break;
      case 'v': bytes.push(11); break;
      case '\\': bytes.push(92); break;
      case '"': bytes.push(34); break;
      case "'": bytes.push(39); break;
      case 'x':
        bytes.push(hex(body, i + 1, 2));
        i += 2;
        break;
      case 'u':
        pushText(String.fromCodePoint(hex(body, i + 1, 4)));
        i += 4;
        break;
      case 'U': {
        const cp = hex(body, i + 1, 8);
        if (cp > 0x10ffff) throw new SyntaxError(`invalid code point \\U${body.slice(i + 1, i + 9)}`);
        pushText(String.fromCodePoint(cp));
        i += 8;
        break;
      }
      default: {
        if (esc === undefined || !/[0-7]/.test(esc)) throw new SyntaxError(`unknown escape \\${esc ?? ''}`);
        const digits = body.slice(i, i + 3);
        if (!/^[0-7]{3}$/.test(digits) || Number.parseInt(digits, 8) > 255) throw new SyntaxError(`invalid octal escape \\${digits}`);
        bytes.push(Number.parseInt(digits, 8));
        i += 2;
      }
    }
  }
  // \xNN and octal escapes are bytes, which together may form UTF-8; decode once at the end.
  return Buffer.from(bytes).toString('utf8');
}

function hex(s: string, at: number, len: number): number {
  const digits = s.slice(at, at + len);
  if (digits.length !== len || !/^[0-9a-fA-F]+$/.test(digits)) throw new SyntaxError(`invalid hex escape ${digits}`);
  return Number.parseInt(digits, 16);
}
