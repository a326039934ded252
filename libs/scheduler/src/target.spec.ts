import { thrown } from '../test/thrown';
import { InvalidTargetError, PlacementError } from './errors';
import { parseTarget } from './target';

describe('parseTarget', () => {
  it('reads a missing or empty target as automatic placement', () => {
    expect(parseTarget(undefined)).toEqual({ kind: 'any' });
    expect(parseTarget('')).toEqual({ kind: 'any' });
  });

  it('reads a plain name as a member and @name as a cluster group', () => {
    expect(parseTarget('n2')).toEqual({ kind: 'member', name: 'n2' });
    expect(parseTarget('@gpu')).toEqual({ kind: 'group', name: 'gpu' });
  });

  it('rejects "@" without a group name', () => {
    const err = thrown(() => parseTarget('@'));
    expect(err).toBeInstanceOf(InvalidTargetError);
    expect(err).toBeInstanceOf(PlacementError);
    expect((err as PlacementError).status).toBe(400);
    expect((err as Error).message).toBe('Invalid target "@": a cluster group target needs a name after "@"');
  });
});
