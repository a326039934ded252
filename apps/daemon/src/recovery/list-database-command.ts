/**
 * `cubed cluster list-database`: the Raft members this member's local database knows, like
 * `lxd cluster list-database` (which prints the voters' addresses): here every member with its
 * id, name, address and role, in lxc's table style or another `--format`.
 */
import { renderTable } from '../../../cli/src/render';
import { stateDir } from '../config';
import { raftRoleName } from './raft-role-names';
import type { RecoveryIo } from './recovery-io';
import { openRecoveryTarget } from './recovery-target';

export const LIST_DATABASE_COLUMNS = ['ID', 'NAME', 'ADDRESS', 'ROLE'];

export async function runListDatabase(io: RecoveryIo, format: string): Promise<void> {
  renderTable(format, [], [], null); // an unknown format is refused before anything is opened
  const target = await openRecoveryTarget(stateDir(io.env));
  try {
    const members = [...target.nodes]
      .sort((a, b) => a.id - b.id)
      .map((n) => ({ id: n.id, name: n.name, address: n.address, role: raftRoleName(n.role) }));
    const rows = members.map((m) => [String(m.id), m.name, m.address, m.role]);
    io.stdout(renderTable(format, LIST_DATABASE_COLUMNS, rows, members));
  } finally {
    target.close();
  }
}
