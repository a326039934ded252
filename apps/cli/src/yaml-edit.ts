import type { CliContext } from './cli-context';
import { goYamlDocument } from './go-yaml';
import type { Shape } from './go-shapes';
import { decodeYaml } from './yaml-decode';

/** How an `edit` command reads, shows and writes its object. */
export interface YamlEdit {
  /** The comment block lxc puts above the YAML in the editor. */
  helpTemplate: string;
  /** The writable part of the object: what the edited YAML is read into. */
  writable: Shape;
  /** Fetches the object with its ETag; `yaml` is what the editor shows. */
  load(): Promise<{ yaml: unknown; etag?: string }>;
  /** Writes the decoded object (ETag only when it was loaded). */
  save(value: unknown, etag: string | undefined): Promise<void>;
}

/**
 * lxc's edit commands: when standard input is not a terminal, the YAML is read from it and written without an
 * ETag (nothing was read first); otherwise the object is fetched with its ETag and opened in the editor, and the
 * result is written with `If-Match`. A YAML or API error reopens the editor on the edited text after
 * `Config parsing error: …` and a key press; at the end of input the error is final.
 */
export async function editAsYaml(ctx: CliContext, edit: YamlEdit): Promise<void> {
  const { stdin, editor } = ctx.io;
  if (!stdin.isTTY) {
    const value = decodeYaml(await stdin.readAll(), edit.writable);
    await edit.save(value, undefined);
    return;
  }
  const { yaml, etag } = await edit.load();
  let content = await editor(`${edit.helpTemplate}\n\n${goYamlDocument(yaml)}`);
  for (;;) {
    try {
      await edit.save(decodeYaml(content, edit.writable), etag);
      return;
    } catch (err) {
      ctx.io.stderr(`Config parsing error: ${(err as Error).message}\n`);
      ctx.out('Press enter to open the editor again or ctrl+c to abort change\n');
      if ((await stdin.readLine()) === null) throw err;
      content = await editor(content);
    }
  }
}
