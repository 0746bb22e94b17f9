/** The parts of a multipart/form-data body, as the stand-ins that take uploads read them. */
export interface FormField {
  readonly name: string;
  readonly filename?: string;
  readonly content: string;
}

export function formParts(body: string, contentType: string): FormField[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  if (!boundary) return [];
  return body
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const split = part.indexOf('\r\n\r\n');
      const head = part.slice(0, split);
      return {
        name: /name="([^"]*)"/.exec(head)?.[1] ?? '',
        filename: /filename="([^"]*)"/.exec(head)?.[1],
        content: part.slice(split + 4, part.endsWith('\r\n') ? -2 : undefined),
      };
    });
}
