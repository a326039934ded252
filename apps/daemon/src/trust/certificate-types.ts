/** Certificate types as LXD stores them (certificates.type) and names them in the API. */
export const CERT_TYPE_CLIENT = 1;
export const CERT_TYPE_SERVER = 2;
export const CERT_TYPE_METRICS = 3;

export function certificateTypeName(code: number): 'client' | 'server' | 'metrics' | 'unknown' {
  return code === CERT_TYPE_CLIENT ? 'client' : code === CERT_TYPE_SERVER ? 'server' : code === CERT_TYPE_METRICS ? 'metrics' : 'unknown';
}

export function certificateTypeCode(name: string): number | undefined {
  return name === 'client' ? CERT_TYPE_CLIENT : name === 'server' ? CERT_TYPE_SERVER : name === 'metrics' ? CERT_TYPE_METRICS : undefined;
}
