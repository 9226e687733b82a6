-- ecdiag case database, schema version 4: the sync engine's run history.
-- Migration step 3 -> 4 (store.c). Never edit: later versions add steps.
-- run and run_step exist since schema 1; this adds what the parsers read.
-- Times are UTC, as the sync engine keeps them.

ALTER TABLE run ADD COLUMN run_history_id TEXT;
ALTER TABLE run ADD COLUMN result_class TEXT;   -- success, completed-no-objects, completed-warnings,
                                                -- completed-errors, stopped, no-start, in-progress, unknown
ALTER TABLE run ADD COLUMN line INTEGER;        -- where the run starts in its source
ALTER TABLE run ADD COLUMN time_q TEXT;
CREATE INDEX run_source ON run(source_id);
CREATE INDEX run_start ON run(start_time);

ALTER TABLE run_step ADD COLUMN step_subtype TEXT;
ALTER TABLE run_step ADD COLUMN step_class TEXT;   -- full-import, delta-import, full-sync, delta-sync, export, unknown
ALTER TABLE run_step ADD COLUMN result_class TEXT;
ALTER TABLE run_step ADD COLUMN connection_result TEXT;
ALTER TABLE run_step ADD COLUMN connection_server TEXT;
ALTER TABLE run_step ADD COLUMN counters TEXT;     -- JSON object: {"stage-add": 3, "export-failure": 0, ...}
CREATE INDEX run_step_run ON run_step(run_id);

-- Errors of a step: connection incidents, discovery, synchronization and
-- export errors (the first few hundred of each step).
CREATE TABLE run_error (
  id         INTEGER PRIMARY KEY,
  step_id    INTEGER NOT NULL REFERENCES run_step(id),
  category   TEXT,      -- connection, discovery, sync, export, mv-retry
  dn         TEXT,
  error_type TEXT,
  code       TEXT,
  detail     TEXT,
  time       TEXT
);
CREATE INDEX run_error_step ON run_error(step_id);
