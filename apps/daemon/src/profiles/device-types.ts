/** Device types as LXD stores them (profiles_devices.type, instances_devices.type). */
const TYPES: readonly string[] = ['none', 'nic', 'disk', 'unix-char', 'unix-block', 'usb', 'gpu', 'infiniband', 'proxy', 'unix-hotplug', 'tpm', 'pci'];

export function deviceTypeCode(name: string): number | undefined {
  const i = TYPES.indexOf(name);
  return i < 0 ? undefined : i;
}

export function deviceTypeName(code: number): string {
  return TYPES[code] ?? 'none';
}
