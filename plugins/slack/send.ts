import type { IncomingWebhookSendArguments } from '@slack/webhook';
import { PluginError } from '../../shared/errors.ts';
import type { HttpClient } from '../../shared/http.ts';
import { jsonOf } from '../../shared/json-answer.ts';
import { MAX_QUOTED_ANSWER_CHARS } from '../../shared/limits.ts';
import { unreachable } from '../../shared/notify/send.ts';
import { excerpt } from '../../shared/secrets.ts';
import type { SlackMessage } from './message.ts';

/** What Slack's error codes mean for the person reading the step log. */
const HINTS: Record<string, string> = {
  invalid_payload: 'Slack could not read the message: check settings.custom_block and what the template renders.',
  no_text: 'The message is empty: check settings.template and settings.message.',
  channel_not_found: 'The channel does not exist, or the app was not added to it: check settings.channel.',
  channel_is_archived: 'The channel is archived: post to another one.',
  is_archived: 'The channel is archived: post to another one.',
  no_service: 'The webhook was removed or disabled: create a new one and update the secret behind settings.webhook.',
  invalid_token: 'The webhook is no longer valid: create a new one and update the secret behind settings.webhook.',
  action_prohibited: 'A Slack admin restricted posting to this channel.',
  posting_to_general_channel_denied: 'Only admins may post to this channel.',
  invalid_auth: 'The token is not valid: check the secret behind settings.access_token.',
  not_authed: 'No token was sent: check the secret behind settings.access_token.',
  token_revoked: 'The token was revoked: create a new one and update the secret behind settings.access_token.',
  account_inactive: 'The token belongs to a deactivated user or app.',
  missing_scope: 'The token lacks the chat:write scope (and chat:write.customize for username and icon).',
  not_in_channel: 'Invite the app to the channel first (/invite @app), or add the chat:write.public scope.',
  thread_not_found: 'The thread in settings.thread_ts_file no longer exists.',
  too_many_attachments: 'Slack takes at most 100 attachments.',
  ratelimited: 'Slack kept rate-limiting the requests: try again later.',
};

/** Mattermost takes Slack's webhooks, and answers with its own JSON errors: `{"id": "web.incoming_webhook.channel.app_error", ...}`. */
const MATTERMOST_ERROR = /"id":\s*"[\w.]+\.app_error"/;
const MATTERMOST_HINT = "Mattermost's message above says what it refused: check settings.channel (a channel's name as in its URL, or @user) and that the webhook still exists.";

function slackError(what: string, code: string, status?: number): PluginError {
  return new PluginError(`${what}: Slack answered ${status ? `HTTP ${status} ` : ''}${excerpt(code, MAX_QUOTED_ANSWER_CHARS)}`.trim(), {
    hint: HINTS[code.trim()] ?? (MATTERMOST_ERROR.test(code) ? MATTERMOST_HINT : 'See https://api.slack.com/changelog for what the error means.'),
  });
}

export async function sendWebhook(url: string, message: SlackMessage, http: HttpClient): Promise<void> {
  // Loaded here so a step that only sends through the Web API, or fails its settings, skips it.
  const { IncomingWebhook, IncomingWebhookHTTPError, IncomingWebhookRequestError } = await import('@slack/webhook');
  // No timeout of its own: the client's bounds every attempt by the step's deadline.
  const webhook = new IncomingWebhook(url, { fetch: http.fetch });
  try {
    // plugins/slack sends `mrkdwn_in: ["text", "fallback"]` and any block type, which @slack/types
    // does not list; Slack accepts both.
    await webhook.send(message as unknown as IncomingWebhookSendArguments);
  } catch (err) {
    if (err instanceof IncomingWebhookHTTPError) throw slackError('posting to the webhook failed', err.body, err.statusCode);
    if (err instanceof IncomingWebhookRequestError) {
      const e = unreachable('webhook', 'Slack', err.original);
      throw e instanceof PluginError ? e : new PluginError(`posting to the webhook failed: ${err.original.message}`);
    }
    throw err;
  }
}

interface Posted {
  readonly channel: string;
  readonly ts: string;
}

/**
 * chat.postMessage keeps the attachment (colour), username and icon, where plugins/slack's token
 * mode dropped them. auth.test first turns a bad token into a clear error before anything is posted.
 */
export async function sendWithToken(
  token: string,
  apiUrl: string,
  message: SlackMessage,
  http: HttpClient,
  threadTs?: string,
): Promise<Posted> {
  const call = async (method: string, body: object) => {
    const url = `${apiUrl.replace(/\/+$/, '')}/${method}`;
    const res = await http
      .request({ url, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) })
      .catch((err: unknown) => {
        throw unreachable('api_url', 'Slack', err);
      });
    const answer = jsonOf<{ ok?: boolean; error?: string; channel?: string; ts?: string }>(res, `${method} at ${url} (settings.api_url)`);
    if (!answer.ok) throw slackError(`${method} failed`, answer.error ?? 'unknown_error', res.status >= 400 ? res.status : undefined);
    return answer;
  };
  await call('auth.test', {});
  const answer = await call('chat.postMessage', {
    ...message,
    text: message.attachments[0]?.fallback,
    thread_ts: threadTs,
  });
  return { channel: answer.channel ?? message.channel ?? '', ts: answer.ts ?? '' };
}
