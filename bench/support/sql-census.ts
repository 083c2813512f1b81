/**
 * Load-independent figures of one benchmark phase: SQL statements by kind (knex's `query` event:
 * each is one round trip to the database), waits for a pooled connection (tarn's acquire events),
 * and on PostgreSQL the rows the phase touched in the delivery and subscriber tables
 * (`pg_stat_user_tables`, read before and after). Unlike a rate, none of these depends on how
 * busy the machine is, except the group sizes of group commit (a busier database groups more).
 */
import type { Knex } from 'knex';

interface TableStats {
  relname: string;
  n_tup_ins: string;
  n_tup_upd: string;
  n_tup_hot_upd: string;
  seq_scan: string;
  idx_scan: string | null;
  idx_tup_fetch: string | null;
  seq_tup_read: string;
}

type Pool = { on(event: string, listener: (...args: unknown[]) => void): void; removeListener(event: string, listener: (...args: unknown[]) => void): void };

/** "update town_crier_deliveries": the verb and the first table named. */
export const statementKind = (sql: string) => {
  const verb = sql.trim().split(/\s/)[0].toLowerCase();
  const table = /(?:from|into|update)\s+[`"]?(\w+)/i.exec(sql)?.[1];
  return table ? `${verb} ${table}` : verb;
};

export async function startSqlCensus(knex: Knex, dialect: string, tables: string[]) {
  const statements = new Map<string, number>();
  // BENCH_EXPLAIN=1: one example of each statement shape (IN lists folded), explained at the end.
  const examples = new Map<string, { sql: string; bindings: unknown[] }>();
  const onQuery = ({ sql, bindings }: { sql: string; bindings?: unknown[] }) => {
    const kind = statementKind(sql);
    statements.set(kind, (statements.get(kind) ?? 0) + 1);
    const shape = sql.replace(/(\$\d+|\?)(\s*,\s*(\$\d+|\?))+/g, '…');
    if (process.env.BENCH_EXPLAIN === '1' && !examples.has(shape) && /^(select|update|delete|insert)/i.test(sql.trim())) examples.set(shape, { sql, bindings: bindings ?? [] });
  };
  knex.on('query', onQuery);

  const pool = (knex.client as { pool?: Pool }).pool;
  const asked = new Map<unknown, number>();
  let acquires = 0;
  let waited = 0;
  let waitMs = 0;
  const onRequest = (eventId: unknown) => asked.set(eventId, performance.now());
  const onSuccess = (eventId: unknown) => {
    const since = asked.get(eventId);
    asked.delete(eventId);
    if (since === undefined) return;
    acquires += 1;
    const ms = performance.now() - since;
    // Under a millisecond is a free connection handed over; more is a wait for one.
    if (ms >= 1) {
      waited += 1;
      waitMs += ms;
    }
  };
  pool?.on('acquireRequest', onRequest);
  pool?.on('acquireSuccess', onSuccess);

  const readTables = async () =>
    dialect === 'postgres'
      ? ((await knex.raw(
          `SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, seq_scan, idx_scan, idx_tup_fetch, seq_tup_read FROM pg_stat_user_tables WHERE relname = ANY(?)`,
          [tables]
        )) as { rows: TableStats[] }).rows
      : [];
  // PostgreSQL's backends report their counters when a transaction ends, at most once a second.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
  await settle();
  const before = await readTables();

  return {
    async stop(messages: number) {
      knex.off('query', onQuery);
      pool?.removeListener('acquireRequest', onRequest);
      pool?.removeListener('acquireSuccess', onSuccess);
      await settle();
      const after = await readTables();
      const total = [...statements.values()].reduce((sum, n) => sum + n, 0);
      const per = (n: number) => (n / messages).toFixed(3);
      const rows = after.map((row) => {
        const was = before.find((entry) => entry.relname === row.relname);
        const delta = (field: keyof TableStats) => Number(row[field] ?? 0) - Number(was?.[field] ?? 0);
        return `${row.relname}: ${per(delta('n_tup_upd'))} rows updated (${per(delta('n_tup_hot_upd'))} HOT), ${per(delta('n_tup_ins'))} inserted, ${per(delta('idx_tup_fetch'))} fetched by index, ${per(delta('seq_tup_read'))} read by ${delta('seq_scan')} sequential scans`;
      });
      const plans: string[] = [];
      if (dialect === 'postgres') {
        const connection = (await (knex.client as { acquireConnection(): Promise<unknown> }).acquireConnection()) as { query(text: string, values: unknown[]): Promise<{ rows: Array<Record<string, string>> }> };
        try {
          for (const [shape, { sql, bindings }] of examples) {
            const plan = await connection.query(`EXPLAIN ${sql}`, bindings).catch((error: Error) => ({ rows: [{ 'QUERY PLAN': `(${error.message})` }] }));
            plans.push(`${shape.slice(0, 240)}\n      ${plan.rows.map((row) => row['QUERY PLAN']).join('\n      ')}`);
          }
        } finally {
          (knex.client as { releaseConnection(connection: unknown): Promise<void> }).releaseConnection(connection);
        }
      }
      return {
        statementsPerMessage: total / messages,
        lines: [
          `${total.toLocaleString('en')} SQL statements (round trips) = ${per(total)} per message: ${[...statements.entries()]
            .sort((x, y) => y[1] - x[1])
            .slice(0, 10)
            .map(([kind, n]) => `${kind} ${per(n)}`)
            .join(', ')}`,
          `pool: ${acquires.toLocaleString('en')} connections acquired, ${waited.toLocaleString('en')} waited ≥ 1 ms (${waitMs.toFixed(0)} ms in all)`,
          ...rows.map((line) => `per message, ${line}`),
          ...plans,
        ],
      };
    },
  };
}
