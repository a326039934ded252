import { type DynamicModule, Module } from '@nestjs/common';
import { Databases } from './databases';

/** Makes the member's opened databases injectable everywhere. */
@Module({})
export class DatabasesModule {
  static register(databases: Databases): DynamicModule {
    return { module: DatabasesModule, global: true, providers: [{ provide: Databases, useValue: databases }], exports: [Databases] };
  }
}
