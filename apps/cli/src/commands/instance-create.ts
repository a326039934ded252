import type { Command } from 'commander';
import { pathSegment, withoutQuery, withQuery } from '../api-path';
import type { CliContext } from '../cli-context';
import type { LxdClient } from '../client';
import { CubedError } from '../cubed-error';
import { toGoJson } from '../go-shapes';
import { instancePath } from '../instance-paths';
import { InstancePut, InstancesPost } from '../lxd-shapes';
import type { ImageAliasInfo, ImageInfo, InstanceInfo, OperationInfo, ProfileInfo, ServerInfo } from '../lxd-types';
import { trackOperation } from '../operation-tracking';
import { decodeYaml } from '../yaml-decode';

/** The flags of `init` and `launch`. */
export interface CreateOptions {
  config?: string[];
  profile?: string[];
  device?: string[];
  ephemeral?: boolean;
  network?: string;
  storage?: string;
  target?: string;
  type?: string;
  /** false with --no-profiles. */
  profiles?: boolean;
  empty?: boolean;
  vm?: boolean;
}

/** An instance that was created, and the client of its remote. */
export interface CreatedInstance {
  remote: string;
  name: string;
  client: LxdClient;
}

type Devices = Record<string, Record<string, string>>;

const repeatable = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** Adds the flags of lxc's `init` (and `launch`) to a command. */
export function addCreateOptions(command: Command): Command {
  return command
    .argument('[image]', '[<remote>:]<image>')
    .argument('[name]', '[<remote>:][<name>]')
    .option('-c, --config <key=value>', 'Config key/value to apply to the new instance', repeatable)
    .option('-p, --profile <profile>', 'Profile to apply to the new instance', repeatable)
    .option('-d, --device <device,key=value>', 'New key/value to apply to a specific device', repeatable)
    .option('-e, --ephemeral', 'Ephemeral instance')
    .option('-n, --network <network>', 'Network name')
    .option('-s, --storage <pool>', 'Storage pool name')
    .option('-t, --type <type>', 'Instance type')
    .option('--target <member>', 'Cluster member name')
    .option('--no-profiles', 'Create the instance with no profiles applied')
    .option('--empty', 'Create an empty instance')
    .option('--vm', 'Create a virtual machine');
}

/**
 * Creates an instance as lxc's init does: the instance's config, devices and profiles read as YAML from standard
 * input when it is not a terminal, then the flags; the image resolved on the instance's remote (an alias to its
 * fingerprint, GET /1.0/images/aliases/<alias> and /1.0/images/<fingerprint>); POST /1.0/instances (with
 * `?target=` for a cluster member or `@group`) with `source: {type: image, fingerprint}` (`{type: none}` for
 * --empty), its progress shown as `Retrieving image: …`. Prints `Creating <name>` first, and the name the server
 * chose when none was given.
 */
export async function createInstance(
  ctx: CliContext,
  imageArg: string | undefined,
  nameArg: string | undefined,
  opts: CreateOptions,
): Promise<CreatedInstance> {
  const fromStdin = ctx.io.stdin.isTTY
    ? (toGoJson({}, InstancePut) as InstancePutJson)
    : (decodeYaml(await ctx.io.stdin.readAll(), InstancePut) as InstancePutJson);

  let { remote: imageRemote, name: image } = ctx.config.parseRemote(imageArg ?? '');
  let { remote, name } = ctx.config.parseRemote(nameArg ?? '');
  if (opts.empty) {
    if (nameArg !== undefined) throw new CubedError('--empty cannot be combined with an image name');
    if (imageArg !== undefined) {
      remote = imageRemote;
      name = image;
    }
  }
  const client = ctx.connect(remote);

  if (!ctx.quiet) ctx.out(name === '' ? 'Creating the instance\n' : `Creating ${name}\n`);

  const devices: Devices = { ...(fromStdin.devices ?? {}) };
  if (opts.network) devices.eth0 = await networkDevice(client, opts.network);
  const config: Record<string, string> = { ...(fromStdin.config ?? {}) };
  for (const entry of opts.config ?? []) {
    const eq = entry.indexOf('=');
    if (eq < 0) throw new CubedError(`Bad key=value pair: ${entry}`);
    config[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  if (opts.storage) {
    try {
      await client.get(`/1.0/storage-pools/${pathSegment(opts.storage)}`);
    } catch (err) {
      throw new CubedError(`Failed loading storage pool "${opts.storage}": ${(err as Error).message}`);
    }
    devices.root = { type: 'disk', path: '/', pool: opts.storage };
  }

  let requestedProfiles: string[] | null;
  if (opts.profile) requestedProfiles = opts.profile;
  else if (opts.profiles === false) requestedProfiles = [];
  else requestedProfiles = (fromStdin.profiles ?? []).length > 0 ? fromStdin.profiles : null;
  await applyDeviceOverrides(client, devices, parseDeviceOverrides(opts.device ?? []), requestedProfiles);

  const request = {
    config,
    devices,
    ephemeral: opts.ephemeral === true,
    profiles: requestedProfiles,
    name,
    instance_type: opts.type ?? '',
    type: opts.vm ? 'virtual-machine' : 'container',
    source: { type: 'none' } as Record<string, string>,
  };
  const createPath = withQuery('/1.0/instances', { target: opts.target || undefined });
  let op: OperationInfo;
  if (!opts.empty) {
    ({ remote: imageRemote, name: image } = await guessImage(ctx, client, remote, imageRemote, image));
    if (imageRemote !== remote) {
      throw new CubedError(
        `The image must be on the instance's remote "${remote}": import it there first (cube image import)`,
      );
    }
    const info = await resolveImage(client, image === '' ? 'default' : image);
    if (info.type !== 'virtual-machine' && opts.vm)
      throw new CubedError('Asked for a VM but image is of type container');
    request.type = info.type ?? '';
    request.source = { type: 'image', fingerprint: info.fingerprint ?? '' };
    const response = await client.query('POST', createPath, toGoJson(request, InstancesPost));
    op = await finish(ctx, client, response, (status) => `Retrieving image: ${status}`);
  } else {
    const response = await client.query('POST', createPath, toGoJson(request, InstancesPost));
    op = await finish(ctx, client, response);
  }

  const created = op.resources?.instances ?? op.resources?.containers ?? [];
  if (created.length === 0) throw new CubedError("Didn't get any affected image, instance or snapshot from server");
  if (created.length === 1 && name === '') {
    name = withoutQuery(created[0]).split('/').pop() ?? '';
    ctx.out(`Instance name is: ${name}\n`);
  }
  await warnWithoutNetwork(ctx, client, name);
  return { remote, name, client };
}

interface InstancePutJson {
  config: Record<string, string> | null;
  devices: Devices | null;
  profiles: string[] | null;
}

/** Waits for the creation, with progress when the answer is an operation. */
async function finish(
  ctx: CliContext,
  client: LxdClient,
  response: { type: string; operation?: string; metadata: unknown },
  format?: (status: string) => string,
): Promise<OperationInfo> {
  if (response.type === 'sync') return (response.metadata ?? {}) as OperationInfo;
  if (!response.operation) throw new CubedError('the daemon answered with an operation but gave no operation URL');
  return trackOperation(client, response.operation, { progress: ctx.progress(format), terminal: ctx.terminal });
}

/**
 * lxc's guessImage: `ubuntu/22.04` whose first part names a remote, and that is neither an alias nor an image of
 * the instance's remote, means `ubuntu:22.04` (said on standard error).
 */
async function guessImage(
  ctx: CliContext,
  client: LxdClient,
  remote: string,
  imageRemote: string,
  image: string,
): Promise<{ remote: string; name: string }> {
  const unchanged = { remote: imageRemote, name: image };
  if (remote !== imageRemote) return unchanged;
  const [first, rest] = splitOnce(image, '/');
  if (!ctx.config.remotes.has(first)) return unchanged;
  for (const path of [`/1.0/images/aliases/${pathSegment(image)}`, `/1.0/images/${pathSegment(image)}`]) {
    try {
      await client.get(path);
      return unchanged;
    } catch {
      // not found there
    }
  }
  if (rest === undefined) {
    ctx.io.stderr(`The local image '${image}' couldn't be found, trying '${first}:' instead.\n`);
    return { remote: first, name: 'default' };
  }
  ctx.io.stderr(`The local image '${image}' couldn't be found, trying '${first}:${rest}' instead.\n`);
  return { remote: first, name: rest };
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const i = text.indexOf(separator);
  return i < 0 ? [text, undefined] : [text.slice(0, i), text.slice(i + 1)];
}

/** The image an alias points to (or the image of that fingerprint). */
async function resolveImage(client: LxdClient, image: string): Promise<ImageInfo> {
  let fingerprint = image;
  try {
    const alias = await client.get<ImageAliasInfo>(`/1.0/images/aliases/${pathSegment(image)}`);
    if (alias?.target) fingerprint = alias.target;
  } catch {
    // not an alias: a fingerprint
  }
  return (await client.get<ImageInfo>(`/1.0/images/${pathSegment(fingerprint)}`)) ?? {};
}

/** The eth0 of `--network`: the managed network itself, or a macvlan (bridged for a bridge) on an unmanaged one. */
async function networkDevice(client: LxdClient, network: string): Promise<Record<string, string>> {
  let info: { name?: string; managed?: boolean; type?: string };
  try {
    info = (await client.get<typeof info>(`/1.0/networks/${pathSegment(network)}`)) ?? {};
  } catch (err) {
    throw new CubedError(`Failed loading network "${network}": ${(err as Error).message}`);
  }
  const server = await client.get<ServerInfo>('/1.0');
  if (info.managed && (server?.api_extensions ?? []).includes('instance_nic_network')) {
    return { name: 'eth0', type: 'nic', network: info.name ?? network };
  }
  return { name: 'eth0', type: 'nic', nictype: info.type === 'bridge' ? 'bridged' : 'macvlan', parent: network };
}

/** `-d <device>,<key>=<value>` flags, by device. */
function parseDeviceOverrides(entries: readonly string[]): Devices {
  const overrides: Devices = {};
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (!entry.includes('=') || comma < 0) {
      throw new CubedError(`Bad device override syntax, expecting <device>,<key>=<value>: ${entry}`);
    }
    const device = entry.slice(0, comma);
    const setting = entry.slice(comma + 1);
    const eq = setting.indexOf('=');
    (overrides[device] ??= {})[eq < 0 ? setting : setting.slice(0, eq)] = eq < 0 ? '' : setting.slice(eq + 1);
  }
  return overrides;
}

/**
 * Applies device overrides: to the instance's own devices, or to a copy of the device the profiles would give it
 * (the profiles are read, `default` when none are named), which an override of a device that exists nowhere is
 * refused.
 */
async function applyDeviceOverrides(
  client: LxdClient,
  devices: Devices,
  overrides: Devices,
  profiles: string[] | null,
): Promise<void> {
  const fromProfiles: Devices = {};
  if (Object.keys(overrides).some((device) => !(device in devices))) {
    for (const profile of profiles && profiles.length > 0 ? profiles : ['default']) {
      let info: ProfileInfo | undefined;
      try {
        info = await client.get<ProfileInfo>(`/1.0/profiles/${pathSegment(profile)}`);
      } catch (err) {
        throw new CubedError(`Failed loading profile "${profile}" for device override: ${(err as Error).message}`);
      }
      Object.assign(fromProfiles, info?.devices ?? {});
    }
  }
  for (const [device, settings] of Object.entries(overrides)) {
    if (device in devices) {
      Object.assign(devices[device], settings);
      continue;
    }
    const inherited = fromProfiles[device];
    if (!inherited) {
      throw new CubedError(`Cannot override config for device "${device}": Device not found in profile devices`);
    }
    devices[device] = { ...inherited, ...settings };
  }
}

/** lxc's warning for an instance without a NIC among its expanded devices. */
async function warnWithoutNetwork(ctx: CliContext, client: LxdClient, name: string): Promise<void> {
  let instance: InstanceInfo | undefined;
  try {
    instance = await client.get<InstanceInfo>(instancePath(name));
  } catch {
    return;
  }
  const devices = Object.values(instance?.expanded_devices ?? {});
  if (devices.some((device) => device.type === 'nic')) return;
  ctx.io.stderr("\nThe instance you are starting doesn't have any network attached to it.\n\n");
}
