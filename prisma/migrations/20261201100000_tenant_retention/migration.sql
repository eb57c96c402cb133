-- CreateTable
CREATE TABLE "TenantRetention" (
    "tenantId" TEXT NOT NULL PRIMARY KEY,
    "days" INTEGER NOT NULL,
    "updatedBy" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);
