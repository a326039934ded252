import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { tableChecksums } from '@app/db';
import { Databases } from '../database/databases';
import { SyncResponse, syncResponse } from '../envelope';
import { runGlobalSql, runLocalSql, SqlBatch, SqlBatchError } from './sql-batch';
import { isJsonObject } from '../http/json-object';

type DatabaseName = 'local' | 'global';

function databaseName(value: unknown): DatabaseName {
  if (value === 'local' || value === 'global') return value;
  throw new SqlBatchError(`Invalid database type "${String(value ?? '')}": expected "local" or "global"`);
}

/** LXD's /internal/sql: administrator SQL for `cubed sql`. Served on the trusted unix socket. */
@Controller('/internal/sql')
export class InternalSqlController {
  constructor(private readonly databases: Databases) {}

  /**
   * `.dump` (schema=0 or absent) or `.schema` (schema=1) of a database, as SQL text; with
   * checksums=1, the SHA-256 of every table's rows instead (`.checksums`: replicas that applied the
   * same entries have the same ones).
   */
  @Get()
  async dump(
    @Query('database') database: unknown,
    @Query('schema') schema: unknown,
    @Query('checksums') checksums: unknown,
  ): Promise<SyncResponse<{ text: string }>> {
    const name = databaseName(database);
    const schemaOnly = schema === '1' || schema === 'true';
    const sums = checksums === '1' || checksums === 'true';
    const asText = (c: Record<string, string>): string => Object.entries(c).map(([table, sum]) => `${table} ${sum}\n`).join('');
    if (name === 'local') {
      const local = this.databases.local;
      return syncResponse({ text: sums ? asText(tableChecksums(local.connection)) : schemaOnly ? local.schemaSql() : local.dumpSql() });
    }
    const global = this.databases.global;
    if (!global.holdsReplica()) {
      throw new SqlBatchError('This member holds no replica of the global database (it is a spare): run the dump on a database member');
    }
    await global.readBarrier(); // a dump as of now: every acknowledged write included
    const sm = global.stateMachine;
    return syncResponse({ text: sums ? asText(sm.tableChecksums()) : schemaOnly ? sm.schemaSql() : sm.dumpSql() });
  }

  @Post()
  @HttpCode(200)
  async query(@Body() body: unknown): Promise<SyncResponse<SqlBatch>> {
    if (!isJsonObject(body)) throw new SqlBatchError('The request body must be a JSON object with "database" and "query"');
    const { database, query } = body as { database?: unknown; query?: unknown };
    const name = databaseName(database);
    const batch = name === 'local' ? runLocalSql(this.databases.local, query) : await runGlobalSql(this.databases.global, query);
    return syncResponse(batch);
  }
}
