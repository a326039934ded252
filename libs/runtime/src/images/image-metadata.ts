/**
 * `metadata.yaml` of an LXD image: architecture, dates, properties and the file templates to render.
 */
import { parse as parseYaml } from 'yaml';
import { RuntimeError } from '../errors/runtime-error';

export type TemplateTrigger = 'create' | 'copy' | 'start';

export interface ImageTemplate {
  /** When the template is rendered. */
  when: TemplateTrigger[];
  /** File name below the image's `templates/` directory. */
  template: string;
  /** Only render when the target file does not exist yet. */
  createOnly: boolean;
  properties: Record<string, string>;
}

export interface ImageMetadata {
  architecture: string;
  /** Unix time, seconds. */
  creationDate: number;
  expiryDate?: number;
  properties: Record<string, string>;
  /** Target path inside the container → template. */
  templates: Record<string, ImageTemplate>;
}

const TRIGGERS: readonly TemplateTrigger[] = ['create', 'copy', 'start'];

function invalid(message: string): RuntimeError {
  return new RuntimeError('InvalidArgument', `Invalid image metadata.yaml: ${message}`);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMap(value)) throw invalid(`${field} must be a map`);
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') result[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') result[key] = String(item);
    else if (item === null) result[key] = '';
    else throw invalid(`${field}.${key} must be a string`);
  }
  return result;
}

function timestamp(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(`${field} must be a Unix timestamp`);
  return value;
}

/** A template file name: relative, inside `templates/`. */
function assertTemplateFile(name: string, target: string): void {
  const parts = name.split('/');
  if (name === '' || name.startsWith('/') || parts.some((part) => part === '..' || part === '')) {
    throw invalid(`template file "${name}" for ${target} must be a relative path inside templates/`);
  }
}

function parseTemplate(target: string, value: unknown): ImageTemplate {
  if (!target.startsWith('/')) throw invalid(`template target "${target}" must be an absolute path`);
  if (!isMap(value)) throw invalid(`templates.${target} must be a map`);
  const when = value.when;
  if (!Array.isArray(when) || when.length === 0 || when.some((item) => !TRIGGERS.includes(item as TemplateTrigger))) {
    throw invalid(`templates.${target}.when must list triggers among ${TRIGGERS.join(', ')}`);
  }
  if (typeof value.template !== 'string') throw invalid(`templates.${target}.template must be a file name`);
  assertTemplateFile(value.template, target);
  const createOnly = value.create_only ?? false;
  if (typeof createOnly !== 'boolean') throw invalid(`templates.${target}.create_only must be true or false`);
  return {
    when: [...new Set(when as TemplateTrigger[])],
    template: value.template,
    createOnly,
    properties: stringMap(value.properties, `templates.${target}.properties`),
  };
}

export function parseImageMetadata(text: string): ImageMetadata {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw invalid((error as Error).message.split('\n')[0]);
  }
  if (!isMap(document)) throw invalid('it must be a map');
  if (typeof document.architecture !== 'string' || document.architecture === '') throw invalid('architecture is missing');
  const metadata: ImageMetadata = {
    architecture: document.architecture,
    creationDate: timestamp(document.creation_date, 'creation_date'),
    properties: stringMap(document.properties, 'properties'),
    templates: {},
  };
  if (document.expiry_date !== undefined && document.expiry_date !== null) {
    metadata.expiryDate = timestamp(document.expiry_date, 'expiry_date');
  }
  if (document.templates !== undefined && document.templates !== null) {
    if (!isMap(document.templates)) throw invalid('templates must be a map');
    for (const [target, template] of Object.entries(document.templates)) metadata.templates[target] = parseTemplate(target, template);
  }
  return metadata;
}
