/** What NIC addressing needs from the managed networks: the subnet a network gives this member. */

export interface MemberSubnet {
  /** The member's part of the network, e.g. `240.0.46.0/24`: NICs get addresses from it. */
  subnet: string;
  /** The bridge's address: the NICs' gateway. */
  gateway: string;
  /** Prefix length of the NICs' addresses (a Fan's is the overlay's, e.g. 8). */
  prefixLength: number;
  mtu?: number;
}

export abstract class NetworkSubnets {
  /** The subnet the network gives this member, or undefined when it gives none (no IPv4 addressing). */
  abstract forMember(project: string, network: string): Promise<MemberSubnet | undefined>;
}
