-- PostgreSQL for the replicas of Trợ lý Giảm nghèo: a role and a database for the question log
-- and the feedback table. Run once as the postgres user:
--   sudo -u postgres psql -v password="'CHANGE-ME'" -f deploy/postgresql/setup.sql
-- The service creates its tables itself at its first write and brings them up to date after an
-- upgrade (retrieval/records/store.py: MIGRATIONS, one replica at a time under an advisory lock),
-- so the role owns its database. TRO_LY_DATABASE_URL=postgresql://tro_ly:CHANGE-ME@host:5432/tro_ly
CREATE ROLE tro_ly LOGIN PASSWORD :password;
CREATE DATABASE tro_ly OWNER tro_ly ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE tro_ly FROM PUBLIC;
