-- CreateTable
CREATE TABLE "AiLog" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "tenantId" TEXT NOT NULL,
    "dashboardId" TEXT,
    "sessionId" TEXT,
    "userId" TEXT,
    "actor" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "mode" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "spec" TEXT,
    "sql" TEXT,
    "provider" TEXT NOT NULL,
    "latencyMs" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "AiReviewItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "source" TEXT NOT NULL,
    "tenantId" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "aiLogId" TEXT,
    "widget" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedBy" TEXT NOT NULL,
    "reviewedBy" TEXT,
    "reviewedAt" DATETIME,
    "note" TEXT NOT NULL DEFAULT '',
    "addedTo" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "AiLog_tenantId_createdAt_idx" ON "AiLog"("tenantId", "createdAt");

-- CreateIndex
CREATE INDEX "AiLog_createdAt_idx" ON "AiLog"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AiReviewItem_aiLogId_key" ON "AiReviewItem"("aiLogId");

-- CreateIndex
CREATE INDEX "AiReviewItem_status_createdAt_idx" ON "AiReviewItem"("status", "createdAt");

-- CreateIndex
CREATE INDEX "AiReviewItem_tenantId_idx" ON "AiReviewItem"("tenantId");
