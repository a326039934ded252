import { type DynamicModule, Module } from '@nestjs/common';
import { DaemonControl } from './daemon-control';
import { Databases } from './database/databases';
import { ServerTls } from './identity/server-tls';
import { Endpoints } from './network/endpoints.provider';
import { StateDir } from './identity/state-dir';

/** What the daemon opens before the application starts, injectable everywhere. */
export interface CoreValues {
  databases: Databases;
  stateDir: StateDir;
  serverTls: ServerTls;
  endpoints: Endpoints;
  control: DaemonControl;
}

@Module({})
export class CoreModule {
  static register(values: CoreValues): DynamicModule {
    const providers = [
      { provide: Databases, useValue: values.databases },
      { provide: StateDir, useValue: values.stateDir },
      { provide: ServerTls, useValue: values.serverTls },
      { provide: Endpoints, useValue: values.endpoints },
      { provide: DaemonControl, useValue: values.control },
    ];
    return { module: CoreModule, global: true, providers, exports: providers.map((p) => p.provide) };
  }
}
