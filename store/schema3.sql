-- ecdiag case database, schema version 3: Windows event fields.
-- Migration step 2 -> 3 (store.c). Never edit: later versions add steps.
-- NULL for events that are not Windows events (traces, MSI logs).
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
