-- AlterTable
ALTER TABLE "EmbedSession" ADD COLUMN "locale" TEXT NOT NULL DEFAULT 'en';
