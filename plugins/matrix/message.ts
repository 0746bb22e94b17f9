import { createHash } from 'node:crypto';
import type { BuildContext } from '../../shared/context/index.ts';
import { plainLine, summaryOf } from '../../shared/notify/summary.ts';

/** An `m.room.message` event's content: the HTML and the plain body clients without HTML show. */
export interface MatrixMessage {
  readonly msgtype: 'm.notice';
  readonly body: string;
  readonly format: 'org.matrix.custom.html';
  readonly formatted_body: string;
}

/** Matrix's limit on a whole event; the content is most of it. */
export const MAX_EVENT_BYTES = 65_536;

export function message(body: string, html: string): MatrixMessage {
  return { msgtype: 'm.notice', body, format: 'org.matrix.custom.html', formatted_body: html };
}

/** The message with no template: drone-matrix's line, with a link that works in Matrix. */
export function defaultMessage(build: BuildContext): MatrixMessage {
  const s = summaryOf(build);
  const what = `${s.repo}#${s.sha}`;
  const failed = s.failedSteps.length > 0 ? s.failedSteps.join(', ') : '';
  const body = `Build ${plainLine(s)}: ${s.link}${failed ? `\nFailed steps: ${failed}` : ''}`;
  const e = escapeHtml;
  const html = `Build ${e(s.status)} <a href="${e(s.link)}">${e(what)}</a> (${e(s.branch)}) by ${e(s.author)}${failed ? `<br>Failed steps: ${e(failed)}` : ''}`;
  return message(body, html);
}

/**
 * The same transaction id for every attempt of this step's message, so a PUT retried after an
 * answer that never arrived is stored once: the homeserver answers a repeated id with the first event.
 */
export function transactionId(build: BuildContext): string {
  const key = [build.repo.slug, build.build.number, build.build.started, build.stage.number, build.step.name].join('\n');
  return `sortie.${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** `!` is prepended to a room id written without it, as drone-matrix does; aliases keep their `#`. */
export function roomOf(roomid: string): string {
  return /^[!#]/.test(roomid) ? roomid : `!${roomid}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
