/**
 * Errors of the Fan network library. Each carries a message that names the members and values
 * involved, so it can be shown to an operator as it is.
 */

/** The network configuration itself is invalid (names, MTU, unknown keys or values). */
export class FanConfigError extends Error {
  constructor(
    message: string,
    /** The configuration key at fault, e.g. "bridge.mtu" or "bridgeName". */
    readonly key?: string,
  ) {
    super(message);
    this.name = 'FanConfigError';
  }
}

export type FanMappingProblem =
  | 'invalid-underlay-prefix'
  | 'invalid-overlay-prefix'
  | 'not-a-network-address'
  | 'overlay-too-small'
  | 'reserved-overlay'
  | 'overlay-overlaps-underlay'
  | 'address-outside-underlay'
  | 'reserved-underlay-address'
  | 'duplicate-member'
  | 'duplicate-subnet'
  | 'unknown-member';

/**
 * An overlay/underlay combination or a member list cannot be mapped: wrong prefix lengths, an
 * overlay too small for the underlay's host bits, overlapping subnets, a member address outside
 * the underlay subnet, or two members that would get the same overlay subnet.
 */
export class FanMappingError extends Error {
  constructor(
    message: string,
    readonly problem: FanMappingProblem,
    /** The members involved, when the problem is about members. */
    readonly members: readonly string[] = [],
  ) {
    super(message);
    this.name = 'FanMappingError';
  }
}

/** Every address of a member's container range is in use. */
export class FanAddressExhaustedError extends Error {
  constructor(
    message: string,
    readonly subnet: string,
  ) {
    super(message);
    this.name = 'FanAddressExhaustedError';
  }
}

/**
 * The host holds something the network needs but does not own, e.g. a device with the bridge's
 * name that is not a bridge, or no interface carries the member's underlay address.
 */
export class FanHostStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FanHostStateError';
  }
}

/** A command (ip, bridge, sysctl, nft) failed or could not be started. */
export class FanCommandError extends Error {
  constructor(
    message: string,
    /** The command line, e.g. "ip -batch -". */
    readonly command: string,
    readonly exitCode: number,
    readonly stderr: string,
    /** For a batch: the input line that failed, when the tool reported it. */
    readonly failedLine?: string,
  ) {
    super(message);
    this.name = 'FanCommandError';
  }
}

/** After applying the changes, reading the state back still shows differences. */
export class FanVerificationError extends Error {
  constructor(
    message: string,
    /** Descriptions of the changes that would still be needed. */
    readonly remaining: readonly string[],
  ) {
    super(message);
    this.name = 'FanVerificationError';
  }
}
