-- Rollups and retention (collector/retain.c).
--
-- Raw samples are kept for retention.samples (90 days by default); per
-- series, the count, minimum, maximum and sum of every 5 minutes and every
-- hour are kept far longer (13 months and 5 years by default), so a year of
-- UPS load or room temperature stays one cheap query after the raw rows are
-- gone. Evidence tables (availability, alerts, maintenance, backups, the
-- audit log) are never deleted by the collector.

-- Rollups are partitioned like the samples: by month (5 minutes) and by
-- year (hours); the collector creates the partitions it writes and drops
-- those wholly older than their retention. Every unique key includes
-- series_id, the distribution column of a Citus scale-out.
CREATE TABLE pantau.rollups_5m (
    series_id bigint NOT NULL,
    bucket timestamptz NOT NULL,
    n integer NOT NULL,
    min double precision NOT NULL,
    max double precision NOT NULL,
    sum double precision NOT NULL,
    PRIMARY KEY (series_id, bucket)
) PARTITION BY RANGE (bucket);

CREATE TABLE pantau.rollups_1h (
    series_id bigint NOT NULL,
    bucket timestamptz NOT NULL,
    n integer NOT NULL,
    min double precision NOT NULL,
    max double precision NOT NULL,
    sum double precision NOT NULL,
    PRIMARY KEY (series_id, bucket)
) PARTITION BY RANGE (bucket);

-- Which stored batches still have to be rolled up, and the time span of
-- their samples. A batch is marked once the rollups of that span have been
-- computed again from the raw samples, so late data (an agent's spool
-- emptying after an outage) lands in the right buckets. Batches stored
-- before this migration count as rolled up.
ALTER TABLE pantau.batches
    ADD COLUMN ts_min timestamptz,
    ADD COLUMN ts_max timestamptz,
    ADD COLUMN rolled boolean NOT NULL DEFAULT true;
ALTER TABLE pantau.batches ALTER COLUMN rolled SET DEFAULT false;
CREATE INDEX batches_not_rolled ON pantau.batches (agent_id) WHERE NOT rolled;
CREATE INDEX batches_received ON pantau.batches USING brin (received_at);

CREATE VIEW report.samples_5m AS
SELECT d.name AS device, s.metric, s.labels, r.bucket AS ts, r.min, r.max,
       r.sum / r.n AS avg, r.n AS count, s.unit, d.agent_id AS agent, d.site,
       d.kind AS device_kind
  FROM pantau.rollups_5m r
  JOIN pantau.series s ON s.id = r.series_id
  JOIN pantau.devices d ON d.id = s.device_id;
COMMENT ON VIEW report.samples_5m IS 'Every series per 5 minutes: minimum, maximum, average and count of its samples. Kept longer than report.samples (retention.rollups_5m); ts is the start of the 5 minutes.';

CREATE VIEW report.samples_1h AS
SELECT d.name AS device, s.metric, s.labels, r.bucket AS ts, r.min, r.max,
       r.sum / r.n AS avg, r.n AS count, s.unit, d.agent_id AS agent, d.site,
       d.kind AS device_kind
  FROM pantau.rollups_1h r
  JOIN pantau.series s ON s.id = r.series_id
  JOIN pantau.devices d ON d.id = s.device_id;
COMMENT ON VIEW report.samples_1h IS 'Every series per hour: minimum, maximum, average and count of its samples. Kept for years (retention.rollups_1h); ts is the start of the hour.';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_reader') THEN
        BEGIN
            GRANT SELECT ON report.samples_5m, report.samples_1h TO pantau_reader;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pantau: could not grant the rollup views to pantau_reader (%)', SQLERRM;
        END;
    END IF;
END
$$;
