-- Sessions signed in before this moment are over (an affiliate suspension sets it for their logins).
ALTER TABLE "users" ADD COLUMN "sessionsRevokedAt" TIMESTAMPTZ(3);
