#!/usr/bin/env node
/**
 * Writes a busybox LXD unified image tarball: node deploy/images/build-busybox-image.js OUTPUT.tar.gz
 * [--busybox PATH] [--creation-date ISO-8601]. Prints the fingerprint and size.
 *
 * It runs the library's TypeScript directly, compiled on load with @swc/core (a dev dependency of the
 * repository), so it works in a checkout without a build.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const repository = path.resolve(__dirname, '..', '..');
const swc = require(require.resolve('@swc/core', { paths: [repository] }));

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, {
    filename,
    swcrc: false,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};

function usage(message) {
  if (message) process.stderr.write(`build-busybox-image: ${message}\n`);
  process.stderr.write('usage: build-busybox-image OUTPUT.tar.gz [--busybox PATH] [--creation-date ISO-8601]\n');
  process.exit(2);
}

async function main() {
  const args = process.argv.slice(2);
  let output = null;
  let busyboxPath;
  let creationDate = new Date();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--busybox') busyboxPath = args[++i] ?? usage('--busybox needs a path');
    else if (arg === '--creation-date') {
      creationDate = new Date(args[++i] ?? usage('--creation-date needs a date'));
      if (Number.isNaN(creationDate.getTime())) usage('invalid --creation-date');
    } else if (arg === '-h' || arg === '--help') usage();
    else if (output === null && !arg.startsWith('-')) output = arg;
    else usage(`unexpected argument "${arg}"`);
  }
  if (output === null) usage('missing OUTPUT');
  const { buildBusyboxImage } = require(path.join(repository, 'libs/runtime/src/images/busybox-image-builder.ts'));
  const { NodeCommandRunner } = require(path.join(repository, 'libs/runtime/src/process/node-command-runner.ts'));
  const image = await buildBusyboxImage({ outputPath: output, runner: new NodeCommandRunner(), creationDate, busyboxPath });
  process.stdout.write(`${image.path}\nfingerprint ${image.fingerprint}\nsize ${image.sizeBytes}\nbusybox ${image.busyboxVersion}\n`);
}

main().catch((error) => {
  process.stderr.write(`build-busybox-image: ${error.message}\n`);
  process.exit(1);
});
