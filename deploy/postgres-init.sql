-- Run once by the postgres image on an empty data volume (docker-entrypoint-initdb.d):
-- the shared casework database is POSTGRES_DB; Prefect keeps its own state apart.
CREATE DATABASE casework_prefect;
