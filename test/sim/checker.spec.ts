/**
 * The checker's leader-completeness rule: a new leader must hold every entry committed in an
 * earlier term, and may lack entries committed in a later term (an old term won late by delayed
 * votes cannot commit anything).
 */
import { type Entry, EntryType } from '../../libs/raft/src';
import { Checker } from './checker';
import { Violation } from './violation';

const entry = (index: number, term: number): Entry => ({ index, term, type: EntryType.Normal, data: new Uint8Array([index]) });

/** Entries 1..3 of term 2 applied by a node in term 2, then 4..5 of term 4 applied in term 4. */
function checkerWithHistory(): { checker: Checker; log: Entry[] } {
  const checker = new Checker();
  const log = [entry(1, 2), entry(2, 2), entry(3, 2), entry(4, 4), entry(5, 4)];
  log.forEach((e, i) => checker.onApply(1, e, i + 1, e.term));
  return { checker, log };
}

describe('Checker leader completeness', () => {
  it('refuses a leader of a later term that lacks committed entries', () => {
    const { checker, log } = checkerWithHistory();
    expect(() => checker.onLeader(2, 5, { base: { index: 0, term: 0 }, entries: log.slice(0, 4) })).toThrow(Violation);
  });

  it('accepts a leader of an older term that lacks only entries committed after its term', () => {
    const { checker, log } = checkerWithHistory();
    expect(() => checker.onLeader(3, 3, { base: { index: 0, term: 0 }, entries: log.slice(0, 3) })).not.toThrow();
  });

  it('still refuses a leader of an older term that lacks entries committed before its term', () => {
    const { checker, log } = checkerWithHistory();
    expect(() => checker.onLeader(3, 3, { base: { index: 0, term: 0 }, entries: log.slice(0, 2) })).toThrow(/entries up to 3 were committed before term 3/);
  });

  it('counts an entry as committed in the lowest term a node applied it in', () => {
    const { checker, log } = checkerWithHistory();
    checker.onApply(2, log[3], 4, 3); // a node in term 3 applied entry 4: it was committed by term 3
    expect(() => checker.onLeader(3, 4, { base: { index: 0, term: 0 }, entries: log.slice(0, 3) })).toThrow(Violation);
  });
});
