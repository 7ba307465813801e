"""The largest number a record can have: casework's tables number their rows with the SQL
INTEGER type, which PostgreSQL keeps in 32 bits (SQLite in 64). A case reference, an
escalation, a message or a token numbered beyond it cannot exist, and is answered as unknown
or refused as out of range — never passed to the database, which would fail on it."""

MAX_ROW_ID = 2**31 - 1
