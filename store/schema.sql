-- ecdiag case database, schema version 1.
-- Embedded in the binary at build time (store/meson.build); applied by
-- store.c to a new database and recorded with PRAGMA user_version. Later
-- versions append migration steps in store.c, never edit this file.

-- One row per input: a file, an archive member, or an archive itself.
CREATE TABLE source (
  id            INTEGER PRIMARY KEY,
  path          TEXT NOT NULL,     -- as given; inside archives 'a.zip!dir/b.log'
  name          TEXT NOT NULL,     -- base name
  container     TEXT,              -- top-level archive, NULL for a loose file
  depth         INTEGER NOT NULL DEFAULT 0, -- archive nesting level
  size          INTEGER,           -- bytes
  mtime         INTEGER,           -- seconds since 1970, when known
  sha256        TEXT,              -- of the bytes, lower-case hex
  status        TEXT NOT NULL,     -- parsed | skipped | duplicate | failed | archive
  reason        TEXT,              -- why skipped, duplicate or failed
  format        TEXT,              -- parser name (ecdiag formats), NULL if none
  encoding      TEXT,              -- utf-8, utf-8-bom, utf-16le-bom, windows-1252, binary ...
  records       INTEGER NOT NULL DEFAULT 0, -- records stored (events; members for archives)
  skipped       INTEGER NOT NULL DEFAULT 0, -- records or lines skipped
  bytes_skipped INTEGER NOT NULL DEFAULT 0,
  problems      INTEGER NOT NULL DEFAULT 0, -- problems reported (all, even past the stored cap)
  first_time    TEXT,              -- earliest event time, UTC ISO-8601
  last_time     TEXT,
  duplicate_of  INTEGER REFERENCES source(id),
  ingested_at   TEXT NOT NULL,
  UNIQUE (path, sha256)
);
CREATE INDEX source_sha ON source(sha256);

-- What could not be read, per source (the first few hundred of each).
CREATE TABLE problem (
  id         INTEGER PRIMARY KEY,
  source_id  INTEGER NOT NULL REFERENCES source(id),
  line       INTEGER,             -- line number, NULL if unknown
  offset     INTEGER,             -- byte offset, NULL if unknown
  records    INTEGER NOT NULL DEFAULT 0,
  bytes      INTEGER NOT NULL DEFAULT 0,
  message    TEXT NOT NULL
);
CREATE INDEX problem_source ON problem(source_id);

-- The unified timeline.
CREATE TABLE event (
  id         INTEGER PRIMARY KEY,
  source_id  INTEGER NOT NULL REFERENCES source(id),
  ordinal    INTEGER NOT NULL,    -- 1, 2, ... within the source
  line       INTEGER,             -- first line (text) or record number (binary)
  offset     INTEGER,             -- byte offset in the source
  time       TEXT,                -- UTC 'YYYY-MM-DDTHH:MM:SS.mmmZ', NULL if unknown
  time_local TEXT,                -- time of day as written, when the date is unknown
  time_q     TEXT NOT NULL,       -- none | time-of-day | local-assumed | local-given | header-offset | exact
  level      TEXT,                -- verbose | info | warning | error | critical
  provider   TEXT,
  event_id   INTEGER,
  thread     TEXT,
  message    TEXT NOT NULL
);
CREATE INDEX event_source ON event(source_id, ordinal);
CREATE INDEX event_time ON event(time);

CREATE TABLE event_data (
  event_id INTEGER NOT NULL REFERENCES event(id),
  ordinal  INTEGER NOT NULL,
  name     TEXT NOT NULL,
  value    TEXT
);
CREATE INDEX event_data_event ON event_data(event_id);

-- Sync engine run history (filled by the run-history parsers).
CREATE TABLE run (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES source(id),
  connector    TEXT,
  connector_id TEXT,
  profile      TEXT,
  run_number   INTEGER,
  result       TEXT,
  start_time   TEXT,
  end_time     TEXT,
  user         TEXT
);
CREATE TABLE run_step (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES run(id),
  step_number INTEGER,
  step_type   TEXT,
  result      TEXT,
  start_time  TEXT,
  end_time    TEXT,
  adds INTEGER, updates INTEGER, renames INTEGER, deletes INTEGER,
  errors INTEGER
);

-- Typed observations; origin 'parser' rows come with their source, origin
-- 'analyzer' rows are rebuilt by every analyze.
CREATE TABLE fact (
  id        INTEGER PRIMARY KEY,
  source_id INTEGER REFERENCES source(id),
  event_id  INTEGER REFERENCES event(id),
  origin    TEXT NOT NULL DEFAULT 'parser',
  name      TEXT NOT NULL,
  key       TEXT,
  value     TEXT
);
CREATE INDEX fact_name ON fact(name);

-- What the analyzer concluded (rebuilt by every analyze).
CREATE TABLE finding (
  id          INTEGER PRIMARY KEY,
  rule        TEXT NOT NULL,        -- signature or check id
  title       TEXT NOT NULL,
  severity    TEXT NOT NULL,        -- info | warning | error | critical
  confidence  TEXT NOT NULL,        -- low | medium | high
  summary     TEXT,
  remediation TEXT,
  time        TEXT
);
CREATE TABLE evidence (
  finding_id INTEGER NOT NULL REFERENCES finding(id),
  source_id  INTEGER REFERENCES source(id),
  event_id   INTEGER REFERENCES event(id),
  line       INTEGER,
  note       TEXT
);
CREATE INDEX evidence_finding ON evidence(finding_id);

-- Episodes the analyzer reconstructed: wizard runs, installs, the upgrade.
CREATE TABLE episode (
  id        INTEGER PRIMARY KEY,
  kind      TEXT NOT NULL,          -- wizard-run ...
  source_id INTEGER REFERENCES source(id),
  label     TEXT,
  start_time TEXT,
  end_time  TEXT,
  time_q    TEXT,
  outcome   TEXT,
  errors    INTEGER NOT NULL DEFAULT 0,
  warnings  INTEGER NOT NULL DEFAULT 0,
  first_error_event INTEGER REFERENCES event(id)
);

-- Bookkeeping: 'ingested' and 'analyzed' counters, so a report can tell
-- whether the analysis is older than the last ingest.
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT
);
