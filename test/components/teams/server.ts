import { type HttpStandIn, startHttpStandIn } from '../http-stand-in.ts';

/**
 * A stand-in for a Microsoft Teams Workflows webhook on loopback (Power Automate's "When a Teams
 * webhook request is received" trigger). As the real one, it checks the request (path, signature,
 * JSON) and answers 202 with no body; what Teams does with the card happens later, in the flow's
 * run: `runs` records each run, `Succeeded` with the card it posted or `Failed` with the reason
 * Teams gives, which the sender never hears of.
 */
export interface FlowRun {
  readonly status: 'Succeeded' | 'Failed';
  readonly error?: string;
  readonly card?: Record<string, unknown>;
}

export interface TeamsStandIn extends HttpStandIn {
  /** A valid Workflows URL; its `sig` is the secret part. */
  readonly webhookUrl: string;
  readonly signature: string;
  readonly runs: FlowRun[];
}

const WORKFLOW = '5b3a0c2e7d1f4a6b9c8d0e1f2a3b4c5d';
/** Teams' limit for one message, the card and its envelope. */
const MAX_MESSAGE_BYTES = 28 * 1024;

export async function startTeamsStandIn(): Promise<TeamsStandIn> {
  const signature = 'sortie-teams-signature-Q1w2E3r4T5y6';
  const runs: FlowRun[] = [];
  const server = await startHttpStandIn(
    (req, res) => {
      const error = (status: number, code: string, message: string) =>
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ error: { code, message } }));
      const url = new URL(req.path, 'http://stand-in');
      // Workflows made in Power Automate since 2025 live under /powerautomate/automations/direct.
      const match = /^(?:\/powerautomate\/automations\/direct)?\/workflows\/([0-9a-f]+)\/triggers\/manual\/paths\/invoke$/.exec(url.pathname);
      if (!match) return error(404, 'InvalidPath', 'The request path is not valid.');
      if (match[1] !== WORKFLOW) return error(404, 'WorkflowNotFound', `The workflow '${match[1]}' could not be found.`);
      if (req.method !== 'POST') return error(405, 'InvalidHttpMethod', `The HTTP method '${req.method}' is not allowed for the trigger.`);
      const sig = req.query.sig;
      if (!sig) return error(401, 'DirectApiAuthorizationRequired', 'The request must be authenticated only by Shared Access scheme.');
      if (sig !== signature) return error(401, 'DirectApiInvalidAuthorizationSignature', "The provided authorization signature 'sig' is not valid.");
      if (!/^application\/json/i.test(req.headers['content-type'] ?? '') || !req.json) {
        return error(400, 'InvalidRequestContent', 'The request content is not valid and could not be deserialized.');
      }
      runs.push(flowRun(req.body, req.bytes));
      res.writeHead(202, { 'content-length': '0', 'x-ms-workflow-run-id': String(runs.length) }).end();
    },
    { scriptedType: 'application/json; charset=utf-8' },
  );
  return {
    ...server,
    webhookUrl: `${server.url}/workflows/${WORKFLOW}/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=${signature}`,
    signature,
    runs,
  };
}

/** What the "Post card in a chat or channel" action makes of the body, as Teams checks it. */
function flowRun(body: unknown, bytes: number): FlowRun {
  const failed = (error: string): FlowRun => ({ status: 'Failed', error });
  const m = body as { type?: unknown; attachments?: unknown } | undefined;
  if (m?.type !== 'message' || !Array.isArray(m.attachments) || m.attachments.length === 0) return failed('The request body has no "attachments" of type "message".');
  const a = m.attachments[0] as { contentType?: unknown; content?: unknown };
  if (a.contentType !== 'application/vnd.microsoft.card.adaptive') return failed(`Unsupported content type "${String(a.contentType)}": only Adaptive Cards can be posted.`);
  const card = a.content as Record<string, unknown> | undefined;
  if (card?.type !== 'AdaptiveCard') return failed('The attachment content is not an Adaptive Card.');
  const version = /^(\d+)\.(\d+)$/.exec(String(card.version ?? ''));
  if (!version || Number(version[1]) > 1 || Number(version[2]) > 4) return failed(`Adaptive Card version "${String(card.version)}" is not supported: Teams supports up to 1.4.`);
  if (bytes > MAX_MESSAGE_BYTES) return failed('RequestEntityTooLarge: the message is larger than 28 KB.');
  for (const action of (card.actions ?? []) as Array<{ type?: unknown; url?: unknown }>) {
    if (action.type === 'Action.OpenUrl' && (typeof action.url !== 'string' || !/^https?:\/\//.test(action.url))) return failed('Action.OpenUrl needs an absolute "url".');
  }
  return { status: 'Succeeded', card };
}
