-- ecdiag case database, schema version 2: Windows Installer logs.
-- Migration step 1 -> 2 (store.c). Never edit: later versions add steps.
-- Times are UTC ISO-8601 when the log gave a date (time_q says how sure),
-- else only the local time of day in *_local.

-- One logging session of an MSI log: "=== Verbose logging started" to
-- "=== ... stopped", or the whole file when it has no header.
CREATE TABLE msi_session (
  id              INTEGER PRIMARY KEY,
  source_id       INTEGER NOT NULL REFERENCES source(id),
  session         INTEGER NOT NULL,   -- 1, 2 ... within the file
  start_line      INTEGER,
  end_line        INTEGER,
  start_time      TEXT,
  end_time        TEXT,
  start_local     TEXT,
  end_local       TEXT,
  time_q          TEXT NOT NULL,
  started         TEXT,               -- header date and time as written
  calling_process TEXT,               -- from the header
  package         TEXT,               -- the .msi ("******* Product: ...")
  command_line    TEXT,
  product         TEXT,               -- ProductName
  version         TEXT,               -- ProductVersion
  product_code    TEXT,
  upgrade_code    TEXT,
  result          TEXT,               -- last "Product: X -- <result>"
  status          INTEGER,            -- "Installation success or error status: N"
  engine_return   INTEGER,            -- last "MainEngineThread is returning N"
  footer          INTEGER NOT NULL,   -- 1 if the "logging stopped" line was read
  actions         INTEGER NOT NULL,
  failed_actions  INTEGER NOT NULL    -- actions that returned 3
);
CREATE INDEX msi_session_source ON msi_session(source_id, session);

-- One action: "Action start" to "Action ended ... Return value N".
CREATE TABLE msi_action (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES source(id),
  session      INTEGER NOT NULL,
  seq          INTEGER NOT NULL,     -- order of start (or end, if no start) in the file
  name         TEXT NOT NULL,
  parent       TEXT,                 -- innermost action open when it started
  depth        INTEGER NOT NULL,     -- 0 at the top
  start_line   INTEGER,              -- NULL when its start was not in the log
  end_line     INTEGER,              -- NULL when it never ended
  start_time   TEXT,
  end_time     TEXT,
  start_local  TEXT,
  end_local    TEXT,
  time_q       TEXT NOT NULL,
  return_value INTEGER,              -- 1 success, 2 cancelled, 3 fatal error; NULL never ended
  ca_name      TEXT,                 -- last "CustomAction X returned actual error code N" in it
  ca_error     INTEGER,
  ca_line      INTEGER,
  error_number INTEGER,              -- last "Error NNNNN." in it
  error_line   INTEGER,
  error_text   TEXT
);
CREATE INDEX msi_action_source ON msi_action(source_id, session, seq);

-- Properties: the Property(S|C|N) dumps and PROPERTY CHANGE lines.
CREATE VIEW msi_property AS
  SELECT e.source_id, s.path, e.line, e.time,
         (SELECT m.session FROM msi_session m WHERE m.source_id = e.source_id
           AND e.line BETWEEN m.start_line AND m.end_line) AS session,
         CASE WHEN substr(e.message, 1, 9) = 'Property(' THEN substr(e.message, 10, 1)
              ELSE 'change' END AS kind,
         d.name, d.value
  FROM event e JOIN source s ON s.id = e.source_id JOIN event_data d ON d.event_id = e.id
  WHERE s.format = 'msi';
