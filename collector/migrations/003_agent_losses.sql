-- Samples agents had to drop before the collector stored them (issue 5):
-- an agent's spool full (spool_full), its disk full or failing (disk_full,
-- io_error), damaged spool records (corrupt). Agents report running totals
-- per (stream, reason); the collector keeps the largest. A gap an auditor
-- finds in report.samples is explained here, never silent.
CREATE TABLE pantau.agent_losses (
    agent_id text NOT NULL,
    stream bigint NOT NULL,
    reason text NOT NULL,
    samples bigint NOT NULL,
    last_loss timestamptz NOT NULL,
    first_reported timestamptz NOT NULL DEFAULT now(),
    last_reported timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agent_id, stream, reason)
);

CREATE VIEW report.agent_losses AS
SELECT l.agent_id AS agent, a.site, l.reason, sum(l.samples)::bigint AS samples,
       max(l.last_loss) AS last_loss, min(l.first_reported) AS first_reported
  FROM pantau.agent_losses l
  LEFT JOIN pantau.agents a ON a.id = l.agent_id
 GROUP BY l.agent_id, a.site, l.reason;
COMMENT ON VIEW report.agent_losses IS 'Samples each agent polled but had to drop before they were stored, by reason: spool_full (spool.max_size reached while the collector was away), disk_full, io_error, corrupt (damaged spool records).';
COMMENT ON COLUMN report.agent_losses.agent IS 'Id of the agent that dropped the samples.';
COMMENT ON COLUMN report.agent_losses.site IS 'Site of the agent.';
COMMENT ON COLUMN report.agent_losses.reason IS 'spool_full, disk_full, io_error or corrupt.';
COMMENT ON COLUMN report.agent_losses.samples IS 'Samples dropped for this reason, in total.';
COMMENT ON COLUMN report.agent_losses.last_loss IS 'When the agent last dropped samples for this reason, by its clock.';
COMMENT ON COLUMN report.agent_losses.first_reported IS 'When the collector first heard of such losses.';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_reader') THEN
        BEGIN
            GRANT SELECT ON report.agent_losses TO pantau_reader;
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'pantau: could not grant pantau_reader access to report.agent_losses (%)', SQLERRM;
        END;
    END IF;
END
$$;
