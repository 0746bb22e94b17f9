import { masker } from './secrets.ts';

const AROUND = 20;

/**
 * JSON.parse, whose error quotes the text around the error masked before it is cut. V8's own
 * message quotes a cut piece of the text, which can be the start of a secret.
 */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const position = /at position (\d+)/.exec(message);
    const reason = message.replace(/,? (?:".*|at position .*)$/s, '');
    const at = position ? Number(position[1]) : 0;
    const { text: masked, at: moved } = masker.maskAt(text, at);
    const near = masked.slice(Math.max(0, moved - AROUND), moved + AROUND);
    throw new SyntaxError(`${reason}${position ? ` at position ${at}` : ''}${near ? ` near ${JSON.stringify(near)}` : ''}`);
  }
}
