/**
 * The entries of a config map that are stored. As in LXD, a key set to "" is not stored: that is
 * how clients unset a key (`lxc profile unset` sends the key with an empty value), so a read
 * never shows `key: ""`.
 */
export function storedEntries(config: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(config).filter(([, value]) => value !== '');
}
