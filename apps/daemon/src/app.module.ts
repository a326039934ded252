import { Module } from '@nestjs/common';
import { ApiController } from './api.controller';
import { InternalDatabaseController } from './internal/internal-database.controller';
import { InternalSqlController } from './internal/internal-sql.controller';

@Module({
  controllers: [ApiController, InternalSqlController, InternalDatabaseController],
})
export class AppModule {}
