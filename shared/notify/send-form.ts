import type { HttpClient, HttpResponse } from '../http.ts';
import { type FormPart, formData } from '../multipart.ts';
import { deliver, type ServiceRequest } from './send.ts';

interface FormRequest extends ServiceRequest {
  readonly parts: readonly FormPart[];
  /** What is sent, for the error: `uploading dist/report.html`. */
  readonly what: string;
  /** The setting that asked for the upload, named in the error. */
  readonly uploadSetting: string;
}

/**
 * An upload (multipart/form-data) to a chat service, with sendJson's retries, deadline and errors:
 * an answer that is still an error fails the step quoting the service's text, masked and cut.
 */
export function sendForm(http: HttpClient, req: FormRequest): Promise<HttpResponse> {
  const { body, contentType } = formData(req.parts);
  const request = { url: req.url, method: 'POST', headers: { 'content-type': contentType }, body };
  return deliver(http, request, req, (answer) => `settings.${req.uploadSetting}: ${req.what} to ${req.service} failed: ${answer}`);
}
