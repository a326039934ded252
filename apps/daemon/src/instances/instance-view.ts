/**
 * Instances, their state and their snapshots as LXD's API shows them.
 */
import type { InstanceState, InstanceStatus, NetworkInterfaceState } from '@app/runtime';
import { INSTANCE_STATUS_CODES } from '@app/runtime';
import type { Devices } from '../profiles/profile-store';
import type { InstanceRecord, SnapshotRecord } from './instance-store';

export const NEVER = '1970-01-01T00:00:00Z';

export interface InstanceJson {
  architecture: string;
  config: Record<string, string>;
  devices: Devices;
  ephemeral: boolean;
  profiles: string[];
  stateful: boolean;
  description: string;
  created_at: string;
  expanded_config: Record<string, string>;
  expanded_devices: Devices;
  name: string;
  status: string;
  status_code: number;
  last_used_at: string;
  location: string;
  type: 'container';
  project: string;
}

export interface InstanceFullJson extends InstanceJson {
  backups: null;
  state: InstanceStateJson | null;
  snapshots: SnapshotJson[] | null;
}

export interface InstanceStateJson {
  status: string;
  status_code: number;
  disk: Record<string, never>;
  memory: { usage: number; usage_peak: number; swap_usage: number; swap_usage_peak: number };
  network: Record<string, NetworkJson> | null;
  pid: number;
  processes: number;
  cpu: { usage: number };
}

export interface NetworkJson {
  addresses: Array<{ family: string; address: string; netmask: string; scope: string }>;
  counters: {
    bytes_received: number;
    bytes_sent: number;
    packets_received: number;
    packets_sent: number;
    errors_received: number;
    errors_sent: number;
    packets_dropped_outbound: number;
    packets_dropped_inbound: number;
  };
  hwaddr: string;
  host_name: string;
  mtu: number;
  state: string;
  type: string;
}

export interface SnapshotJson {
  architecture: string;
  config: Record<string, string>;
  created_at: string;
  description: string;
  devices: Devices;
  ephemeral: boolean;
  expanded_config: Record<string, string>;
  expanded_devices: Devices;
  expires_at: string;
  last_used_at: string;
  name: string;
  profiles: string[];
  size: number;
  stateful: boolean;
}

/** A status as a member reports it, or one the API infers (a member that cannot be reached). */
export interface StatusJson {
  status: string;
  status_code: number;
}

/** The status of an instance whose member does not answer. */
export const UNREACHABLE_STATUS: StatusJson = { status: 'Error', status_code: INSTANCE_STATUS_CODES.Error };

export function instanceJson(
  record: InstanceRecord,
  expanded: { config: Record<string, string>; devices: Devices },
  status: StatusJson,
  location: string,
): InstanceJson {
  return {
    architecture: record.architecture,
    config: record.config,
    devices: record.devices,
    ephemeral: record.ephemeral,
    profiles: record.profiles,
    stateful: record.stateful,
    description: record.description,
    created_at: record.createdAt,
    expanded_config: expanded.config,
    expanded_devices: expanded.devices,
    name: record.name,
    status: status.status,
    status_code: status.status_code,
    last_used_at: record.lastUsedAt ?? NEVER,
    location,
    type: 'container',
    project: record.project,
  };
}

function networkJson(state: NetworkInterfaceState): NetworkJson {
  return {
    addresses: state.addresses.map((a) => ({ family: a.family, address: a.address, netmask: a.netmask, scope: a.scope })),
    counters: {
      bytes_received: state.counters.bytesReceived,
      bytes_sent: state.counters.bytesSent,
      packets_received: state.counters.packetsReceived,
      packets_sent: state.counters.packetsSent,
      errors_received: state.counters.errorsReceived,
      errors_sent: state.counters.errorsSent,
      packets_dropped_outbound: state.counters.packetsDroppedOutbound,
      packets_dropped_inbound: state.counters.packetsDroppedInbound,
    },
    hwaddr: state.hwaddr,
    host_name: state.hostName,
    mtu: state.mtu,
    state: state.state,
    type: state.type,
  };
}

export function stateJson(state: InstanceState): InstanceStateJson {
  return {
    status: state.status,
    status_code: state.statusCode,
    disk: {},
    memory: {
      usage: state.memory.usage,
      usage_peak: state.memory.usagePeak,
      swap_usage: state.memory.swapUsage,
      swap_usage_peak: state.memory.swapUsagePeak,
    },
    network: state.network ? Object.fromEntries(Object.entries(state.network).map(([name, nic]) => [name, networkJson(nic)])) : null,
    pid: state.pid,
    processes: state.processes,
    cpu: { usage: state.cpu.usageNs },
  };
}

/** The state of an instance whose member does not answer. */
export function unreachableStateJson(): InstanceStateJson {
  return {
    status: UNREACHABLE_STATUS.status,
    status_code: UNREACHABLE_STATUS.status_code,
    disk: {},
    memory: { usage: 0, usage_peak: 0, swap_usage: 0, swap_usage_peak: 0 },
    network: null,
    pid: 0,
    processes: 0,
    cpu: { usage: 0 },
  };
}

export function statusJson(status: InstanceStatus): StatusJson {
  return { status, status_code: INSTANCE_STATUS_CODES[status] };
}

export function snapshotJson(
  instance: InstanceRecord,
  snapshot: SnapshotRecord,
  expanded: { config: Record<string, string>; devices: Devices },
  size: number,
): SnapshotJson {
  return {
    architecture: instance.architecture,
    config: snapshot.config,
    created_at: snapshot.createdAt,
    description: snapshot.description,
    devices: snapshot.devices,
    ephemeral: instance.ephemeral,
    expanded_config: expanded.config,
    expanded_devices: expanded.devices,
    expires_at: snapshot.expiresAt ?? NEVER,
    last_used_at: NEVER,
    name: snapshot.name,
    profiles: instance.profiles,
    size,
    stateful: snapshot.stateful,
  };
}

/** The fields an instance's ETag covers (what a PUT can change), as LXD computes it. */
export function instanceEtagFields(json: InstanceJson): unknown[] {
  return [json.architecture, json.config, json.devices, json.ephemeral, json.profiles, json.description];
}
