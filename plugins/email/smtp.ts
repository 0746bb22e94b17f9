import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { PluginError } from '../../shared/errors.ts';
import { MAX_QUOTED_ANSWER_CHARS } from '../../shared/limits.ts';
import { excerpt } from '../../shared/secrets.ts';
import type { Values } from '../../shared/settings/index.ts';
import type { Recipient } from './recipients.ts';
import type { settings } from './settings.ts';

type EmailSettings = Values<typeof settings>;

/** Each wait of one SMTP exchange, when the step itself has no limit. */
const SMTP_WAIT_MS = 30_000;

/**
 * How to talk to the server, decided without I/O. Port 465 is TLS from the first byte; elsewhere,
 * unless `implicit_tls` says so too,
 * the server's STARTTLS is used whenever it offers it, and required when a password is sent, so a
 * man in the middle who strips STARTTLS never sees the password.
 */
export function transportOptions(s: EmailSettings, msLeft: number | undefined): SMTPTransport.Options {
  const wait = Math.max(1, Math.min(msLeft ?? SMTP_WAIT_MS, SMTP_WAIT_MS));
  const implicit = s.implicit_tls || s.port === 465;
  return {
    host: s.host,
    port: s.port,
    secure: implicit,
    ignoreTLS: s.no_starttls,
    requireTLS: !implicit && s.password !== undefined,
    auth: s.username === undefined ? undefined : { user: s.username, pass: s.password ?? '' },
    name: s.clienthostname,
    tls: { rejectUnauthorized: !s.skip_verify },
    connectionTimeout: wait,
    greetingTimeout: wait,
    socketTimeout: wait,
  };
}

/** The sender as the message names it: `from_name` wraps a bare address. */
export function senderOf(s: EmailSettings): string | { name: string; address: string } {
  return s.from_name && !s.from!.includes('<') ? { name: s.from_name, address: s.from! } : s.from!;
}

/** A 4xx reply: the server asks to try again later. */
export function isTemporary(err: unknown): boolean {
  const code = (err as SmtpFailure | undefined)?.responseCode;
  return typeof code === 'number' && code >= 400 && code < 500 && typeof (err as SmtpFailure).response === 'string';
}

/** The server refused this one recipient (RCPT TO), not the sender, the login or the message. */
export function isRecipientRefusal(err: unknown): boolean {
  return (err as SmtpFailure | undefined)?.code === 'EENVELOPE' && (err as SmtpFailure).command === 'RCPT TO';
}

interface SmtpFailure {
  readonly code?: string;
  readonly response?: string;
  readonly responseCode?: number;
  readonly command?: string;
  readonly message?: string;
}

/**
 * nodemailer's error as the step's one clear error: the server's own answer, quoted (masked, cut),
 * under the setting to fix: a refused login names `password`, a refused address where it came from.
 */
export function smtpError(err: unknown, s: EmailSettings, to: Recipient | undefined): unknown {
  if (err instanceof PluginError || !(err instanceof Error)) return err;
  const e = err as Error & SmtpFailure;
  const server = `${s.host}:${s.port}`;
  const answer = e.response ? `: the server answered ${excerpt(e.response.replace(/\s+/g, ' ').trim(), MAX_QUOTED_ANSWER_CHARS)}` : `: ${excerpt(e.message ?? '', MAX_QUOTED_ANSWER_CHARS)}`;
  const cause = { cause: err };
  if (e.code === 'EAUTH') {
    return new PluginError(`settings.password: ${server} refused the login of settings.username${answer}`, {
      ...cause,
      hint: 'Check the username and the secret behind settings.password; some providers want an app password.',
    });
  }
  if (e.code === 'EENVELOPE' && to) {
    return new PluginError(`${server} refused the recipient ${to.address} from ${to.from}${answer}`, { ...cause, hint: 'Check the address, and that the server relays to it for this sender.' });
  }
  if (e.code === 'EENVELOPE' || e.command === 'MAIL FROM') {
    return new PluginError(`settings.from: ${server} refused the sender${answer}`, { ...cause, hint: 'Many servers send only from addresses the login owns.' });
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|HOSTNAME|ALTNAME/.test(e.code ?? '') || /certificate/i.test(e.message ?? '')) {
    return new PluginError(`settings.host: the TLS certificate of ${server} is not trusted${answer}`, {
      ...cause,
      hint: 'Give the step the CA (NODE_EXTRA_CA_CERTS) or, for a server you trust, settings.skip_verify: true.',
    });
  }
  if (e.code === 'ETLS' || (e.code === 'ESOCKET' && /TLS|SSL|wrong version/i.test(e.message ?? ''))) {
    return new PluginError(`settings.port: no TLS with ${server}${answer}`, {
      ...cause,
      hint: s.implicit_tls || s.port === 465 ? 'This port speaks TLS from the first byte (implicit TLS); a server that expects STARTTLS listens on 587.' : 'The server offers no STARTTLS, or broke it off: settings.no_starttls sends in plain text (no password then).',
    });
  }
  if (e.code === 'ECONNECTION' || e.code === 'EDNS' || e.code === 'ETIMEDOUT' || e.code === 'ESOCKET') {
    return new PluginError(`settings.host: cannot reach the SMTP server ${server}${answer}`, {
      ...cause,
      hint: 'Check settings.host and settings.port, and that the step may reach the server (network policy).',
    });
  }
  if (e.responseCode) return new PluginError(`${server} refused the message${to ? ` to ${to.address}` : ''}${answer}`, cause);
  return err;
}
