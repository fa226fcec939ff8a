-- V002 · service logins (Amazon Redshift dialect).
--
-- Redshift has no CREATE USER IF NOT EXISTS, so the bootstrap calls this procedure to create a login only when
-- it is missing; the password (always a hash, never plain text) and the role membership are then set by
-- ALTER USER and GRANT ROLE on every run (components/warehouse/logins.ts).

CREATE OR REPLACE PROCEDURE platform_meta.ensure_user(wanted VARCHAR(128), hash VARCHAR(256))
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_user WHERE usename = wanted) THEN
    EXECUTE 'CREATE USER ' || quote_ident(wanted) || ' PASSWORD ' || quote_literal(hash);
  END IF;
END;
$$ LANGUAGE plpgsql;
