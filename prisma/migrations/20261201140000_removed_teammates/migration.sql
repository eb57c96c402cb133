-- CreateTable
CREATE TABLE "RemovedTeammate" (
    "email" TEXT NOT NULL PRIMARY KEY,
    "removedBy" TEXT NOT NULL,
    "removedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
