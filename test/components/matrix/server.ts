import { type HttpStandIn, type ScriptedAnswer, startHttpStandIn } from '../http-stand-in.ts';

/**
 * A stand-in for a Matrix homeserver's client-server API (v3) on loopback: password login, join
 * (by room id or alias), sending a message event under a transaction id, and logout. It answers
 * with Matrix's `{"errcode", "error"}` bodies and status codes (401 for a missing or unknown token,
 * 403 for a wrong password or a room the user is not invited to, 404 for an unknown alias, 400 for
 * a message without `body` or `msgtype`, or `format` without `formatted_body`, 413 over 65536
 * bytes), stores an event once per transaction id and token, as the spec requires, and invalidates
 * a token on logout.
 */
export interface MatrixStandIn extends HttpStandIn {
  readonly username: string;
  readonly password: string;
  /** A long-lived token of the bot user. */
  readonly accessToken: string;
  readonly roomId: string;
  readonly alias: string;
  /** A room the bot is not invited to. */
  readonly closedRoomId: string;
  /** Message events stored, in order: one per transaction, however often it was sent. */
  readonly events: Array<{ roomId: string; txnId: string; content: Record<string, unknown> }>;
  /** Tokens handed out by login and not yet logged out. */
  readonly sessions: Set<string>;
  tooManyRequests(ms: number): ScriptedAnswer;
}

const V3 = '/_matrix/client/v3';

export async function startMatrixStandIn(): Promise<MatrixStandIn> {
  const username = 'drone';
  const password = 'sortie-matrix-password';
  const accessToken = 'syt_ZHJvbmU_sortieMatrixAccessToken_0a1b2c';
  const roomId = '!buildsRoom0001:localhost';
  const alias = '#builds:localhost';
  const closedRoomId = '!privateRoom0002:localhost';
  const events: MatrixStandIn['events'] = [];
  const sessions = new Set<string>();
  const transactions = new Map<string, string>();
  let sessionCount = 0;

  const standIn = await startHttpStandIn((req, res) => {
    const { body } = req;
    const path = req.path.split('?')[0]!;
    const json = (status: number, answer: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    const fail = (status: number, errcode: string, error: string) => json(status, { errcode, error });
    if (!path.startsWith(V3)) return fail(404, 'M_UNRECOGNIZED', 'Unrecognized request');
    const route = path.slice(V3.length);
    if (body !== undefined && !req.json) return fail(400, 'M_NOT_JSON', 'Content not JSON.');
    const b = (body ?? {}) as Record<string, unknown>;

    if (route === '/login' && req.method === 'POST') {
      if (b.type !== 'm.login.password') return fail(400, 'M_UNKNOWN', 'Unknown login type');
      const user = (b.identifier as { user?: unknown } | undefined)?.user ?? b.user;
      if (user !== username && user !== `@${username}:localhost`) return fail(403, 'M_FORBIDDEN', 'Invalid username or password');
      if (b.password !== password) return fail(403, 'M_FORBIDDEN', 'Invalid username or password');
      const token = `syt_session_${++sessionCount}_sortieStandInToken`;
      sessions.add(token);
      return json(200, { user_id: `@${username}:localhost`, access_token: token, device_id: `DEVICE${sessionCount}`, home_server: 'localhost' });
    }

    const auth = req.headers.authorization;
    if (!auth?.startsWith('Bearer ')) return fail(401, 'M_MISSING_TOKEN', 'Missing access token');
    const token = auth.slice('Bearer '.length);
    if (token !== accessToken && !sessions.has(token)) return fail(401, 'M_UNKNOWN_TOKEN', 'Invalid access token passed.');

    if (route === '/logout' && req.method === 'POST') {
      sessions.delete(token);
      return json(200, {});
    }
    const join = /^\/join\/([^/]+)$/.exec(route);
    if (join && req.method === 'POST') {
      const target = decodeURIComponent(join[1]!);
      if (target.startsWith('#')) return target === alias ? json(200, { room_id: roomId }) : fail(404, 'M_NOT_FOUND', `Room alias ${target} not found`);
      if (target === roomId) return json(200, { room_id: roomId });
      return fail(403, 'M_FORBIDDEN', 'You are not invited to this room.');
    }
    const send = /^\/rooms\/([^/]+)\/send\/m\.room\.message\/([^/]+)$/.exec(route);
    if (send && req.method === 'PUT') {
      const room = decodeURIComponent(send[1]!);
      if (room !== roomId) return fail(403, 'M_FORBIDDEN', `User @${username}:localhost not in room ${room}`);
      if (req.bytes > 65_536) return fail(413, 'M_TOO_LARGE', 'event too large');
      if (typeof b.msgtype !== 'string') return fail(400, 'M_BAD_JSON', "'msgtype' not in content");
      if (typeof b.body !== 'string') return fail(400, 'M_BAD_JSON', "'body' not in content");
      if (b.format !== undefined && (b.format !== 'org.matrix.custom.html' || typeof b.formatted_body !== 'string')) return fail(400, 'M_BAD_JSON', "'formatted_body' must go with format org.matrix.custom.html");
      const key = `${token}\n${send[2]}`;
      const existing = transactions.get(key);
      if (existing) return json(200, { event_id: existing });
      const eventId = `$event${events.length + 1}:localhost`;
      transactions.set(key, eventId);
      events.push({ roomId: room, txnId: send[2]!, content: b });
      return json(200, { event_id: eventId });
    }
    return fail(404, 'M_UNRECOGNIZED', 'Unrecognized request');
  }, { scriptedType: 'application/json' });

  return {
    ...standIn,
    username,
    password,
    accessToken,
    roomId,
    alias,
    closedRoomId,
    events,
    sessions,
    tooManyRequests: (ms) => ({ status: 429, body: JSON.stringify({ errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: ms }) }),
  };
}
