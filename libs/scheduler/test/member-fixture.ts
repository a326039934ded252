import { MemberState } from '../src/types';

/** An online x86_64 member in the `default` group with no instances, with `overrides` applied. */
export function member(name: string, overrides: Partial<MemberState> = {}): MemberState {
  return { name, status: 'Online', architectures: ['x86_64'], groups: ['default'], instances: 0, ...overrides };
}
