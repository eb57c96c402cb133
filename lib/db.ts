import "server-only";
import { AsyncLocalStorage } from "node:async_hooks";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "@prisma/client";
import { getEnv } from "@/lib/env";

// One Prisma client per process, opened on first use (never at import time:
// `next build` imports route modules).
//
// The SQLite adapter runs every query on one connection and locks only
// transactions against each other: a query of another request that arrives
// while an interactive transaction is open runs inside it, and is rolled back
// with it after its own request was answered. So an interactive transaction
// holds the connection alone: it waits for the queries running to finish,
// and queries issued meanwhile (outside it) wait until it ends.

/** Queries share the connection; a transaction takes it alone. */
export class ConnectionGate {
  private running = 0;
  private drained: (() => void) | undefined;
  private exclusive: Promise<void> | undefined;

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    this.running++;
    try {
      return await fn();
    } finally {
      if (--this.running === 0) this.drained?.();
    }
  }

  async alone<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive) await this.exclusive;
    let release!: () => void;
    this.exclusive = new Promise<void>((resolve) => (release = resolve));
    try {
      if (this.running > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = undefined;
      return await fn();
    } finally {
      this.exclusive = undefined;
      release();
    }
  }
}

const inTransaction = new AsyncLocalStorage<true>();

type InteractiveTransaction = (fn: (tx: unknown) => Promise<unknown>, options?: unknown) => Promise<unknown>;

function gatedClient(url: string): PrismaClient {
  const gate = new ConnectionGate();
  const base = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) });
  const extended = base.$extends({
    query: {
      // Queries inside a transaction are its own: they run at once.
      $allOperations: ({ args, query }) => (inTransaction.getStore() ? query(args) : gate.shared(() => query(args))),
    },
  }) as unknown as PrismaClient;
  const transaction = extended.$transaction.bind(extended) as unknown as InteractiveTransaction;
  return new Proxy(extended, {
    get(target, prop) {
      if (prop !== "$transaction") return Reflect.get(target, prop);
      return (arg: unknown, options?: unknown) => {
        // The batch form's queries would each wait at the gate it holds: nothing here uses it.
        if (typeof arg !== "function") throw new Error("Use the callback form of $transaction: the batch form cannot hold the connection alone.");
        if (inTransaction.getStore()) return transaction(arg as never, options);
        return gate.alone(() => transaction((tx) => inTransaction.run(true, () => (arg as (tx: unknown) => Promise<unknown>)(tx)), options));
      };
    },
  });
}

const globalForDb = globalThis as unknown as { enclaveDb?: PrismaClient };

export function databaseUrl(dataDir = getEnv().DATA_DIR): string {
  return `file:${path.join(dataDir, "app.db")}`;
}

export function getDb(): PrismaClient {
  globalForDb.enclaveDb ??= gatedClient(databaseUrl());
  return globalForDb.enclaveDb;
}

/** Closes the process's client (at shutdown); the next getDb() opens a new one. */
export async function closeDb(): Promise<void> {
  const db = globalForDb.enclaveDb;
  globalForDb.enclaveDb = undefined;
  await db?.$disconnect();
}
