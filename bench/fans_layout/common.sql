PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-131072;
CREATE TEMP TABLE s (n INTEGER, cid TEXT, ws TEXT, name TEXT, city TEXT, country TEXT, ts TEXT, hlc TEXT, email TEXT, tags TEXT);
.mode csv
.import stage.csv s
.timer on
