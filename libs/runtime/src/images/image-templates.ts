/**
 * Rendering an image's file templates into a container's root filesystem for one trigger
 * (`create`, `copy` or `start`), as LXD does.
 */
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { RuntimeError } from '../errors/runtime-error';
import { ContainerFiles } from '../files/container-files';
import { TemplateTrigger } from './image-metadata';
import { templateContext, TemplateInstance } from './templates/template-context';
import { renderTemplate } from './templates/template-renderer';
import { UnpackedImage } from './unpacked-image';

const MAX_TEMPLATE_BYTES = 1024 * 1024;

/** Reads a template file of the image; only regular files directly inside `templates/` qualify. */
async function readTemplateFile(image: UnpackedImage, name: string): Promise<string> {
  const file = path.join(image.templatesPath, name);
  if (path.relative(image.templatesPath, file).startsWith('..')) {
    throw new RuntimeError('InvalidArgument', `Template "${name}" is outside the image's templates directory`);
  }
  let handle;
  try {
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw new RuntimeError('InvalidArgument', `Cannot read template "${name}" of image ${image.fingerprint}`, (error as Error).message);
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size > MAX_TEMPLATE_BYTES) {
      throw new RuntimeError('InvalidArgument', `Template "${name}" of image ${image.fingerprint} is not a regular file of at most 1 MiB`);
    }
    return (await handle.readFile()).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Renders every template of `image` that fires on `trigger`; returns the paths written. */
export async function renderImageTemplates(
  image: UnpackedImage,
  trigger: TemplateTrigger,
  instance: TemplateInstance,
  files: ContainerFiles,
): Promise<string[]> {
  const written: string[] = [];
  for (const [target, template] of Object.entries(image.metadata.templates).sort(([a], [b]) => a.localeCompare(b))) {
    if (!template.when.includes(trigger)) continue;
    if (template.createOnly && (await files.exists(target))) continue;
    const source = await readTemplateFile(image, template.template);
    let content: string;
    try {
      content = renderTemplate(source, templateContext(instance, trigger, target, template.properties));
    } catch (error) {
      if (!(error instanceof RuntimeError)) throw error;
      throw new RuntimeError(error.code, `Cannot render template "${template.template}" of image ${image.fingerprint} for ${target}`, error.message);
    }
    await files.write({ path: target, type: 'file', content, createParents: true });
    written.push(target);
  }
  return written;
}
