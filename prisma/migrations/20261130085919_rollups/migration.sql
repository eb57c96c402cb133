-- CreateTable
CREATE TABLE "Rollup" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "definition" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'building',
    "watermark" TEXT NOT NULL DEFAULT '0',
    "partsDone" INTEGER NOT NULL DEFAULT 0,
    "partsTotal" INTEGER NOT NULL DEFAULT 0,
    "rowsRead" BIGINT NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readyAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_IdempotencyKey" (
    "apiKeyId" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "bodyHash" TEXT NOT NULL,
    "response" TEXT NOT NULL,
    "seq" BIGINT NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("apiKeyId", "key")
);
INSERT INTO "new_IdempotencyKey" ("apiKeyId", "bodyHash", "createdAt", "key", "response") SELECT "apiKeyId", "bodyHash", "createdAt", "key", "response" FROM "IdempotencyKey";
DROP TABLE "IdempotencyKey";
ALTER TABLE "new_IdempotencyKey" RENAME TO "IdempotencyKey";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
