/** @weft/common: runtime adapters shared by the services (no business logic). */
export * from './config.js';
export * from './logger.js';
export * from './ids.js';
export * from './fanout.js';
export * from './objectstore/index.js';
export * from './db/entities.js';
export * from './db/auth-entities.js';
export * from './db/usage.js';
export * from './db/orm.js';
export { migrationsFor, type MigrateResult } from './db/migrate.js';
