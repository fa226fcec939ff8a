-- V001 · group roles and the staging schema (Amazon Redshift dialect).
--
-- Same access model as the PostgreSQL rendering, in Redshift's own syntax:
--   * roles come from role-based access control (GRANT … TO ROLE);
--   * Redshift has neither DO blocks nor CREATE ROLE IF NOT EXISTS, so a small procedure creates a role only
--     when it is missing;
--   * scoped permissions (GRANT … FOR TABLES IN SCHEMA) cover current and future tables whoever creates them,
--     which is what ALTER DEFAULT PRIVILEGES does in PostgreSQL.
--
-- Idempotent: every statement can run again and leaves the catalog exactly as it was.

CREATE SCHEMA IF NOT EXISTS platform_meta;
REVOKE ALL ON SCHEMA platform_meta FROM PUBLIC;

CREATE OR REPLACE PROCEDURE platform_meta.ensure_role(wanted VARCHAR(128))
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM svv_roles WHERE role_name = wanted) THEN
    EXECUTE 'CREATE ROLE ' || quote_ident(wanted);
  END IF;
END;
$$ LANGUAGE plpgsql;

CALL platform_meta.ensure_role('loader');
CALL platform_meta.ensure_role('transformer');
CALL platform_meta.ensure_role('bi_reader');

-- Nobody creates objects outside the managed schemas.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

CREATE SCHEMA IF NOT EXISTS staging;
REVOKE ALL ON SCHEMA staging FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA staging TO ROLE loader;
GRANT USAGE ON SCHEMA staging TO ROLE transformer;

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE FOR TABLES IN SCHEMA staging TO ROLE loader;
GRANT SELECT FOR TABLES IN SCHEMA staging TO ROLE transformer;
