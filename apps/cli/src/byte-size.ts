/** A byte count in IEC units the way LXD's units.GetByteSizeStringIEC writes it (`512B`, `1.50GiB`). */
export function byteSizeIec(bytes: number, precision: number): string {
  if (bytes < 1024) return `${bytes}B`;
  let value = bytes;
  for (const unit of ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']) {
    value /= 1024;
    if (value < 1024) return `${value.toFixed(precision)}${unit}`;
  }
  return `${value.toFixed(precision)}EB`;
}

/** A byte count in decimal units the way LXD's units.GetByteSizeString writes it (`999B`, `23.00MB`). */
export function byteSizeDecimal(bytes: number, precision: number): string {
  if (bytes < 1000) return `${bytes}B`;
  let value = bytes;
  for (const unit of ['kB', 'MB', 'GB', 'TB', 'PB', 'EB']) {
    value /= 1000;
    if (value < 1000) return `${value.toFixed(precision)}${unit}`;
  }
  return `${value.toFixed(precision)}EB`;
}
