// Opens one of the server's SQLite databases in the data folder, refusing to start rather than
// start empty. Each database has a schema version (PRAGMA user_version) and, once made, a marker
// file beside it (`<name>.initialised`). With the marker present, a database that is missing,
// empty (0 bytes), truncated, corrupt, unversioned or of a newer schema is an error that names the
// file and what to do — never a silent fresh start in which every user loses their handle. Older
// schemas are brought up to date by the migrations given, each in its own transaction.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/** The data folder cannot be used as it is: the server does not start. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

export interface DatabaseSchema {
  /** Which database, for messages: e.g. "the accounts database". */
  readonly what: string;
  /** Tables a database of this schema has (checked after opening). */
  readonly tables: readonly string[];
  /**
   * migrations[n] takes the schema from version n to n + 1; the current version is their count.
   * migrations[0] makes the schema in an empty database (or adopts one made before versions).
   */
  readonly migrations: readonly ((db: Database.Database) => void)[];
}

export function markerPath(file: string): string {
  return `${file}.initialised`;
}

/** Opens `file` (or `:memory:`), checked and migrated to the schema's current version. */
export function openDatabase(file: string, schema: DatabaseSchema): Database.Database {
  const version = schema.migrations.length;
  if (file === ':memory:') {
    const db = new Database(file);
    migrate(db, schema, 0);
    return db;
  }
  const marked = fs.existsSync(markerPath(file));
  const size = fileSize(file);
  const restore = `Restore ${path.basename(file)} from a backup, or move the data folder ${path.dirname(file)} away to start afresh with no data.`;
  if (marked && size === null) throw new DataDirError(`${schema.what} ${file} is missing, but this data folder was initialised. ${restore}`);
  if (marked && size === 0) throw new DataDirError(`${schema.what} ${file} is empty (0 bytes), but this data folder was initialised. ${restore}`);

  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: marked });
  } catch (error) {
    throw new DataDirError(`${schema.what} ${file} cannot be opened (${describe(error)}). ${restore}`);
  }
  try {
    let found: number;
    try {
      db.pragma('journal_mode = WAL');
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(String(check).slice(0, 200));
      found = Number(db.pragma('user_version', { simple: true }));
    } catch (error) {
      throw new DataDirError(`${schema.what} ${file} is damaged (${describe(error)}). ${restore}`);
    }
    if (found > version) {
      throw new DataDirError(
        `${schema.what} ${file} has schema version ${found}, newer than this server's ${version}: run the newer server, or restore a backup made by this one.`,
      );
    }
    const hasTables = schema.tables.every((table) => tableExists(db, table));
    if (marked && (found === 0 || !hasTables)) {
      throw new DataDirError(`${schema.what} ${file} has lost its tables (schema version ${found}), but this data folder was initialised. ${restore}`);
    }
    if (found > 0 && !hasTables) throw new DataDirError(`${schema.what} ${file} says schema version ${found} but lacks its tables. ${restore}`);
    migrate(db, schema, found);
    db.pragma('synchronous = NORMAL');
    // The schema reaches the database file itself before the marker says it exists (in WAL mode
    // it could otherwise sit only in the -wal file, and a crash would leave a 0-byte database).
    db.pragma('wal_checkpoint(TRUNCATE)');
    if (!marked)
      fs.writeFileSync(markerPath(file), `${JSON.stringify({ database: path.basename(file), initialisedAt: new Date().toISOString() })}\n`, { mode: 0o600 });
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: Database.Database, schema: DatabaseSchema, from: number): void {
  for (let version = from; version < schema.migrations.length; version++) {
    db.transaction(() => {
      schema.migrations[version]?.(db);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

export function tableExists(db: Database.Database, table: string): boolean {
  return db.prepare<[string], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

function fileSize(file: string): number | null {
  try {
    return fs.statSync(file).size;
  } catch {
    return null;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
}
