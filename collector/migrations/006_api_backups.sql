-- The collector's HTTP API (issue 6) and backup runs (issue 7).
--
-- Backup runs reported by backup software over the API
-- (POST /api/v1/backups/runs with a token): one row per run, as sent;
-- source is the API token's name, never the token.
CREATE TABLE pantau.backup_runs (
    id bigserial PRIMARY KEY,
    job text NOT NULL,
    source text,
    started_at timestamptz,
    finished_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('ok', 'failed')),
    size_bytes bigint CHECK (size_bytes >= 0),
    message text,
    restore_test boolean NOT NULL DEFAULT false,
    received_at timestamptz NOT NULL DEFAULT now(),
    CHECK (started_at IS NULL OR started_at <= finished_at)
);
CREATE INDEX backup_runs_job_finished ON pantau.backup_runs (job, finished_at);

CREATE VIEW report.backup_runs AS
SELECT id, job, source, started_at, finished_at, finished_at - started_at AS duration,
       status, size_bytes, message, restore_test, received_at
  FROM pantau.backup_runs;
COMMENT ON VIEW report.backup_runs IS 'Backup runs reported by backup software through the collector API (POST /api/v1/backups/runs); source is the API token''s name.';
COMMENT ON COLUMN report.backup_runs.restore_test IS 'The run included a test restore.';
COMMENT ON COLUMN report.backup_runs.received_at IS 'When the collector stored the report.';

-- Monthly maintenance windows: the same day of the month (the last day in
-- shorter months: PostgreSQL's month arithmetic, counted from starts_at in
-- the session's time zone), each occurrence shorter than 28 days.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
              WHERE conrelid = 'pantau.maintenance'::regclass AND contype = 'c'
                AND pg_get_constraintdef(oid) LIKE '%recurrence%'
    LOOP
        EXECUTE format('ALTER TABLE pantau.maintenance DROP CONSTRAINT %I', c.conname);
    END LOOP;
END
$$;
ALTER TABLE pantau.maintenance
    ADD CONSTRAINT maintenance_recurrence_kind
        CHECK (recurrence IN ('once', 'daily', 'weekly', 'monthly')),
    ADD CONSTRAINT maintenance_recurrence_length
        CHECK (recurrence = 'once' OR ends_at - starts_at <
               CASE recurrence WHEN 'daily' THEN interval '1 day'
                               WHEN 'weekly' THEN interval '7 days'
                               ELSE interval '28 days' END);

-- Is window m open at ts? (004's function, with monthly windows.)
CREATE OR REPLACE FUNCTION pantau.maintenance_active(m pantau.maintenance, ts timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT ts >= m.starts_at AND (m.ended_at IS NULL OR ts < m.ended_at) AND
           CASE m.recurrence
           WHEN 'once' THEN ts < m.ends_at
           WHEN 'monthly' THEN EXISTS (
               SELECT 1
                 FROM (SELECT (extract(year FROM age(ts, m.starts_at)) * 12 +
                               extract(month FROM age(ts, m.starts_at)))::int AS n) a,
                      generate_series(greatest(a.n - 1, 0), a.n + 1) k,
                      LATERAL (SELECT m.starts_at + make_interval(months => k) AS s) o
                WHERE ts >= o.s AND ts < o.s + (m.ends_at - m.starts_at)
                  AND (m.until IS NULL OR o.s <= m.until))
           ELSE (m.until IS NULL OR ts < m.until + (m.ends_at - m.starts_at)) AND
                mod(extract(epoch FROM ts - m.starts_at),
                    CASE m.recurrence WHEN 'daily' THEN 86400 ELSE 604800 END)
                < extract(epoch FROM m.ends_at - m.starts_at)
           END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_reader') THEN
        BEGIN
            GRANT SELECT ON report.backup_runs TO pantau_reader;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pantau: could not grant pantau_reader access to report.backup_runs (%)', SQLERRM;
        END;
    END IF;
END
$$;
