"""Stored facts in SQL: the same statements for the office's SQLite and the centre's PostgreSQL.

The tables are reports/facts.py's TABLES with `(office_id, unit, start)` in front:
`unit` D is one day's facts (written when the day closed); W, M, Q and Y the same
figures added up over a week (from Monday), a calendar month, quarter and year (rolled
up whenever a day is written), `start` the unit's first day. At the office `office_id` is always 0; at the
centre it is the office's id. A report over a period reads the fewest units that
cover it (`units`: whole years, quarters, months and weeks, then the days left over), so
a calendar year of one office is one row per key, and 50 offices' year is 50.

Everything a report shows is a sum or a maximum of these rows, except the medians and
90th percentiles, which SQL reads off the histograms (`fact_hist_group`, nearest rank
over the bins; reports/facts.py says how fine they are) in one query per report. The
histograms may also be subtracted, so a period's may be read as a larger unit's less
what lies outside it (`histogram_units`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from queue_server.reports.facts import MAXIMA, TABLES, Day, Facts
from queue_server.reports.groups import Combo

DAY, WEEK, MONTH, QUARTER, YEAR = "D", "W", "M", "Q", "Y"
LEVELS = (YEAR, QUARTER, MONTH, WEEK, DAY)
PREFIX = ("office_id", "unit", "start")
DAY_ONLY = ("fact_day", "fact_role")  # per-day rows of the report: never rolled up
ROLLED = tuple(t for t in TABLES if t not in DAY_ONLY)
HIST_NOW = "fact_hist_now"  # a report's own histogram rows of days not stored (today)
GROUP_DIMS = ("service", "role", "counter", "operator", "visit")


@dataclass(frozen=True)
class Dialect:
    """What differs between the two databases for these statements."""

    param: str  # "?" (sqlite3) or "%s" (psycopg)
    dates_as_text: bool  # SQLite keeps dates as ISO text; PostgreSQL as DATE
    copy: bool  # rows go in with COPY (psycopg) rather than executemany
    lateral: bool = False  # LATERAL subqueries (PostgreSQL): histograms summed office by office

    def sql(self, text: str) -> str:
        return text.replace("?", self.param) if self.param != "?" else text

    def day(self, d: date):
        return d.isoformat() if self.dates_as_text else d


SQLITE = Dialect("?", True, False)
POSTGRES = Dialect("%s", False, True, True)


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _placeholders(n: int) -> str:
    return ", ".join("?" * n)


def columns(table: str) -> tuple[str, ...]:
    keys, figures = TABLES[table]
    return PREFIX + keys + figures


def insert_sql(table: str, dialect: Dialect) -> str:
    cols = columns(table)
    return dialect.sql(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({_placeholders(len(cols))})")


# ---- units ------------------------------------------------------------------------------
def month_start(d: date) -> date:
    return d.replace(day=1)


def next_month(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def unit_end(unit: str, first: date) -> date:
    """The day after a unit that starts on `first`."""
    if unit == YEAR:
        return date(first.year + 1, 1, 1)
    if unit == QUARTER:
        return next_month(next_month(next_month(first)))
    if unit == MONTH:
        return next_month(first)
    if unit == WEEK:
        return first + timedelta(days=7)
    return first + timedelta(days=1)


def units(start: date, end: date) -> list[tuple[str, date]]:
    """The fewest stored units that cover the days start..end inclusive: from each day on,
    the largest unit that starts there and fits (a week only if it does not keep a whole
    month that starts within it from being read as one)."""
    out: list[tuple[str, date]] = []
    d = start
    while d <= end:
        unit = DAY
        if d.month == 1 and d.day == 1 and unit_end(YEAR, d) <= end + timedelta(days=1):
            unit = YEAR
        elif d == quarter_start(d) and unit_end(QUARTER, d) <= end + timedelta(days=1):
            unit = QUARTER
        elif d.day == 1 and unit_end(MONTH, d) <= end + timedelta(days=1):
            unit = MONTH
        elif d.weekday() == 0 and unit_end(WEEK, d) <= end + timedelta(days=1):
            m = next_month(d)
            if not (m < unit_end(WEEK, d) and unit_end(MONTH, m) <= end + timedelta(days=1)):
                unit = WEEK
        out.append((unit, d))
        d = unit_end(unit, d)
    return out


# What a unit's histograms cost a report, relative to a day's: their rows per office in the
# bench network (a day 5,700, a week 12,900, a month, quarter or year 16,600–17,500).
HIST_COST = {DAY: 1.0, WEEK: 2.3, MONTH: 3.0, QUARTER: 3.0, YEAR: 3.0}


def _period_of(level: str, d: date) -> tuple[date, date]:
    """The first and last day of the month, quarter or year `d` falls in."""
    first = {MONTH: month_start, QUARTER: quarter_start, YEAR: lambda x: date(x.year, 1, 1)}[level](d)
    return first, unit_end(level, first) - timedelta(days=1)


def histogram_units(start: date, end: date) -> tuple[list[tuple[str, date]], list[tuple[str, date]]]:
    """The cheapest units whose histograms add up to those of start..end: (added, subtracted).

    Histograms are counts and sums, so a period may also be a larger one less what lies
    outside it: 15 Jan … 14 Dec is the year less 1–14 Jan and 15–31 Dec (one year, two
    weeks and ten days) rather than ten days, three weeks, four months and two quarters.
    Each end may reach out to its month, quarter or year; the cheapest cover wins (HIST_COST).
    Maxima do not subtract: the other tables keep `units`."""
    def cost(found: list[tuple[str, date]]) -> float:
        return sum(HIST_COST[u] for u, _d in found)

    best: tuple[list, list] = (units(start, end), [])
    best_cost = cost(best[0])
    one = timedelta(days=1)
    for left in (None, MONTH, QUARTER, YEAR):
        first = start if left is None else _period_of(left, start)[0]
        for right in (None, MONTH, QUARTER, YEAR):
            last = end if right is None else _period_of(right, end)[1]
            if (first, last) == (start, end):
                continue
            minus = (units(first, start - one) if first < start else []) + (units(end + one, last) if end < last else [])
            plus = units(first, last)
            if cost(plus) + cost(minus) < best_cost:
                best, best_cost = (plus, minus), cost(plus) + cost(minus)
    return best


class Span:
    """The rows of a table that make up some offices' period: one index search per kind of
    unit (`office_id IN … AND unit = … AND start IN …`), added together with UNION ALL.
    `minus`: units whose rows are subtracted (their `NEGATED` columns negative;
    `histogram_units`). `office`: an SQL expression naming the one office to read instead
    (`each_office`)."""

    NEGATED = ("n", "us")

    def __init__(self, offices: list[int], found: list[tuple[str, date]], dialect: Dialect,
                 office: str | None = None, minus: list[tuple[str, date]] | None = None) -> None:
        self.offices, self.dialect, self.office, self.found = offices, dialect, office, found
        self.minus = minus or []

        def by_unit(found: list[tuple[str, date]]) -> list[tuple[str, list]]:
            grouped = [(u, [dialect.day(s) for uu, s in found if uu == u]) for u in LEVELS]
            return [(u, starts) for u, starts in grouped if starts]

        self.by_unit = [(u, starts, False) for u, starts in by_unit(found)]
        self.by_unit += [(u, starts, True) for u, starts in by_unit(self.minus)]
        self.units = sum(len(starts) for _u, starts, _neg in self.by_unit)  # each office's units

    def each_office(self, office: str) -> Span:
        """The same units of the one office `office` names (a column of an outer query)."""
        return Span(self.offices, self.found, self.dialect, office, self.minus)

    def rows(self, table: str, cols: str) -> tuple[str, list]:
        parts, params = [], []
        offices = (f"office_id = {self.office}" if self.office
                   else f"office_id IN ({_placeholders(len(self.offices))})")
        negated = ", ".join(f"-{c} AS {c}" if c in self.NEGATED else c for c in cols.split(", "))
        for unit, starts, negative in self.by_unit:
            parts.append(f"SELECT {negated if negative else cols} FROM {table} WHERE {offices} "
                         f"AND unit = '{unit}' AND start IN ({_placeholders(len(starts))})")
            params += [*([] if self.office else self.offices), *starts]
        if not parts:
            return f"(SELECT {cols} FROM {table} WHERE 1 = 0)", []
        return "(" + " UNION ALL ".join(parts) + ")", params


# ---- writing ----------------------------------------------------------------------------
def write_day(conn, dialect: Dialect, office_id: int, day: date, facts: Facts) -> int:
    """Replace one office day's stored rows (unit D) with these facts; returns the rows written.
    The caller holds the transaction and then rolls the month and year up (`roll_up`)."""
    from queue_server.reports.facts import rows

    delete_days(conn, dialect, office_id, [day])
    by_table: dict[str, list] = {}
    for table, _i, values in rows(facts):
        by_table.setdefault(table, []).append((office_id, DAY, dialect.day(day), *values))
    n = 0
    for table, values in by_table.items():
        if dialect.copy:
            with conn.cursor().copy(f"COPY {table} ({', '.join(columns(table))}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            conn.cursor().executemany(insert_sql(table, dialect), values)
        n += len(values)
    return n


def delete_days(conn, dialect: Dialect, office_id: int, days: list[date]) -> None:
    for table in TABLES:
        for d in days:
            conn.execute(dialect.sql(f"DELETE FROM {table} WHERE office_id = ? AND unit = 'D' AND start = ?"),
                         (office_id, dialect.day(d)))


def roll_up(conn, dialect: Dialect, office_id: int, days: Iterable[date]) -> None:
    """Recompute the week, month, quarter and year rows of every one the days fall in:
    weeks and months from the days, quarters from the months, years from the quarters."""
    days = sorted(set(days))
    for w in sorted({week_start(d) for d in days}):
        _roll(conn, dialect, office_id, WEEK, w, DAY, w, unit_end(WEEK, w))
    months = sorted({month_start(d) for d in days})
    for m in months:
        _roll(conn, dialect, office_id, MONTH, m, DAY, m, unit_end(MONTH, m))
    quarters = sorted({quarter_start(m) for m in months})
    for q in quarters:
        _roll(conn, dialect, office_id, QUARTER, q, MONTH, q, unit_end(QUARTER, q))
    for y in sorted({q.year for q in quarters}):
        first = date(y, 1, 1)
        _roll(conn, dialect, office_id, YEAR, first, QUARTER, first, unit_end(YEAR, first))


def _roll(conn, dialect: Dialect, office_id: int, unit: str, start: date, source: str,
          first: date, after: date) -> None:
    for table in ROLLED:
        keys, figures = TABLES[table]
        conn.execute(dialect.sql(f"DELETE FROM {table} WHERE office_id = ? AND unit = ? AND start = ?"),
                     (office_id, unit, dialect.day(start)))
        where = "WHERE office_id = ? AND unit = ? AND start >= ? AND start < ?"
        params = (office_id, source, dialect.day(first), dialect.day(after))
        aggregates = [f"max({f})" if f in MAXIMA else f"sum({f})" for f in figures]
        # in key order: a report that sorts the unit's rows (the histograms' ranking) finds them sorted
        select = (f"SELECT office_id, ?, ?{''.join(', ' + k for k in keys)}, {', '.join(aggregates)} "
                  f"FROM {table} {where} GROUP BY {', '.join(('office_id',) + keys)}"
                  + (f" ORDER BY {', '.join(keys)}" if keys else ""))
        conn.execute(dialect.sql(f"INSERT INTO {table} ({', '.join(columns(table))}) {select}"),
                     (unit, dialect.day(start), *params))


SUM_N, SUM_US = "CAST(sum(n) AS INTEGER)", "CAST(sum(us) AS BIGINT)"  # PostgreSQL would sum into numeric


# ---- reading ----------------------------------------------------------------------------
def _sums(figures, values) -> None:
    n, total, top, within, normed = values
    figures.add_sums(int(n or 0), int(total or 0), top, int(within or 0), int(normed or 0))


def read_period(conn, dialect: Dialect, offices: list[int], start: date, end: date,
                with_hist_now: bool = False, totals: bool = True, parts: list | None = None
                ) -> tuple[dict[int, Facts], Facts, dict]:
    """Each office's facts of the period, their sum, and the percentiles
    {(office or None for the sum, dim, id, metric): (p50 µs, p90 µs)}; combos and
    counters keep their office id in their keys. With `parts` (PostgreSQL), the sum's
    histograms are appended to it rather than ranked: a report read in several parts
    at once adds them up and ranks them with `rank_parts`."""
    ndays = (end - start).days + 1
    span = Span(offices, units(start, end), dialect)
    office_in = f"office_id IN ({_placeholders(len(offices))})"
    per = {oid: Facts(start, ndays) for oid in offices}
    total = Facts(start, ndays)

    def query(sql: str, params: list) -> list:
        return conn.execute(dialect.sql(sql), params).fetchall()

    def summed(table: str, keys: str, figures: str) -> list:
        rows, params = span.rows(table, f"{keys}, {figures}")
        return query(f"SELECT {keys}, {_aggregates(figures)} FROM {rows} r GROUP BY {keys}", params)

    day_params = [*offices, dialect.day(start), dialect.day(end)]
    day_where = f"{office_in} AND unit = 'D' AND start >= ? AND start <= ?"
    _, day_figures = TABLES["fact_day"]
    for oid, d, *v in query(f"SELECT office_id, start, {', '.join(day_figures)} FROM fact_day "
                            f"WHERE {day_where}", day_params):
        i = (_as_date(d) - start).days
        day = Day(*(int(x) for x in v[:6]))
        _sums(day.total, v[6:11])
        _sums(day.booked, v[11:16])
        per[oid].days[i].add(day)
        total.days[i].add(day)
    for d, role, *v in query("SELECT start, role, sum(steps), sum(wait_n), sum(wait_sum), sum(service_n), "
                             f"sum(service_sum) FROM fact_role WHERE {day_where} GROUP BY start, role", day_params):
        total.day_roles[((_as_date(d) - start).days, role)] = [int(x) for x in v]

    keys, figures = TABLES["fact_combo"]
    for oid, sid, role, ctr, op, *v in summed("fact_combo", "office_id, " + ", ".join(keys), ", ".join(figures)):
        for facts in (per[oid], total):
            combo = facts.combos.setdefault((oid, sid, role, ctr, op), Combo())
            combo.steps += int(v[0])
            combo.no_shows += int(v[1])
            combo.recalls += int(v[2])
            combo.open += int(v[3])
            _sums(combo.wait, v[4:9])
            _sums(combo.service, v[9:14])
    for hour, role, n, total_us, top, within, normed in summed(
            "fact_hour", "hour, role", "wait_n, wait_sum, wait_max, wait_within, wait_normed"):
        total.hours[(int(hour), role)] = [int(n), int(total_us), top, int(within), int(normed)]
    for hour, arrivals, steps, waiting_max in summed("fact_flow", "hour", "arrivals, steps, waiting_max"):
        total.flow[int(hour)] = [int(arrivals), int(steps), int(waiting_max)]
    for oid, what, a, b, c, n in summed("fact_count", "office_id, what, a, b, c", "n"):
        for facts in (per[oid], total):
            facts.counts[(what, a, b, c)] = facts.counts.get((what, a, b, c), 0) + int(n)
    for oid, cid, open_us, paused_us in summed("fact_counter", "office_id, counter", "open_us, paused_us"):
        for facts in (per[oid], total):
            row = facts.counters.setdefault((oid, cid), [0, 0])
            row[0] += int(open_us)
            row[1] += int(paused_us)
    plus, minus = histogram_units(start, end)
    ranks = percentiles(conn, dialect, Span(offices, plus, dialect, minus=minus), with_hist_now, totals, parts)
    return per, total, ranks


def _aggregates(figures: str) -> str:
    return ", ".join(f"max({f})" if f in MAXIMA else f"sum({f})" for f in figures.split(", "))


RANK_SHIFT = 48  # a bin and its values' mean (µs < 2**48, 8.9 years) in one sortable integer


def percentiles(conn, dialect: Dialect, span: Span, with_hist_now: bool, totals: bool,
                parts: list | None = None) -> dict:
    """Nearest-rank medians and 90th percentiles of every group, off the summed histograms:
    the bin holding the rank, read as the mean of the durations in it (reports/facts.py).
    Groups are keyed by office (None: the offices added up), what they are, their id and
    the metric.

    Over several offices PostgreSQL works office by office (a LATERAL subquery per office:
    its units' histograms added up, ranked, and its service, role and visit histograms handed
    out for the total): fifty hash tables and sorts of one office's groups each stay small,
    where one of all the offices' (a million rows) costs about twice as much
    (docs/performance.md, issue #19's notes). With `parts` it works office by office even
    for one, and hands the sum's histograms (dim, k, metric, bin, n, us) out unranked."""
    if parts is not None and not dialect.lateral:
        raise ValueError("histograms are handed out in parts only by PostgreSQL")
    sources, params = [], []
    several = span.units > 1 or with_hist_now
    by_office = dialect.lateral and (len(span.offices) > 1 or parts is not None)
    offices = span.offices
    if by_office:
        span = span.each_office("ox.o")
    stored, p = span.rows("fact_hist_group", "office_id, dim, key, metric, bin, n, us")
    if p:
        sources.append(f"SELECT office_id AS o, dim, key AS k, metric, bin, n, us FROM {stored} y")
        params += p
    if with_hist_now:
        only = " WHERE office_id = ox.o" if by_office else ""
        sources.append(f"SELECT office_id AS o, dim, key AS k, metric, bin, n, us FROM {HIST_NOW}{only}")
    if not sources:
        return {}
    rows = " UNION ALL ".join(sources)
    if several or len(sources) > 1:  # the same group and bin in several units
        # (a bin of units subtracted from a larger one may add up to none: no such bin)
        rows = (f"SELECT o, dim, k, metric, bin, {SUM_N} AS n, {SUM_US} AS us FROM ({rows}) m "
                "GROUP BY o, dim, k, metric, bin" + (" HAVING sum(n) > 0" if span.minus else ""))
    added = (f"SELECT -1 AS o, dim, k, metric, bin, {SUM_N} AS n, {SUM_US} AS us FROM {{}} "
             "WHERE dim IN ('service', 'role', 'visit') GROUP BY dim, k, metric, bin")
    if by_office:
        handed = ("" if not totals else " UNION ALL SELECT 'h', o, dim, k, metric, bin, n, us, NULL, NULL FROM h "
                  "WHERE dim IN ('service', 'role', 'visit')")
        ids = ", ".join(str(int(o)) for o in offices)  # whole numbers: the planner sees how many
        each = (f"SELECT l.* FROM unnest(ARRAY[{ids}]) AS ox(o), LATERAL (WITH h AS MATERIALIZED ({rows}) "
                f"SELECT 'p' AS t, o, dim, k, metric, CAST(NULL AS smallint) AS bin, CAST(NULL AS integer) AS n, "
                f"CAST(NULL AS bigint) AS us, p50, p90 FROM ({_ranked('h', 'dim, k, metric')}) r{handed}) l")
        ranked = f"WITH per AS MATERIALIZED ({each}) SELECT o, dim, k, metric, p50, p90"
        if parts is not None:  # the part's sum as histogram rows (o -2), unranked
            sql = (f"{ranked}, NULL AS bin, NULL AS n, NULL AS us FROM per WHERE t = 'p' UNION ALL "
                   f"SELECT -2, dim, k, metric, NULL, NULL, bin, {SUM_N}, {SUM_US} FROM per "
                   "WHERE t = 'h' GROUP BY dim, k, metric, bin")
        else:
            sql = f"{ranked} FROM per WHERE t = 'p'"
            if totals:
                sql += f" UNION ALL {_ranked('(' + added.format('per') + ') a', 'dim, k, metric')}"
    else:
        g = "SELECT * FROM h" + (" UNION ALL " + added.format("h") if totals else "")
        sql = f"WITH h AS MATERIALIZED ({rows}), g AS ({g}) {_ranked('g', 'o, dim, k, metric')}"
    out = {}
    mask = 2 ** RANK_SHIFT - 1
    for o, dim, k, metric, p50, p90, *hist in conn.execute(dialect.sql(sql), params).fetchall():
        if o == -2:
            parts.append((dim, k, metric, *hist))
            continue
        office = None if o == -1 else o
        out[(office, dim, None if dim == "visit" else k, metric)] = (int(p50) & mask, int(p90) & mask)
    return out


def rank_parts(parts: list) -> dict:
    """The sum's percentiles off histograms handed out in parts (`percentiles`), added up
    here: the same nearest rank, and the same reading of a bin, as `_ranked` in SQL."""
    hist: dict[tuple, dict[int, list[int]]] = {}
    for dim, k, metric, b, n, us in parts:
        cell = hist.setdefault((dim, k, metric), {}).setdefault(int(b), [0, 0])
        cell[0] += int(n)
        cell[1] += int(us)
    out = {}
    for (dim, k, metric), bins in hist.items():
        total = sum(n for n, _us in bins.values())
        ranks, cum = [], 0
        for b in sorted(bins):
            n, us = bins[b]
            cum += n
            while len(ranks) < 2 and cum * 100 >= total * (50, 90)[len(ranks)]:
                ranks.append(us // n)
        if len(ranks) == 2:
            out[(None, dim, None if dim == "visit" else k, metric)] = (ranks[0], ranks[1])
    return out


def _ranked(source: str, partition: str) -> str:
    """Each group's nearest-rank median and 90th percentile of `source`'s histogram rows
    (o, dim, k, metric, bin, n, us), each as its bin and its values' mean in one integer."""
    return ("SELECT o, dim, k, metric, min(CASE WHEN cum * 100 >= total * 50 THEN key END) AS p50, "
            "min(CASE WHEN cum * 100 >= total * 90 THEN key END) AS p90 FROM ("
            f"SELECT o, dim, k, metric, bin * {2 ** RANK_SHIFT} + us / n AS key, "
            f"sum(n) OVER (PARTITION BY {partition} ORDER BY bin ROWS UNBOUNDED PRECEDING) AS cum, "
            f"sum(n) OVER (PARTITION BY {partition}) AS total FROM {source}) c GROUP BY o, dim, k, metric")
