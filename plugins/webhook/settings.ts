import { urlSecrets } from '../../shared/secrets.ts';
import { notifySettings, outcomeTemplates } from '../../shared/notify/settings.ts';
import { type Rules, setting } from '../../shared/settings/index.ts';

/** The names of plugins/webhook (drone-plugins/drone-webhook), so only `image:` changes. */
export const settings = {
  urls: setting.list({
    doc: 'Addresses the request is sent to, each in turn; secret, as they often carry a token.',
    secret: true,
    secrets: (urls) => urls.flatMap(urlSecrets),
    aliases: ['url'],
    env: ['WEBHOOK_URLS', 'WEBHOOK_URL'],
    example: '[https://hooks.example.com/drone]',
    validate: (urls) => {
      const i = urls.findIndex((u) => !isHttpUrl(u));
      // The URL itself is secret: say which one by its place.
      return i < 0 ? undefined : `item ${i + 1} is not an http(s) URL`;
    },
  }),
  method: setting.string({
    doc: 'HTTP method.',
    default: 'POST',
    validate: (m) => (/^[A-Za-z]+$/.test(m) ? undefined : 'expected an HTTP method such as POST or PUT'),
  }),
  username: setting.string({ doc: 'User of HTTP basic authentication.', env: ['WEBHOOK_USERNAME'] }),
  password: setting.string({ doc: 'Password of HTTP basic authentication.', secret: true, env: ['WEBHOOK_PASSWORD'] }),
  token_value: setting.string({ doc: 'Token sent as `Authorization: <token_type> <token_value>`.', secret: true }),
  token_type: setting.string({ doc: 'Scheme in front of `token_value`.', default: 'Bearer' }),
  content_type: setting.string({ doc: 'Content-Type of the body.', default: 'application/json' }),
  template: setting.string({
    doc: 'Handlebars body instead of the default JSON: inline text, a file in the workspace, `file://` or `http(s)://` URL.',
    path: 'workspace-or-text',
  }),
  ...outcomeTemplates('Body template', 'template'),
  headers: setting.map({
    doc: 'Extra request headers, `Name=value` (the value may hold `=`) or a map; values of names like `Authorization` or `X-Api-Key` are masked.',
    example: '[X-Source=drone, "X-Query=a=b"]',
    secrets: (headers) => Object.entries(headers).flatMap(([name, value]) => (SECRET_HEADER.test(name) ? [value] : [])),
    validate: (headers) => {
      const bad = Object.keys(headers).find((name) => !/^[!#$%&'*+.^`|~\w-]+$/.test(name));
      if (bad !== undefined) return `${JSON.stringify(bad)} is not a header name`;
      const fixed = Object.keys(headers).find((name) => /^(content-length|host|transfer-encoding)$/i.test(name));
      return fixed === undefined ? undefined : `${fixed} is set by the HTTP client, not by a setting`;
    },
  }),
  valid_response_codes: setting.list({
    doc: 'Status codes that count as delivered; default: any 2xx.',
    example: '[200, 201, 202]',
    validate: (codes) => {
      const bad = codes.find((c) => !/^[1-5]\d\d$/.test(c));
      return bad === undefined ? undefined : `${JSON.stringify(bad)} is not an HTTP status code`;
    },
  }),
  skip_verify: setting.bool({ doc: "Do not check the server's TLS certificate." }),
  signature_secret: setting.string({
    doc: 'Key of an HMAC-SHA256 signature of the body, sent as `sha256=<hex>` in `signature_header`.',
    secret: true,
  }),
  signature_header: setting.string({ doc: 'Header that carries the signature.', default: 'X-Drone-Signature' }),
  ...notifySettings,
} as const;

export const rules: Rules<typeof settings> = {
  oneOf: [['urls']],
  requires: { token_type: ['token_value'], signature_header: ['signature_secret'] },
  together: [['username', 'password']],
  exclusive: [['username', 'token_value']],
};

/** Header names whose values are credentials. */
const SECRET_HEADER = /auth|token|secret|key|password|cookie|signature/i;

function isHttpUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value).protocol);
  } catch {
    return false;
  }
}
