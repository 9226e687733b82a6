-- ecdiag case database, schema version 3: Windows event fields, and event
-- data kept on the event row.
-- Migration step 2 -> 3 (store.c). Never edit: later versions add steps.

-- Windows event fields; NULL for events that are not Windows events.
ALTER TABLE event ADD COLUMN record_id INTEGER;   -- EventRecordID
ALTER TABLE event ADD COLUMN channel TEXT;        -- "Application", "System" ...
ALTER TABLE event ADD COLUMN computer TEXT;
ALTER TABLE event ADD COLUMN user_sid TEXT;       -- Security/@UserID
ALTER TABLE event ADD COLUMN qualifiers INTEGER;  -- EventID/@Qualifiers of classic sources
ALTER TABLE event ADD COLUMN task INTEGER;
ALTER TABLE event ADD COLUMN opcode INTEGER;
ALTER TABLE event ADD COLUMN keywords TEXT;       -- hex, "0x80000000000000"
ALTER TABLE event ADD COLUMN process_id INTEGER;  -- System/Execution
ALTER TABLE event ADD COLUMN thread_id INTEGER;

-- An event's name/value items as one JSON array of [name, value] pairs:
-- an EVTX file has a dozen per event, and one row each cost more than
-- everything else of the ingest. event_data stays as a view of them.
ALTER TABLE event ADD COLUMN data TEXT;
UPDATE event SET data = (
  SELECT json_group_array(json_array(name, value)) FROM (
    SELECT name, value FROM event_data d WHERE d.event_id = event.id ORDER BY d.ordinal))
  WHERE id IN (SELECT event_id FROM event_data);
DROP VIEW msi_property;
DROP TABLE event_data;
CREATE VIEW event_data AS
  SELECT e.id AS event_id, j.key + 1 AS ordinal,
         json_extract(j.value, '$[0]') AS name, json_extract(j.value, '$[1]') AS value
  FROM event e, json_each(e.data) j
  WHERE e.data IS NOT NULL;

CREATE VIEW msi_property AS
  SELECT e.source_id, s.path, e.line, e.time,
         (SELECT m.session FROM msi_session m WHERE m.source_id = e.source_id
           AND e.line BETWEEN m.start_line AND m.end_line) AS session,
         CASE WHEN substr(e.message, 1, 9) = 'Property(' THEN substr(e.message, 10, 1)
              ELSE 'change' END AS kind,
         json_extract(j.value, '$[0]') AS name, json_extract(j.value, '$[1]') AS value
  FROM event e JOIN source s ON s.id = e.source_id, json_each(e.data) j
  WHERE s.format = 'msi' AND e.data IS NOT NULL;
