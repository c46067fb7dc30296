-- Inventory records from tables (interfaces, entities, LLDP neighbours,
-- SSIDs) are stored in pantau.inventory like the system group: one row per
-- (device, kind, item_id), item_id the row index. These views give each
-- kind its columns so operators and auditors need no JSON operators.

CREATE VIEW report.interfaces AS
SELECT i.device, i.agent, i.site, i.item_id AS if_index,
       i.fields ->> 'name' AS name, i.fields ->> 'descr' AS descr, i.fields ->> 'alias' AS alias,
       i.fields ->> 'type' AS type, CASE WHEN i.fields ->> 'speed' ~ '^[0-9]{1,30}$' THEN (i.fields ->> 'speed')::numeric END AS speed_bps,
       i.fields ->> 'mac' AS mac, i.fields ->> 'admin_status' AS admin_status,
       i.fields ->> 'oper_status' AS oper_status, CASE WHEN i.fields ->> 'mtu' ~ '^[0-9]{1,18}$' THEN (i.fields ->> 'mtu')::bigint END AS mtu,
       i.updated_at
  FROM report.inventory i WHERE i.kind = 'interface';
COMMENT ON VIEW report.interfaces IS 'Every interface of every device (IF-MIB), as last reported.';
COMMENT ON COLUMN report.interfaces.speed_bps IS 'Speed in bit/s: ifHighSpeed x 10^6 where above 0, else ifSpeed.';
COMMENT ON COLUMN report.interfaces.mac IS 'ifPhysAddress as lower-case hex without separators.';

CREATE VIEW report.entities AS
SELECT i.device, i.agent, i.site, i.kind, i.item_id AS entity_index,
       i.fields ->> 'class' AS class, i.fields ->> 'descr' AS descr, i.fields ->> 'name' AS name,
       i.fields ->> 'model' AS model, i.fields ->> 'serial' AS serial,
       i.fields ->> 'hardware_rev' AS hardware_rev, i.fields ->> 'firmware_rev' AS firmware_rev,
       i.fields ->> 'software_rev' AS software_rev, i.fields ->> 'contained_in' AS contained_in,
       i.updated_at
  FROM report.inventory i WHERE i.kind IN ('entity', 'module');
COMMENT ON VIEW report.entities IS 'Physical parts (ENTITY-MIB entities, vendor chassis modules) with model and serial, as last reported.';

CREATE VIEW report.neighbours AS
SELECT i.device, i.agent, i.site, i.item_id AS lldp_index,
       i.fields ->> 'local_port' AS local_port, i.fields ->> 'chassis_id' AS chassis_id,
       i.fields ->> 'port_id' AS port_id, i.fields ->> 'system_name' AS system_name,
       i.fields ->> 'mgmt_address' AS mgmt_address, i.updated_at
  FROM report.inventory i WHERE i.kind = 'neighbour';
COMMENT ON VIEW report.neighbours IS 'LLDP neighbours seen by each device, as last reported.';

CREATE VIEW report.ssids AS
SELECT i.device, i.agent, i.site, i.item_id,
       i.fields ->> 'ssid' AS ssid, i.fields ->> 'radio' AS radio,
       i.fields ->> 'security' AS security, i.updated_at
  FROM report.inventory i WHERE i.kind = 'ssid';
COMMENT ON VIEW report.ssids IS 'SSIDs offered by access points and their security mode where the device''s MIB says it (NULL otherwise).';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pantau_reader') THEN
        GRANT SELECT ON report.interfaces, report.entities, report.neighbours, report.ssids TO pantau_reader;
    END IF;
END $$;
