/** The part of `pg` the test harness uses (the package ships no types; @types/pg is not worth a dependency). */
declare module 'pg' {
  export class Client {
    constructor(config: { connectionString: string });
    connect(): Promise<void>;
    query(sql: string): Promise<{ rows: Array<Record<string, unknown>> }>;
    end(): Promise<void>;
  }
}
