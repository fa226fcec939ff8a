-- V001 · group roles and the staging schema (PostgreSQL dialect).
--
-- Three NOLOGIN group roles carry every privilege; people and services log in as their own user and are
-- granted one group. Writers act as their group (`SET ROLE loader`, or `ALTER ROLE svc SET role = 'loader'`)
-- so the tables they create are owned by the group and the default privileges below apply to them.
--
-- Idempotent: every statement can run again and leaves the catalog exactly as it was.

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'loader') THEN
    CREATE ROLE loader NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'transformer') THEN
    CREATE ROLE transformer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'bi_reader') THEN
    CREATE ROLE bi_reader NOLOGIN;
  END IF;
END
$$;

-- The admin (not a superuser on managed PostgreSQL) may set default privileges FOR a role only when it holds
-- that role's privileges, so it is made a member of the two writer groups (never of bi_reader: it needs nothing).
GRANT loader, transformer TO CURRENT_USER;

-- Nobody creates objects outside the managed schemas.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA IF NOT EXISTS staging;
REVOKE ALL ON SCHEMA staging FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA staging TO loader;
GRANT USAGE ON SCHEMA staging TO transformer;

-- Tables that exist now…
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA staging TO loader;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA staging TO loader;
GRANT SELECT ON ALL TABLES IN SCHEMA staging TO transformer;

-- …and tables created later, by the loader group or by the admin running migrations.
ALTER DEFAULT PRIVILEGES FOR ROLE loader IN SCHEMA staging GRANT SELECT ON TABLES TO transformer;
ALTER DEFAULT PRIVILEGES IN SCHEMA staging GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA staging GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA staging GRANT SELECT ON TABLES TO transformer;
