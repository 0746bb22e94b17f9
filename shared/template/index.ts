export { templateView } from './context-view.ts';
export { formatGoDuration, formatGoLayout } from './go-time.ts';
export { type EscapeMode, type RenderOptions, renderTemplate } from './handlebars.ts';
export { type LoadTemplateOptions, loadTemplateSource, type TemplateSource } from './source.ts';
export { substitute } from './substitute.ts';
export { TemplateError } from './template-error.ts';
export { buildTemplateFields } from './build-fields.ts';
