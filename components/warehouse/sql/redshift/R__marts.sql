-- R · one marts schema per data domain (Amazon Redshift dialect). Rendered once per domain with {{schema}}
-- set to `marts_<domain>`; re-applied whenever the rendering changes. Removing a domain never drops its schema.
--
-- transformer writes the marts, bi_reader only reads them, loader never sees them.

CREATE SCHEMA IF NOT EXISTS {{schema}};
REVOKE ALL ON SCHEMA {{schema}} FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA {{schema}} TO ROLE transformer;
GRANT USAGE ON SCHEMA {{schema}} TO ROLE bi_reader;

GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE FOR TABLES IN SCHEMA {{schema}} TO ROLE transformer;
GRANT SELECT FOR TABLES IN SCHEMA {{schema}} TO ROLE bi_reader;
