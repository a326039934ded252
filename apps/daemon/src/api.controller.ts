import { Controller, Get } from '@nestjs/common';
import { SyncResponse, syncResponse } from './envelope';
import { ServerEnvironment, ServerInfo, serverEnvironment, serverInfo } from './server-info';

@Controller()
export class ApiController {
  // Host facts do not change while the daemon runs; gather them once.
  private readonly environment: ServerEnvironment = serverEnvironment();

  @Get('/')
  root(): SyncResponse<string[]> {
    return syncResponse(['/1.0']);
  }

  @Get('/1.0')
  server(): SyncResponse<ServerInfo> {
    return syncResponse(serverInfo(this.environment));
  }
}
