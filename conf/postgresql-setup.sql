-- postgresql-setup.sql - what a DBA runs once, as a superuser, in the
-- election's database before votesrv first connects:
--
--   createdb votesrv
--   psql -v ON_ERROR_STOP=1 -d votesrv -f conf/postgresql-setup.sql
--   psql -d votesrv -c "ALTER ROLE votesrv PASSWORD '...'"   (or a certificate)
--
-- Two schemas, each owned by a role that cannot log in and has no right on
-- the other one: "registry" (the electoral list, accounts, signature list,
-- audit log) and "box" (public credentials and encrypted ballots). The daemon
-- logs in as "votesrv", a member of both: a cast writes the signature and the
-- ballot in one transaction. votesrv creates and migrates the tables itself,
-- as the owner role of each schema. An auditor's login gets votesrv_box only.
-- The roles belong to the whole cluster; running this twice is harmless.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'votesrv_registry') THEN
        CREATE ROLE votesrv_registry NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'votesrv_box') THEN
        CREATE ROLE votesrv_box NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'votesrv') THEN
        CREATE ROLE votesrv LOGIN;
    END IF;
END
$$;

GRANT votesrv_registry, votesrv_box TO votesrv;
CREATE SCHEMA IF NOT EXISTS registry AUTHORIZATION votesrv_registry;
CREATE SCHEMA IF NOT EXISTS box AUTHORIZATION votesrv_box;
-- Nothing else in this database for anyone.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
