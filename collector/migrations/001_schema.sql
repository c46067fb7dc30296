-- pantau schema 001: what the collector stores and the documented views.
--
-- Schema "pantau" is internal: the collector writes it and may change it in
-- later migrations. Schema "report" is the contract for Grafana, pantauctl
-- and auditors: its views keep their names and columns.
--
-- Unique keys include the column a future Citus distribution would use
-- (device_id for series, agent_id for batches).

-- (the collector creates schema pantau before the first migration)
CREATE SCHEMA IF NOT EXISTS report;
COMMENT ON SCHEMA pantau IS 'pantau internal tables, written by pantau-collector; read the report schema instead.';
COMMENT ON SCHEMA report IS 'pantau documented, stable views for dashboards, reports and auditors.';

CREATE TABLE pantau.agents (
    id text PRIMARY KEY,
    site text,
    software text,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pantau.devices (
    id bigserial PRIMARY KEY,
    agent_id text NOT NULL REFERENCES pantau.agents (id),
    name text NOT NULL,
    kind text,
    site text,
    state text NOT NULL DEFAULT 'unknown' CHECK (state IN ('unknown', 'up', 'down')),
    state_since timestamptz,
    reason text,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agent_id, name)
);

CREATE TABLE pantau.series (
    id bigserial PRIMARY KEY,
    device_id bigint NOT NULL REFERENCES pantau.devices (id),
    metric text NOT NULL,
    unit text NOT NULL DEFAULT '',
    kind smallint NOT NULL DEFAULT 0,
    labels jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (device_id, metric, labels)
);

-- Narrow and partitioned by day (pantau.samples_YYYYMMDD, created by the
-- collector as data arrives). No foreign key to series: it would cost a
-- lookup per row on ingest, and the collector only writes ids it resolved.
CREATE TABLE pantau.samples (
    series_id bigint NOT NULL,
    ts timestamptz NOT NULL,
    value double precision NOT NULL
) PARTITION BY RANGE (ts);
CREATE INDEX samples_series_ts ON pantau.samples (series_id, ts);

-- One row per stored batch, written in the same transaction as its
-- samples: a batch sent again is recognised here and acked, not stored.
-- stream and seq are unsigned 64-bit on the wire, kept as their two's
-- complement in bigint.
CREATE TABLE pantau.batches (
    agent_id text NOT NULL,
    stream bigint NOT NULL,
    seq bigint NOT NULL,
    received_at timestamptz NOT NULL,
    samples integer NOT NULL,
    PRIMARY KEY (agent_id, stream, seq)
);

CREATE TABLE pantau.inventory (
    device_id bigint NOT NULL REFERENCES pantau.devices (id),
    kind text NOT NULL,
    item_id text NOT NULL,
    fields jsonb NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (device_id, kind, item_id)
);

CREATE TABLE pantau.device_states (
    device_id bigint NOT NULL REFERENCES pantau.devices (id),
    ts timestamptz NOT NULL,
    state text NOT NULL,
    reason text,
    PRIMARY KEY (device_id, ts)
);

CREATE VIEW report.samples AS
SELECT d.name AS device, s.metric, s.labels, x.ts, x.value, s.unit,
       d.agent_id AS agent, d.site, d.kind AS device_kind
  FROM pantau.samples x
  JOIN pantau.series s ON s.id = x.series_id
  JOIN pantau.devices d ON d.id = s.device_id;
COMMENT ON VIEW report.samples IS 'Every stored measurement, one row per sample. Filter on ts (the table is partitioned by day) and on device and metric.';
COMMENT ON COLUMN report.samples.device IS 'Device name as configured on its agent.';
COMMENT ON COLUMN report.samples.metric IS 'Metric name, e.g. ups.battery.charge.';
COMMENT ON COLUMN report.samples.labels IS 'Labels that tell series of one metric apart (e.g. oid, index, phase), as a JSON object.';
COMMENT ON COLUMN report.samples.ts IS 'When the value was measured, by the agent''s clock.';
COMMENT ON COLUMN report.samples.value IS 'The measured value; for state series the integer state code.';
COMMENT ON COLUMN report.samples.unit IS 'Unit symbol of the value; empty when unitless.';
COMMENT ON COLUMN report.samples.agent IS 'Id of the agent that polled the device.';
COMMENT ON COLUMN report.samples.site IS 'Site of the device, from its agent.';
COMMENT ON COLUMN report.samples.device_kind IS 'Kind of device: ups, cooling, genset, ats, ems, pdu, router, switch, ap, firewall, server or other.';

CREATE VIEW report.devices AS
SELECT d.name AS device, d.kind, d.agent_id AS agent, d.site, d.state, d.state_since,
       d.first_seen, d.last_seen
  FROM pantau.devices d;
COMMENT ON VIEW report.devices IS 'Every device any agent has reported, with its reachability as its agent last saw it.';
COMMENT ON COLUMN report.devices.device IS 'Device name as configured on its agent.';
COMMENT ON COLUMN report.devices.kind IS 'Kind of device: ups, cooling, genset, ats, ems, pdu, router, switch, ap, firewall, server or other.';
COMMENT ON COLUMN report.devices.agent IS 'Id of the agent that polls the device.';
COMMENT ON COLUMN report.devices.site IS 'Site of the device, from its agent.';
COMMENT ON COLUMN report.devices.state IS 'Reachability: up, down or unknown (never reported).';
COMMENT ON COLUMN report.devices.state_since IS 'When the device entered its current state, by the agent''s clock.';
COMMENT ON COLUMN report.devices.first_seen IS 'When the collector first heard of the device.';
COMMENT ON COLUMN report.devices.last_seen IS 'When the collector last stored data about the device.';

CREATE VIEW report.series AS
SELECT s.id AS series_id, d.name AS device, s.metric, s.labels, s.unit,
       CASE s.kind WHEN 0 THEN 'gauge' WHEN 1 THEN 'counter' WHEN 2 THEN 'state'
                   ELSE 'unknown' END AS kind,
       d.agent_id AS agent, d.site, s.created_at AS first_seen
  FROM pantau.series s
  JOIN pantau.devices d ON d.id = s.device_id;
COMMENT ON VIEW report.series IS 'Every series (device, metric, labels) that has been defined.';
COMMENT ON COLUMN report.series.series_id IS 'Internal id of the series; stable for the life of the database.';
COMMENT ON COLUMN report.series.device IS 'Device name as configured on its agent.';
COMMENT ON COLUMN report.series.metric IS 'Metric name, e.g. ups.battery.charge.';
COMMENT ON COLUMN report.series.labels IS 'Labels that tell series of one metric apart, as a JSON object.';
COMMENT ON COLUMN report.series.unit IS 'Unit symbol of the values; empty when unitless.';
COMMENT ON COLUMN report.series.kind IS 'gauge (a level), counter (only grows, may wrap or reset) or state (an enumerated code).';
COMMENT ON COLUMN report.series.agent IS 'Id of the agent that polls the device.';
COMMENT ON COLUMN report.series.site IS 'Site of the device, from its agent.';
COMMENT ON COLUMN report.series.first_seen IS 'When the collector first stored the series.';

CREATE VIEW report.inventory AS
SELECT d.name AS device, d.agent_id AS agent, d.site, i.kind, i.item_id, i.fields, i.updated_at
  FROM pantau.inventory i
  JOIN pantau.devices d ON d.id = i.device_id;
COMMENT ON VIEW report.inventory IS 'Descriptive facts about devices (system group, entities, interfaces, neighbours) as last reported.';
COMMENT ON COLUMN report.inventory.device IS 'Device name as configured on its agent.';
COMMENT ON COLUMN report.inventory.agent IS 'Id of the agent that polls the device.';
COMMENT ON COLUMN report.inventory.site IS 'Site of the device, from its agent.';
COMMENT ON COLUMN report.inventory.kind IS 'What the item is: system, entity, interface, neighbour, ...';
COMMENT ON COLUMN report.inventory.item_id IS 'Index of the item within its kind; empty for the system group.';
COMMENT ON COLUMN report.inventory.fields IS 'The item''s fields as a JSON object of strings.';
COMMENT ON COLUMN report.inventory.updated_at IS 'Agent time of the inventory report that last set the item.';

CREATE VIEW report.device_states AS
SELECT d.name AS device, d.agent_id AS agent, d.site, h.ts, h.state, h.reason
  FROM pantau.device_states h
  JOIN pantau.devices d ON d.id = h.device_id;
COMMENT ON VIEW report.device_states IS 'Every reachability report of every device, in time order by ts.';
COMMENT ON COLUMN report.device_states.device IS 'Device name as configured on its agent.';
COMMENT ON COLUMN report.device_states.agent IS 'Id of the agent that reported the state.';
COMMENT ON COLUMN report.device_states.site IS 'Site of the device, from its agent.';
COMMENT ON COLUMN report.device_states.ts IS 'When the agent saw the state.';
COMMENT ON COLUMN report.device_states.state IS 'up, down or unknown.';
COMMENT ON COLUMN report.device_states.reason IS 'Why, as the agent saw it (timeout, connection refused, ...).';

-- The read-only role for Grafana and auditors: the report views only.
-- Creating roles needs CREATEROLE; with a less privileged DSN the migration
-- still succeeds and says what a superuser has to do.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_reader') THEN
        BEGIN
            CREATE ROLE pantau_reader NOLOGIN;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pantau: could not create role pantau_reader (%); a superuser can run: CREATE ROLE pantau_reader NOLOGIN; GRANT USAGE ON SCHEMA report TO pantau_reader; GRANT SELECT ON ALL TABLES IN SCHEMA report TO pantau_reader;', SQLERRM;
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_reader') THEN
        BEGIN
            GRANT USAGE ON SCHEMA report TO pantau_reader;
            GRANT SELECT ON ALL TABLES IN SCHEMA report TO pantau_reader;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pantau: could not grant pantau_reader access to schema report (%)', SQLERRM;
        END;
    END IF;
END
$$;
