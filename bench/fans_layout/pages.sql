PRAGMA page_size = 16384;
.read current.sql
