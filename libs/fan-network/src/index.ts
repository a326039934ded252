/**
 * @app/fan-network — the Fan overlay network: maps each member's underlay address to a container
 * subnet so that containers on different members can reach each other without a central router,
 * and reconciles a member's host (bridge, VXLAN device, per-peer forwarding entries, NAT) to that
 * mapping.
 */
export {
  DEFAULT_FAN_OVERLAY_SUBNET,
  VXLAN_OVERHEAD_BYTES,
  MIN_FAN_MTU,
  resolveUnderlaySubnet,
  fanLayout,
  fanVni,
  fanMtu,
  fanVtepMac,
  fanBridgeMac,
  canonicalUnderlayAddress,
  mapFanMember,
  mapFanMembers,
  formatFanOverlay,
} from './fan-mapping';
export type { FanMember, FanLayout, FanMemberMapping } from './fan-mapping';
export {
  DEFAULT_FAN_ROUTE_PROTOCOL,
  FAN_VXLAN_PORT,
  MAX_INTERFACE_NAME_LENGTH,
  fanNetworkConfig,
  fanNetworkConfigFromLxd,
} from './fan-network-config';
export type { FanNetworkConfig, FanNetworkSettings } from './fan-network-config';
export { FAN_VXLAN_TTL, fanOwnership, fanSysctls, findSelfMember, planFan } from './fan-plan';
export type { FanPlanInput } from './fan-plan';
export type * from './fan-state';
export { describeFanChange } from './fan-change';
export type { FanChange, FanChangeKind } from './fan-change';
export { diffFanState, diffFanTeardown } from './fan-diff';
export { renderBatchLine } from './ip-batch';
export type { BatchChange, BatchLine, BatchTool } from './ip-batch';
export { renderCommandSteps, invocationOf } from './fan-command-steps';
export type { CommandStep, CommandInvocation } from './fan-command-steps';
export {
  NAT_CHAIN,
  renderNatApplyScript,
  renderNatDeleteScript,
  parseNatTable,
  parseNftTableNames,
  parseMasqueradeRule,
  natTableMatches,
} from './nft-masquerade';
export { parseIpAddrShow, parseIpRoutes, parseIpNeighbours, parseBridgeFdb, parseSysctlOutput } from './iproute-json';
export type { ParsedInterface, ParsedNeighbour, ParsedFdbEntry } from './iproute-json';
export {
  COMMAND_NOT_FOUND,
  ExecCommandRunner,
  NetnsCommandRunner,
  commandRunnerFor,
  commandLine,
  outputOf,
  runChecked,
} from './command-runner';
export type { CommandResult, CommandRunner, ExecCommandRunnerOptions } from './command-runner';
export { FanStateReader, findUnderlayInterface } from './fan-state-reader';
export type { FanObservation } from './fan-state-reader';
export { FanApplier } from './fan-applier';
export { FanReconciler } from './fan-reconciler';
export type { FanReconcileRequest, FanPlanReport, FanApplyReport } from './fan-reconciler';
export { allocateFanAddress, containerAddressRange } from './address-allocator';
export {
  FanConfigError,
  FanMappingError,
  FanAddressExhaustedError,
  FanHostStateError,
  FanCommandError,
  FanVerificationError,
} from './fan-errors';
export type { FanMappingProblem } from './fan-errors';
export {
  Ipv4FormatError,
  parseIpv4,
  formatIpv4,
  parseIpv4Cidr,
  formatIpv4Cidr,
  cidrContains,
  cidrsOverlap,
  networkOf,
  broadcastOf,
} from './ipv4';
export type { Ipv4Cidr } from './ipv4';
