-- ecdiag case database, schema version 5: what the analyzer reconstructs
-- beyond findings (upgrade attempts, sync verdicts, missing evidence,
-- errors no signature explains) and ranked findings.
-- Migration step 4 -> 5 (store.c). Never edit: later versions add steps.
-- Every table here is rebuilt by each analyze (store_begin_analysis).
-- Times are UTC ISO-8601.

ALTER TABLE finding ADD COLUMN kind TEXT;          -- signature | check (NULL: check)
ALTER TABLE finding ADD COLUMN rank INTEGER;       -- 1 = first; NULL when not ranked
ALTER TABLE finding ADD COLUMN explained_by INTEGER REFERENCES finding(id); -- the finding that explains this one
ALTER TABLE finding ADD COLUMN data TEXT;          -- JSON object: references, explains, captures ...
CREATE INDEX finding_explained_by ON finding(explained_by);

-- One upgrade attempt.
CREATE TABLE upgrade (
  id            INTEGER PRIMARY KEY,
  from_version  TEXT,              -- version installed before, when known
  to_version    TEXT,              -- version the attempt installs
  outcome       TEXT NOT NULL,     -- as the analyzer names it (docs/REPORT-SCHEMA.md)
  started       TEXT,
  ended         TEXT,
  pause_start   TEXT,              -- synchronization paused for the upgrade
  pause_end     TEXT,
  pause_seconds INTEGER,           -- NULL when unknown
  phases        TEXT,              -- JSON array (docs/REPORT-SCHEMA.md, "phases")
  source_id     INTEGER REFERENCES source(id), -- where the attempt is best seen
  line          INTEGER
);

-- Whether synchronization resumed after the upgrade, per connector.
CREATE TABLE sync_connector (
  id                INTEGER PRIMARY KEY,
  connector         TEXT NOT NULL,
  verdict           TEXT NOT NULL,   -- as the analyzer names it (docs/REPORT-SCHEMA.md)
  basis             TEXT,            -- run-history | events | none
  import_time       TEXT,            -- first import, sync and export after the upgrade
  sync_time         TEXT,
  export_time       TEXT,
  resumed_time      TEXT,            -- when the cycle was complete again
  seconds_to_resume INTEGER,         -- from the end of the upgrade; NULL when not resumed or unknown
  runs_after        INTEGER,         -- runs after the upgrade
  failed_after      INTEGER,         -- of which failed
  note              TEXT,
  source_id         INTEGER REFERENCES source(id),
  line              INTEGER
);

-- What to collect to answer a question the case cannot.
CREATE TABLE missing_evidence (
  id         INTEGER PRIMARY KEY,
  question   TEXT NOT NULL,        -- what is not known
  collect    TEXT NOT NULL,        -- what to collect
  how        TEXT,                 -- command or steps
  finding_id INTEGER REFERENCES finding(id) -- the finding it would decide, NULL if none
);
CREATE INDEX missing_evidence_finding ON missing_evidence(finding_id);

-- Error records no signature explains, grouped by message template.
CREATE TABLE unexplained (
  id         INTEGER PRIMARY KEY,
  template   TEXT NOT NULL,        -- the message with its variable parts replaced
  count      INTEGER NOT NULL,     -- records of the template
  sources    INTEGER NOT NULL,     -- sources they are in
  example    TEXT,                 -- one message as written
  format     TEXT,                 -- of the example's source
  provider   TEXT,
  level      TEXT,
  first_time TEXT,                 -- earliest record of the template
  source_id  INTEGER REFERENCES source(id), -- the example's
  event_id   INTEGER REFERENCES event(id),
  line       INTEGER
);

-- An analysis stored by an older ecdiag has none of the above: it is no
-- longer current.
DELETE FROM meta WHERE key = 'analyzed';
