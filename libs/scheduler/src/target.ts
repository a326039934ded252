import { InvalidTargetError } from './errors';
import { Target } from './types';

/** Parses a `--target` value: missing or empty is automatic placement, `@<group>` a cluster group, else a member. */
export function parseTarget(target: string | undefined): Target {
  if (target === undefined || target === '') return { kind: 'any' };
  if (target.startsWith('@')) {
    const name = target.slice(1);
    if (name === '') throw new InvalidTargetError(target);
    return { kind: 'group', name };
  }
  return { kind: 'member', name: target };
}
