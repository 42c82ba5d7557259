-- Sync speed: the JSON the server only stores and hands back is kept as `text` (PostgreSQL no
-- longer lexes it on the way in: the server wrote it itself), and a row's field state names
-- each writer (clock, user, change) once instead of once per column:
--   [[[hlc, user_id, change_id], ...], {"col": [writer index, value], ...}]
-- (was {"col": [hlc, value, user_id, change_id], ...}).

ALTER TABLE sync_rows ALTER COLUMN fields DROP DEFAULT;
ALTER TABLE sync_rows ALTER COLUMN fields TYPE TEXT USING fields::text;
UPDATE sync_rows r SET fields = x.state
FROM (
    SELECT s.tbl, s.pk,
           json_build_array(
               COALESCE(json_agg(json_build_array(e.value->0, e.value->2, e.value->3) ORDER BY e.n)
                            FILTER (WHERE e.key IS NOT NULL), '[]'::json),
               COALESCE(json_object_agg(e.key, json_build_array(e.n - 1, e.value->1) ORDER BY e.n)
                            FILTER (WHERE e.key IS NOT NULL), '{}'::json)
           )::text AS state
    FROM sync_rows s
    LEFT JOIN LATERAL json_each(s.fields::json) WITH ORDINALITY AS e(key, value, n) ON true
    GROUP BY s.tbl, s.pk
) x
WHERE x.tbl = r.tbl AND x.pk = r.pk;
ALTER TABLE sync_rows ALTER COLUMN fields SET DEFAULT '[[],{}]';

ALTER TABLE sync_log
    ALTER COLUMN fields TYPE TEXT USING fields::text,
    ALTER COLUMN base TYPE TEXT USING base::text,
    ALTER COLUMN quiet TYPE TEXT USING quiet::text,
    ALTER COLUMN conflict TYPE TEXT USING conflict::text;
