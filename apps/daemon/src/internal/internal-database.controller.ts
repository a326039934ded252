import { Controller, Get } from '@nestjs/common';
import type { DatabaseStatus } from '@app/db';
import { Databases } from '../database/databases';
import { SyncResponse, syncResponse } from '../envelope';

/** The replicated database as this member sees it: its Raft state, the leader, the members and their roles. */
@Controller('/internal/database')
export class InternalDatabaseController {
  constructor(private readonly databases: Databases) {}

  @Get()
  status(): SyncResponse<DatabaseStatus> {
    return syncResponse(this.databases.global.status());
  }
}
