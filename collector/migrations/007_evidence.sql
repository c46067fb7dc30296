-- Evidence for auditors (issue 7): maintenance makes downtime planned,
-- agent liveness makes availability unknown, backup SLA reporting, and the
-- append-only, hash-chained audit log of the evidence tables.

-- ---- maintenance windows as occurrences --------------------------------
-- Every occurrence of every window that overlaps [p_from, p_to), recurrence
-- expanded, exactly as pantau.maintenance_active judges a moment: an
-- occurrence k starts at starts_at + k * step and lasts ends_at - starts_at,
-- cut at until + duration and at ended_at. Daily and weekly steps are 86400
-- and 604800 s (Indonesia has no daylight saving time).
CREATE FUNCTION pantau.maintenance_occurrences(p_from timestamptz, p_to timestamptz)
RETURNS TABLE (id bigint, scope text, target text, during tstzrange, reason text)
LANGUAGE sql STABLE AS $$
    WITH w AS (
        SELECT m.*, m.ends_at - m.starts_at AS dur,
               CASE m.recurrence WHEN 'daily' THEN interval '1 day'
                                 WHEN 'weekly' THEN interval '7 days' END AS step,
               CASE m.recurrence WHEN 'daily' THEN 86400 WHEN 'weekly' THEN 604800 END AS step_s
          FROM pantau.maintenance m
         WHERE m.starts_at < p_to
    ), occ AS (
        SELECT w.id, w.scope, w.target, w.reason, w.starts_at AS s, w.ends_at AS e,
               w.ended_at, NULL::timestamptz AS cut
          FROM w WHERE w.recurrence = 'once'
        UNION ALL
        SELECT w.id, w.scope, w.target, w.reason, w.starts_at + k * w.step,
               w.starts_at + k * w.step + w.dur, w.ended_at, w.until + w.dur
          FROM w,
               generate_series(GREATEST(0, floor(extract(epoch FROM p_from - w.starts_at - w.dur)
                                                 / w.step_s)::bigint),
                               floor(extract(epoch FROM p_to - w.starts_at) / w.step_s)::bigint) AS k
         WHERE w.recurrence <> 'once'
    )
    SELECT id, scope, target, r, reason FROM (
        SELECT id, scope, target, reason,
               tstzrange(s, LEAST(e, COALESCE(ended_at, e), COALESCE(cut, e)), '[)') AS r
          FROM occ
         WHERE s < LEAST(e, COALESCE(ended_at, e), COALESCE(cut, e))) x
     WHERE r && tstzrange(p_from, p_to, '[)')
$$;

-- The maintenance windows of one availability subject in [p_from, p_to): a
-- device's own (scope device), its groups' (p_groups, from the rules file
-- when the caller has it) and its agent's site's; a group's or a site's own.
CREATE FUNCTION pantau.subject_maintenance(p_kind text, p_subject text, p_agent text,
                                           p_groups text[], p_from timestamptz,
                                           p_to timestamptz)
-- SECURITY DEFINER: report.sla_monthly calls it for readers of the report
-- schema only (pantau_reader, pantau_auditor); as a plain SQL function it
-- would be inlined and read pantau.* with their rights, which they lack.
RETURNS TABLE (during tstzrange, reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pantau AS $$
    SELECT o.during, o.reason
      FROM pantau.maintenance_occurrences(p_from, p_to) o
     WHERE (o.scope = p_kind AND o.target = p_subject AND p_kind IN ('device', 'group', 'site'))
        OR (p_kind = 'device' AND o.scope = 'group' AND o.target = ANY (p_groups))
        OR (p_kind = 'device' AND o.scope = 'site'
            AND o.target = (SELECT site FROM pantau.agents WHERE id = p_agent))
$$;

-- For pantauctl report (run by pantau_auditor, who reads only the report
-- schema): the windows of every subject with intervals in the period. The
-- windows themselves are public to that role through report.maintenance.
-- p_groups: {"device": ["group", ...], ...} from the rules file, or {}.
CREATE FUNCTION report.availability_windows(p_from timestamptz, p_to timestamptz,
                                            p_groups jsonb DEFAULT '{}')
RETURNS TABLE (subject_kind text, subject text, agent text, start_at timestamptz,
               end_at timestamptz, reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pantau AS $$
    SELECT s.subject_kind, s.subject, s.agent, lower(w.during), upper(w.during), w.reason
      FROM (SELECT DISTINCT a.subject_kind, a.subject, a.agent FROM pantau.availability a
             WHERE a.during && tstzrange(p_from, p_to, '[)')) s,
           pantau.subject_maintenance(s.subject_kind, s.subject, s.agent,
               ARRAY(SELECT jsonb_array_elements_text(
                   CASE jsonb_typeof(p_groups -> s.subject) WHEN 'array'
                        THEN p_groups -> s.subject ELSE '[]' END)),
               p_from, p_to) w
     ORDER BY 1, 2, 3, 4
$$;
COMMENT ON FUNCTION report.availability_windows(timestamptz, timestamptz, jsonb) IS 'Maintenance occurrences (recurrence expanded) that make down time of each availability subject planned in [from, to); p_groups maps device names to the groups of the rules file.';

-- Grafana's monthly figures, now with down time inside a maintenance
-- window of the device or its site (or of the group/site subject itself)
-- counted as planned. Same columns as before.
CREATE OR REPLACE VIEW report.sla_monthly AS
WITH subjects AS (
    SELECT subject_kind, subject, agent, min(lower(during)) AS since
      FROM pantau.availability GROUP BY subject_kind, subject, agent
), months AS (
    SELECT s.subject_kind, s.subject, s.agent, m AS month_local,
           m AT TIME ZONE 'Asia/Jakarta' AS period_start,
           LEAST((m + interval '1 month') AT TIME ZONE 'Asia/Jakarta', now()) AS period_end
      FROM subjects s,
           generate_series(date_trunc('month', s.since AT TIME ZONE 'Asia/Jakarta'),
                           date_trunc('month', now() AT TIME ZONE 'Asia/Jakarta'),
                           interval '1 month') AS m
), maint AS (
    SELECT mo.subject_kind, mo.subject, mo.agent, mo.month_local,
           range_agg(w.during) AS mr
      FROM months mo,
           pantau.subject_maintenance(mo.subject_kind, mo.subject, mo.agent, '{}',
                                      mo.period_start, mo.period_end) w
     GROUP BY 1, 2, 3, 4
), sums AS (
    SELECT mo.*, EXTRACT(EPOCH FROM mo.period_end - mo.period_start)::bigint AS period_s,
           COALESCE(sum(x.secs) FILTER (WHERE x.state = 'up'), 0)::bigint AS up_s,
           COALESCE(sum(x.planned_secs) FILTER (WHERE x.state = 'down'), 0)::bigint AS down_planned_s,
           COALESCE(sum(x.secs - x.planned_secs) FILTER (WHERE x.state = 'down'), 0)::bigint
               AS down_unplanned_s
      FROM months mo
      LEFT JOIN maint mt USING (subject_kind, subject, agent, month_local)
      LEFT JOIN LATERAL (
          SELECT y.state, y.secs,
                 CASE WHEN y.planned THEN y.secs
                      ELSE COALESCE((SELECT sum(EXTRACT(EPOCH FROM upper(p) - lower(p)))
                                       FROM unnest(mt.mr * tstzmultirange(y.r)) AS p), 0)
                 END AS planned_secs
            FROM (SELECT a.state, a.planned,
                         tstzrange(GREATEST(lower(a.during), mo.period_start),
                                   LEAST(COALESCE(upper(a.during), now()), mo.period_end)) AS r,
                         EXTRACT(EPOCH FROM LEAST(COALESCE(upper(a.during), now()), mo.period_end)
                                            - GREATEST(lower(a.during), mo.period_start)) AS secs
                    FROM pantau.availability a
                   WHERE a.subject_kind = mo.subject_kind AND a.subject = mo.subject
                     AND a.agent = mo.agent
                     AND a.during && tstzrange(mo.period_start, mo.period_end)) y
      ) x ON true
     GROUP BY mo.subject_kind, mo.subject, mo.agent, mo.month_local, mo.period_start, mo.period_end
)
SELECT s.subject_kind, s.subject, s.agent, to_char(s.month_local, 'YYYY-MM') AS month,
       s.period_start, s.period_end, s.period_s, s.up_s, s.down_planned_s, s.down_unplanned_s,
       GREATEST(s.period_s - s.up_s - s.down_planned_s - s.down_unplanned_s, 0) AS unknown_s,
       round(100.0 * s.up_s / NULLIF(s.period_s, 0), 4) AS availability_pct,
       round(100.0 * s.up_s / NULLIF(s.period_s - s.down_planned_s, 0), 4) AS availability_excl_planned_pct,
       COALESCE(t.target_pct, 99.741) AS target_pct,
       100.0 * s.up_s >= COALESCE(t.target_pct, 99.741) * s.period_s AS target_met
  FROM sums s
  LEFT JOIN pantau.sla_targets t ON t.subject_kind = s.subject_kind AND t.subject = s.subject;
COMMENT ON COLUMN report.sla_monthly.down_planned_s IS 'Seconds down marked planned or inside a maintenance window of the device, its site, or the group/site subject (still in the denominator). Group windows of member devices count in pantauctl report sla --rules only.';

-- ---- agent liveness: unknown while an agent is lost --------------------
-- The collector calls this when an agent's connection stayed closed past
-- the grace or it fell silent (collector/evaluate.c): every open interval
-- of the agent's devices that is not unknown ends at p_ts and an unknown
-- one, cause 'agent lost: ...', opens.
CREATE FUNCTION pantau.availability_agent_lost(p_agent text, p_ts timestamptz, p_cause text)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    cur pantau.availability;
    n integer := 0;
    t timestamptz;
BEGIN
    FOR cur IN SELECT * FROM pantau.availability
                WHERE agent = p_agent AND source = 'agent' AND upper_inf(during)
                  AND state <> 'unknown' FOR UPDATE
    LOOP
        t := GREATEST(p_ts, lower(cur.during));
        IF t = lower(cur.during) THEN
            DELETE FROM pantau.availability WHERE id = cur.id;
        ELSE
            UPDATE pantau.availability SET during = tstzrange(lower(during), t, '[)')
             WHERE id = cur.id;
        END IF;
        INSERT INTO pantau.availability (subject_kind, subject, agent, state, cause, during, source)
        VALUES (cur.subject_kind, cur.subject, p_agent, 'unknown', 'agent lost: ' || p_cause,
                tstzrange(t, NULL, '[)'), 'agent');
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- Data arrived again: each unknown interval the loss opened ends at p_ts
-- and the state before it resumes (cause 'agent back: last known state').
-- A device state report the agent spooled during the loss may arrive after
-- this; pantau.availability_report then corrects the resumed state.
CREATE FUNCTION pantau.availability_agent_back(p_agent text, p_ts timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    cur pantau.availability;
    prev text;
    n integer := 0;
    t timestamptz;
BEGIN
    FOR cur IN SELECT * FROM pantau.availability
                WHERE agent = p_agent AND source = 'agent' AND upper_inf(during)
                  AND state = 'unknown' AND cause LIKE 'agent lost: %' FOR UPDATE
    LOOP
        SELECT state INTO prev FROM pantau.availability
         WHERE subject_kind = cur.subject_kind AND subject = cur.subject AND agent = p_agent
           AND source = 'agent' AND upper(during) = lower(cur.during)
         ORDER BY id DESC LIMIT 1;
        IF prev IS NULL OR prev = 'unknown' THEN
            CONTINUE;       -- nothing known before: stays unknown until a report
        END IF;
        t := GREATEST(p_ts, lower(cur.during));
        IF t = lower(cur.during) THEN
            UPDATE pantau.availability SET state = prev, cause = 'agent back: last known state'
             WHERE id = cur.id;
        ELSE
            UPDATE pantau.availability SET during = tstzrange(lower(during), t, '[)')
             WHERE id = cur.id;
            INSERT INTO pantau.availability (subject_kind, subject, agent, state, cause, during,
                                             source)
            VALUES (cur.subject_kind, cur.subject, p_agent, prev, 'agent back: last known state',
                    tstzrange(t, NULL, '[)'), 'agent');
        END IF;
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- As in 005, plus: a report older than the open interval that the agent's
-- return resumed from the last known state corrects that state (the agent
-- spooled it while it was away, so it is newer knowledge).
CREATE OR REPLACE FUNCTION pantau.availability_report(p_kind text, p_subject text, p_agent text,
                                                      p_state text, p_ts timestamptz,
                                                      p_cause text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    cur pantau.availability;
BEGIN
    SELECT * INTO cur FROM pantau.availability
     WHERE subject_kind = p_kind AND subject = p_subject AND agent = p_agent
       AND source = 'agent' AND upper_inf(during)
       FOR UPDATE;
    IF FOUND THEN
        IF p_ts < lower(cur.during) THEN
            IF cur.cause = 'agent back: last known state' AND cur.state <> p_state THEN
                UPDATE pantau.availability SET state = p_state, cause = NULLIF(p_cause, '')
                 WHERE id = cur.id;
            END IF;
            RETURN;
        END IF;
        IF cur.state = p_state THEN
            RETURN;
        END IF;
        IF p_ts = lower(cur.during) THEN
            UPDATE pantau.availability SET state = p_state, cause = NULLIF(p_cause, '')
             WHERE id = cur.id;
            RETURN;
        END IF;
        UPDATE pantau.availability SET during = tstzrange(lower(during), p_ts, '[)')
         WHERE id = cur.id;
    END IF;
    INSERT INTO pantau.availability (subject_kind, subject, agent, state, cause, during, source)
    VALUES (p_kind, p_subject, p_agent, p_state, NULLIF(p_cause, ''),
            tstzrange(p_ts, NULL, '[)'), 'agent');
END
$$;

-- ---- backups -----------------------------------------------------------
-- Per job what the report compares with: the RPO (maximum age of the newest
-- good backup) and the expected size range. Jobs checked by an agent send
-- backup.rpo themselves; a row here overrides it, and jobs that only post
-- runs need one.
CREATE TABLE pantau.backup_jobs (
    job text PRIMARY KEY,
    rpo interval NOT NULL CHECK (rpo > interval '0'),
    min_size bigint CHECK (min_size >= 0),
    max_size bigint CHECK (max_size >= 0),
    description text NOT NULL DEFAULT '',
    CHECK (min_size IS NULL OR max_size IS NULL OR min_size <= max_size)
);

CREATE VIEW report.backup_jobs AS SELECT job, rpo, min_size, max_size, description
  FROM pantau.backup_jobs;
COMMENT ON VIEW report.backup_jobs IS 'RPO and expected size range per backup job (overrides what the agent sends).';

-- Every check by an agent, one row per poll of a kind-backup device: when,
-- whether ok, the status code, and when the backup it saw was made.
CREATE VIEW report.backup_checks AS
SELECT d.name AS job, d.agent_id AS agent, x.ts,
       max(x.value) FILTER (WHERE s.metric = 'backup.ok') = 1 AS ok,
       max(x.value) FILTER (WHERE s.metric = 'backup.status')::integer AS status,
       x.ts - make_interval(secs => max(x.value) FILTER (WHERE s.metric = 'backup.age')) AS made_at,
       max(x.value) FILTER (WHERE s.metric = 'backup.size')::bigint AS size_bytes,
       max(x.value) FILTER (WHERE s.metric = 'backup.rpo') AS rpo_s
  FROM pantau.samples x
  JOIN pantau.series s ON s.id = x.series_id
  JOIN pantau.devices d ON d.id = s.device_id
 WHERE d.kind = 'backup'
   AND s.metric IN ('backup.ok', 'backup.status', 'backup.age', 'backup.size', 'backup.rpo')
 GROUP BY d.name, d.agent_id, x.ts
HAVING count(*) FILTER (WHERE s.metric = 'backup.ok') > 0;
COMMENT ON VIEW report.backup_checks IS 'One row per backup check an agent made: ok, status code (0 ok, 1 too_old, 2 too_small, 3 too_large, 4 checksum_mismatch, 5 missing, 6 failed, 7 timeout, 8 unreadable), when the newest backup was made (ts - backup.age), its size and the job''s RPO in seconds. Filter on ts.';

-- Runs posted by backup software (pantau.backup_runs, migration 006) when
-- that table exists, as the same shape; pantauctl report backups reads both.
DO $$
BEGIN
    IF to_regclass('pantau.backup_runs') IS NOT NULL THEN
        EXECUTE $v$
        CREATE VIEW report.backup_run_reports AS
        SELECT job, source, started_at, finished_at, status = 'ok' AS ok, size_bytes,
               COALESCE(restore_test, false) AS restore_test, message, received_at
          FROM pantau.backup_runs$v$;
    ELSE
        EXECUTE $v$
        CREATE VIEW report.backup_run_reports AS
        SELECT NULL::text AS job, NULL::text AS source, NULL::timestamptz AS started_at,
               NULL::timestamptz AS finished_at, NULL::boolean AS ok, NULL::bigint AS size_bytes,
               NULL::boolean AS restore_test, NULL::text AS message,
               NULL::timestamptz AS received_at
         WHERE false$v$;
    END IF;
END
$$;
COMMENT ON VIEW report.backup_run_reports IS 'Backup runs posted by backup software: finished_at, ok, size, whether it included a restore test.';

-- Grafana: per job now: the newest good backup, its age against the RPO,
-- the last restore test, the last 30 days' success rate.
CREATE VIEW report.backups AS
WITH ev AS (
    SELECT job, ts, ok, made_at AS made, NULL::boolean AS restore_test FROM report.backup_checks
    UNION ALL
    SELECT job, finished_at, ok, finished_at, restore_test FROM report.backup_run_reports
), rpo AS (
    SELECT DISTINCT ON (job) job, make_interval(secs => rpo_s) AS rpo
      FROM report.backup_checks WHERE rpo_s IS NOT NULL ORDER BY job, ts DESC
)
SELECT ev.job,
       COALESCE(j.rpo, r.rpo) AS rpo,
       max(ev.made) FILTER (WHERE ev.ok) AS last_good_at,
       now() - max(ev.made) FILTER (WHERE ev.ok) AS last_good_age,
       now() - max(ev.made) FILTER (WHERE ev.ok) <= COALESCE(j.rpo, r.rpo) AS within_rpo,
       max(ev.ts) FILTER (WHERE ev.ok AND ev.restore_test) AS last_restore_test_at,
       round(100.0 * count(*) FILTER (WHERE ev.ok AND ev.ts > now() - interval '30 days')
             / NULLIF(count(*) FILTER (WHERE ev.ts > now() - interval '30 days'), 0), 2)
           AS success_pct_30d,
       max(ev.ts) AS last_seen_at
  FROM ev
  LEFT JOIN pantau.backup_jobs j ON j.job = ev.job
  LEFT JOIN rpo r ON r.job = ev.job
 GROUP BY ev.job, j.rpo, r.rpo;
COMMENT ON VIEW report.backups IS 'Per backup job now: newest good backup and its age against the RPO, last restore test, success rate over 30 days (checks and runs). Adherence over a period: pantauctl report backups.';

-- ---- the audit log -----------------------------------------------------
-- Who changed an evidence table, when, and what: one row per changed row,
-- written by triggers, never updated or deleted. Each row's hash chains
-- it to the one before: hash = SHA-256(previous hash || canonical text),
-- the first row's previous hash being 32 zero bytes; `pantauctl evidence
-- audit --verify` recomputes the chain and names the first row that breaks.
CREATE TABLE pantau.audit_log (
    id bigint PRIMARY KEY,
    tbl text NOT NULL,
    row_id text,
    action text NOT NULL CHECK (action IN ('INSERT', 'UPDATE', 'DELETE')),
    old_row jsonb,
    new_row jsonb,
    db_user text NOT NULL,
    application_name text NOT NULL,
    at timestamptz NOT NULL,
    hash bytea NOT NULL
);
CREATE SEQUENCE pantau.audit_log_id OWNED BY pantau.audit_log.id;

-- The text each hash covers: every column, NULL as \N, one per line; the
-- time as microseconds since the epoch; jsonb in PostgreSQL's canonical
-- text (keys sorted, one space after separators).
CREATE FUNCTION pantau.audit_canonical(p_id bigint, p_tbl text, p_row_id text, p_action text,
                                       p_old jsonb, p_new jsonb, p_user text, p_app text,
                                       p_at timestamptz)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws(E'\n', p_id::text, p_tbl, COALESCE(p_row_id, '\N'), p_action,
                     COALESCE(p_old::text, '\N'), COALESCE(p_new::text, '\N'), p_user, p_app,
                     (extract(epoch FROM p_at) * 1000000)::bigint::text)
$$;

CREATE FUNCTION pantau.audit_write() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pantau AS $$
DECLARE
    o jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
    n jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
    rid text := COALESCE(n ->> 'id', o ->> 'id', n ->> 'job', o ->> 'job');
    prev bytea;
    nid bigint;
    ts timestamptz := clock_timestamp();
    usr text := session_user;
    app text := COALESCE(current_setting('application_name', true), '');
BEGIN
    -- The agent feed (rows of source agent written by the collector) is not
    -- a correction: audit availability only when someone else changes it.
    IF TG_TABLE_NAME = 'availability' AND app LIKE 'pantau-collector%'
       AND COALESCE(n ->> 'source', o ->> 'source') = 'agent' THEN
        RETURN NULL;
    END IF;
    -- One writer at a time, so ids follow the chain.
    PERFORM pg_advisory_xact_lock(7007);
    SELECT hash INTO prev FROM pantau.audit_log ORDER BY id DESC LIMIT 1;
    prev := COALESCE(prev, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    nid := nextval('pantau.audit_log_id');
    INSERT INTO pantau.audit_log (id, tbl, row_id, action, old_row, new_row, db_user,
                                  application_name, at, hash)
    VALUES (nid, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, rid, TG_OP, o, n, usr, app, ts,
            sha256(prev || convert_to(pantau.audit_canonical(nid, TG_TABLE_SCHEMA || '.' ||
                TG_TABLE_NAME, rid, TG_OP, o, n, usr, app, ts), 'UTF8')));
    RETURN NULL;
END
$$;

CREATE FUNCTION pantau.audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pantau.audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON pantau.audit_log
    FOR EACH ROW EXECUTE FUNCTION pantau.audit_log_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON pantau.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION pantau.audit_log_immutable();
REVOKE UPDATE, DELETE, TRUNCATE ON pantau.audit_log FROM PUBLIC;

-- Puts a table under audit (also for tables later migrations add).
CREATE FUNCTION pantau.audit_attach(p_table regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION pantau.audit_write()', p_table);
END
$$;
SELECT pantau.audit_attach('pantau.maintenance');
SELECT pantau.audit_attach('pantau.availability');
SELECT pantau.audit_attach('pantau.sla_targets');
SELECT pantau.audit_attach('pantau.backup_jobs');
DO $$
BEGIN
    IF to_regclass('pantau.backup_runs') IS NOT NULL THEN
        PERFORM pantau.audit_attach('pantau.backup_runs');
    END IF;
END
$$;

CREATE VIEW report.audit_log AS
SELECT id, tbl AS "table", row_id, action, old_row, new_row, db_user, application_name, at,
       encode(hash, 'hex') AS hash,
       pantau.audit_canonical(id, tbl, row_id, action, old_row, new_row, db_user,
                              application_name, at) AS canonical
  FROM pantau.audit_log;
COMMENT ON VIEW report.audit_log IS 'Append-only log of changes to evidence tables (maintenance windows, backup runs and jobs, availability corrections, SLA targets): who (database user, application), when, old and new row. hash = SHA-256(previous hash || canonical); pantauctl evidence audit --verify checks the chain.';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_reader') THEN
        BEGIN
            GRANT SELECT ON report.backup_jobs, report.backup_checks, report.backup_run_reports,
                report.backups, report.audit_log TO pantau_reader;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pantau: could not grant pantau_reader the backup and audit views (%)', SQLERRM;
        END;
    END IF;
END
$$;
