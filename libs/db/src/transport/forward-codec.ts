/**
 * Converts forwarded database requests, results and errors between their domain form and the
 * protobuf wire form of cluster-wire.ts. Typed errors survive the trip: a NotLeaderError raised on
 * one member is a NotLeaderError on the member that forwarded the request.
 */
import { BinaryReader, BinaryWriter, type SqlValue } from '../codec/binary-codec';
import type { RawRows } from '../global/global-state-machine';
import type { SqlParam } from '../global/replicated-tx';
import {
  DbClosedError,
  DbRefusedError,
  DbTimeoutError,
  type MemberRef,
  NoQuorumError,
  NotLeaderError,
  TxFailedError,
} from '../replication/db-errors';
import type { ExecResult } from '../replication/leader-link';
import type { WireForwardError, WireForwardResponse, WireMember, WireRows } from './cluster-wire';

export function encodeValues(values: readonly SqlValue[]): Uint8Array {
  const w = new BinaryWriter();
  w.varint(values.length);
  values.forEach((v, i) => w.value(v, `value ${i + 1}`));
  return w.finish();
}

export function decodeValues(buf: Uint8Array | undefined): SqlValue[] {
  if (!buf || buf.length === 0) return [];
  const r = new BinaryReader(buf);
  const n = r.varint();
  const out: SqlValue[] = [];
  for (let i = 0; i < n; i++) out.push(r.value(`value ${i + 1}`));
  return out;
}

export function encodeRows(raw: RawRows): WireRows {
  const w = new BinaryWriter();
  w.varint(raw.rows.length);
  raw.rows.forEach((row, i) => {
    if (row.length !== raw.columns.length) throw new RangeError(`row ${i + 1} has ${row.length} cells for ${raw.columns.length} columns`);
    row.forEach((cell, j) => w.value(cell as SqlValue, `row ${i + 1} column ${raw.columns[j]}`));
  });
  return { columns: raw.columns, cells: w.finish() };
}

export function decodeRows(wire: WireRows | undefined): RawRows {
  const columns = wire?.columns ?? [];
  if (!wire?.cells || wire.cells.length === 0) return { columns, rows: [] };
  const r = new BinaryReader(wire.cells);
  const n = r.varint();
  const rows: unknown[][] = [];
  for (let i = 0; i < n; i++) {
    const row: unknown[] = [];
    for (let j = 0; j < columns.length; j++) row.push(r.value(`row ${i + 1}`));
    rows.push(row);
  }
  return { columns, rows };
}

export function encodeExecResult(id: number, r: ExecResult): WireForwardResponse {
  return {
    id,
    exec: {
      index: r.index,
      changes: r.changes,
      lastInsertRowid: encodeValues([r.lastInsertRowid]),
      statements: r.statements.map((s) =>
        s.columns ? { changes: s.changes, rows: encodeRows({ columns: s.columns, rows: s.rows ?? [] }) } : { changes: s.changes },
      ),
    },
  };
}

export function decodeExecResult(wire: NonNullable<WireForwardResponse['exec']>): ExecResult {
  const [rowid] = decodeValues(wire.lastInsertRowid);
  return {
    index: wire.index ?? 0,
    changes: wire.changes ?? 0,
    lastInsertRowid: typeof rowid === 'number' || typeof rowid === 'bigint' ? rowid : 0,
    statements: (wire.statements ?? []).map((s) => {
      if (!s.rows) return { changes: s.changes ?? 0 };
      const raw = decodeRows(s.rows);
      return { changes: s.changes ?? 0, columns: raw.columns, rows: raw.rows };
    }),
  };
}

export function encodeParams(params: readonly SqlParam[]): Uint8Array {
  return encodeValues(params);
}

const member = (m: MemberRef): WireMember => ({ id: m.id, address: m.address, name: m.name });
const ref = (m: WireMember | undefined): MemberRef | undefined => (m && m.id ? { id: m.id, address: m.address ?? '', name: m.name ?? '' } : undefined);

/** The wire form of an error thrown while serving a forwarded request. */
export function encodeError(err: unknown): WireForwardError {
  if (err instanceof NotLeaderError) return { code: err.code, message: err.message, ...(err.leader ? { leader: member(err.leader) } : {}) };
  if (err instanceof NoQuorumError) return { code: err.code, message: err.message, unreachable: err.unreachable.map(member), detail: err.detail };
  if (err instanceof DbTimeoutError) return { code: err.code, message: err.message, outcomeUnknown: err.outcomeUnknown };
  if (err instanceof TxFailedError) {
    return {
      code: err.code,
      message: err.failure.message,
      sqlCode: err.failure.code,
      statement: err.failure.statement ?? -1,
      index: err.index,
    };
  }
  if (err instanceof DbRefusedError || err instanceof DbClosedError) return { code: err.code, message: err.message };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** The typed error a wire error stands for; `from` names the member that answered. */
export function decodeError(e: WireForwardError, from: string): Error {
  switch (e.code) {
    case 'not-leader':
      return new NotLeaderError(ref(e.leader));
    case 'no-quorum':
      return new NoQuorumError((e.unreachable ?? []).map((m) => ref(m)!).filter(Boolean), e.detail || undefined);
    case 'timeout':
      return new DbTimeoutError(e.message, e.outcomeUnknown === true);
    case 'tx-failed':
      return new TxFailedError(
        { code: e.sqlCode ?? 'Error', message: e.message, ...(e.statement !== undefined && e.statement >= 0 ? { statement: e.statement } : {}) },
        e.index ?? 0,
      );
    case 'refused':
      return new DbRefusedError(e.message);
    case 'closed':
      return new DbClosedError(`${from}: ${e.message}`);
    default:
      return new Error(`${from}: ${e.message}`);
  }
}
