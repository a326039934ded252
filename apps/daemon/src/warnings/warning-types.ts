/**
 * The kinds of warning this daemon raises and the states a warning is in, as LXD names them in
 * /1.0/warnings. The codes are what the global database's `warnings` table stores.
 */
export type WarningSeverity = 'low' | 'moderate' | 'high';

export interface WarningType {
  code: number;
  /** The name the API shows as `type`. */
  name: string;
  severity: WarningSeverity;
}

/** Raised by the member that sends heartbeats when one of them fails; resolved by a round that reaches everybody. */
export const OFFLINE_CLUSTER_MEMBER: WarningType = { code: 1, name: 'Offline cluster member', severity: 'low' };

export const WARNING_TYPES: readonly WarningType[] = [OFFLINE_CLUSTER_MEMBER];

export function warningType(code: number): WarningType | undefined {
  return WARNING_TYPES.find((t) => t.code === code);
}

export const WARNING_STATUS = { new: 1, acknowledged: 2, resolved: 3 } as const;
export type WarningStatusName = keyof typeof WARNING_STATUS;

export function warningStatusName(code: number): WarningStatusName | 'unknown' {
  const found = (Object.keys(WARNING_STATUS) as WarningStatusName[]).find((k) => WARNING_STATUS[k] === code);
  return found ?? 'unknown';
}
