-- R · one marts schema per data domain (PostgreSQL dialect). Rendered once per domain with {{schema}} set to
-- `marts_<domain>`; re-applied whenever the rendering changes (a domain was added). Removing a domain never
-- drops its schema: the data stays until someone drops it on purpose.
--
-- transformer writes the marts, bi_reader only reads them, loader never sees them.

CREATE SCHEMA IF NOT EXISTS {{schema}};
REVOKE ALL ON SCHEMA {{schema}} FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA {{schema}} TO transformer;
GRANT USAGE ON SCHEMA {{schema}} TO bi_reader;

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {{schema}} TO transformer;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {{schema}} TO transformer;
GRANT SELECT ON ALL TABLES IN SCHEMA {{schema}} TO bi_reader;

ALTER DEFAULT PRIVILEGES FOR ROLE transformer IN SCHEMA {{schema}} GRANT SELECT ON TABLES TO bi_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA {{schema}} GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO transformer;
ALTER DEFAULT PRIVILEGES IN SCHEMA {{schema}} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO transformer;
ALTER DEFAULT PRIVILEGES IN SCHEMA {{schema}} GRANT SELECT ON TABLES TO bi_reader;
