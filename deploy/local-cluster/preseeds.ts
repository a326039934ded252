/**
 * The three init preseeds of a local cluster, in the format `cubed init --preseed` and
 * `lxd init --preseed` read: bootstrap, join with a token, join with the trust password and the
 * cluster certificate (deploy/preseed-*.yaml are the commented examples of the same documents).
 */
import YAML from 'yaml';

export interface BootstrapPreseed {
  serverName: string;
  address: string;
  trustPassword: string;
}

export interface TokenJoinPreseed {
  serverName: string;
  address: string;
  token: string;
}

export interface PasswordJoinPreseed {
  serverName: string;
  address: string;
  clusterAddress: string;
  clusterCertificate: string;
  trustPassword: string;
}

export function bootstrapPreseed(p: BootstrapPreseed): string {
  return YAML.stringify({
    config: { 'core.https_address': p.address, 'core.trust_password': p.trustPassword },
    // The pool every member gets (each at its own default source) and the default profile's root disk.
    storage_pools: [{ name: 'default', driver: 'dir' }],
    profiles: [{ name: 'default', devices: { root: { path: '/', pool: 'default', type: 'disk' } } }],
    cluster: { server_name: p.serverName, enabled: true },
  });
}

export function tokenJoinPreseed(p: TokenJoinPreseed): string {
  return YAML.stringify({
    config: { 'core.https_address': p.address },
    cluster: { server_name: p.serverName, enabled: true, server_address: p.address, cluster_token: p.token },
  });
}

export function passwordJoinPreseed(p: PasswordJoinPreseed): string {
  return YAML.stringify({
    config: { 'core.https_address': p.address },
    cluster: {
      server_name: p.serverName,
      enabled: true,
      server_address: p.address,
      cluster_address: p.clusterAddress,
      cluster_certificate: p.clusterCertificate,
      cluster_password: p.trustPassword,
    },
  });
}
