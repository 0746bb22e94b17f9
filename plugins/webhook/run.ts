import { PluginError } from '../../shared/errors.ts';
import { createHttpClient } from '../../shared/http.ts';
import { MAX_QUOTED_ANSWER_CHARS } from '../../shared/limits.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { outcomeOf } from '../../shared/notify/outcome.ts';
import { answerText, unreachable } from '../../shared/notify/send.ts';
import { chooseTemplate, loadTemplates, renderChosen } from '../../shared/notify/templates.ts';
import { excerpt } from '../../shared/secrets.ts';
import { isStop } from '../../shared/stop.ts';
import { defaultBody, isDelivered, planRequest, shownHeaders } from './request.ts';
import type { settings } from './settings.ts';

export async function run({ settings: s, build, log, signal, deadline }: PluginInput<typeof settings>): Promise<number> {
  const http = createHttpClient({
    signal,
    deadline,
    log,
    rejectUnauthorized: !s.skip_verify,
    // A code the user accepts is an answer, not a failure to retry.
    retryable: (res) => !s.valid_response_codes.includes(String(res.status)),
  });
  if (s.skip_verify) log.warn("settings.skip_verify: the servers' TLS certificates are not checked");
  const loaded = await loadTemplates(s, ['template', 'template_success', 'template_failure'], { workspace: build.workspace, http });
  const template = chooseTemplate(outcomeOf(build), loaded, 'template');
  // In a JSON body a commit message with quotes or line breaks must stay one valid string.
  const escaping = /json/i.test(s.content_type) ? 'json' : 'raymond';
  const body = (await renderChosen(template, build, escaping))?.text ?? defaultBody(build);
  const req = planRequest(s, body);

  const failures: string[] = [];
  let hint: string | undefined;
  for (const [i, url] of s.urls.entries()) {
    // Each URL is secret as a whole: it is named by its place in the list.
    const which = s.urls.length === 1 ? 'the webhook' : `webhook ${i + 1} of ${s.urls.length}`;
    log.debug(`${which}: ${req.method} settings.urls[${i + 1}]\n  headers: ${JSON.stringify(shownHeaders(req, s))}\n  body: ${req.body.trimEnd()}`);
    const res = await http.request({ url, method: req.method, headers: req.headers, body: req.body }).catch((err: unknown) => {
      const e = unreachable('urls', which, err);
      // One address that is down must not keep the message from the others.
      if (!(e instanceof PluginError) || isStop(e)) throw e;
      failures.push(e.message);
      hint ??= e.hint;
      return undefined;
    });
    if (!res) continue;
    log.debug(`${which}: HTTP ${res.status}: ${excerpt(res.text(), MAX_QUOTED_ANSWER_CHARS)}`);
    if (isDelivered(res.status, s.valid_response_codes)) {
      log.info(`${which}: HTTP ${res.status}`);
      continue;
    }
    failures.push(`${which} (settings.urls) answered ${answerText(res)}`);
    hint = s.valid_response_codes.length
      ? `settings.valid_response_codes accepts only ${s.valid_response_codes.join(', ')}.`
      : 'Any 2xx answer counts as delivered; list other codes the server answers on success in settings.valid_response_codes.';
  }
  if (failures.length === 0) {
    log.info(`sent the ${build.build.status} notification to ${s.urls.length === 1 ? 'the webhook' : `${s.urls.length} webhooks`}`);
    return 0;
  }
  throw new PluginError(failures.length === 1 ? failures[0]! : `${failures.length} of ${s.urls.length} webhooks failed:\n  ${failures.join('\n  ')}`, { hint });
}
