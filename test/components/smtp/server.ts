import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/**
 * An SMTP server on loopback (the npm smtp-server package, which real relays are built on),
 * checking what a submission server checks: AUTH with a user's password, and only over TLS; the
 * recipients it relays to; the message size. Each accepted message is recorded with its envelope
 * and parsed (mailparser) so tests read the HTML and text parts as a mail client would.
 */
export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The login the message was sent under. */
  readonly user: string | undefined;
  /** Whether the connection was TLS (implicit or after STARTTLS) when the message came. */
  readonly secure: boolean;
  /** The name the client gave in EHLO. */
  readonly clientHostname: string;
  readonly mail: ParsedMail;
}

export interface SmtpStandInOptions {
  /** `implicit`: TLS from the first byte (port 465's way); `starttls`: plain, offering STARTTLS; `none`: no TLS at all. */
  readonly tls: 'implicit' | 'starttls' | 'none';
  readonly cert?: { readonly cert: string; readonly key: string };
  /** Logins and passwords; none: no AUTH. */
  readonly users?: Readonly<Record<string, string>>;
  /** Recipients the server refuses to relay to. */
  readonly refuse?: readonly string[];
}

export interface SmtpStandIn {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** The next `count` recipients are answered `451 4.7.1` (greylisting: try again later). */
  tempfail(count: number): void;
  close(): Promise<void>;
}

export async function startSmtpStandIn(opts: SmtpStandInOptions): Promise<SmtpStandIn> {
  const received: ReceivedMail[] = [];
  const users = opts.users;
  let tempfails = 0;
  const options: SMTPServerOptions = {
    secure: opts.tls === 'implicit',
    hideSTARTTLS: opts.tls !== 'starttls',
    // Hidden is not enough: a client may try STARTTLS unasked, which a server without TLS refuses.
    disabledCommands: opts.tls === 'none' ? ['STARTTLS'] : [],
    ...(opts.cert ?? {}),
    authOptional: users === undefined,
    authMethods: ['PLAIN', 'LOGIN'],
    // A password only ever crosses an encrypted connection.
    allowInsecureAuth: false,
    disableReverseLookup: true,
    size: 10 * 1024 * 1024,
    logger: false,
    onAuth(auth, _session, callback) {
      if (users && auth.username !== undefined && users[auth.username] === auth.password) return callback(null, { user: auth.username });
      const err = Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 });
      callback(err);
    },
    onRcptTo(address, _session, callback) {
      if (tempfails > 0) {
        tempfails--;
        return callback(Object.assign(new Error('4.7.1 Greylisted, please try again later'), { responseCode: 451 }));
      }
      if (opts.refuse?.includes(address.address)) {
        return callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : undefined,
            secure: session.secure,
            clientHostname: session.hostNameAppearsAs,
            mail,
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    tempfail: (count) => {
      tempfails = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
