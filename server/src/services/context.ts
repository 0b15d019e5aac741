import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { ChangeFeed } from '../db/changes.ts';
import type { DialectName } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { Clock } from '../util.ts';

/** What every service needs; built once by the app factory. */
export interface ServiceContext {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Changes other processes on the same database make (db/changes.ts). */
  changes: ChangeFeed;
  config: Config;
  clock: Clock;
  /** The server's one logger (redacting); services log through a child with their scope. */
  log: Logger;
}
