import { PluginError } from '../errors.ts';
import type { HttpClient, HttpResponse } from '../http.ts';
import { MAX_QUOTED_ANSWER_CHARS } from '../limits.ts';
import { type FormPart, formData } from '../multipart.ts';
import { excerpt } from '../secrets.ts';
import { unreachable } from './send.ts';

interface FormRequest {
  /** Secret as a whole or in part, like sendJson's: never printed. */
  readonly url: string;
  readonly parts: readonly FormPart[];
  readonly service: string;
  /** The setting the address comes from, named when the service cannot be reached. */
  readonly setting: string;
  /** What is sent, for the error: `uploading dist/report.html`. */
  readonly what: string;
  /** The setting that asked for the upload, named in the error. */
  readonly uploadSetting: string;
  readonly hint?: (status: number, text: string) => string | undefined;
}

/**
 * An upload (multipart/form-data) to a chat service, with sendJson's retries, deadline and errors:
 * an answer that is still an error fails the step quoting the service's text, masked and cut.
 */
export async function sendForm(http: HttpClient, req: FormRequest): Promise<HttpResponse> {
  const { body, contentType } = formData(req.parts);
  const res = await http.request({ url: req.url, method: 'POST', headers: { 'content-type': contentType }, body }).catch((err: unknown) => {
    throw unreachable(req.setting, req.service, err);
  });
  if (res.status >= 200 && res.status < 300) return res;
  const text = res.text().replace(/\s+/g, ' ').trim();
  throw new PluginError(`settings.${req.uploadSetting}: ${req.what} to ${req.service} failed: HTTP ${res.status}: ${excerpt(text, MAX_QUOTED_ANSWER_CHARS)}`, { hint: req.hint?.(res.status, text) });
}
