-- The devices' up and down lines (and their adding and revoking) of each office, for the
-- device downtime of company reports: a partial index, as 0002's for the registers, so a
-- report reads a few rows, not the journal.
CREATE INDEX journal_devices ON journal (office_id, at)
    WHERE type IN ('device.down', 'device.up', 'admin.device_added', 'admin.device_revoked');
