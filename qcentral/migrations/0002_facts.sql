-- Per-day facts of every office (issue #19 item 4; docs/central.md "Company reports"): the same
-- tables as an office's (queue_server/adapters/migrations.py, the per-day facts step, reports/facts.py TABLES),
-- computed here from each office's pushed journal as its days close. `unit` D is one day, W/M/Q/Y
-- the same figures added up over a week (from Monday), month, quarter and year; `start` is the
-- unit's first day. Durations and their sums are microseconds (bigint).
-- Derived data: `qcentral facts rebuild` makes them again from `journal`.

CREATE TABLE fact_day (
    office_id integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    unit text NOT NULL, start date NOT NULL,
    visits integer, no_shows integer, cancelled integer, open_at_close integer, multi_role integer,
    transfers integer, total_n integer, total_sum bigint, total_max bigint, total_within integer,
    total_normed integer,
    -- booked visitors' first waits, from the later of check-in and the slot (reports/bookings.py)
    booked_n integer, booked_sum bigint, booked_max bigint, booked_within integer, booked_normed integer
);
CREATE TABLE fact_role (
    office_id integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    unit text NOT NULL, start date NOT NULL,
    role text, steps integer, wait_n integer, wait_sum bigint, service_n integer, service_sum bigint
);
CREATE TABLE fact_combo (
    office_id integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    unit text NOT NULL, start date NOT NULL,
    service text, role text, counter text, operator text,
    steps integer, no_shows integer, recalls integer, open integer,
    wait_n integer, wait_sum bigint, wait_max bigint, wait_within integer, wait_normed integer,
    service_n integer, service_sum bigint, service_max bigint, service_within integer, service_normed integer
);
CREATE TABLE fact_hour (
    office_id integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    unit text NOT NULL, start date NOT NULL,
    hour smallint, role text,
    wait_n integer, wait_sum bigint, wait_max bigint, wait_within integer, wait_normed integer
);
CREATE TABLE fact_flow (
    office_id integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    unit text NOT NULL, start date NOT NULL,
    hour smallint, arrivals integer, steps integer, waiting_max integer
);
CREATE TABLE fact_count (
    office_id integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    unit text NOT NULL, start date NOT NULL,
    what text, a text, b text, c text, n integer
);
CREATE TABLE fact_counter (
    office_id integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    unit text NOT NULL, start date NOT NULL,
    counter text, open_us bigint, paused_us bigint
);
-- The histograms of durations: per (service, counter, operator) and bin, how many and their sum.
CREATE TABLE fact_hist (
    office_id integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    unit text NOT NULL, start date NOT NULL,
    service text, role text, counter text, operator text, metric text, bin smallint, n integer, us bigint
);
-- The same histograms by the groups a report shows (dim: service, role, counter, operator, visit),
-- for months, quarters and years (fact_hist keeps days and weeks).
CREATE TABLE fact_hist_group (
    office_id integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    unit text NOT NULL, start date NOT NULL,
    dim text, key text, metric text, bin smallint, n integer, us bigint
);
CREATE INDEX fact_day_unit ON fact_day (office_id, unit, start);
CREATE INDEX fact_hist_group_unit ON fact_hist_group (office_id, unit, start);
CREATE INDEX fact_role_unit ON fact_role (office_id, unit, start);
CREATE INDEX fact_combo_unit ON fact_combo (office_id, unit, start);
CREATE INDEX fact_hour_unit ON fact_hour (office_id, unit, start);
CREATE INDEX fact_flow_unit ON fact_flow (office_id, unit, start);
CREATE INDEX fact_count_unit ON fact_count (office_id, unit, start);
CREATE INDEX fact_counter_unit ON fact_counter (office_id, unit, start);
CREATE INDEX fact_hist_unit ON fact_hist (office_id, unit, start);

-- The lines a report reads whole rather than as facts (the appeals registry's history, what became
-- of the period's bookings): few among millions, found without reading the rest.
CREATE INDEX journal_registers ON journal (office_id, at) WHERE type LIKE 'appeal.%' OR type LIKE 'booking.%';

-- Which office days have facts, from how many journal lines.
CREATE TABLE fact_built (
    office_id integer NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    day date NOT NULL,
    events integer NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (office_id, day)
);

-- Every line of the office up to facts_seq is in its closed days' facts.
ALTER TABLE offices ADD COLUMN facts_seq bigint NOT NULL DEFAULT 0;
