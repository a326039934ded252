import { byteSizeDecimal, byteSizeIec } from './byte-size';
import { parseRfc3339 } from './go-time';
import { formatLocalShortDate } from './local-time';
import type { InstanceFullInfo } from './lxd-types';
import { renderTable } from './render';

/**
 * `lxc info <instance>`: the text lxc prints for GET /1.0/instances/<name>?recursion=1 (api.InstanceFull): name,
 * status, type, architecture, location (in a cluster), PID, creation and last use (in the user's time zone), the
 * resources of a running instance (processes, disk, CPU, memory, network interfaces with their counters and
 * addresses), then tables of snapshots and backups. Disks and interfaces are in name order.
 */
export function instanceInfoText(instance: InstanceFullInfo, clustered: boolean, env: NodeJS.ProcessEnv): string {
  const out: string[] = [];
  const print = (text: string) => out.push(text);
  const state = instance.state ?? {};
  const date = (text: string | undefined) => {
    const t = parseRfc3339(text ?? '');
    return t && t.epochMs >= 1000 ? formatLocalShortDate(t, env) : undefined;
  };

  print(`Name: ${instance.name ?? ''}\n`);
  print(`Status: ${(instance.status ?? '').toUpperCase()}\n`);
  const type = instance.type || 'container';
  print(instance.ephemeral ? `Type: ${type} (ephemeral)\n` : `Type: ${type}\n`);
  print(`Architecture: ${instance.architecture ?? ''}\n`);
  if (instance.location && clustered) print(`Location: ${instance.location}\n`);
  const pid = state.pid ?? 0;
  if (pid !== 0) print(`PID: ${pid}\n`);
  const created = date(instance.created_at);
  if (created) print(`Created: ${created}\n`);
  const lastUsed = date(instance.last_used_at);
  if (lastUsed) print(`Last Used: ${lastUsed}\n`);

  if (pid !== 0) {
    print('\nResources:\n');
    print(`  Processes: ${state.processes ?? 0}\n`);
    const disks = sortedEntries(state.disk ?? {}).filter(([, disk]) => (disk.usage ?? 0) !== 0);
    if (disks.length > 0) {
      print('  Disk usage:\n');
      for (const [name, disk] of disks) print(`    ${name}: ${byteSizeIec(disk.usage ?? 0, 2)}\n`);
    }
    const cpu = state.cpu?.usage ?? 0;
    if (cpu !== 0) {
      print('  CPU usage:\n');
      print(`    CPU usage (in seconds): ${Math.trunc(cpu / 1_000_000_000)}\n`);
    }
    const memory = state.memory ?? {};
    const memoryLines = [
      ['Memory (current)', memory.usage ?? 0],
      ['Memory (peak)', memory.usage_peak ?? 0],
      ['Swap (current)', memory.swap_usage ?? 0],
      ['Swap (peak)', memory.swap_usage_peak ?? 0],
    ].filter(([, value]) => value !== 0) as [string, number][];
    if (memoryLines.length > 0) {
      print('  Memory usage:\n');
      for (const [label, value] of memoryLines) print(`    ${label}: ${byteSizeIec(value, 2)}\n`);
    }
    const networks = sortedEntries(state.network ?? {});
    if (networks.length > 0) {
      print('  Network usage:\n');
      for (const [name, network] of networks) {
        const counters = network.counters ?? {};
        print(`    ${name}:\n`);
        print(`      Type: ${network.type ?? ''}\n`);
        print(`      State: ${(network.state ?? '').toUpperCase()}\n`);
        if (network.host_name) print(`      Host interface: ${network.host_name}\n`);
        if (network.hwaddr) print(`      MAC address: ${network.hwaddr}\n`);
        if (network.mtu) print(`      MTU: ${network.mtu}\n`);
        print(`      Bytes received: ${byteSizeDecimal(counters.bytes_received ?? 0, 2)}\n`);
        print(`      Bytes sent: ${byteSizeDecimal(counters.bytes_sent ?? 0, 2)}\n`);
        print(`      Packets received: ${counters.packets_received ?? 0}\n`);
        print(`      Packets sent: ${counters.packets_sent ?? 0}\n`);
        print('      IP addresses:\n');
        for (const address of network.addresses ?? []) {
          const gap = address.family === 'inet' ? '  ' : ' ';
          const where = `${address.address ?? ''}/${address.netmask ?? ''} (${address.scope ?? ''})`;
          print(`        ${address.family ?? ''}:${gap}${where}\n`);
        }
      }
    }
  }

  const snapshots = instance.snapshots ?? [];
  if (snapshots.length > 0) {
    print('\nSnapshots:\n');
    const rows = snapshots.map((snapshot) => [
      (snapshot.name ?? '').split('/').pop() ?? '',
      date(snapshot.created_at) ?? ' ',
      date(snapshot.expires_at) ?? ' ',
      snapshot.stateful ? 'YES' : 'NO',
    ]);
    print(renderTable('table', ['Name', 'Taken at', 'Expires at', 'Stateful'], rows, snapshots));
  }

  const backups = (instance.backups ?? []) as Record<string, unknown>[];
  if (backups.length > 0) {
    print('\nBackups:\n');
    const rows = backups.map((backup) => [
      String(backup.name ?? ''),
      date(backup.created_at as string | undefined) ?? ' ',
      date(backup.expires_at as string | undefined) ?? ' ',
      backup.instance_only ? 'YES' : 'NO',
      backup.optimized_storage ? 'YES' : 'NO',
    ]);
    print(
      renderTable('table', ['Name', 'Taken at', 'Expires at', 'Instance Only', 'Optimized Storage'], rows, backups),
    );
  }
  return out.join('');
}

function sortedEntries<T>(record: Record<string, T>): [string, T][] {
  return Object.keys(record)
    .sort()
    .map((key) => [key, record[key]]);
}
