-- ecdiag case database, schema version 6: one clock per case.
-- Migration step 5 -> 6 (store.c). Never edit: later versions add steps.
-- Every stored time is UTC. A source whose times are local keeps here the
-- offset currently applied to them, how it was found and where; the
-- analyzer's clock (analyzer/clock.c) settles these after every ingest and
-- before every analysis, moving the stored times when the offset changes.

ALTER TABLE source ADD COLUMN host TEXT;       -- computer the source belongs to, NULL unknown
ALTER TABLE source ADD COLUMN host_from TEXT;  -- what says so: "path:line ComputerName", "event Computer",
                                               -- "the trace that names it", "the case's only computer"
ALTER TABLE source ADD COLUMN utc_offset INTEGER; -- minutes east of UTC applied to its local times;
                                               -- NULL when its times are UTC (or the offset is not known)
ALTER TABLE source ADD COLUMN clock TEXT;      -- exact | header | given | derived | assumed; NULL: no times
ALTER TABLE source ADD COLUMN clock_from TEXT; -- where the offset comes from ("trace-...log:8 Start Time
                                               -- (Local)/(UTC)", "--utc-offset", "12 of 12 events matched
                                               -- with ..."), or for 'assumed' why none was found
-- event.time_q gains 'local-derived': a local time converted with an
-- offset the case itself reveals (source.clock_from says which).

-- What the sources held before schema 6; the clock fills in the rest.
UPDATE source SET clock = CASE
    WHEN EXISTS (SELECT 1 FROM event e WHERE e.source_id = source.id AND e.time_q = 'local-assumed')
      OR EXISTS (SELECT 1 FROM msi_session m WHERE m.source_id = source.id AND m.time_q = 'local-assumed')
      OR EXISTS (SELECT 1 FROM run r WHERE r.source_id = source.id AND r.time_q = 'local-assumed')
      THEN 'assumed'
    WHEN EXISTS (SELECT 1 FROM event e WHERE e.source_id = source.id AND e.time_q = 'local-given')
      THEN 'given'
    WHEN EXISTS (SELECT 1 FROM event e WHERE e.source_id = source.id AND e.time_q = 'header-offset')
      THEN 'header'
    WHEN EXISTS (SELECT 1 FROM event e WHERE e.source_id = source.id AND e.time_q = 'exact')
      OR EXISTS (SELECT 1 FROM run r WHERE r.source_id = source.id AND r.time_q = 'exact')
      THEN 'exact'
  END
  WHERE status = 'parsed';
UPDATE source SET utc_offset = 0 WHERE clock = 'assumed';
UPDATE source SET clock_from = '--utc-offset' WHERE clock = 'given';

-- Times may move: an analysis stored before is no longer current.
DELETE FROM meta WHERE key = 'analyzed';
