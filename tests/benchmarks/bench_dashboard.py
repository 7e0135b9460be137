"""Issue 9's figure: the dashboard's queries over 30 days with 10,000,000 outbox rows.

PostgreSQL scratch database; the rows are generated server-side with generate_series (indexes
and foreign-key triggers off while loading, rebuilt afterwards). Half the rows belong to the
measured store (a year of history, ~13,700 messages a day, plus today's rows so far), half to
nine other stores. Rollups for the measured store's last 35 days are built by the same code the
scheduler tick runs; the rest of the history stays raw (never read by a 30-day dashboard).
Each dashboard call (rollups + today's raw rows) is timed in two rounds of 7 runs.
Target: every query's median < 200 ms.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psycopg

from tests.benchmarks.common import percentile, save, scratch_database

# judged on the median of three runs by tests/benchmarks/run.py
TARGETS = {"worst_median_ms": ("<", 200)}

ROWS = int(os.environ.get("BENCH_DASHBOARD_ROWS", "10000000"))
TARGET_MS = 200.0
RUNS = 7
ROUNDS = 2
BENCH_STORE = 1
OTHER_STORES = 9
CONTACTS = 1_000_000
HISTORY_DAYS = 365
# Reported, not held to the target: what a dashboard costs when the tick has not refreshed
# today's rollup (a stopped scheduler), so all of today is aggregated raw.
DIAGNOSTIC = {"funnel_by_campaign_today_raw"}


GENERATE = """
INSERT INTO outbound_message (
    id, store_id, contact_id, purpose, kind, idempotency_key, template_name, parameters,
    source_type, flow_key, flow_step, campaign_id, variant, checkout_id, due_at, status,
    status_reason, attempts, wamid, error_code, pricing_category, pricing_type, billable,
    created_at, updated_at, sent_at, delivered_at, read_at, failed_at
)
SELECT g,
       s.store_id,
       s.store_id * {per_store_contacts} + (g::bigint * 7919) % {per_store_contacts} + 1,
       CASE WHEN s.kind IN ('campaign', 'cart_recovery') THEN 'marketing' ELSE 'transactional' END,
       s.kind,
       'b' || g,
       s.template,
       '{{}}'::jsonb,
       CASE WHEN s.kind = 'campaign' THEN 'campaign' ELSE 'flow' END,
       CASE s.kind WHEN 'campaign' THEN NULL ELSE s.kind END,
       CASE s.kind WHEN 'cart_recovery' THEN 1 + g % 3 WHEN 'order_update' THEN g % 5 END,
       CASE WHEN s.kind = 'campaign' THEN 1 + (g / 50000) % 200 END,
       CASE WHEN s.kind = 'campaign' THEN CASE WHEN g % 2 = 0 THEN 'A' ELSE 'B' END END,
       CASE WHEN s.kind = 'cart_recovery' THEN 'Q2hlY2tvdXQ6' || (g / 3) END,
       s.created_at,
       s.status,
       CASE s.status WHEN 'suppressed' THEN
           (ARRAY['no_consent', 'quiet_hours', 'cap_24h', 'cap_7d'])[1 + g % 4] END,
       1,
       CASE WHEN s.status IN ('sent', 'delivered', 'read') THEN 'wamid.' || g END,
       CASE s.status WHEN 'failed' THEN (ARRAY[131049, 131026, 130472])[1 + g % 3] END,
       CASE WHEN s.status IN ('sent', 'delivered', 'read') THEN
           CASE s.kind WHEN 'order_update' THEN 'utility' ELSE 'marketing' END END,
       CASE WHEN s.status IN ('sent', 'delivered', 'read') THEN 'regular' END,
       CASE WHEN s.status IN ('sent', 'delivered', 'read') THEN TRUE END,
       s.created_at, s.created_at,
       CASE WHEN s.status IN ('sent', 'delivered', 'read')
           THEN s.created_at + interval '1 second' END,
       CASE WHEN s.status IN ('delivered', 'read') THEN s.created_at + interval '5 seconds' END,
       CASE WHEN s.status = 'read' THEN s.created_at + interval '10 minutes' END,
       CASE WHEN s.status = 'failed' THEN s.created_at + interval '2 seconds' END
FROM generate_series(1, {rows}) AS g
CROSS JOIN LATERAL (
    SELECT CASE WHEN g % 2 = 0 THEN {bench} ELSE {bench} + 1 + g % {others} END AS store_id,
           now() - ((({rows} - g)::float8 * {seconds} / {rows}) * interval '1 second')
               AS created_at,
           (ARRAY['campaign', 'campaign', 'cart_recovery', 'order_update'])[1 + g % 4] AS kind,
           (ARRAY['spring_a', 'spring_b', 'cart_1', 'cart_2', 'order_paid', 'shipped'])[1 + g % 6]
               AS template,
           CASE WHEN g % 100 < 55 THEN 'delivered' WHEN g % 100 < 80 THEN 'read'
                WHEN g % 100 < 88 THEN 'sent' WHEN g % 100 < 93 THEN 'failed'
                WHEN g % 100 < 98 THEN 'suppressed' ELSE 'cancelled' END AS status
) AS s
"""


def _indexes(conn: psycopg.Connection[Any], table: str) -> tuple[list[str], list[str]]:
    """Drop a table's secondary indexes and unique constraints; return how to rebuild them."""
    constraints = conn.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
        (table,),
    ).fetchall()
    indexes = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
        "AND indexname NOT LIKE '%%_pkey'",
        (table,),
    ).fetchall()
    constraint_names = {name for name, _ in constraints}
    rebuild_constraints = [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID'
        if definition.startswith("FOREIGN")
        else f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for name, definition in constraints
    ]
    for name, _ in constraints:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    rebuild_indexes = [d for name, d in indexes if name not in constraint_names]
    for name, _ in indexes:
        if name not in constraint_names:
            conn.execute(f'DROP INDEX IF EXISTS "{name}"')
    return rebuild_indexes, rebuild_constraints


def generate(dsn: str, rows: int) -> dict[str, float]:
    """Fill the scratch database; returns seconds per phase."""
    timings: dict[str, float] = {}
    started = time.monotonic()
    per_store_contacts = CONTACTS // (OTHER_STORES + 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        for n in range(BENCH_STORE, BENCH_STORE + OTHER_STORES + 1):
            conn.execute(
                "INSERT INTO store (id, saleor_api_url, saleor_app_id, domain, name, "
                "app_token_encrypted, jwks, status, installed_at, updated_at) VALUES "
                "(%s, %s, 'QXBwOjE=', '', '', 'x', '{}', 'active', now(), now())",
                (n, f"https://bench{n}.example.com/graphql/"),
            )
        conn.execute(
            "INSERT INTO contact (id, store_id, phone_e164, phone_status, country, orders_count, "
            "total_spent, created_at, updated_at) "
            f"SELECT g, (g - 1) / {per_store_contacts}, "
            "'+90' || (5000000000 + g), 'valid', 'TR', 0, '{}', now(), now() "
            f"FROM generate_series({BENCH_STORE * per_store_contacts + 1}, "
            f"{(BENCH_STORE + OTHER_STORES + 1) * per_store_contacts}) g"
        )
        timings["contacts_s"] = round(time.monotonic() - started, 1)
        rebuild_idx, rebuild_con = _indexes(conn, "outbound_message")
        t = time.monotonic()
        seconds = HISTORY_DAYS * 86400
        conn.execute(
            GENERATE.format(
                rows=rows,
                bench=BENCH_STORE,
                others=OTHER_STORES,
                seconds=seconds,
                per_store_contacts=per_store_contacts,
            )
        )
        timings["messages_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        for statement in rebuild_idx + rebuild_con:
            conn.execute(statement)
        conn.execute(f"SELECT setval('outbound_message_id_seq', {rows})")
        timings["indexes_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        bench_contacts = per_store_contacts
        # replies, opt-outs, links + clicks (a tenth previews), attributed orders: bench store
        conn.execute(
            "INSERT INTO inbound_message (store_id, contact_id, wamid, type, received_at) "
            f"SELECT {BENCH_STORE}, {BENCH_STORE} * {bench_contacts} + 1 + (g * 31) % "
            f"{bench_contacts}, 'wamid.in' || g, 'text', now() - (g::float8 * {seconds} / 300000) "
            "* interval '1 second' FROM generate_series(1, 300000) g"
        )
        conn.execute(
            "INSERT INTO consent_event (store_id, contact_id, purpose, action, source, evidence, "
            f"occurred_at, recorded_at) SELECT {BENCH_STORE}, {BENCH_STORE} * {bench_contacts} "
            f"+ 1 + (g * 17) % {bench_contacts}, 'marketing', 'revoked', 'whatsapp_keyword', "
            f"'{{}}', now() - (g::float8 * {seconds} / 50000) * interval '1 second', now() "
            "FROM generate_series(1, 50000) g"
        )
        conn.execute(
            "INSERT INTO tracked_link (id, store_id, code, url, kind, message_id, contact_id, "
            "created_at) SELECT m.id, m.store_id, 'c' || md5(m.id::text), "
            "'https://shop.example.com/p', 'product', m.id, m.contact_id, m.created_at "
            f"FROM outbound_message m WHERE m.store_id = {BENCH_STORE} AND m.id % 20 = 0 "
            "AND m.status IN ('delivered', 'read')"
        )
        conn.execute(
            "INSERT INTO link_click (store_id, link_id, message_id, contact_id, agent_class, "
            "filtered, filter_reason, clicked_at) SELECT store_id, id, message_id, contact_id, "
            "CASE WHEN id % 10 = 0 THEN 'preview' ELSE 'mobile' END, id % 10 = 0, "
            "CASE WHEN id % 10 = 0 THEN 'preview' END, created_at + interval '20 minutes' "
            "FROM tracked_link"
        )
        conn.execute(
            "INSERT INTO order_attribution (store_id, order_id, contact_id, rule, message_id, "
            "flow_key, flow_step, campaign_id, variant, template_name, currency, total_amount, "
            "refunded_amount, net_amount, cancelled, ordered_at, created_at, updated_at) "
            "SELECT l.store_id, 'T3JkZXI6' || l.id, l.contact_id, 'click', m.id, m.flow_key, "
            "m.flow_step, m.campaign_id, m.variant, m.template_name, 'TRY', 100 + l.id % 900, 0, "
            "100 + l.id % 900, FALSE, l.clicked_at + interval '1 hour', now(), now() "
            "FROM link_click l JOIN outbound_message m ON m.id = l.message_id "
            "WHERE NOT l.filtered AND l.id % 3 = 0 AND l.clicked_at < now() - interval '1 hour'"
        )
        timings["events_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        conn.execute("ANALYZE")
        timings["analyze_s"] = round(time.monotonic() - t, 1)
    timings["generate_total_s"] = round(time.monotonic() - started, 1)
    return timings


def _without_today_rollup(session: Any, query: Callable[[], object]) -> object:
    """Run `query` as if today's rows had never been rolled up (rolled back afterwards)."""
    from plugin.analytics.models import RollupState

    state = session.get(RollupState, BENCH_STORE)
    state.partial_until = None
    session.flush()
    try:
        return query()
    finally:
        session.rollback()


def main() -> dict[str, object]:
    from plugin import clock
    from plugin.analytics import service
    from plugin.analytics.aggregate import utc_day
    from plugin.analytics.models import RollupState
    from plugin.analytics.rollups import build_store
    from plugin.db import configure_engine, session_scope
    from plugin.stores.service import get_settings

    figures: dict[str, object] = {"rows": ROWS, "target_ms": TARGET_MS}
    with scratch_database("ulak_bench_dash") as url:
        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        print(f"generating {ROWS:,} outbox rows...", flush=True)
        figures.update(generate(dsn, ROWS))
        print(figures, flush=True)
        configure_engine(url)
        today = utc_day(clock.now())
        t = time.monotonic()
        with session_scope() as session:
            get_settings(session, BENCH_STORE).storefront_url = "https://shop.example.com"
            session.add(RollupState(store_id=BENCH_STORE, built_through=today - timedelta(days=36)))
        built: list[Any] = []
        while True:
            with session_scope() as session:
                days = build_store(session, store_id=BENCH_STORE)
            built += days
            if not days or max(days) >= today - timedelta(days=1):
                break
        figures["rollup_build_s"] = round(time.monotonic() - t, 1)
        figures["rollup_days_built"] = len(set(built))
        with psycopg.connect(dsn) as conn:
            figures["rollup_rows"] = conn.execute(
                "SELECT count(*) FROM analytics_daily WHERE store_id = %s", (BENCH_STORE,)
            ).fetchone()[0]  # type: ignore[index]
            figures["store_messages_30d"] = conn.execute(
                "SELECT count(*) FROM outbound_message WHERE store_id = %s "
                "AND created_at >= now() - interval '30 days'",
                (BENCH_STORE,),
            ).fetchone()[0]  # type: ignore[index]
            figures["store_messages_today_raw"] = conn.execute(
                "SELECT count(*) FROM outbound_message WHERE store_id = %s "
                "AND created_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
                (BENCH_STORE,),
            ).fetchone()[0]  # type: ignore[index]

        start, end = service.last_days(30)
        common = {"store_id": BENCH_STORE, "start": start, "end": end}
        D = service.Dimension
        queries: dict[str, Callable[[Any], object]] = {
            "funnel_by_flow": lambda s: service.funnel(s, by=D.FLOW, **common),
            "funnel_by_flow_step": lambda s: service.funnel(s, by=D.FLOW_STEP, **common),
            "funnel_by_campaign": lambda s: service.funnel(s, by=D.CAMPAIGN, **common),
            "funnel_by_variant": lambda s: service.funnel(s, by=D.VARIANT, **common),
            "funnel_by_template": lambda s: service.funnel(s, by=D.TEMPLATE, **common),
            "performance_by_flow": lambda s: service.performance(s, by=D.FLOW, **common),
            "performance_by_campaign": lambda s: service.performance(s, by=D.CAMPAIGN, **common),
            "cost_by_month": lambda s: service.cost_report(s, by=D.MONTH, **common),
            "daily_series": lambda s: service.daily_series(s, **common),
            "export_csv_funnel": lambda s: service.export_csv(
                "funnel", session=s, by=D.CAMPAIGN, **common
            ),
            # worst case: today's refresh has not run, all of today is read raw
            "funnel_by_campaign_today_raw": lambda s: _without_today_rollup(
                s, lambda: service.funnel(s, by=D.CAMPAIGN, **common)
            ),
        }
        results: dict[str, dict[str, float]] = {}
        for name, query in queries.items():
            samples: list[float] = []
            rounds: list[float] = []
            for _round in range(ROUNDS):
                round_samples = []
                for _ in range(RUNS):
                    with session_scope() as session:
                        t = time.perf_counter()
                        query(session)
                        round_samples.append((time.perf_counter() - t) * 1000)
                rounds.append(statistics.median(round_samples))
                samples += round_samples
            results[name] = {
                "median_ms": round(statistics.median(samples), 1),
                "p95_ms": round(percentile(samples, 95), 1),
                "max_ms": round(max(samples), 1),
                "round_medians_ms": [round(r, 1) for r in rounds],  # type: ignore[dict-item]
            }
            print(f"{name:28s} {results[name]}", flush=True)
        figures["queries"] = results
        dashboard = {k: v for k, v in results.items() if k not in DIAGNOSTIC}
        figures["worst_median_ms"] = max(r["median_ms"] for r in dashboard.values())
        figures["passed"] = all(r["median_ms"] < TARGET_MS for r in dashboard.values())
    save("dashboard", figures)
    return figures


if __name__ == "__main__":
    result = main()
    print(result)
    sys.exit(0 if result.get("passed") else 1)
