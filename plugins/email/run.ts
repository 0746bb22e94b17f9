import { basename, resolve } from 'node:path';
import { PluginError } from '../../shared/errors.ts';
import { createHttpClient } from '../../shared/http.ts';
import { MAX_INPUT_FILE_BYTES, MAX_QUOTED_ANSWER_CHARS, MAX_SMALL_FILE_BYTES } from '../../shared/limits.ts';
import type { Logger } from '../../shared/log.ts';
import { loadTemplates, renderNotify } from '../../shared/notify/templates.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { readBoundedFile, readTextFile } from '../../shared/read-file.ts';
import { excerpt } from '../../shared/secrets.ts';
import { type Deadline, sleep, stopOf, unlessStopped } from '../../shared/stop.ts';
import { DEFAULT_BODY } from './default-body.ts';
import { recipientsOf } from './recipients.ts';
import type { settings } from './settings.ts';
import { isRecipientRefusal, isTemporary, senderOf, smtpError, transportOptions } from './smtp.ts';

type Input = PluginInput<typeof settings>;

export async function run({ settings: s, build, log, signal, deadline }: Input): Promise<number> {
  const fileText = s.recipients_file === undefined ? undefined : recipientsFile(s.recipients_file, build.workspace);
  const to = recipientsOf(s, build, fileText);
  if (to.length === 0) {
    throw new PluginError('no one to send to: settings.recipients and settings.recipients_file are empty, and the commit has no author email', {
      hint: s.recipients_only ? 'settings.recipients_only leaves out the commit author.' : 'Give settings.recipients.',
    });
  }
  const http = createHttpClient({ signal, deadline, log });
  const loaded = await loadTemplates(s, ['subject', 'body'], { workspace: build.workspace, http });
  const subject = await renderNotify(loaded.subject?.text ?? s.subject, build, { name: loaded.subject?.name ?? 'settings.subject', escape: 'none' });
  const html = await renderNotify(loaded.body?.text ?? DEFAULT_BODY, build, { name: loaded.body?.name ?? 'the default body', escape: 'raymond' });
  const attachments = attachmentsOf(s, build.workspace, log);

  // Loaded only now: a step stopped by its settings never compiles them.
  const [{ default: nodemailer }, { convert }] = await Promise.all([import('nodemailer'), import('html-to-text')]);
  // Layout tables become aligned columns rather than one run-on line.
  const text = convert(html, { wordwrap: 100, selectors: [{ selector: 'table', format: 'dataTable' }] });
  const options = transportOptions(s, deadline && deadline.at - Date.now());
  log.debug(`SMTP ${s.host}:${s.port}: ${options.secure ? 'implicit TLS' : options.ignoreTLS ? 'no TLS' : options.requireTLS ? 'STARTTLS required' : 'STARTTLS if offered'}${s.username ? `, login ${s.username}` : ''}; to ${to.map((r) => r.address).join(', ')}`);
  const transport = nodemailer.createTransport({ ...options, pool: true, maxConnections: 1 });
  const stop = () => transport.close();
  signal.addEventListener('abort', stop, { once: true });
  const refused: PluginError[] = [];
  try {
    for (const r of to) {
      const message = { from: senderOf(s), to: r.address, subject, html, text, attachments };
      try {
        // nodemailer has no signal of its own: a stop ends the wait at once, and closes the connection.
        await withRetries(() => unlessStopped(transport.sendMail(message), signal, 0), { signal, deadline, log, what: `sending to ${r.address}` });
      } catch (err) {
        const e = stopOf(signal)?.during(`sending to ${s.host}:${s.port}`) ?? smtpError(err, s, r);
        // One address the server refuses must not keep the message from the others.
        if (!isRecipientRefusal(err) || !(e instanceof PluginError)) throw e;
        refused.push(e);
        continue;
      }
      log.info(`sent the ${build.build.status} email to ${r.address}`);
    }
  } finally {
    signal.removeEventListener('abort', stop);
    transport.close();
  }
  if (refused.length === 1) throw refused[0];
  if (refused.length > 1) throw new PluginError(`${refused.length} of ${to.length} recipients were refused:\n  ${refused.map((e) => e.message).join('\n  ')}`, { hint: refused[0]!.hint });
  return 0;
}

function recipientsFile(path: string, workspace: string): string {
  const text = readTextFile(resolve(workspace, path), { shown: path, setting: 'recipients_file', maxBytes: MAX_SMALL_FILE_BYTES });
  if (text === undefined) throw new PluginError(`settings.recipients_file: ${path} does not exist`, { hint: 'Paths are relative to the workspace.' });
  return text;
}

/**
 * A missing attachment is left out with a warning, as drone-email does: the report a failed step
 * never wrote must not stop the email that says it failed.
 */
function attachmentsOf(s: Input['settings'], workspace: string, log: Logger) {
  const paths = [...(s.attachment ? [{ path: s.attachment, setting: 'attachment' }] : []), ...s.attachments.map((path) => ({ path, setting: 'attachments' }))];
  return paths.flatMap(({ path, setting }) => {
    const content = readBoundedFile(resolve(workspace, path), { shown: path, setting, maxBytes: MAX_INPUT_FILE_BYTES });
    if (content === undefined) {
      log.warn(`settings.${setting}: ${path} does not exist; sent without it`);
      return [];
    }
    return [{ filename: basename(path), content }];
  });
}

const RETRIES = 3;

/**
 * A 4xx answer is the server saying "not now" (greylisting, a full queue, a rate limit): the send
 * is tried again after a pause, while the step has time for it. Any other failure is final.
 */
async function withRetries(send: () => Promise<unknown>, o: { signal: AbortSignal; deadline: Deadline | undefined; log: Logger; what: string }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return;
    } catch (err) {
      const wait = 1000 * attempt;
      if (attempt > RETRIES || !isTemporary(err) || (o.deadline && Date.now() + wait >= o.deadline.at)) throw err;
      o.log.info(`${o.what}: the server answered ${excerpt((err as { response: string }).response, MAX_QUOTED_ANSWER_CHARS)}; retrying in ${wait / 1000} s (attempt ${attempt + 1} of ${RETRIES + 1})`);
      await sleep(wait, o.signal);
    }
  }
}
