-- CreateTable
CREATE TABLE "ImportChunk" (
    "fileHash" TEXT NOT NULL,
    "chunk" INTEGER NOT NULL,
    "specHash" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "rows" INTEGER NOT NULL DEFAULT 0,
    "accepted" INTEGER NOT NULL DEFAULT 0,
    "rejected" INTEGER NOT NULL DEFAULT 0,
    "rejections" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "doneAt" DATETIME,

    PRIMARY KEY ("fileHash", "chunk")
);
