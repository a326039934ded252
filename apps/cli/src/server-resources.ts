import { byteSizeIec } from './byte-size';
import { isObject } from './go-shapes';

/**
 * `lxc info --resources`: the text lxc prints for GET /1.0/resources (api.Resources): CPU sockets, memory, GPUs,
 * network cards and disks.
 */
export function resourcesText(resources: unknown): string {
  const r = obj(resources);
  const out: string[] = [];
  const print = (text: string) => out.push(text);

  const cpu = obj(r.cpu);
  const sockets = arr(cpu.sockets);
  if (sockets.length === 1) {
    print(`CPU (${s(cpu.architecture)}):\n`);
    renderCpu(print, obj(sockets[0]), '  ');
  } else if (sockets.length > 1) {
    print(`CPUs (${s(cpu.architecture)}):\n`);
    for (const socket of sockets) {
      print(`  Socket ${n(obj(socket).socket)}:\n`);
      renderCpu(print, obj(socket), '    ');
    }
  }

  const memory = obj(r.memory);
  print('\nMemory:\n');
  if (n(memory.hugepages_total) > 0) {
    print('  Hugepages:\n');
    memoryLines(print, '    ', n(memory.hugepages_total), n(memory.hugepages_used));
  }
  const nodes = arr(memory.nodes);
  if (nodes.length > 1) {
    print('  NUMA nodes:\n');
    for (const node of nodes.map(obj)) {
      print(`    Node ${n(node.numa_node)}:\n`);
      if (n(node.hugepages_total) > 0) {
        print('      Hugepages:\n');
        memoryLines(print, '        ', n(node.hugepages_total), n(node.hugepages_used));
      }
      memoryLines(print, '      ', n(node.total), n(node.used));
    }
  }
  memoryLines(print, '  ', n(memory.total), n(memory.used));

  section(print, arr(obj(r.gpu).cards), 'GPU', 'GPUs', 'Card', (card, prefix) => renderGpu(print, card, prefix, true));
  section(print, arr(obj(r.network).cards), 'NIC', 'NICs', 'Card', (card, prefix) =>
    renderNic(print, card, prefix, true),
  );
  section(print, arr(obj(r.storage).disks), 'Disk', 'Disks', 'Disk', (disk, prefix) => renderDisk(print, disk, prefix));
  return out.join('');
}

type Print = (text: string) => void;

function section(
  print: Print,
  items: unknown[],
  one: string,
  many: string,
  item: string,
  render: (value: Record<string, unknown>, prefix: string) => void,
): void {
  if (items.length === 1) {
    print(`\n${one}:\n`);
    render(obj(items[0]), '  ');
  } else if (items.length > 1) {
    print(`\n${many}:\n`);
    items.forEach((value, id) => {
      print(`  ${item} ${id}:\n`);
      render(obj(value), '    ');
    });
  }
}

function memoryLines(print: Print, prefix: string, total: number, used: number): void {
  print(`${prefix}Free: ${byteSizeIec(total - used, 2)}\n`);
  print(`${prefix}Used: ${byteSizeIec(used, 2)}\n`);
  print(`${prefix}Total: ${byteSizeIec(total, 2)}\n`);
}

function renderCpu(print: Print, cpu: Record<string, unknown>, prefix: string): void {
  if (s(cpu.vendor) !== '') print(`${prefix}Vendor: ${s(cpu.vendor)}\n`);
  if (s(cpu.name) !== '') print(`${prefix}Name: ${s(cpu.name)}\n`);
  if (Array.isArray(cpu.cache)) {
    print(`${prefix}Caches:\n`);
    for (const cache of cpu.cache.map(obj)) {
      print(`${prefix}  - Level ${n(cache.level)} (type: ${s(cache.type)}): ${byteSizeIec(n(cache.size), 0)}\n`);
    }
  }
  print(`${prefix}Cores:\n`);
  for (const core of arr(cpu.cores).map(obj)) {
    print(`${prefix}  - Core ${n(core.core)}\n`);
    print(`${prefix}    Frequency: ${n(core.frequency)}Mhz\n`);
    print(`${prefix}    Threads:\n`);
    for (const thread of arr(core.threads).map(obj)) {
      print(
        `${prefix}      - ${n(thread.thread)} (id: ${n(thread.id)}, online: ${b(thread.online)}, NUMA node: ${n(thread.numa_node)})\n`,
      );
    }
  }
  if (n(cpu.frequency) > 0) {
    if (n(cpu.frequency_turbo) > 0 && n(cpu.frequency_minimum) > 0) {
      print(
        `${prefix}Frequency: ${n(cpu.frequency)}Mhz (min: ${n(cpu.frequency_minimum)}Mhz, max: ${n(cpu.frequency_turbo)}Mhz)\n`,
      );
    } else {
      print(`${prefix}Frequency: ${n(cpu.frequency)}Mhz\n`);
    }
  }
}

function renderGpu(print: Print, gpu: Record<string, unknown>, prefix: string, initial: boolean): void {
  if (initial) print(prefix);
  print(`NUMA node: ${n(gpu.numa_node)}\n`);
  pciIdentity(print, gpu, prefix);
  if (isObject(gpu.drm)) {
    const drm = gpu.drm;
    print(`${prefix}DRM:\n`);
    print(`${prefix}  ID: ${n(drm.id)}\n`);
    if (s(drm.card_name) !== '') print(`${prefix}  Card: ${s(drm.card_name)} (${s(drm.card_device)})\n`);
    if (s(drm.control_name) !== '') print(`${prefix}  Control: ${s(drm.control_name)} (${s(drm.control_device)})\n`);
    if (s(drm.render_name) !== '') print(`${prefix}  Render: ${s(drm.render_name)} (${s(drm.render_device)})\n`);
  }
  if (isObject(gpu.nvidia)) {
    const nv = gpu.nvidia;
    print(`${prefix}NVIDIA information:\n`);
    print(`${prefix}  Architecture: ${s(nv.architecture)}\n`);
    print(`${prefix}  Brand: ${s(nv.brand)}\n`);
    print(`${prefix}  Model: ${s(nv.model)}\n`);
    print(`${prefix}  CUDA Version: ${s(nv.cuda_version)}\n`);
    print(`${prefix}  NVRM Version: ${s(nv.nvrm_version)}\n`);
    print(`${prefix}  UUID: ${s(nv.uuid)}\n`);
  }
  if (isObject(gpu.sriov)) sriov(print, gpu.sriov, prefix, (vf, p) => renderGpu(print, vf, p, false));
  if (isObject(gpu.mdev)) {
    print(`${prefix}Mdev profiles:\n`);
    for (const key of Object.keys(gpu.mdev).sort()) {
      const profile = obj(gpu.mdev[key]);
      print(`${prefix}  - ${key} (${n(profile.available)} available)\n`);
      if (s(profile.description) !== '')
        for (const line of s(profile.description).split('\n')) print(`${prefix}      ${line}\n`);
    }
  }
}

function renderNic(print: Print, nic: Record<string, unknown>, prefix: string, initial: boolean): void {
  if (initial) print(prefix);
  print(`NUMA node: ${n(nic.numa_node)}\n`);
  pciIdentity(print, nic, prefix);
  const ports = arr(nic.ports);
  if (ports.length > 0) {
    print(`${prefix}Ports:\n`);
    for (const port of ports.map(obj)) {
      print(`${prefix}  - Port ${n(port.port)} (${s(port.protocol)})\n`);
      print(`${prefix}    ID: ${s(port.id)}\n`);
      if (s(port.address) !== '') print(`${prefix}    Address: ${s(port.address)}\n`);
      if (Array.isArray(port.supported_modes))
        print(`${prefix}    Supported modes: ${port.supported_modes.map(s).join(', ')}\n`);
      if (Array.isArray(port.supported_ports))
        print(`${prefix}    Supported ports: ${port.supported_ports.map(s).join(', ')}\n`);
      if (s(port.port_type) !== '') print(`${prefix}    Port type: ${s(port.port_type)}\n`);
      if (s(port.transceiver_type) !== '') print(`${prefix}    Transceiver type: ${s(port.transceiver_type)}\n`);
      print(`${prefix}    Auto negotiation: ${b(port.auto_negotiation)}\n`);
      print(`${prefix}    Link detected: ${b(port.link_detected)}\n`);
      if (n(port.link_speed) > 0)
        print(`${prefix}    Link speed: ${n(port.link_speed)}Mbit/s (${s(port.link_duplex)} duplex)\n`);
      if (isObject(port.infiniband)) {
        const ib = port.infiniband;
        print(`${prefix}    Infiniband:\n`);
        if (s(ib.issm_name) !== '') print(`${prefix}      IsSM: ${s(ib.issm_name)} (${s(ib.issm_device)})\n`);
        if (s(ib.mad_name) !== '') print(`${prefix}      MAD: ${s(ib.mad_name)} (${s(ib.mad_device)})\n`);
        if (s(ib.verb_name) !== '') print(`${prefix}      Verb: ${s(ib.verb_name)} (${s(ib.verb_device)})\n`);
      }
    }
  }
  if (isObject(nic.sriov)) sriov(print, nic.sriov, prefix, (vf, p) => renderNic(print, vf, p, false));
}

function renderDisk(print: Print, disk: Record<string, unknown>, prefix: string): void {
  print(prefix);
  print(`NUMA node: ${n(disk.numa_node)}\n`);
  print(`${prefix}ID: ${s(disk.id)}\n`);
  print(`${prefix}Device: ${s(disk.device)}\n`);
  if (s(disk.model) !== '') print(`${prefix}Model: ${s(disk.model)}\n`);
  if (s(disk.type) !== '') print(`${prefix}Type: ${s(disk.type)}\n`);
  print(`${prefix}Size: ${byteSizeIec(n(disk.size), 2)}\n`);
  if (s(disk.wwn) !== '') print(`${prefix}WWN: ${s(disk.wwn)}\n`);
  print(`${prefix}Read-Only: ${b(disk.read_only)}\n`);
  print(`${prefix}Removable: ${b(disk.removable)}\n`);
  const partitions = arr(disk.partitions);
  if (partitions.length !== 0) {
    print(`${prefix}Partitions:\n`);
    for (const p of partitions.map(obj)) {
      print(`${prefix}  - Partition ${n(p.partition)}\n`);
      print(`${prefix}    ID: ${s(p.id)}\n`);
      print(`${prefix}    Device: ${s(p.device)}\n`);
      print(`${prefix}    Read-Only: ${b(p.read_only)}\n`);
      print(`${prefix}    Size: ${byteSizeIec(n(p.size), 2)}\n`);
    }
  }
}

function pciIdentity(print: Print, card: Record<string, unknown>, prefix: string): void {
  if (s(card.vendor) !== '') print(`${prefix}Vendor: ${s(card.vendor)} (${s(card.vendor_id)})\n`);
  if (s(card.product) !== '') print(`${prefix}Product: ${s(card.product)} (${s(card.product_id)})\n`);
  if (s(card.pci_address) !== '') print(`${prefix}PCI address: ${s(card.pci_address)}\n`);
  if (s(card.driver) !== '') print(`${prefix}Driver: ${s(card.driver)} (${s(card.driver_version)})\n`);
}

function sriov(
  print: Print,
  info: Record<string, unknown>,
  prefix: string,
  renderVf: (vf: Record<string, unknown>, prefix: string) => void,
): void {
  print(`${prefix}SR-IOV information:\n`);
  print(`${prefix}  Current number of VFs: ${n(info.current_vfs)}\n`);
  print(`${prefix}  Maximum number of VFs: ${n(info.maximum_vfs)}\n`);
  const vfs = arr(info.vfs);
  if (vfs.length > 0) {
    print(`${prefix}  VFs: ${n(info.maximum_vfs)}\n`);
    for (const vf of vfs) {
      print(`${prefix}  - `);
      renderVf(obj(vf), `${prefix}    `);
    }
  }
}

function obj(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {};
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function s(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function n(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function b(value: unknown): string {
  return value === true ? 'true' : 'false';
}
