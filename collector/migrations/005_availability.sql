-- Availability as state intervals (issue 7): what pantauctl report sla and
-- outages compute SLAs from. One row per interval [start, end) in which a
-- subject (device, service, site or group) was up, down or unknown; an open
-- interval (end NULL, upper bound infinite) lasts until the next report.
--
-- The collector writes intervals of devices from the DeviceState messages
-- agents send (source 'agent'): each report closes the subject's open
-- interval and opens the next. Other sources (imports, manual corrections,
-- future probes) insert closed intervals; overlaps are allowed and resolved
-- by the SLA arithmetic (down beats unknown beats up; a gap is unknown).
CREATE TABLE pantau.availability (
    id bigserial PRIMARY KEY,
    subject_kind text NOT NULL CHECK (subject_kind IN ('device', 'service', 'site', 'group')),
    subject text NOT NULL,
    agent text NOT NULL DEFAULT '',   -- devices: the agent that polls it; '' otherwise
    state text NOT NULL CHECK (state IN ('up', 'down', 'unknown')),
    planned boolean NOT NULL DEFAULT false,
    cause text,
    during tstzrange NOT NULL CHECK (NOT isempty(during) AND NOT lower_inf(during)
                                     AND lower_inc(during) AND NOT upper_inc(during)),
    source text NOT NULL DEFAULT 'agent',
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX availability_subject ON pantau.availability (subject_kind, subject, agent, lower(during));
CREATE INDEX availability_during ON pantau.availability USING gist (during);
-- At most one open interval per subject from the agent feed.
CREATE UNIQUE INDEX availability_open ON pantau.availability (subject_kind, subject, agent)
    WHERE upper_inf(during) AND source = 'agent';

-- Per-subject SLA targets; subjects without a row use Tier II, 99.741%.
CREATE TABLE pantau.sla_targets (
    subject_kind text NOT NULL,
    subject text NOT NULL,
    target_pct numeric(7, 4) NOT NULL CHECK (target_pct > 0 AND target_pct <= 100),
    PRIMARY KEY (subject_kind, subject)
);

-- A state report at ts: closes the open interval and opens the next. A
-- report of the state already open changes nothing (reports are sent on
-- change, and again after an agent restart); a report older than the open
-- interval's start (arriving late) is kept in pantau.device_states only.
CREATE FUNCTION pantau.availability_report(p_kind text, p_subject text, p_agent text,
                                           p_state text, p_ts timestamptz, p_cause text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    cur pantau.availability;
BEGIN
    SELECT * INTO cur FROM pantau.availability
     WHERE subject_kind = p_kind AND subject = p_subject AND agent = p_agent
       AND source = 'agent' AND upper_inf(during)
       FOR UPDATE;
    IF FOUND THEN
        IF p_ts < lower(cur.during) OR cur.state = p_state THEN
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

CREATE VIEW report.availability AS
SELECT a.subject_kind, a.subject, a.agent, d.site, a.state, a.planned, a.cause,
       lower(a.during) AS start_at, upper(a.during) AS end_at,
       EXTRACT(EPOCH FROM COALESCE(upper(a.during), now()) - lower(a.during))::bigint AS duration_s,
       a.source
  FROM pantau.availability a
  LEFT JOIN pantau.devices d ON a.subject_kind = 'device' AND d.agent_id = a.agent AND d.name = a.subject;
COMMENT ON VIEW report.availability IS 'Availability state intervals [start_at, end_at) of devices, services, sites and groups; end_at NULL while the interval is open. Time no interval covers is unknown.';
COMMENT ON COLUMN report.availability.subject_kind IS 'device, service, site or group.';
COMMENT ON COLUMN report.availability.subject IS 'Name of the device (as configured on its agent), service, site or group.';
COMMENT ON COLUMN report.availability.agent IS 'For devices the agent that polls it; empty otherwise.';
COMMENT ON COLUMN report.availability.state IS 'up, down or unknown.';
COMMENT ON COLUMN report.availability.planned IS 'Down on purpose (maintenance): planned downtime, reported separately but never removed from the SLA denominator.';
COMMENT ON COLUMN report.availability.cause IS 'Why, as the source saw it (timeout, connection refused, the maintenance work, ...).';
COMMENT ON COLUMN report.availability.duration_s IS 'Seconds from start_at to end_at (or to now while open).';
COMMENT ON COLUMN report.availability.source IS 'agent (the agent''s reachability reports), or import/manual for recorded intervals.';

CREATE VIEW report.sla_targets AS
SELECT subject_kind, subject, target_pct FROM pantau.sla_targets;
COMMENT ON VIEW report.sla_targets IS 'Availability targets per subject in percent; subjects not listed use 99.741 (Tier II).';

-- Monthly figures in Asia/Jakarta (WIB), for Grafana. The current month
-- counts up to now. Intervals of one subject from the agent feed never
-- overlap; for overlapping imported intervals use pantauctl report sla,
-- which resolves overlaps (down beats unknown beats up) and lists outages.
CREATE VIEW report.sla_monthly AS
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
), sums AS (
    SELECT mo.*, EXTRACT(EPOCH FROM mo.period_end - mo.period_start)::bigint AS period_s,
           COALESCE(sum(x.secs) FILTER (WHERE x.state = 'up'), 0)::bigint AS up_s,
           COALESCE(sum(x.secs) FILTER (WHERE x.state = 'down' AND x.planned), 0)::bigint AS down_planned_s,
           COALESCE(sum(x.secs) FILTER (WHERE x.state = 'down' AND NOT x.planned), 0)::bigint AS down_unplanned_s
      FROM months mo
      LEFT JOIN LATERAL (
          SELECT a.state, a.planned,
                 EXTRACT(EPOCH FROM LEAST(COALESCE(upper(a.during), now()), mo.period_end)
                                    - GREATEST(lower(a.during), mo.period_start)) AS secs
            FROM pantau.availability a
           WHERE a.subject_kind = mo.subject_kind AND a.subject = mo.subject AND a.agent = mo.agent
             AND a.during && tstzrange(mo.period_start, mo.period_end)
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
COMMENT ON VIEW report.sla_monthly IS 'Availability per subject and calendar month (Asia/Jakarta); the whole month is the denominator, planned and unplanned downtime and unknown time are separate. The current month counts to now.';
COMMENT ON COLUMN report.sla_monthly.month IS 'YYYY-MM in Asia/Jakarta (WIB, UTC+7).';
COMMENT ON COLUMN report.sla_monthly.period_s IS 'Seconds in the month (to now for the current one): the denominator.';
COMMENT ON COLUMN report.sla_monthly.up_s IS 'Seconds up.';
COMMENT ON COLUMN report.sla_monthly.down_planned_s IS 'Seconds down during planned maintenance (still in the denominator).';
COMMENT ON COLUMN report.sla_monthly.down_unplanned_s IS 'Seconds down, unplanned.';
COMMENT ON COLUMN report.sla_monthly.unknown_s IS 'Seconds in unknown state or not covered by any report.';
COMMENT ON COLUMN report.sla_monthly.availability_pct IS 'up_s / period_s in percent: the SLA figure.';
COMMENT ON COLUMN report.sla_monthly.availability_excl_planned_pct IS 'up_s / (period_s - down_planned_s): excludes planned maintenance, NOT the SLA figure.';
COMMENT ON COLUMN report.sla_monthly.target_met IS 'availability_pct reaches target_pct (99.741, Tier II, unless set per subject).';

-- Read-only roles: the existing reader, and pantau_auditor for Inspektorat
-- (report views only; grant it to the auditor's login). Future report views
-- created by this role are readable by both.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_auditor') THEN
        BEGIN
            CREATE ROLE pantau_auditor NOLOGIN;
        EXCEPTION WHEN insufficient_privilege OR duplicate_object THEN
            RAISE NOTICE 'pantau: could not create role pantau_auditor (%); a superuser can run: CREATE ROLE pantau_auditor NOLOGIN; GRANT USAGE ON SCHEMA report TO pantau_auditor; GRANT SELECT ON ALL TABLES IN SCHEMA report TO pantau_auditor;', SQLERRM;
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_auditor') THEN
        BEGIN
            GRANT USAGE ON SCHEMA report TO pantau_auditor;
            GRANT SELECT ON ALL TABLES IN SCHEMA report TO pantau_auditor;
            ALTER DEFAULT PRIVILEGES IN SCHEMA report GRANT SELECT ON TABLES TO pantau_auditor;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pantau: could not grant pantau_auditor access to schema report (%)', SQLERRM;
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_reader') THEN
        BEGIN
            GRANT SELECT ON report.availability, report.sla_targets, report.sla_monthly TO pantau_reader;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pantau: could not grant pantau_reader access to the availability views (%)', SQLERRM;
        END;
    END IF;
END
$$;
