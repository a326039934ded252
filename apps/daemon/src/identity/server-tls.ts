import type { ClusterTls } from '@app/db';

/** The member's own certificate (server.crt), injectable. */
export class ServerTls {
  constructor(readonly tls: ClusterTls) {}
}
