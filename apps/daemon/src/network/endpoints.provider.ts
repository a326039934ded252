import type { NetworkEndpoints } from './network-endpoints';

/** The member's HTTPS ports, injectable (created before the application, with the HTTP server). */
export class Endpoints {
  constructor(readonly endpoints: NetworkEndpoints) {}

  reconfigure(): Promise<void> {
    return this.endpoints.reconfigure();
  }

  addresses(): string[] {
    return this.endpoints.addresses();
  }
}
