#!/bin/sh
# Roles for docker-compose (run once by the postgres image on a new volume).
# steward_owner owns the database and its tables and runs migrations;
# steward_app, the role web/worker/beat connect as, owns nothing: it gets row
# privileges only (SELECT/INSERT/UPDATE/DELETE, INSERT+SELECT on the audit
# table, no TRUNCATE, no DDL), granted by the owner's `migrate`
# (tenancy/rls.py) and, for tables made later, by default privileges.
# Neither is superuser or BYPASSRLS: row-level security binds both.
set -e
psql -v ON_ERROR_STOP=1 --username postgres --dbname steward <<SQL
CREATE ROLE steward_owner LOGIN PASSWORD '${OWNER_DB_PASSWORD}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE ROLE steward_app LOGIN PASSWORD '${APP_DB_PASSWORD}' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
ALTER DATABASE steward OWNER TO steward_owner;
ALTER SCHEMA public OWNER TO steward_owner;
REVOKE ALL ON DATABASE steward FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE steward TO steward_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO steward_app;
ALTER DEFAULT PRIVILEGES FOR ROLE steward_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO steward_app;
ALTER DEFAULT PRIVILEGES FOR ROLE steward_owner IN SCHEMA public
  GRANT USAGE, SELECT ON SEQUENCES TO steward_app;
SQL
