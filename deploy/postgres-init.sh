#!/bin/sh
# Roles for docker-compose: the owner runs migrations; the app role only reads
# and writes rows (no superuser, no BYPASSRLS: row-level security binds it).
set -e
psql -v ON_ERROR_STOP=1 --username postgres --dbname steward <<SQL
CREATE ROLE steward_owner LOGIN PASSWORD '${OWNER_DB_PASSWORD}' NOSUPERUSER NOBYPASSRLS;
CREATE ROLE steward_app LOGIN PASSWORD '${APP_DB_PASSWORD}' NOSUPERUSER NOBYPASSRLS;
ALTER DATABASE steward OWNER TO steward_owner;
ALTER SCHEMA public OWNER TO steward_owner;
GRANT USAGE ON SCHEMA public TO steward_app;
ALTER DEFAULT PRIVILEGES FOR ROLE steward_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO steward_app;
ALTER DEFAULT PRIVILEGES FOR ROLE steward_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO steward_app;
SQL
