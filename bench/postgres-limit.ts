import type { DbHandle } from "../db/client";

/**
 * What this machine's PostgreSQL commits per second: pgbench's simple-update shape (update one
 * account row, insert a history row) from 16 connections for `seconds` (5 by default), through the portal's driver.
 * Its tables are dropped afterwards.
 */
export async function simpleUpdateTps(database: DbHandle, seconds = 5): Promise<number> {
  await database.sql`create table bench_accounts (id int primary key, balance int not null)`;
  await database.sql`create table bench_history (id int, delta int, at timestamptz default now())`;
  await database.sql`insert into bench_accounts select g, 0 from generate_series(1, 100000) g`;
  const deadline = performance.now() + seconds * 1000;
  let transactions = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < deadline) {
        const id = 1 + Math.floor(Math.random() * 100_000);
        const delta = Math.floor(Math.random() * 1000) - 500;
        await database.sql.begin(async (tx) => {
          await tx`update bench_accounts set balance = balance + ${delta} where id = ${id}`;
          await tx`insert into bench_history (id, delta) values (${id}, ${delta})`;
        });
        transactions += 1;
      }
    }),
  );
  await database.sql`drop table bench_accounts, bench_history`;
  return transactions / seconds;
}
