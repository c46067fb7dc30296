-- Alerts (issue 6): the open and past alerts the rule engine raised, and the
-- append-only history of every transition. One row per alert from firing
-- to resolved; (rule, device, labels) identifies the rule instance, and at
-- most one row per instance is open (state other than resolved).
CREATE TABLE pantau.alerts (
    id bigserial PRIMARY KEY,
    rule text NOT NULL,
    device text NOT NULL,          -- the device, the group (redundancy) or the agent (agent_down)
    labels text NOT NULL,          -- canonical JSON of the series' labels, '{}' for event rules
    agent text NOT NULL DEFAULT '',
    severity text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    state text NOT NULL CHECK (state IN ('firing', 'acknowledged', 'resolved', 'unknown', 'suppressed')),
    summary text NOT NULL,
    value double precision,
    cause text,                    -- suppressed: the device down at the root; unknown: why
    started_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz,
    acked_at timestamptz,
    acked_by text,
    ack_comment text,
    escalation_level integer NOT NULL DEFAULT 1,
    planned boolean NOT NULL DEFAULT false,
    flapping boolean NOT NULL DEFAULT false  -- fired flap_count times within flap_window: notifications held
);
CREATE UNIQUE INDEX alerts_open_instance ON pantau.alerts (rule, device, labels)
    WHERE state <> 'resolved';
CREATE INDEX alerts_started ON pantau.alerts (started_at);

CREATE TABLE pantau.alert_events (
    id bigserial PRIMARY KEY,
    alert_id bigint NOT NULL REFERENCES pantau.alerts (id),
    ts timestamptz NOT NULL,
    from_state text NOT NULL,
    to_state text NOT NULL,
    value double precision,
    summary text NOT NULL,
    cause text,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_events_alert ON pantau.alert_events (alert_id, id);

-- History is append-only: the collector's role may insert, never rewrite.
CREATE FUNCTION pantau.alert_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pantau.alert_events is append-only';
END
$$;
CREATE TRIGGER alert_events_append_only BEFORE UPDATE OR DELETE ON pantau.alert_events
    FOR EACH ROW EXECUTE FUNCTION pantau.alert_events_immutable();

-- Maintenance windows (pantauctl maintenance): a device, a group of the
-- rules file or a whole site, once or recurring daily or weekly. Alerts
-- raised inside one are stored with planned = true and notify nobody.
CREATE TABLE pantau.maintenance (
    id bigserial PRIMARY KEY,
    scope text NOT NULL CHECK (scope IN ('device', 'group', 'site')),
    target text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL CHECK (ends_at > starts_at),
    recurrence text NOT NULL DEFAULT 'once' CHECK (recurrence IN ('once', 'daily', 'weekly')),
    until timestamptz,                 -- recurring: no occurrence starts after this
    reason text NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz,              -- ended early (this and every later occurrence)
    ended_by text,
    CHECK (recurrence = 'once' OR ends_at - starts_at <
           CASE recurrence WHEN 'daily' THEN interval '1 day' ELSE interval '7 days' END)
);

-- Is window m open at ts?
CREATE FUNCTION pantau.maintenance_active(m pantau.maintenance, ts timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT ts >= m.starts_at AND (m.ended_at IS NULL OR ts < m.ended_at) AND
           CASE m.recurrence
           WHEN 'once' THEN ts < m.ends_at
           ELSE (m.until IS NULL OR ts < m.until + (m.ends_at - m.starts_at)) AND
                mod(extract(epoch FROM ts - m.starts_at),
                    CASE m.recurrence WHEN 'daily' THEN 86400 ELSE 604800 END)
                < extract(epoch FROM m.ends_at - m.starts_at)
           END
$$;

-- Is a device (of agent, in groups) inside an open window at ts?
CREATE FUNCTION pantau.in_maintenance(p_device text, p_agent text, p_groups text[],
                                      ts timestamptz)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM pantau.maintenance m
         WHERE pantau.maintenance_active(m, ts)
           AND ((m.scope = 'device' AND m.target = p_device)
             OR (m.scope = 'group' AND m.target = ANY (p_groups))
             OR (m.scope = 'site' AND m.target =
                 (SELECT site FROM pantau.agents WHERE id = p_agent))))
$$;

CREATE VIEW report.maintenance AS
SELECT id, scope, target, starts_at, ends_at, recurrence, until, reason, created_by,
       created_at, ended_at, ended_by, pantau.maintenance_active(m, now()) AS active
  FROM pantau.maintenance m;
COMMENT ON VIEW report.maintenance IS 'Maintenance windows (BB F.4): alerts raised inside one are planned and notify nobody.';

-- The delivery log: every attempt to tell someone about an alert
-- transition (fire or resolve), its outcome and, for HTTP, the status.
CREATE TABLE pantau.notifications (
    id bigserial PRIMARY KEY,
    ts timestamptz NOT NULL DEFAULT now(),
    channel text NOT NULL,        -- the webhook's name in the rules file (never its URL)
    rule text NOT NULL,
    device text NOT NULL,
    labels text NOT NULL,
    transition text NOT NULL CHECK (transition IN ('fire', 'resolve', 'escalate')),
    attempt integer NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('sent', 'retry', 'failed', 'abandoned')),
    http_status integer,
    error text
);
CREATE INDEX notifications_ts ON pantau.notifications (ts);

CREATE VIEW report.notifications AS
SELECT id, ts, channel, rule, device, labels::jsonb AS labels, transition, attempt, outcome,
       http_status, error
  FROM pantau.notifications;
COMMENT ON VIEW report.notifications IS 'Every attempt to deliver an alert notification: sent, retry (with backoff), failed (attempts exhausted) or abandoned (collector stopping).';

CREATE VIEW report.alerts AS
SELECT a.id, a.rule, a.device, a.labels::jsonb AS labels, a.agent, a.severity, a.state,
       a.summary, a.value, a.cause, a.started_at, a.updated_at, a.resolved_at,
       a.acked_at, a.acked_by, a.ack_comment, a.escalation_level, a.planned, a.flapping,
       COALESCE(a.resolved_at, now()) - a.started_at AS duration
  FROM pantau.alerts a;
COMMENT ON VIEW report.alerts IS 'Every alert the collector raised, open or resolved; one row from firing to resolved.';
COMMENT ON COLUMN report.alerts.rule IS 'Name of the rule in the rules file.';
COMMENT ON COLUMN report.alerts.device IS 'Device name; for redundancy rules the group, for agent_down the agent.';
COMMENT ON COLUMN report.alerts.labels IS 'Labels of the series the rule matched (empty for device, agent and group rules).';
COMMENT ON COLUMN report.alerts.state IS 'firing, acknowledged, unknown (no data or agent not heard from), suppressed (something it depends on is down, see cause) or resolved.';
COMMENT ON COLUMN report.alerts.cause IS 'For suppressed alerts the device down at the root; for unknown ones why.';
COMMENT ON COLUMN report.alerts.value IS 'The value that last changed the state.';
COMMENT ON COLUMN report.alerts.escalation_level IS 'Service desk tier handling it (1 = agency Tier 1, 2 = ICT agency Tier 2, PK 43).';
COMMENT ON COLUMN report.alerts.planned IS 'Raised inside a maintenance window (planned downtime).';
COMMENT ON COLUMN report.alerts.flapping IS 'The rule instance fired often within a short window; notifications are held until it settles.';
COMMENT ON COLUMN report.alerts.duration IS 'From started_at to resolved_at (or now, if open).';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_reader') THEN
        BEGIN
            GRANT SELECT ON report.alerts, report.notifications, report.maintenance
                TO pantau_reader;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pantau: could not grant pantau_reader access to report.alerts (%)', SQLERRM;
        END;
    END IF;
END
$$;
